#!/usr/bin/env bash
# Start or stop the throwaway PostgreSQL server the ColdFront tests use (127.0.0.1:55432).
# Installs Debian's postgresql when no server binaries are present. Data lives in .build/pg (in /var/tmp when
# the server's user cannot enter the checkout).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${COLDFRONT_TEST_PG_PORT:-55432}

# True when every directory from / down to $1 lets others in (the postgres user must reach its data directory).
others_can_enter() {
  local dir=$1
  while [ "$dir" != / ]; do
    [ -n "$(find "$dir" -maxdepth 0 -perm -o+x)" ] || return 1
    dir=$(dirname "$dir")
  done
}

base="$repo/.build/pg"
if [ "$(id -u)" = 0 ] && ! others_can_enter "$repo"; then
  # As root the server runs as postgres, which cannot enter this checkout (for example a `mktemp -d` clone, mode
  # 700): keep the data in a directory of its own, named after the checkout.
  base="/var/tmp/hpc-coldfront-ecs-pg-$(printf %s "$repo" | sha256sum | cut -c1-12)"
fi
data="$base/data"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

as_postgres() {
  # From /: postgres may not be allowed into the current directory (every path given here is absolute).
  if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/bash -c "$*"); else bash -c "$*"; fi
}

started_marker="$base/started-by-postgres-sh"

start() {
  local bin
  if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
    echo "postgres.sh: reusing the PostgreSQL server already listening on 127.0.0.1:$port"
    ensure_role
    return
  fi
  bin=$(pg_bin || true)
  if [ -z "$bin" ]; then
    echo "postgres.sh: installing PostgreSQL from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin)
  fi
  mkdir -p "$base"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$base"
  if [ ! -s "$data/PG_VERSION" ]; then
    as_postgres "$bin/initdb -D '$data' -A trust -U postgres >/dev/null"
  fi
  if ! as_postgres "$bin/pg_ctl -D '$data' status" >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl -D '$data' -l '$base/server.log' -w \
      -o \"-p $port -k '$base' -c listen_addresses=127.0.0.1 -c fsync=off\" start" >/dev/null
    touch "$started_marker"
  fi
  ensure_role
  echo "postgres.sh: PostgreSQL listening on 127.0.0.1:$port"
}

ensure_role() {
  psql -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_roles where rolname='coldfront'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "create role coldfront login superuser password 'coldfront'"
}

# Stops the server only when this script started it (a server it found running is left alone).
stop() {
  local bin
  bin=$(pg_bin || true)
  if [ -f "$started_marker" ] && [ -n "$bin" ] && [ -s "$data/PG_VERSION" ]; then
    as_postgres "$bin/pg_ctl -D '$data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -f "$started_marker"
    echo "postgres.sh: stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
