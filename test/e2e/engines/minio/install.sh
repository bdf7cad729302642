#!/usr/bin/env bash
# Installs the S3 side of the e2e tests into the cache (outside the checkout):
#   $CACHE/minio-<commit date>/bin/minio   MinIO (S3-compatible server) built from the Go module
#                                          proxy; test/e2e/harness/s3.ts runs it on 127.0.0.1
#   $CACHE/spark-s3-jars-<hadoop>/         hadoop-aws (S3A) at pyspark's Hadoop version and the
#                                          AWS SDK v2 bundle it needs (pom.xml beside this file)
# with CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}. Idempotent: a rerun with nothing to do only
# checks two markers.
#
# MinIO's module has no semver tags: the version is a pseudo-version of a commit. The proxy as
# reachable here refuses v0.0.0-20251015172955-9e49d5e7a648 (RELEASE.2025-10-15T17-29-55Z) but
# serves the repository's last commit, v0.0.0-20260212201848-7aac2a2c5b7c (that release plus
# bug fixes and README changes; the project is archived). `go install pkg@version` fails here
# (the proxy does not serve the module's version list, which go install reads), so the exact
# version is downloaded with `go mod download` and built in place with its own go.mod/go.sum.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_DIR="$CACHE/minio-${MINIO_VERSION#v0.0.0-}"
POM="$HERE/pom.xml"

say() { printf 'minio/install.sh: %s\n' "$*"; }
die() { printf 'minio/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"; }
# The Go toolchain of the machine image lives in /usr/local/go/bin, not always on PATH.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="/usr/local/go/bin:$PATH"
fi

mkdir -p "$CACHE" || die "cannot create cache directory $CACHE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.minio-install.lock"
  flock 9
fi

install_minio() {
  local marker="$MINIO_DIR/.installed"
  if [[ -x "$MINIO_DIR/bin/minio" && -f "$marker" && "$(cat "$marker")" == "$MINIO_VERSION" ]]; then
    say "minio $MINIO_VERSION: already built in $MINIO_DIR/bin"
    return
  fi
  need go "Go 1.24+ builds MinIO (from the Go module proxy)"
  export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
  say "minio $MINIO_VERSION: downloading github.com/minio/minio ..."
  local src
  src=$(cd "$CACHE" && GO111MODULE=on go mod download -json "github.com/minio/minio@$MINIO_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n "$src" && -d "$src" ]] || die "go mod download github.com/minio/minio@$MINIO_VERSION gave no source directory"
  rm -rf "$MINIO_DIR.tmp"
  mkdir -p "$MINIO_DIR.tmp/bin"
  say "minio $MINIO_VERSION: building (about 4 minutes on 2 cores the first time) ..."
  if ! (cd "$src" && nice -n 10 go build -trimpath -ldflags='-s -w' \
      -o "$MINIO_DIR.tmp/bin/minio" .) >"$MINIO_DIR.tmp/build.log" 2>&1; then
    tail -n 40 "$MINIO_DIR.tmp/build.log" >&2
    die "go build of MinIO $MINIO_VERSION failed (log above)"
  fi
  "$MINIO_DIR.tmp/bin/minio" --version >/dev/null || die "the built minio does not run"
  printf '%s\n' "$MINIO_VERSION" >"$MINIO_DIR.tmp/.installed"
  rm -rf "$MINIO_DIR"
  mv "$MINIO_DIR.tmp" "$MINIO_DIR"
  say "minio $MINIO_VERSION: installed $MINIO_DIR/bin/minio"
}

install_s3a_jars() {
  local hadoop
  hadoop=$(sed -n 's:.*<hadoop.version>\(.*\)</hadoop.version>.*:\1:p' "$POM")
  [[ -n "$hadoop" ]] || die "no <hadoop.version> in $POM"
  local dir="$CACHE/spark-s3-jars-$hadoop"
  local want
  want=$(sha256sum "$POM" | cut -d' ' -f1)
  if [[ -f "$dir/.installed" && "$(cat "$dir/.installed")" == "$want" ]]; then
    say "s3a jars: already installed in $dir"
    return
  fi
  need mvn "Maven fetches hadoop-aws and the AWS SDK bundle from Maven Central"
  say "s3a jars: fetching hadoop-aws $hadoop and the AWS SDK bundle (~560 MB) into $dir ..."
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  if ! mvn -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$dir.tmp" >"$dir.tmp/mvn.log" 2>&1; then
    tail -n 40 "$dir.tmp/mvn.log" >&2
    die "mvn could not fetch hadoop-aws $hadoop and its AWS SDK (log above)"
  fi
  [[ -f "$dir.tmp/hadoop-aws-$hadoop.jar" ]] || die "hadoop-aws-$hadoop.jar missing"
  compgen -G "$dir.tmp/bundle-*.jar" >/dev/null || die "AWS SDK bundle jar missing"
  printf '%s\n' "$want" >"$dir.tmp/.installed"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  say "s3a jars: installed $(cd "$dir" && ls -- *.jar | tr '\n' ' ')"
}

install_minio
install_s3a_jars
