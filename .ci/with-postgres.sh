#!/usr/bin/env bash
# with-postgres.sh CMD... runs CMD with TEST_DATABASE_URL pointing at a
# Postgres server: the one already in TEST_DATABASE_URL, or else a
# throwaway cluster made from the installed server binaries in a temp
# folder on a free loopback port, removed afterwards.
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi

bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir=$d; done
[ -n "$bindir" ] || bindir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
if [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: no TEST_DATABASE_URL and no PostgreSQL server binaries (initdb, pg_ctl): run deploy/install-deps.sh" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/downlink-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root; the postgres package's user runs it.
  id postgres >/dev/null 2>&1 || { echo "with-postgres: running as root needs the 'postgres' system user" >&2; exit 1; }
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
echo "with-postgres: throwaway cluster on 127.0.0.1:$port" >&2
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
"$@"
