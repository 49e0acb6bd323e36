#!/usr/bin/env bash
# bench-api.sh: the API benchmark of issue #6.
#
# Fills a SQLite database with N reports from the real-resampled ACLED
# generator (truce import --generate-acled), groups them into incidents
# (store.GroupNew, as the server's pipeline does), serves it with
# `truce serve`, and measures over loopback with a Go load generator
# (bench/api): GET /incidents filtered by a bounding box and a time
# window, GET /stats, and POST /reports. Prints p50/p99 latency and
# throughput as a Markdown table.
#
#   N=1,000,000 by default; BENCH_QUICK=1 for 20,000.
#   BENCH_API_DB       an existing database to measure instead of building one; one
#                      built by an older binary is migrated when first opened (the
#                      token step below): at 1M, 0010 and 0011 took about 5 min
#   BENCH_API_DIR      where the database is kept (default $TMPDIR/truce-bench-api);
#                      a database already there for the same N is reused, since
#                      building the 1M one takes several minutes
#   BENCH_API_SECONDS  seconds per measurement (default 10; 3 in quick mode)
#   BENCH_API_CLIENTS  concurrent clients (default 4)
#
# The server runs with its background jobs off (TRUCE_JOBS=false), so that
# the numbers are the API's alone.
set -euo pipefail
cd "$(dirname "$0")/.."

n=1000000
secs=${BENCH_API_SECONDS:-10}
if [ "${BENCH_QUICK:-}" = 1 ]; then
  n=20000
  secs=${BENCH_API_SECONDS:-3}
fi
clients=${BENCH_API_CLIENTS:-4}
port=${BENCH_API_PORT:-18081}
dir=${BENCH_API_DIR:-${TMPDIR:-/tmp}/truce-bench-api}
mkdir -p "$dir"
db="$dir/api-$n.db"
built=
if [ -n "${BENCH_API_DB:-}" ]; then
  db=$BENCH_API_DB
  built=yes
fi

go build -o "$dir/truce" ./cmd/truce
go build -o "$dir/bench-api" ./bench/api

if [ -z "$built" ] && [ ! -f "$db.ready" ]; then
  rm -f "$db" "$db-wal" "$db-shm" "$db.key"
  echo "bench-api: generating $n ACLED rows" >&2
  "$dir/truce" import --generate-acled "$n" --out "$dir/acled-$n.raw.csv"
  # In date order, as a feed delivers them: grouping takes 5,000 new
  # reports at a time and reads every report in their time span, so the
  # generator's random order makes each batch span ten years and grouping
  # 1M reports quadratic (more than two hours here, against minutes).
  # event_date is the second column and the first never holds a comma.
  { head -n 1 "$dir/acled-$n.raw.csv"; tail -n +2 "$dir/acled-$n.raw.csv" | LC_ALL=C sort -t, -k2,2 -s; } > "$dir/acled-$n.csv"
  rm -f "$dir/acled-$n.raw.csv"
  echo "bench-api: importing" >&2
  start=$(date +%s)
  "$dir/truce" import "$dir/acled-$n.csv" --db "$db" --log-level warn >&2
  echo "bench-api: grouping into incidents" >&2
  "$dir/bench-api" group --db "$db" >&2
  echo "bench-api: database built in $(( $(date +%s) - start )) s" >&2
  rm -f "$dir/acled-$n.csv"
  touch "$db.ready"
fi
token=$("$dir/bench-api" token --db "$db")

TRUCE_JOBS=false "$dir/truce" serve --db "$db" --addr "127.0.0.1:$port" --checkpoint-every 0 --log-level warn &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

reports=$(sqlite3 -readonly "$db" "SELECT COUNT(*) FROM reports" 2>/dev/null || echo "?")
incidents=$(sqlite3 -readonly "$db" "SELECT COUNT(*) FROM incidents WHERE merged_into IS NULL" 2>/dev/null || echo "?")
echo
echo "## API benchmark: SQLite, $reports reports, $incidents incidents, $clients clients, ${secs} s each, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
"$dir/bench-api" load --url "http://127.0.0.1:$port" --token "$token" --duration "${secs}s" --c "$clients"
echo
echo "Goal (issue #6): p99 under 50 ms for the filtered reads and stats at 1M records on SQLite."
