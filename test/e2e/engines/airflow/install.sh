#!/usr/bin/env bash
# Installs the Airflow test environment into the e2e cache (outside the checkout):
#   $CACHE/venv-airflow/             Airflow 3 + providers (standard, apache-spark,
#                                    apache-kafka, smtp, slack, http), confluent-kafka with its
#                                    Schema Registry client and fastavro: exactly
#                                    requirements.lock (pip --no-deps), checked with pip check
#                                    and pipegen-runtime from runtime/ (pip --no-deps, after
#                                    the lock: the generated DAGs import it)
#   $CACHE/venv-airflow-dagfactory/  dag-factory alone (requirements-dagfactory.lock), seeing
#                                    venv-airflow's packages through a .pth file
# with CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}. Idempotent and a fast no-op: each venv is
# rebuilt only when the sha256 of its lock file(s) differs from the stamp inside it, and the
# runtime reinstalled only when runtime/pyproject.toml or runtime/src changed
# (engines/runtime/install.sh). Regenerate requirements.lock with lock.sh (see requirements.in).
set -euo pipefail

AIRFLOW_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
PYTHON=${PIPEGEN_PYTHON:-python3}
LOCK="$AIRFLOW_E2E_DIR/requirements.lock"
DF_LOCK="$AIRFLOW_E2E_DIR/requirements-dagfactory.lock"
VENV="$CACHE/venv-airflow"
DF_VENV="$CACHE/venv-airflow-dagfactory"

say() { printf 'airflow/install.sh: %s\n' "$*"; }
die() { printf 'airflow/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"; }

[[ -f "$LOCK" ]] || die "no $LOCK (run lock.sh)"
LOCK_HASH=$(sha256sum "$LOCK" | cut -d' ' -f1)
DF_HASH=$(cat "$LOCK" "$DF_LOCK" | sha256sum | cut -d' ' -f1)
stamp_ok() { [[ -x "$1/bin/python" && -f "$1/.lock.sha256" && "$(cat "$1/.lock.sha256")" == "$2" ]]; }

# The fast path: both stamps match, nothing to lock or install but perhaps the runtime.
if stamp_ok "$VENV" "$LOCK_HASH" && stamp_ok "$DF_VENV" "$DF_HASH"; then
  say "venv-airflow and venv-airflow-dagfactory: up to date in $CACHE"
  bash "$AIRFLOW_E2E_DIR/../runtime/install.sh" "$VENV"
  exit 0
fi

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"
# Two installs at once (two shells running the e2e tests) would build the same venvs.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.airflow-install.lock"
  flock 9
fi

# Reads "<python>" and prints its X.Y version.
pyver() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

install_airflow_venv() {
  if stamp_ok "$VENV" "$LOCK_HASH"; then
    say "venv-airflow: up to date in $VENV"
    return
  fi
  need "$PYTHON" "Python 3.10-3.13 is needed for the venv (set PIPEGEN_PYTHON to choose one)"
  local want have
  want=$(sed -n 's/^# Python \([0-9]*\.[0-9]*\).*/\1/p' "$LOCK")
  have=$(pyver "$PYTHON")
  [[ -z "$want" || "$want" == "$have" ]] ||
    say "warning: requirements.lock was made with Python $want, installing with $have"
  say "venv-airflow: (re)creating $VENV from requirements.lock ($(grep -vc '^#' "$LOCK") packages) ..."
  local start=$SECONDS
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || die "python -m venv $VENV failed"
  # --no-deps: the lock is the whole set (it plays the part of Airflow's constraints file).
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r "$LOCK" ||
    { rm -rf "$VENV"; die "pip install -r $LOCK failed"; }
  local check
  check=$("$VENV/bin/python" -m pip check --disable-pip-version-check 2>&1) ||
    { rm -rf "$VENV"; die "pip check: requirements.lock is not a consistent set (rerun lock.sh): $check"; }
  local got
  got=$(AIRFLOW_HOME="$VENV/.airflow-home" "$VENV/bin/python" - <<'PY'
import importlib.metadata as md

import airflow  # noqa: F401
import airflow.providers.apache.kafka  # noqa: F401
import airflow.providers.apache.spark.operators.spark_submit  # noqa: F401
import airflow.providers.http.operators.http  # noqa: F401
import airflow.providers.slack.notifications.slack_webhook  # noqa: F401
import airflow.providers.smtp.notifications.smtp  # noqa: F401
import airflow.providers.standard.operators.bash  # noqa: F401
import confluent_kafka  # noqa: F401
import fastavro  # noqa: F401
from airflow.dag_processing.dagbag import DagBag  # noqa: F401
from airflow.sdk import DAG, DeadlineAlert, task  # noqa: F401
from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: F401

print("version:", md.version("apache-airflow"))
PY
  ) || { rm -rf "$VENV"; die "the packages of requirements.lock do not import in $VENV"; }
  rm -rf "$VENV/.airflow-home"
  got=$(sed -n 's/^version: //p' <<<"$got")
  printf '%s\n' "$LOCK_HASH" >"$VENV/.lock.sha256"
  say "venv-airflow: installed apache-airflow $got in $((SECONDS - start)) s"
}

install_dagfactory_venv() {
  if stamp_ok "$DF_VENV" "$DF_HASH"; then
    say "venv-airflow-dagfactory: up to date in $DF_VENV"
    return
  fi
  say "venv-airflow-dagfactory: (re)creating $DF_VENV ..."
  rm -rf "$DF_VENV"
  "$VENV/bin/python" -m venv --without-pip "$DF_VENV" ||
    die "python -m venv $DF_VENV failed"
  # Every package of venv-airflow, behind the small venv's own site-packages.
  local base_site df_site
  base_site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  df_site=$("$DF_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  printf '%s\n' "$base_site" >"$df_site/_pipegen_venv_airflow.pth"
  # The small venv has no pip of its own: venv-airflow's, seen through the .pth, installs
  # into the small venv's site-packages (sys.prefix is the small venv).
  "$DF_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r "$DF_LOCK" ||
    { rm -rf "$DF_VENV"; die "pip install -r $DF_LOCK failed"; }
  local check
  check=$("$DF_VENV/bin/python" -m pip check --disable-pip-version-check 2>&1) ||
    { rm -rf "$DF_VENV"; die "pip check failed in $DF_VENV (a dependency of dag-factory is missing): $check"; }
  local got
  got=$(AIRFLOW_HOME="$DF_VENV/.airflow-home" AIRFLOW__DAG_FACTORY__ENABLE_TELEMETRY=False \
    DO_NOT_TRACK=1 SCARF_NO_ANALYTICS=true "$DF_VENV/bin/python" -W ignore -c \
    'import importlib.metadata as md, airflow, dagfactory; print(md.version("dag-factory"))' \
    2>/dev/null) || { rm -rf "$DF_VENV"; die "dag-factory does not import in $DF_VENV"; }
  rm -rf "$DF_VENV/.airflow-home"
  printf '%s\n' "$DF_HASH" >"$DF_VENV/.lock.sha256"
  say "venv-airflow-dagfactory: installed dag-factory $got"
}

install_airflow_venv
# The runtime after the lock's packages (a rebuilt venv has no stamp: it is installed again).
bash "$AIRFLOW_E2E_DIR/../runtime/install.sh" "$VENV"
install_dagfactory_venv
say "done (cache: $CACHE)"
