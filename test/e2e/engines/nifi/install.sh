#!/usr/bin/env bash
# Installs Apache NiFi's stateless engine and the NARs that pipegen's flows use into the e2e
# cache (outside the checkout), CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}:
#
#   $CACHE/nifi-<v>/stateless/    NIFI_HOME of the stateless engine: bin/nifi-stateless.sh,
#                                 conf/, lib/ (bootstrap jars + nifi-stateless-nar + nifi-jetty-nar)
#   $CACHE/nifi-<v>/nars/         the extension NARs (standard, record serialization, DBCP,
#                                 Kafka 3, update-attribute, MongoDB, Confluent schema registry,
#                                 and their parent NARs); the engine's nifi.stateless.nar.directory
#   $CACHE/nifi-<v>/jdbc/         PostgreSQL and MariaDB JDBC drivers, for DBCPConnectionPool's
#                                 "Database Driver Location(s)"
#   $CACHE/nifi-<v>/manifests/    each NAR's META-INF/docs/extension-manifest.xml (<nar>.xml), the
#                                 source of docs/nifi-components.md
#   $CACHE/nifi-<v>/nars.txt      name, size and bundle coordinates of every NAR
#   $CACHE/nifi-<v>/.installed    marker: the hash of the inputs below; a rerun is a no-op
#
# Why a source build: the Maven Central this project reaches serves NiFi's parent pom, its
# library jars (nifi-api, nifi-utils, ...) and the source release
# (org.apache.nifi:nifi:<v>:zip:source-release), but refuses the binaries
# (nifi-stateless-assembly:<v>:zip:bin, nifi-*-nar:<v>:nar, nifi-standard-processors, ...).
# So this script fetches the source release with Maven and builds exactly the modules below
# (tests skipped) with Maven 3.9.12 (NiFi's enforcer wants >= 3.9.12; fetched from Central as
# org.apache.maven:apache-maven:3.9.12:tar.gz:bin) on a Java 21+ JDK. The first run takes
# ~5 minutes on 2 idle cores once ~/.m2 holds the build dependencies (5.5 min of CPU; a first
# build also downloads them); every later run only compares the marker.
#
# Java: NiFi 2.x needs Java 21+. PIPEGEN_NIFI_JAVA_HOME (default
# /usr/lib/jvm/temurin-25-jdk-amd64) is used for the build and by harness/nifi.ts to run the
# engine; the rest of the e2e suite stays on the default Java 17.
# PIPEGEN_NIFI_KEEP_BUILD=1 keeps the source tree and Maven log in $CACHE/nifi-<v>.build.
set -euo pipefail

NIFI_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
# Keep in step with NIFI_VERSION in test/e2e/harness/nifi.ts and the bundle versions in
# test/e2e/engines/nifi/flows/*.json. 2.8.0 is the newest NiFi whose source release Maven
# Central serves here (2.9.0, 2.10.0 and 2.11.0 are refused, even their parent poms).
NIFI_VERSION=2.8.0
MAVEN_VERSION=3.9.12
POSTGRESQL_JDBC_VERSION=42.7.14 # same as test/e2e/engines/spark/pom.xml
MARIADB_JDBC_VERSION=3.5.11
JAVA_HOME_NIFI=${PIPEGEN_NIFI_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

DIR="$CACHE/nifi-$NIFI_VERSION"
BUILD="$CACHE/nifi-$NIFI_VERSION.build"
MAVEN_HOME="$CACHE/tools/apache-maven-$MAVEN_VERSION"

# The NARs to build, as module paths in the NiFi source tree. Parents (nifi-standard-shared-nar,
# nifi-standard-services-api-nar, nifi-kafka-service-api-nar, ...) are listed explicitly: the
# engine loads a NAR only when its parent NAR is in the NAR directory too.
NAR_MODULES=(
  nifi-extension-bundles/nifi-standard-services/nifi-standard-services-api-nar
  nifi-extension-bundles/nifi-standard-shared-bundle/nifi-standard-shared-nar
  nifi-extension-bundles/nifi-standard-bundle/nifi-standard-nar
  nifi-extension-bundles/nifi-standard-services/nifi-record-serialization-services-bundle/nifi-record-serialization-services-nar
  nifi-extension-bundles/nifi-standard-services/nifi-dbcp-service-bundle/nifi-dbcp-service-nar
  nifi-extension-bundles/nifi-standard-services/nifi-database-dialect-service-bundle/nifi-database-dialect-service-nar
  nifi-extension-bundles/nifi-kafka-bundle/nifi-kafka-service-api-nar
  nifi-extension-bundles/nifi-kafka-bundle/nifi-kafka-3-service-nar
  nifi-extension-bundles/nifi-kafka-bundle/nifi-kafka-nar
  nifi-extension-bundles/nifi-update-attribute-bundle/nifi-update-attribute-nar
  nifi-extension-bundles/nifi-mongodb-bundle/nifi-mongodb-client-service-api-nar
  nifi-extension-bundles/nifi-mongodb-bundle/nifi-mongodb-services-nar
  nifi-extension-bundles/nifi-mongodb-bundle/nifi-mongodb-nar
  nifi-extension-bundles/nifi-confluent-platform-bundle/nifi-confluent-platform-nar
)
ASSEMBLY_MODULE=nifi-stateless/nifi-stateless-assembly

say() { printf 'nifi/install.sh: %s\n' "$*"; }
die() { printf 'nifi/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"; }

# Everything that decides what gets built; a change makes the next run rebuild.
want_hash() {
  printf '%s\n' "$NIFI_VERSION" "$MAVEN_VERSION" "$POSTGRESQL_JDBC_VERSION" "$MARIADB_JDBC_VERSION" \
    "$ASSEMBLY_MODULE" "${NAR_MODULES[@]}" | sha256sum | cut -d' ' -f1
}
WANT=$(want_hash)
if [[ -f "$DIR/.installed" && "$(cat "$DIR/.installed")" == "$WANT" ]]; then
  say "nifi $NIFI_VERSION: already installed in $DIR"
  exit 0
fi

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.nifi-install.lock"
  flock 9
  # Another install may have finished while we waited.
  if [[ -f "$DIR/.installed" && "$(cat "$DIR/.installed")" == "$WANT" ]]; then
    say "nifi $NIFI_VERSION: already installed in $DIR"
    exit 0
  fi
fi

need mvn "the system Maven fetches Maven $MAVEN_VERSION, the NiFi source release and the JDBC drivers"
need unzip "unzip unpacks the NiFi source release and the stateless assembly"
[[ -x "$JAVA_HOME_NIFI/bin/java" ]] ||
  die "no Java at $JAVA_HOME_NIFI (NiFi 2.x needs Java 21+; set PIPEGEN_NIFI_JAVA_HOME)"
java_major=$("$JAVA_HOME_NIFI/bin/java" -XshowSettings:properties -version 2>&1 |
  sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
[[ -n "$java_major" && "$java_major" -ge 21 ]] ||
  die "$JAVA_HOME_NIFI is Java ${java_major:-?}; NiFi $NIFI_VERSION needs Java 21+"

started=$SECONDS
rm -rf "$BUILD" "$DIR.tmp"
mkdir -p "$BUILD" "$DIR.tmp"/{nars,jdbc,manifests}

# Copies one artifact (G:A:V[:type[:classifier]]) from Maven Central into a directory.
mvn_copy() {
  local artifact=$1 out=$2
  if ! mvn -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$out" \
      -Dmdep.overWriteReleases=true >>"$BUILD/fetch.log" 2>&1; then
    tail -n 30 "$BUILD/fetch.log" >&2
    die "mvn could not fetch $artifact from Maven Central (log above)"
  fi
}
# dependency:copy wants a project; an empty pom in the build dir is enough.
cat >"$BUILD/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>pipegen.e2e</groupId>
  <artifactId>nifi-fetch</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
</project>
EOF
cd "$BUILD"

# --- Maven 3.9.x (NiFi's build refuses older) --------------------------------------------------
if [[ ! -x "$MAVEN_HOME/bin/mvn" ]]; then
  say "fetching Maven $MAVEN_VERSION ..."
  mvn_copy "org.apache.maven:apache-maven:$MAVEN_VERSION:tar.gz:bin" "$BUILD/dl"
  mkdir -p "$CACHE/tools"
  rm -rf "$MAVEN_HOME"
  tar -xzf "$BUILD/dl/apache-maven-$MAVEN_VERSION-bin.tar.gz" -C "$CACHE/tools"
  [[ -x "$MAVEN_HOME/bin/mvn" ]] || die "no $MAVEN_HOME/bin/mvn after unpacking Maven"
fi

# --- NiFi source release ----------------------------------------------------------------------
say "fetching the NiFi $NIFI_VERSION source release (~70 MB) ..."
mvn_copy "org.apache.nifi:nifi:$NIFI_VERSION:zip:source-release" "$BUILD/dl"
unzip -q "$BUILD/dl/nifi-$NIFI_VERSION-source-release.zip" -d "$BUILD"
SRC="$BUILD/nifi-$NIFI_VERSION"
[[ -f "$SRC/pom.xml" ]] || die "no $SRC/pom.xml in the source release"

# --- build -------------------------------------------------------------------------------------
modules=$(printf '%s,' "$ASSEMBLY_MODULE" "${NAR_MODULES[@]}")
modules=${modules%,}
say "building the stateless assembly and ${#NAR_MODULES[@]} NARs from source (tests skipped; ~5 min on 2 idle cores once Maven has the build dependencies; log: $BUILD/build.log) ..."
# -Dskip.installnodenpm/-Dskip.npm/-Dskip.npx: the update-attribute NAR bundles a UI that
# nifi-frontend builds with a Node.js it downloads from nodejs.org (unreachable); the stateless
# engine has no UI, so the UI is built empty. The war plugin of nifi-update-attribute-ui then
# misses the directory the UI would be unpacked to: give it one with a placeholder (package
# never cleans target/). The other skips are code checks.
ui_dir="$SRC/nifi-extension-bundles/nifi-update-attribute-bundle/nifi-update-attribute-ui/target/update-attribute-ui-working-directory/update-attribute"
mkdir -p "$ui_dir"
echo "The Update Attribute UI is not built in pipegen's e2e NiFi build (no Node.js)." >"$ui_dir/README.txt"
# nifi-confluent-protobuf-antlr-parser downloads its grammar (Protobuf3.g4) from GitHub at build
# time (unreachable). Only the Protobuf message-name resolver service needs it; the schema
# registry service and the Confluent schema reference writer/reader do not import it. Drop the
# dependency from the two poms that declare it, so the NAR is built without that one service.
confluent="$SRC/nifi-extension-bundles/nifi-confluent-platform-bundle"
for pom in "$confluent/nifi-confluent-schema-registry-service/pom.xml" "$confluent/nifi-confluent-platform-nar/pom.xml"; do
  perl -0pi -e 's#\s*<dependency>\s*<groupId>org\.apache\.nifi</groupId>\s*<artifactId>nifi-confluent-protobuf-message-name-resolver</artifactId>.*?</dependency>##s' "$pom"
  ! grep -q nifi-confluent-protobuf-message-name-resolver "$pom" || die "could not drop the Protobuf resolver from $pom"
done
if ! JAVA_HOME="$JAVA_HOME_NIFI" MAVEN_OPTS="${MAVEN_OPTS:--Xmx2g}" "$MAVEN_HOME/bin/mvn" -B -T 2 \
    -f "$SRC/pom.xml" package -pl "$modules" -am \
    -Dmaven.test.skip=true -Dcheckstyle.skip -Drat.skip -Dpmd.skip -Dspotbugs.skip \
    -Dmaven.javadoc.skip -Dmaven.source.skip -Denforcer.skip \
    -Dskip.installnodenpm -Dskip.npm -Dskip.npx >"$BUILD/build.log" 2>&1; then
  grep -E '^\[ERROR\]' "$BUILD/build.log" | head -n 30 >&2 || true
  die "building NiFi $NIFI_VERSION failed (full log: $BUILD/build.log)"
fi

# --- lay out ----------------------------------------------------------------------------------
assembly_zip="$SRC/$ASSEMBLY_MODULE/target/nifi-stateless-$NIFI_VERSION-bin.zip"
[[ -f "$assembly_zip" ]] || die "no $assembly_zip after the build"
unzip -q "$assembly_zip" -d "$DIR.tmp"
mv "$DIR.tmp/nifi-stateless-$NIFI_VERSION" "$DIR.tmp/stateless"
chmod +x "$DIR.tmp/stateless/bin/"*.sh

# Bundle coordinates from a NAR's MANIFEST.MF (Nar-Group/Nar-Id/Nar-Version, Nar-Dependency-Id).
manifest_field() { unzip -p "$1" META-INF/MANIFEST.MF | tr -d '\r' | sed -n "s/^$2: //p" | head -n 1; }
printf 'nar\tsize_bytes\tgroup:artifact:version\tparent\n' >"$DIR.tmp/nars.txt"
for module in "${NAR_MODULES[@]}"; do
  name=$(basename "$module")
  nar="$SRC/$module/target/$name-$NIFI_VERSION.nar"
  [[ -f "$nar" ]] || die "no $nar after the build"
  cp "$nar" "$DIR.tmp/nars/"
  unzip -p "$nar" META-INF/docs/extension-manifest.xml >"$DIR.tmp/manifests/$name.xml" 2>/dev/null ||
    rm -f "$DIR.tmp/manifests/$name.xml" # API-only NARs have no extensions, hence no manifest
  printf '%s\t%s\t%s:%s:%s\t%s\n' "$(basename "$nar")" "$(stat -c %s "$nar")" \
    "$(manifest_field "$nar" Nar-Group)" "$(manifest_field "$nar" Nar-Id)" \
    "$(manifest_field "$nar" Nar-Version)" "$(manifest_field "$nar" Nar-Dependency-Id)" >>"$DIR.tmp/nars.txt"
done
# Every parent NAR must be present too, or the engine skips the child.
while IFS=$'\t' read -r nar _ _ parent; do
  [[ "$nar" == nar || -z "$parent" || "$parent" == nifi-jetty-nar ]] && continue
  [[ -f "$DIR.tmp/nars/$parent-$NIFI_VERSION.nar" ]] || die "$nar needs its parent $parent, which is not built"
done <"$DIR.tmp/nars.txt"

say "fetching the JDBC drivers ..."
mvn_copy "org.postgresql:postgresql:$POSTGRESQL_JDBC_VERSION" "$DIR.tmp/jdbc"
mvn_copy "org.mariadb.jdbc:mariadb-java-client:$MARIADB_JDBC_VERSION" "$DIR.tmp/jdbc"

{
  echo "NiFi $NIFI_VERSION stateless engine, built from org.apache.nifi:nifi:$NIFI_VERSION:zip:source-release"
  echo "built with Maven $MAVEN_VERSION on $("$JAVA_HOME_NIFI/bin/java" -version 2>&1 | head -n 1)"
  echo "build time: $((SECONDS - started)) s"
} >"$DIR.tmp/build-info.txt"
printf '%s\n' "$WANT" >"$DIR.tmp/.installed"
rm -rf "$DIR"
mv "$DIR.tmp" "$DIR"
if [[ "${PIPEGEN_NIFI_KEEP_BUILD:-}" != 1 ]]; then
  cd "$CACHE"
  rm -rf "$BUILD"
fi
say "nifi $NIFI_VERSION: installed in $DIR in $((SECONDS - started)) s ($(ls "$DIR/nars" | wc -l) NARs, $(du -sh "$DIR" | cut -f1))"
