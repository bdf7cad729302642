#!/usr/bin/env bash
# Installs what the PySpark jobs need into the e2e cache (outside the checkout):
#   $CACHE/venv-spark/                 Python venv: pyspark (= Spark itself, jars included),
#                                      confluent-kafka, fastavro, psycopg, PyMySQL
#                                      (test/e2e/engines/spark/requirements.txt), and
#                                      pipegen-runtime from runtime/ in this checkout (the
#                                      generated jobs import it)
#   $CACHE/spark-jars-<pyspark ver>/   connector jars from Maven Central (pom.xml beside this
#                                      file): spark-sql-kafka-0-10 + spark-avro at exactly the
#                                      pyspark version, the PostgreSQL and MariaDB JDBC drivers,
#                                      and their runtime dependencies, minus every artifact that
#                                      pyspark already ships in pyspark/jars. jars.csv there is
#                                      the comma-separated list for --jars / spark.jars.
# with CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}. Idempotent: a rerun with nothing to do
# only compares three marker files with the hashes of requirements.txt, pom.xml and the
# runtime's sources (runtime/pyproject.toml and runtime/src).
set -euo pipefail

SPARK_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
PYTHON=${PIPEGEN_PYTHON:-python3}
REQ="$SPARK_E2E_DIR/requirements.txt"
RUNTIME_DIR=$(cd "$SPARK_E2E_DIR/../../../../runtime" && pwd)
POM="$SPARK_E2E_DIR/pom.xml"
VENV="$CACHE/venv-spark"

say() { printf 'spark/install.sh: %s\n' "$*"; }
die() { printf 'spark/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"; }

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"
# Two installs at once (two shells running the e2e tests) would build the same dirs.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.spark-install.lock"
  flock 9
fi

# The Spark version is the pyspark pin; the pom's connectors must be the same version.
PYSPARK_VERSION=$(sed -n 's/^pyspark==\([^ ;#]*\).*/\1/p' "$REQ")
[[ -n "$PYSPARK_VERSION" ]] || die "no 'pyspark==<version>' line in $REQ"
POM_SPARK_VERSION=$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$POM")
[[ "$POM_SPARK_VERSION" == "$PYSPARK_VERSION" ]] ||
  die "requirements.txt pins pyspark==$PYSPARK_VERSION but $POM has spark.version=$POM_SPARK_VERSION"
JARS_DIR="$CACHE/spark-jars-$PYSPARK_VERSION"

# --- Python venv with pyspark ------------------------------------------------------------------
install_venv() {
  local stamp="$VENV/.requirements.sha256"
  local req_hash
  req_hash=$(sha256sum "$REQ" | cut -d' ' -f1)
  if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$req_hash" ]]; then
    say "venv-spark: up to date in $VENV (pyspark $PYSPARK_VERSION)"
    return
  fi
  need "$PYTHON" "Python 3.10+ is needed for the venv (set PIPEGEN_PYTHON to choose one)"
  say "venv-spark: (re)creating $VENV from $REQ (pyspark is a ~450 MB download) ..."
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || die "python -m venv $VENV failed"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" ||
    { rm -rf "$VENV"; die "pip install -r $REQ failed"; }
  local got
  got=$("$VENV/bin/python" -c 'import confluent_kafka, fastavro, psycopg, pymysql, pyspark; print(pyspark.__version__)') ||
    { rm -rf "$VENV"; die "the packages of $REQ do not import in $VENV"; }
  [[ "$got" == "$PYSPARK_VERSION" ]] ||
    { rm -rf "$VENV"; die "pyspark reports version $got, expected $PYSPARK_VERSION"; }
  printf '%s\n' "$req_hash" >"$stamp"
  say "venv-spark: installed pyspark $got and $(grep -v '^\s*#' "$REQ" | grep -c .) requirements"
}

# --- pipegen-runtime ---------------------------------------------------------------------------
# The hash of the runtime's sources: sha256sum of each file of pyproject.toml and src/ (paths
# relative to runtime/, in byte order; no bytecode), hashed again. test/e2e/harness/spark.ts
# computes the same to reinstall a stale runtime before a test runs a job.
runtime_hash() {
  (cd "$RUNTIME_DIR" &&
    find pyproject.toml src -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*.egg-info/*' -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

install_runtime() {
  local stamp="$VENV/.pipegen-runtime.sha256"
  local want
  want=$(runtime_hash)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    say "pipegen-runtime: up to date in $VENV"
    return
  fi
  # From a copy: pip builds local projects in place, which would leave build/ and
  # *.egg-info in the checkout.
  local tmp
  tmp=$(mktemp -d)
  cp -R "$RUNTIME_DIR/pyproject.toml" "$RUNTIME_DIR/README.md" "$RUNTIME_DIR/src" "$tmp/"
  find "$tmp" -name __pycache__ -prune -exec rm -rf {} +
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall "$tmp" ||
    { rm -rf "$tmp"; die "pip install of $RUNTIME_DIR into $VENV failed"; }
  rm -rf "$tmp"
  local got
  got=$(cd / && "$VENV/bin/python" -c 'import pipegen_runtime, pipegen_runtime.spark.jobs; print(pipegen_runtime.__version__)') ||
    die "pipegen_runtime does not import in $VENV"
  printf '%s\n' "$want" >"$stamp"
  say "pipegen-runtime: installed $got from $RUNTIME_DIR"
}

# --- connector jars ----------------------------------------------------------------------------
install_jars() {
  local marker="$JARS_DIR/.installed"
  local want
  want=$(cat "$POM" "$REQ" | sha256sum | cut -d' ' -f1)
  if [[ -f "$marker" && "$(cat "$marker")" == "$want" ]]; then
    say "spark jars: already installed in $JARS_DIR"
    return
  fi
  need java "Java 17+ runs Maven and Spark"
  need mvn "Maven fetches the connector jars from Maven Central"
  local pyspark_jars
  pyspark_jars=$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')
  [[ -f "$pyspark_jars/spark-core_2.13-$PYSPARK_VERSION.jar" ]] ||
    die "no spark-core_2.13-$PYSPARK_VERSION.jar in $pyspark_jars"

  local tmp="$JARS_DIR.tmp"
  say "spark jars: fetching with Maven into $JARS_DIR ..."
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # One Maven run: copy the runtime closure, and list it (groupId:artifactId:type[:classifier]:version:scope).
  if ! mvn -B -f "$POM" dependency:copy-dependencies dependency:list \
      -DincludeScope=runtime -DoutputDirectory="$tmp" -DoutputFile="$tmp/deps.txt" \
      -DexcludeTransitive=false >"$tmp/mvn.log" 2>&1; then
    tail -n 40 "$tmp/mvn.log" >&2
    die "mvn could not fetch the Spark $PYSPARK_VERSION connectors and JDBC drivers (log above)"
  fi

  # Drop every artifact pyspark already has (at whatever version): two copies of a class on
  # the classpath (scala-library, slf4j, lz4, snappy, hadoop-client-*, ...) break Spark.
  local line coords artifact version classifier file kept=0 dropped=0
  : >"$tmp/dropped.txt"
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"} # trim leading blanks
    line=${line%% *}                      # drop " -- module ..." and the like
    [[ "$line" == *:*:*:*:* ]] || continue
    IFS=: read -r -a coords <<<"$line"
    artifact=${coords[1]}
    if ((${#coords[@]} >= 6)); then
      classifier="-${coords[3]}" version=${coords[4]}
    else
      classifier="" version=${coords[3]}
    fi
    file="$tmp/$artifact-$version$classifier.${coords[2]}"
    [[ -f "$file" ]] || die "expected $file from mvn copy-dependencies (dependency $line)"
    local shipped
    shipped=$(cd "$pyspark_jars" && compgen -G "$artifact-[0-9]*.jar" | head -n 1 || true)
    if [[ -n "$shipped" ]]; then
      printf '%s (pyspark ships %s)\n' "$line" "$shipped" >>"$tmp/dropped.txt"
      rm -f "$file"
      dropped=$((dropped + 1))
    else
      kept=$((kept + 1))
    fi
  done <"$tmp/deps.txt"
  ((kept > 0)) || die "no jars left after removing pyspark's own (see $tmp/deps.txt)"

  for must in "spark-sql-kafka-0-10_2.13-$PYSPARK_VERSION.jar" \
      "spark-token-provider-kafka-0-10_2.13-$PYSPARK_VERSION.jar" \
      "spark-avro_2.13-$PYSPARK_VERSION.jar"; do
    [[ -f "$tmp/$must" ]] || die "$must missing after mvn copy-dependencies"
  done
  compgen -G "$tmp/kafka-clients-*.jar" >/dev/null || die "kafka-clients jar missing"
  compgen -G "$tmp/postgresql-*.jar" >/dev/null || die "postgresql JDBC jar missing"
  compgen -G "$tmp/mariadb-java-client-*.jar" >/dev/null || die "mariadb-java-client jar missing"

  # For spark-submit --jars / --conf spark.jars=... (absolute paths of the final directory).
  (cd "$tmp" && ls -1 -- *.jar) | sed "s#^#$JARS_DIR/#" | paste -sd, - >"$tmp/jars.csv"
  printf '%s\n' "$want" >"$tmp/.installed"
  rm -rf "$JARS_DIR"
  mv "$tmp" "$JARS_DIR"
  say "spark jars: kept $kept jars, dropped $dropped that pyspark ships (list: $JARS_DIR/dropped.txt)"
}

install_venv
install_runtime
install_jars
say "done (cache: $CACHE)"
