"""python -m pipegen_runtime.pyfiles: the package as a zip for spark-submit --py-files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pipegen_runtime
from pipegen_runtime import pyfiles


def test_the_zip_holds_the_package_sources_and_the_same_files_give_the_same_bytes(
    tmp_path: Path,
) -> None:
    first = pyfiles.write_zip(tmp_path / "a" / pyfiles.zip_name())
    second = pyfiles.write_zip(tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        dates = {i.date_time for i in zf.infolist()}
    assert names == sorted(names)
    assert "pipegen_runtime/__init__.py" in names
    assert "pipegen_runtime/spark/sinks/jdbc.py" in names
    assert "pipegen_runtime/py.typed" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert dates == {(1980, 1, 1, 0, 0, 0)}


def test_the_command_names_the_zip_by_version_and_python_imports_from_it(
    tmp_path: Path,
) -> None:
    src = Path(pipegen_runtime.__file__).parent.parent
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipegen_runtime.pyfiles",
            "--output-dir",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
    )
    zipped = tmp_path / f"pipegen_runtime-{pipegen_runtime.__version__}.zip"
    assert made.stdout.strip() == str(zipped)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import pipegen_runtime as r; print(r.__file__, r.__version__)"
    )
    imported = subprocess.run(
        [sys.executable, "-c", code, str(zipped)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.split() == [
        f"{zipped}/pipegen_runtime/__init__.py",
        pipegen_runtime.__version__,
    ]
