#!/usr/bin/env bash
# Installs the schema registry with the Confluent API into the e2e cache (outside the checkout):
#   $CACHE/apicurio-registry-<version>/   Apicurio Registry, the Quarkus app from Maven Central
#                                         (io.apicurio:apicurio-registry-app:<version>:tar.gz:all,
#                                         ~160 MB), unpacked: quarkus-run.jar, lib/, app/, quarkus/
# with CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}. Idempotent: a rerun with nothing to do only
# reads a marker file. Keep APICURIO_VERSION in step with test/e2e/harness/registry.ts.
# Running it needs Java 21+ (its classes are Java 21 bytecode): the harness picks one.
set -euo pipefail

CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
APICURIO_VERSION=3.3.3
ARTIFACT="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
DIR="$CACHE/apicurio-registry-$APICURIO_VERSION"

say() { printf 'registry/install.sh: %s\n' "$*"; }
die() { printf 'registry/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"; }

if [[ -f "$DIR/.installed" && "$(cat "$DIR/.installed")" == "$ARTIFACT" ]]; then
  say "apicurio registry $APICURIO_VERSION: already installed in $DIR"
  exit 0
fi

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.registry-install.lock"
  flock 9
fi

need mvn "Maven fetches the registry from Maven Central"
need tar "to unpack the registry"
start=$SECONDS
tmp="$DIR.tmp"
rm -rf "$tmp"
mkdir -p "$tmp/dist"
say "apicurio registry $APICURIO_VERSION: fetching $ARTIFACT with Maven ..."
# No pom needed: dependency:copy of one artifact (kept in ~/.m2 as well).
if ! (cd "$tmp" && mvn -B dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$tmp/dist" \
    >"$tmp/mvn.log" 2>&1); then
  tail -n 40 "$tmp/mvn.log" >&2
  die "mvn could not fetch $ARTIFACT (log above)"
fi
tarball="$tmp/dist/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
[[ -f "$tarball" ]] || die "$tarball missing after mvn dependency:copy"
tar -xzf "$tarball" -C "$tmp" || die "cannot unpack $tarball"
rm -rf "$tmp/dist"
[[ -f "$tmp/quarkus-run.jar" && -f "$tmp/app/apicurio-registry-app-$APICURIO_VERSION.jar" ]] ||
  die "unexpected layout in $tarball (no quarkus-run.jar or app/apicurio-registry-app-$APICURIO_VERSION.jar)"
printf '%s\n' "$ARTIFACT" >"$tmp/.installed"
rm -rf "$DIR"
mv "$tmp" "$DIR"
say "apicurio registry $APICURIO_VERSION: installed in $DIR in $((SECONDS - start)) s"

# A Java 21+ to run it (not needed to install): warn early when there is none.
found=""
for j in "${PIPEGEN_JAVA21_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  [[ -n "$j" && -x "$j/bin/java" ]] || continue
  v=$("$j/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java.specification.version = //p')
  if [[ "${v%%.*}" =~ ^[0-9]+$ ]] && ((${v%%.*} >= 21)); then found="$j (Java $v)"; break; fi
done
if [[ -n "$found" ]]; then
  say "java for the registry: $found"
else
  say "warning: no Java 21+ found (PIPEGEN_JAVA21_HOME, JAVA_HOME, /usr/lib/jvm/*): the registry will not start"
fi
