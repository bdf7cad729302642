#!/usr/bin/env bash
# The runtime's own checks: ruff (lint and format), mypy --strict and pytest. Tests that need
# pyspark (tests/spark) run in the Spark environment, the others in the e2e environment; both are
# installed by test/e2e/install.sh into ${PIPEGEN_CACHE:-$HOME/.cache/pipegen}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
E2E_PY="$CACHE/venv-e2e/bin/python"
SPARK_PY="$CACHE/venv-spark/bin/python"
for py in "$E2E_PY" "$SPARK_PY"; do
  [[ -x "$py" ]] || { echo "runtime/test.sh: $py missing: run bash test/e2e/install.sh" >&2; exit 1; }
done
"$E2E_PY" -m ruff check src tests
"$E2E_PY" -m ruff format --check src tests
# mypy --strict ([tool.mypy] in pyproject.toml), each part against the packages it runs with:
# the top-level modules in the e2e venv, spark/ and testing/ in the Spark venv (pyspark's types).
"$E2E_PY" -m mypy src/pipegen_runtime/*.py
"$E2E_PY" -m mypy --python-executable "$SPARK_PY" \
  src/pipegen_runtime/spark src/pipegen_runtime/testing
"$E2E_PY" -m pytest -q -p no:cacheprovider --ignore=tests/spark tests
if [[ -d tests/spark ]]; then
  "$SPARK_PY" -m pytest -q -p no:cacheprovider tests/spark
fi
