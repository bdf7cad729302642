#!/usr/bin/env bash
# Installs the Compose file checker of the e2e tests into the cache (outside the checkout):
#   $CACHE/compose-check-<hash>/bin/compose-check   main.go beside this file, built against the
#                                                   Compose reference loader
#                                                   github.com/compose-spec/compose-go/v2 v2.9.0
#                                                   (Go module proxy; go.mod/go.sum here)
# with CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}. The loader validates a file against the
# Compose specification's JSON schema (the module's schema/compose-spec.json) and loads it as
# `docker compose` does, without a Docker daemon. v2.9.0 is the newest version the machine's
# Go (1.26) builds. Idempotent: the directory's name is the hash of main.go, go.mod and go.sum.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PIPEGEN_CACHE:-$HOME/.cache/pipegen}

say() { printf 'compose/install.sh: %s\n' "$*"; }
die() { printf 'compose/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }
# The Go toolchain of the machine image lives in /usr/local/go/bin, not always on PATH.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="/usr/local/go/bin:$PATH"
fi

HASH=$(cat "$HERE/main.go" "$HERE/go.mod" "$HERE/go.sum" | sha256sum | cut -c1-16)
DIR="$CACHE/compose-check-$HASH"
if [[ -x "$DIR/bin/compose-check" ]]; then
  say "compose-check: already built in $DIR/bin"
  exit 0
fi
command -v go >/dev/null 2>&1 || die "go not found on PATH (Go 1.23+ builds compose-check)"
mkdir -p "$CACHE"
rm -rf "$DIR.tmp"
mkdir -p "$DIR.tmp/bin"
say "compose-check: building against compose-go v2.9.0 ..."
if ! (cd "$HERE" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 \
    nice -n 10 go build -trimpath -o "$DIR.tmp/bin/compose-check" .) >"$DIR.tmp/build.log" 2>&1; then
  tail -n 40 "$DIR.tmp/build.log" >&2
  die "go build of compose-check failed (log above)"
fi
rm -rf "$DIR"
mv "$DIR.tmp" "$DIR"
say "compose-check: installed $DIR/bin/compose-check"
