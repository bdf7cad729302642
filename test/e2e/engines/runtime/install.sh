#!/usr/bin/env bash
# Installs pipegen-runtime (runtime/ of this repository) into a venv of the e2e cache, as a
# user installs it into an engine's environment (pip install ./runtime):
#   bash test/e2e/engines/runtime/install.sh "$CACHE/venv-airflow"
# --no-deps: the runtime has no dependencies, and the venvs' own packages stay exactly what
# their lock or requirements file says. A fast no-op when $VENV/.pipegen-runtime.sha256
# holds the hash of runtime/pyproject.toml + runtime/src (runtime_hash below; the e2e
# harness computes the same in harness/runtime.ts to refuse a stale install).
set -euo pipefail

RUNTIME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../../runtime" && pwd)
VENV=${1:?usage: install.sh VENV}
STAMP="$VENV/.pipegen-runtime.sha256"

say() { printf 'runtime/install.sh: %s\n' "$*"; }
die() { printf 'runtime/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }

# sha256 of the lines "<sha256>  <path>" of pyproject.toml and every file under src (build
# leftovers aside), in byte order of the paths.
runtime_hash() {
  (cd "$RUNTIME" &&
    find pyproject.toml src -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*.egg-info/*' -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

[[ -x "$VENV/bin/python" ]] || die "no venv at $VENV"
HASH=$(runtime_hash)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$HASH" ]]; then
  say "pipegen-runtime: up to date in $VENV"
  exit 0
fi
# pip builds in the source tree, and setuptools leaves build/ and *.egg-info there: build a
# copy. The build backend (setuptools, runtime/pyproject.toml) comes from PyPI in pip's
# isolated build environment; the venv gets nothing but the runtime.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/runtime"
cp -r "$RUNTIME/pyproject.toml" "$RUNTIME/README.md" "$RUNTIME/src" "$TMP/runtime/"
find "$TMP/runtime" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-cache-dir --no-deps \
  --force-reinstall "$TMP/runtime" >"$TMP/pip.log" 2>&1 ||
  { cat "$TMP/pip.log" >&2; die "pip install ./runtime into $VENV failed"; }
version=$("$VENV/bin/python" -c 'import pipegen_runtime; print(pipegen_runtime.__version__)') ||
  die "pipegen_runtime does not import in $VENV"
printf '%s\n' "$HASH" >"$STAMP"
say "pipegen-runtime $version: installed into $VENV"
