#!/usr/bin/env bash
# Installs a headless Apache NiFi server (REST API, no UI) into the e2e cache,
# CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}:
#
#   $CACHE/nifi-server-<v>/          NIFI_HOME: bin/nifi.sh, conf/ (templates; harness/nifi-server.ts
#                                    writes each server's own conf/ into a temp dir), lib/ (core jars,
#                                    bootstrap, the framework NARs: framework, server, jetty,
#                                    provenance repository, single-user login)
#   $CACHE/nifi-server-<v>/build-info.txt   build time, Maven modules, patches applied
#   $CACHE/nifi-server-<v>/.installed       marker: the sha256 of this script; a rerun is a no-op
#
# The extension NARs (standard, record serialization, DBCP, Kafka, MongoDB, Confluent, ...) are
# not built again: the server loads them from the stateless engine's $CACHE/nifi-<v>/nars (built
# by install.sh from the same source release), through nifi.nar.library.directory.* in the
# harness's nifi.properties. This script runs install.sh first (a no-op when it is installed).
#
# Why a source build: Maven Central serves NiFi's source release but no NARs, no nifi-web-api war
# and no assembly (see install.sh). The nifi-assembly module is built with -am, after the edits
# below (each checked; the script fails when the source does not look as expected):
#   1. nifi-assembly: only the framework NARs (the full assembly would build ~120 extension
#      NARs); no docs and no Python framework (their dependency sets removed from the
#      descriptor).
#   2. nifi-web-security: SAML login support removed (OpenSAML 5 is hosted only on Shibboleth's
#      repository, unreachable here): the saml2 package, SamlAuthenticationSecurityConfiguration,
#      the SAML filters of WebSecurityConfiguration and the SAML/OpenSAML dependencies; the
#      Shibboleth repository dropped from nifi-framework-bundle's pom (no lookups against it).
#   3. nifi-web-api: its test-scoped dependency on nifi-web-security's test jar removed (test
#      jars are not built with -Dmaven.test.skip=true, so the reactor cannot resolve it).
#   4. nifi-ui: an empty web root (the UI is an Angular app that nifi-frontend builds with a
#      Node.js downloaded from nodejs.org, unreachable; skipped as in install.sh).
# Maven 3.9.12 (from install.sh), Java 21+ (PIPEGEN_NIFI_JAVA_HOME, default Temurin 25), -T 2.
# PIPEGEN_NIFI_KEEP_BUILD=1 keeps the source tree and Maven log in $CACHE/nifi-server-<v>.build.
set -euo pipefail

NIFI_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
# Keep in step with install.sh and NIFI_VERSION in test/e2e/harness/nifi.ts.
NIFI_VERSION=2.8.0
MAVEN_VERSION=3.9.12
JAVA_HOME_NIFI=${PIPEGEN_NIFI_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

DIR="$CACHE/nifi-server-$NIFI_VERSION"
BUILD="$CACHE/nifi-server-$NIFI_VERSION.build"
MAVEN_HOME="$CACHE/tools/apache-maven-$MAVEN_VERSION"
# The framework NARs the server needs; every other NAR dependency of nifi-assembly is dropped.
KEEP_NARS=(nifi-framework-nar nifi-server-nar nifi-jetty-nar nifi-provenance-repository-nar
  nifi-single-user-iaa-providers-nar)

say() { printf 'nifi/install-server.sh: %s\n' "$*"; }
die() { printf 'nifi/install-server.sh: ERROR: %s\n' "$*" >&2; exit 1; }

WANT=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
installed() { [[ -f "$DIR/.installed" && "$(cat "$DIR/.installed")" == "$WANT" ]]; }
if installed; then
  say "nifi server $NIFI_VERSION: already installed in $DIR"
  exit 0
fi

# The stateless engine's NARs, Maven 3.9.12 and the JDBC drivers (no-op when installed). Before
# this script's own lock: install.sh takes another one.
bash "$NIFI_E2E_DIR/install.sh"

mkdir -p "$CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.nifi-server-install.lock"
  flock 9
  if installed; then
    say "nifi server $NIFI_VERSION: already installed in $DIR"
    exit 0
  fi
fi
command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH (it edits the NiFi sources)"
[[ -x "$MAVEN_HOME/bin/mvn" ]] || die "no $MAVEN_HOME/bin/mvn (install.sh should have fetched it)"

started=$SECONDS
rm -rf "$BUILD" "$DIR.tmp"
mkdir -p "$BUILD"
cd "$BUILD"

# --- NiFi source release (already in ~/.m2 after install.sh) ----------------------------------
cat >"$BUILD/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>pipegen.e2e</groupId>
  <artifactId>nifi-fetch</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
</project>
EOF
if ! mvn -B dependency:copy -Dartifact="org.apache.nifi:nifi:$NIFI_VERSION:zip:source-release" \
    -DoutputDirectory="$BUILD/dl" >"$BUILD/fetch.log" 2>&1; then
  tail -n 30 "$BUILD/fetch.log" >&2
  die "mvn could not fetch the NiFi $NIFI_VERSION source release (log above)"
fi
unzip -q "$BUILD/dl/nifi-$NIFI_VERSION-source-release.zip" -d "$BUILD"
SRC="$BUILD/nifi-$NIFI_VERSION"
[[ -f "$SRC/pom.xml" ]] || die "no $SRC/pom.xml in the source release"

# --- source edits -----------------------------------------------------------------------------
# edit FILE COUNT PATTERN [REPLACEMENT]: replaces every match of the Python regex PATTERN
# (DOTALL) in FILE with REPLACEMENT (default: nothing), and fails unless there were exactly
# COUNT matches.
edit() {
  python3 - "$@" <<'PY' || die "editing $1 failed (the $NIFI_VERSION sources differ from what this script expects)"
import re, sys
path, count, pattern = sys.argv[1], int(sys.argv[2]), sys.argv[3]
replacement = sys.argv[4] if len(sys.argv) > 4 else ""
text = open(path, encoding="utf-8").read()
new, n = re.subn(pattern, lambda m: replacement, text, flags=re.DOTALL)
if n != count:
    sys.exit(f"{path}: {n} matches of {pattern!r}, expected {count}")
open(path, "w", encoding="utf-8").write(new)
PY
}
# A <dependency> block naming ARTIFACT (with any groupId, version, type, scope, exclusions).
dep() { printf '\\n\\s*<dependency>\\s*<groupId>[^<]*</groupId>\\s*<artifactId>%s</artifactId>(?:(?!</dependency>).)*</dependency>' "$1"; }

say "editing the sources (assembly trimmed, SAML removed, test-jar dependency removed, no UI) ..."
# 1. The assembly: framework NARs only, no docs, no Python framework.
assembly="$SRC/nifi-assembly"
python3 - "$assembly/pom.xml" "${KEEP_NARS[@]}" <<'PY' || die "trimming $assembly/pom.xml failed"
import re, sys
path, keep = sys.argv[1], set(sys.argv[2:])
text = open(path, encoding="utf-8").read()
head, sep, profiles = text.partition("<profiles>")  # the profiles' optional NARs stay (unused)
block = re.compile(r"\n\s*<dependency>(?:(?!</dependency>).)*</dependency>", re.DOTALL)
kept, dropped = [], []
def trim(m):
    artifact = re.search(r"<artifactId>([^<]+)</artifactId>", m.group(0)).group(1)
    nar = "<type>nar</type>" in m.group(0)
    if (nar and artifact not in keep) or artifact in ("nifi-docs", "nifi-python-framework", "nifi-python-extension-api"):
        dropped.append(artifact)
        return ""
    if nar:
        kept.append(artifact)
    return m.group(0)
head = block.sub(trim, head)
if sorted(kept) != sorted(keep) or len(dropped) < 50:
    sys.exit(f"kept {sorted(kept)} (expected {sorted(keep)}), dropped {len(dropped)} (expected 50+)")
open(path, "w", encoding="utf-8").write(head + sep + profiles)
print(f"nifi-assembly: kept {len(kept)} NARs, dropped {len(dropped)} dependencies")
PY
for artifact in nifi-docs nifi-python-framework nifi-python-extension-api; do
  edit "$assembly/src/main/assembly/common.xml" 1 \
    "\\n\\s*<dependencySet>(?:(?!</dependencySet>).)*<include>\\*:$artifact</include>(?:(?!</dependencySet>).)*</dependencySet>"
done

# 2. No SAML in nifi-web-security.
web="$SRC/nifi-framework-bundle/nifi-framework/nifi-web"
security="$web/nifi-web-security/src/main/java/org/apache/nifi/web/security"
[[ -d "$security/saml2" && -f "$security/configuration/SamlAuthenticationSecurityConfiguration.java" ]] ||
  die "no SAML sources where expected in $security"
rm -rf "$security/saml2" "$security/configuration/SamlAuthenticationSecurityConfiguration.java"
edit "$security/configuration/AuthenticationSecurityConfiguration.java" 1 '\n\s*SamlAuthenticationSecurityConfiguration\.class,'
conf="$security/configuration/WebSecurityConfiguration.java"
edit "$conf" 7 '\nimport org\.[a-z.]*saml2\.[A-Za-z0-9.]*;'
edit "$conf" 1 ',\n\s*final Saml2WebSsoAuthenticationFilter .*?final Saml2LocalLogoutFilter saml2LocalLogoutFilter'
edit "$conf" 1 '\n        if \(properties\.isSamlEnabled\(\)\) \{\n.*?\n        \}\n'
! grep -n -i saml2 "$conf" || die "$conf still mentions saml2"
for artifact in spring-security-saml2-service-provider opensaml-core-api opensaml-core-impl \
    opensaml-saml-api opensaml-saml-impl; do
  edit "$web/nifi-web-security/pom.xml" 1 "$(dep "$artifact")"
done
edit "$SRC/nifi-framework-bundle/pom.xml" 1 '\n\s*<repository>\s*<id>shibboleth</id>.*?</repository>'

# 3. nifi-web-api without the nifi-web-security test jar.
edit "$web/nifi-web-api/pom.xml" 1 \
  '\n\s*<dependency>\s*<groupId>org\.apache\.nifi</groupId>\s*<artifactId>nifi-web-security</artifactId>\s*<version>[^<]*</version>\s*<type>test-jar</type>\s*<scope>test</scope>\s*</dependency>'

# 4. An empty web root for the UI war (package never cleans target/).
ui_dir="$web/nifi-ui/target/nifi-ui-working-directory/nifi"
mkdir -p "$ui_dir"
echo "The NiFi UI is not built in pipegen's e2e NiFi server (no Node.js); use the REST API." >"$ui_dir/README.txt"

# --- build -------------------------------------------------------------------------------------
say "building nifi-assembly and the modules it needs (tests skipped; ~10 min on 2 idle cores with a warm ~/.m2; log: $BUILD/build.log) ..."
if ! JAVA_HOME="$JAVA_HOME_NIFI" MAVEN_OPTS="${MAVEN_OPTS:--Xmx3g}" "$MAVEN_HOME/bin/mvn" -B -T 2 \
    -f "$SRC/pom.xml" package -pl nifi-assembly -am \
    -Dmaven.test.skip=true -Dcheckstyle.skip -Drat.skip -Dpmd.skip -Dspotbugs.skip \
    -Dmaven.javadoc.skip -Dmaven.source.skip -Denforcer.skip \
    -Dskip.installnodenpm -Dskip.npm -Dskip.npx >"$BUILD/build.log" 2>&1; then
  grep -E '^\[ERROR\]' "$BUILD/build.log" | head -n 30 >&2 || true
  die "building the NiFi $NIFI_VERSION server failed (full log: $BUILD/build.log)"
fi
build_seconds=$((SECONDS - started))

# --- lay out ----------------------------------------------------------------------------------
home="$assembly/target/nifi-$NIFI_VERSION-bin/nifi-$NIFI_VERSION"
[[ -x "$home/bin/nifi.sh" ]] || die "no $home/bin/nifi.sh after the build"
for nar in "${KEEP_NARS[@]}"; do
  [[ -f "$home/lib/$nar-$NIFI_VERSION.nar" ]] || die "no lib/$nar-$NIFI_VERSION.nar in the assembly"
done
cp -a "$home" "$DIR.tmp"
{
  echo "NiFi $NIFI_VERSION server (no UI), built from org.apache.nifi:nifi:$NIFI_VERSION:zip:source-release"
  echo "built with Maven $MAVEN_VERSION on $("$JAVA_HOME_NIFI/bin/java" -version 2>&1 | head -n 1)"
  echo "build time: $build_seconds s ($(grep -c '^\[INFO\] .* SUCCESS \[' "$BUILD/build.log") modules)"
  echo "framework NARs: ${KEEP_NARS[*]}"
  echo "extension NARs: loaded from $CACHE/nifi-$NIFI_VERSION/nars (install.sh)"
  echo "source edits: see test/e2e/engines/nifi/install-server.sh"
} >"$DIR.tmp/build-info.txt"
printf '%s\n' "$WANT" >"$DIR.tmp/.installed"
rm -rf "$DIR"
mv "$DIR.tmp" "$DIR"
if [[ "${PIPEGEN_NIFI_KEEP_BUILD:-}" != 1 ]]; then
  cd "$CACHE"
  rm -rf "$BUILD"
fi
say "nifi server $NIFI_VERSION: installed in $DIR in $((SECONDS - started)) s ($(du -sh "$DIR" | cut -f1))"
