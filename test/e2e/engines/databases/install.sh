#!/usr/bin/env bash
# Installs the PostgreSQL and MariaDB server binaries (Debian packages) that the e2e harness
# (test/e2e/harness/postgres.ts, mariadb.ts) runs. The tests never use the distro's clusters or
# services: each test starts its own server in a temp dir, on a free 127.0.0.1 port, with its
# socket in that dir (and mariadbd with --no-defaults, so no /etc/mysql config is read).
# Installing therefore keeps the packages' services from starting (policy-rc.d), and a
# service that runs anyway does not matter. Idempotent: a fast no-op when the binaries exist.
# Needs root (or passwordless sudo) only when something is missing.
set -euo pipefail

say() { printf 'databases/install.sh: %s\n' "$*"; }
die() { printf 'databases/install.sh: ERROR: %s\n' "$*" >&2; exit 1; }

have_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null &&
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null &&
    command -v psql >/dev/null 2>&1
}
have_mariadb() {
  { command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]]; } &&
    command -v mariadb-install-db >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1
}

# Debian's chromium: the headless browser of the lineage-page tests (test/e2e/harness/chromium.ts).
have_chromium() { command -v chromium >/dev/null 2>&1; }

packages=()
have_postgres || packages+=(postgresql)
have_mariadb || packages+=(mariadb-server)
have_chromium || packages+=(chromium)
if ((${#packages[@]} == 0)); then
  say "postgresql, mariadb-server and chromium binaries present"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${packages[*]}"
  SUDO=(sudo -n)
fi
command -v apt-get >/dev/null 2>&1 || die "no apt-get: install ${packages[*]} by other means"

# Keep the packages' postinst from starting their services (as docker images do): a
# policy-rc.d that answers 101 "action forbidden", only while we install, only if none exists.
POLICY=/usr/sbin/policy-rc.d
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\n# temporary, from pipegen test/e2e/engines/databases/install.sh\nexit 101\n' |
    "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}"
}
# apt-get update only when the package lists do not know the packages (or are too old to
# download from: then the install fails and is retried once after an update).
need_update=0
for p in "${packages[@]}"; do
  apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]' || need_update=1
done
if ((need_update)); then
  say "apt-get update"
  "${SUDO[@]}" apt-get update -q >/dev/null
fi
say "apt-get install ${packages[*]} ..."
log=$(mktemp "${TMPDIR:-/tmp}/pipegen-apt.XXXXXX")
if ! apt_install >"$log" 2>&1; then
  say "install failed; apt-get update and one more try"
  "${SUDO[@]}" apt-get update -q >/dev/null
  apt_install >"$log" 2>&1 ||
    { tail -n 30 "$log" >&2; die "apt-get install ${packages[*]} failed (log: $log)"; }
fi
rm -f "$log"
have_postgres || die "postgres/initdb/psql still missing after installing postgresql"
have_mariadb || die "mariadbd/mariadb-install-db/mariadb still missing after installing mariadb-server"
say "installed ${packages[*]}"
