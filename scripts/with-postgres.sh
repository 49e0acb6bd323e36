#!/usr/bin/env bash
# with-postgres.sh CMD [ARGS...]
#
# Runs CMD with TRUCE_TEST_POSTGRES pointing at a throwaway PostgreSQL
# server, so that the store tests run on PostgreSQL as well as SQLite. The
# server gets a fresh data directory and a free port on 127.0.0.1, runs as
# the postgres user when started by root (PostgreSQL refuses to run as
# root), and is stopped and deleted when CMD ends, whatever its outcome.
#
# When TRUCE_TEST_POSTGRES is already set, that server is used as it is.
# TRUCE_PG_FSYNC=1 keeps fsync on (for benchmarks of durable commits).
# When PostgreSQL is not installed, CMD runs on SQLite alone.
set -euo pipefail

pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

if [ -n "${TRUCE_TEST_POSTGRES:-}" ]; then
  echo "with-postgres: using the PostgreSQL server in TRUCE_TEST_POSTGRES"
  exec "$@"
fi

if [ ! -x "$pgbin/postgres" ]; then
  echo "with-postgres: PostgreSQL not installed: store tests run on SQLite only (no $pgbin/postgres)"
  exec "$@"
fi

# A port nobody listens on, from 55433 up.
port=55433
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  port=$((port + 1))
  if [ "$port" -gt 55533 ]; then
    echo "with-postgres: no free port in 55433-55533" >&2
    exit 1
  fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/truce-pg.XXXXXX")
as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as=(runuser -u postgres --)
fi

stop() {
  "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "with-postgres: starting PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
"${as[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
# fsync off: the data is thrown away, and the suite runs faster; a
# benchmark that compares durable commits sets TRUCE_PG_FSYNC=1. The
# socket goes into the private directory rather than /var/run/postgresql.
nofsync=-F
[ "${TRUCE_PG_FSYNC:-}" = 1 ] && nofsync=
"${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $dir $nofsync -c max_connections=200" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }

export TRUCE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
echo "with-postgres: TRUCE_TEST_POSTGRES=$TRUCE_TEST_POSTGRES"
"$@"
