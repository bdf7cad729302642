#!/usr/bin/env bash
# Installs what the end-to-end tests need into a cache outside the checkout:
#   $CACHE/kafka-<version>/libs   Kafka broker jars (Maven Central, test/e2e/engines/kafka/pom.xml)
#   $CACHE/venv-e2e               Python venv from test/e2e/requirements.txt, and pipegen-runtime
#                                 from runtime/ (the topic apply program; engines/runtime/install.sh)
# with CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}. Idempotent: a rerun with nothing to do
# only checks two marker files. Keep KAFKA_VERSION in step with the pom and harness/kafka.ts.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
KAFKA_VERSION=4.1.2
PYTHON=${PIPEGEN_PYTHON:-python3}

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"; }

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"

# --- Kafka ----------------------------------------------------------------------------------
install_kafka() {
  local pom="$E2E_DIR/engines/kafka/pom.xml"
  local dir="$CACHE/kafka-$KAFKA_VERSION"
  local marker="$dir/.installed"
  local pom_version
  pom_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
  [[ "$pom_version" == "$KAFKA_VERSION" ]] ||
    die "KAFKA_VERSION=$KAFKA_VERSION in install.sh but $pom has kafka.version=$pom_version"
  # The marker holds the pom's hash, so a changed pom (e.g. an added jar) refetches.
  local pom_hash
  pom_hash=$(sha256sum "$pom" | cut -d' ' -f1)
  if [[ -f "$marker" && "$(cat "$marker")" == "$pom_hash" ]]; then
    say "kafka $KAFKA_VERSION: already installed in $dir/libs"
    return
  fi
  need java "Java 17+ is needed to run the broker"
  need mvn "Maven fetches the Kafka jars from Maven Central"
  say "kafka $KAFKA_VERSION: fetching jars with Maven into $dir/libs ..."
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp/libs"
  # Maven's output goes to a log, shown only when it fails.
  if ! mvn -B -f "$pom" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$dir.tmp/libs" >"$dir.tmp/mvn.log" 2>&1; then
    tail -n 40 "$dir.tmp/mvn.log" >&2
    die "mvn could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies (log above)"
  fi
  [[ -f "$dir.tmp/libs/kafka_2.13-$KAFKA_VERSION.jar" ]] ||
    die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn copy-dependencies"
  printf '%s\n' "$pom_hash" >"$dir.tmp/.installed"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  say "kafka $KAFKA_VERSION: installed $(ls "$dir/libs" | wc -l) jars"
}

# --- Python venv -----------------------------------------------------------------------------
install_venv() {
  local req="$E2E_DIR/requirements.txt"
  local venv="$CACHE/venv-e2e"
  local stamp="$venv/.requirements.sha256"
  local req_hash
  req_hash=$(sha256sum "$req" | cut -d' ' -f1)
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$req_hash" ]]; then
    say "venv: up to date in $venv"
    return
  fi
  need "$PYTHON" "Python 3.11+ is needed for the venv (set PIPEGEN_PYTHON to choose one)"
  say "venv: (re)creating $venv from $req ..."
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv" || die "python -m venv $venv failed"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" ||
    { rm -rf "$venv"; die "pip install -r $req failed"; }
  "$venv/bin/python" -c 'import confluent_kafka' ||
    { rm -rf "$venv"; die "confluent_kafka does not import in $venv"; }
  printf '%s\n' "$req_hash" >"$stamp"
  say "venv: installed $(grep -v '^\s*#' "$req" | grep -c .) requirements"
}

install_kafka
install_venv
bash "$E2E_DIR/engines/runtime/install.sh" "$CACHE/venv-e2e"
# Spark (venv-spark + connector jars) and the PostgreSQL/MariaDB server packages
bash "$E2E_DIR/engines/spark/install.sh"
bash "$E2E_DIR/engines/databases/install.sh"
# Cassandra 5.0 (Maven Central), FerretDB and MinIO (Go module proxy), S3A jars (Maven Central)
bash "$E2E_DIR/engines/cassandra/install.sh"
bash "$E2E_DIR/engines/ferretdb/install.sh"
bash "$E2E_DIR/engines/minio/install.sh"
# The Compose reference loader (compose-go), for the generated stacks (stack.e2e.test.ts).
bash "$E2E_DIR/engines/compose/install.sh"
# Airflow 3 (pinned lock) and the Confluent-compatible schema registry (Apicurio)
bash "$E2E_DIR/engines/airflow/install.sh"
bash "$E2E_DIR/engines/registry/install.sh"
# NiFi 2.8.0 stateless engine + NARs, built from NiFi's source release (Maven Central serves no NiFi binaries here)
bash "$E2E_DIR/engines/nifi/install.sh"
# NiFi 2.8.0 server (REST API, no UI) from the same source release: the framework only; it loads
# the stateless install's extension NARs (~5 min with a warm ~/.m2)
bash "$E2E_DIR/engines/nifi/install-server.sh"
say "done (cache: $CACHE)"
