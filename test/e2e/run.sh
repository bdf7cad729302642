#!/usr/bin/env bash
# The end-to-end tests against real engines: install them into the cache (a fast no-op when
# already there), then run the vitest "e2e" project (test/e2e/**/*.e2e.test.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash test/e2e/install.sh
npx vitest run --project e2e "$@"
