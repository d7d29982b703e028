#!/usr/bin/env bash
# Start or stop the throwaway PostgreSQL server the ColdFront tests use (127.0.0.1:55432).
# Installs Debian's postgresql when no server binaries are present. Data lives in .build/pg.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${COLDFRONT_TEST_PG_PORT:-55432}
base="$repo/.build/pg"
data="$base/data"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

start() {
  local bin
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
  fi
  psql -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_roles where rolname='coldfront'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "create role coldfront login superuser password 'coldfront'"
  echo "postgres.sh: PostgreSQL listening on 127.0.0.1:$port"
}

stop() {
  local bin
  bin=$(pg_bin || true)
  [ -n "$bin" ] && [ -s "$data/PG_VERSION" ] && as_postgres "$bin/pg_ctl -D '$data' -m fast -w stop" >/dev/null 2>&1 || true
  echo "postgres.sh: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
