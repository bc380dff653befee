# Shared by scripts/run and scripts/test: install what is missing, find PostgreSQL.
# shellcheck shell=bash

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Newest /usr/lib/postgresql/*/bin that holds a server, else pg_config's bindir.
pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  fi
  return 1
}

# Installs, with apt-get, the Debian packages for anything missing: the PostgreSQL server
# (Kith's embedded database and the test cluster), runuser (to run it as 'postgres' when
# we are root) and Python's venv (for the interop checks). The build itself needs no system -dev library: swift-crypto, swift-nio-ssl and
# bcrypt bring their C code with them.
install_missing() {
  local packages=()
  pg_bindir >/dev/null || packages+=(postgresql)
  command -v runuser >/dev/null 2>&1 || packages+=(util-linux)
  # The interop checks in federation/ make a Python virtual environment.
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || packages+=(python3-venv)
  [ ${#packages[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${packages[*]}: install them with your package manager"
  [ "$(id -u)" -eq 0 ] || die "missing ${packages[*]}: run 'sudo apt-get install ${packages[*]}' or run this script as root"
  log "installing ${packages[*]}"
  # Kith runs its own clusters: stop Debian from creating and starting a system-wide one.
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  mkdir -p /etc/postgresql-common
  [ -e /etc/postgresql-common/createcluster.conf ] || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # confdef/confold: keep the createcluster.conf written above without asking.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${packages[@]}" >/dev/null
  [ "$made_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  pg_bindir >/dev/null || die "PostgreSQL server programs still not found after installing"
}

require_swift() {
  command -v swift >/dev/null 2>&1 || die "the Swift toolchain (6.2 or later) is not on PATH; see https://www.swift.org/install/linux/"
}
