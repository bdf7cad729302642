"""This package as one zip for spark-submit --py-files (or SparkContext.addPyFile).

    python -m pipegen_runtime.pyfiles [--output-dir DIR | --output FILE]

writes ``pipegen_runtime-<version>.zip`` (into the current directory by default) and prints
its path. The generated Spark jobs import the runtime on the driver and on the executors;
where it is not installed in their Python, ship it with the job:

    spark-submit --py-files pipegen_runtime-0.2.1.zip ... job.py

The zip holds the package as it is installed here (or as found on PYTHONPATH), and the same
files always give the same bytes: entries sorted, stored uncompressed, with fixed dates and
permissions, no bytecode.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pipegen_runtime

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PACKAGE = "pipegen_runtime"
#: The earliest date a zip entry can have: the same for every build.
_DATE = (1980, 1, 1, 0, 0, 0)


def zip_name(version: str = pipegen_runtime.__version__) -> str:
    """The zip's file name for a runtime version: pipegen_runtime-<version>.zip."""
    return f"{PACKAGE}-{version}.zip"


def _files(root: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in root.iterdir():
        name = f"{prefix}/{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _files(entry, name)
        elif not entry.name.endswith((".pyc", ".pyo")):
            yield name, entry


def package_files() -> list[tuple[str, bytes]]:
    """The package's files (path in the zip, content), sorted by path."""
    root = resources.files(PACKAGE)
    return sorted((name, entry.read_bytes()) for name, entry in _files(root, PACKAGE))


def write_zip(target: Path) -> Path:
    """Writes the package as a zip to ``target`` (replacing it) and returns the path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in package_files():
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.create_system = 3  # Unix, so the permissions above hold everywhere
            zf.writestr(info, data)
    partial.replace(target)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipegen_runtime.pyfiles",
        description=f"Writes {zip_name()} (this runtime as a zip) for spark-submit --py-files.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--output-dir",
        type=Path,
        default=Path(),
        help="the folder to write it in (default: .)",
    )
    where.add_argument(
        "--output", type=Path, help="the zip's path (instead of DIR/" + zip_name() + ")"
    )
    args = parser.parse_args(argv)
    target = args.output if args.output is not None else args.output_dir / zip_name()
    print(write_zip(target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
