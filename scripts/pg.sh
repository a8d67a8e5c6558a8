#!/usr/bin/env bash
# The project's own PostgreSQL cluster (Debian's PostgreSQL 15), for the sync server and
# its tests. It lives in $TALLY_DATA_DIR (default: .tally-data/ in the repository):
#   pg/          the cluster, owned by the `postgres` user when run as root
#   sock/        its Unix socket folder
#   pg.port      the TCP port it listens on (127.0.0.1 only), chosen free at first start
#   pg.log       the server's log
#
#   scripts/pg.sh start   initdb when needed, start, create the `tally` database; prints the URL
#   scripts/pg.sh stop    stop it (fast shutdown)
#   scripts/pg.sh url     print the connection URL (postgres://tally@127.0.0.1:PORT/tally)
#   scripts/pg.sh status  exit 0 when it runs
#
# The cluster trusts connections from this machine (it listens on loopback and on a
# socket only its owner can open): it is for development and tests. A deployment points
# the server at its own PostgreSQL with TALLY_DATABASE_URL instead.
# TALLY_PG_FAST=1 turns off fsync (tests: nothing to keep if the machine dies).
set -euo pipefail
cd "$(dirname "$0")/.."

data=${TALLY_DATA_DIR:-$PWD/.tally-data}
bin=${TALLY_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
cluster=$data/pg
sock=$data/sock
portfile=$data/pg.port
log=$data/pg.log

say() { printf '[pg] %s\n' "$*" >&2; }

if { [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; } && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  say "installing PostgreSQL (Debian package postgresql)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
fi
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  say "PostgreSQL server binaries not found (Debian: apt-get install postgresql)"
  exit 1
fi

# initdb and pg_ctl refuse to run as root: as root they run as `postgres`.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url() { echo "postgres://tally@127.0.0.1:$(cat "$portfile")/tally"; }

running() { [ -f "$portfile" ] && [ -f "$cluster/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$cluster" status >/dev/null 2>&1; }

start() {
  mkdir -p "$data"
  data=$(cd "$data" && pwd)
  cluster=$data/pg sock=$data/sock portfile=$data/pg.port log=$data/pg.log
  if running; then url; return; fi
  mkdir -p "$cluster" "$sock"
  touch "$log"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$cluster" "$sock" "$log"
    chmod 700 "$cluster" "$sock"
    if ! runuser -u postgres -- test -w "$cluster"; then
      say "the postgres user can't reach $cluster (a parent folder is closed to it):"
      say "set TALLY_DATA_DIR to a folder it can reach, e.g. TALLY_DATA_DIR=/var/tmp/tally"
      exit 1
    fi
  fi
  if [ ! -f "$cluster/PG_VERSION" ]; then
    say "creating a cluster in $cluster"
    as_owner "$bin/initdb" -D "$cluster" -U tally --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  local port
  port=$(cat "$portfile" 2>/dev/null || true)
  if [ -z "$port" ] || ! python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>/dev/null; then
    port=$(free_port)
  fi
  echo "$port" > "$portfile"
  local opts="-c listen_addresses=127.0.0.1 -p $port -k $sock -c unix_socket_permissions=0700"
  if [ "${TALLY_PG_FAST:-}" = 1 ]; then opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
  say "starting PostgreSQL on 127.0.0.1:$port"
  as_owner "$bin/pg_ctl" -D "$cluster" -l "$log" -w -t 60 -o "$opts" start >/dev/null
  if ! as_owner "$bin/psql" -h "$sock" -p "$port" -U tally -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'tally'" | grep -q 1; then
    as_owner "$bin/createdb" -h "$sock" -p "$port" -U tally tally
  fi
  url
}

stop() {
  if [ -f "$cluster/postmaster.pid" ]; then
    say "stopping PostgreSQL"
    as_owner "$bin/pg_ctl" -D "$cluster" -m fast -w stop >/dev/null || true
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) [ -f "$portfile" ] || { say "not started: scripts/pg.sh start"; exit 1; }; url ;;
  status) running ;;
  *) echo "usage: scripts/pg.sh start|stop|url|status" >&2; exit 2 ;;
esac
