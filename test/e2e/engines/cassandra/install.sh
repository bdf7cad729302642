#!/usr/bin/env bash
# Installs Apache Cassandra for the e2e tests into the cache (outside the checkout):
#   $CACHE/cassandra-<version>/lib/   cassandra-all and its runtime dependencies from Maven
#                                     Central (pom.xml beside this file), jamm (the -javaagent
#                                     Cassandra needs) and JNA among them
# with CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}. test/e2e/harness/cassandra.ts writes a
# cassandra.yaml per server and runs org.apache.cassandra.service.CassandraDaemon on Java 17.
# Idempotent: a rerun with nothing to do only compares the marker with the pom's hash.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
POM="$HERE/pom.xml"

say() { printf 'cassandra/install.sh: %s\n' "$*"; }
die() { printf 'cassandra/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"; }

VERSION=$(sed -n 's:.*<cassandra.version>\(.*\)</cassandra.version>.*:\1:p' "$POM")
[[ -n "$VERSION" ]] || die "no <cassandra.version> in $POM"
DIR="$CACHE/cassandra-$VERSION"
MARKER="$DIR/.installed"

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.cassandra-install.lock"
  flock 9
fi

WANT=$(sha256sum "$POM" | cut -d' ' -f1)
if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$WANT" ]]; then
  say "cassandra $VERSION: already installed in $DIR/lib"
  exit 0
fi
need java "Java 17 runs Cassandra 5"
need mvn "Maven fetches the Cassandra jars from Maven Central"
say "cassandra $VERSION: fetching jars with Maven into $DIR/lib ..."
rm -rf "$DIR.tmp"
mkdir -p "$DIR.tmp/lib"
if ! mvn -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$DIR.tmp/lib" >"$DIR.tmp/mvn.log" 2>&1; then
  tail -n 40 "$DIR.tmp/mvn.log" >&2
  die "mvn could not fetch org.apache.cassandra:cassandra-all:$VERSION (log above)"
fi
[[ -f "$DIR.tmp/lib/cassandra-all-$VERSION.jar" ]] || die "cassandra-all-$VERSION.jar missing"
compgen -G "$DIR.tmp/lib/jamm-*.jar" >/dev/null || die "jamm jar (the -javaagent) missing"
compgen -G "$DIR.tmp/lib/jna-[0-9]*.jar" >/dev/null || die "JNA jar missing"
printf '%s\n' "$WANT" >"$DIR.tmp/.installed"
rm -rf "$DIR"
mv "$DIR.tmp" "$DIR"
say "cassandra $VERSION: installed $(ls "$DIR/lib" | wc -l) jars in $DIR/lib"
