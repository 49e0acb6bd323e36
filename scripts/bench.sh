#!/usr/bin/env bash
# bench.sh: the cross-tool benchmarks of `make bench`, printed as one table.
#
#   adjudicate  `truce adjudicate --all` on BENCH_EVENTS synthetic UCDP events
#               (resampled from real UCDP and FIRMS points, bench/cmd/gen-events)
#               against the 10 agreements of bench/terms-10.json, beside the
#               same spatio-temporal join in PostGIS (one SQL query) and in
#               geopandas (bench/peers/). The three tools' verdict counts are
#               compared.
#   import      `truce import acled` of a BENCH_EVENTS-row ACLED file into
#               SQLite, beside the sqlite3 shell's .import and PostgreSQL COPY
#               into plain tables.
#
# Environment:
#   BENCH_EVENTS            events and import rows (default 1000000)
#   BENCH_QUICK=1           smoke run on 10000 events
#   BENCH_GEOPANDAS_EVENTS  geopandas runs on the first N events (a random
#                           sample) and its time is scaled to BENCH_EVENTS
#                           (default 100000: 1M takes it most of an hour)
#   BENCH_JOBS              jobs to run (default "adjudicate import")
#   BENCH_PG_PORT           port of the throwaway PostgreSQL (default 55434)
#   TRUCE_DATA              the shared data (default ../shared/data)
#   TRUCE_BIN               a truce binary to measure instead of building one
#   BENCH_STRICT=1          exit 1 when the tools' verdict counts differ (for CI:
#                           BENCH_QUICK=1 BENCH_JOBS=adjudicate BENCH_STRICT=1)
#
# Generated inputs are cached in bench/out/ (git-ignored). A throwaway
# PostgreSQL 15 with PostGIS is started on 127.0.0.1 in a temporary data
# directory, as the postgres user when run by root, and removed at exit.
# Missing Debian packages are installed with apt-get.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
events=${BENCH_EVENTS:-1000000}
[ "${BENCH_QUICK:-}" = 1 ] && events=10000
gp_events=${BENCH_GEOPANDAS_EVENTS:-100000}
[ "$gp_events" -gt "$events" ] && gp_events=$events
jobs=${BENCH_JOBS:-adjudicate import}
port=${BENCH_PG_PORT:-55434}
data=${TRUCE_DATA:-$root/../shared/data}
pgbin=/usr/lib/postgresql/15/bin
py=/usr/bin/python3
out=$root/bench/out
terms=$root/bench/terms-10.json

loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
log() { printf 'bench: %s\n' "$*" >&2; }

# --- packages -------------------------------------------------------------
need=()
[ -x "$pgbin/initdb" ] || need+=(postgresql-15)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need+=(postgresql-15-postgis-3)
command -v sqlite3 >/dev/null || need+=(sqlite3)
"$py" -c 'import geopandas' 2>/dev/null || need+=(python3-geopandas)
[ -x /usr/bin/time ] || need+=(time)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y --no-install-recommends "${need[@]}" >&2 ||
    { "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y --no-install-recommends "${need[@]}" >&2; }
fi

# --- work space, PostgreSQL -------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/truce-bench.XXXXXX")
chmod 755 "$work" # the server reads the peers' tables from here
as_pg=()
mkdir "$work/pg"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$work/pg"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  log "port $port is in use: set BENCH_PG_PORT"
  exit 1
fi
log "starting PostgreSQL on 127.0.0.1:$port"
"${as_pg[@]}" "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Tuned as for an analytical box with 2 cores; fsync stays on (the import
# peer must be durable when it returns).
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $port -k $work/pg \
  -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c work_mem=256MB -c maintenance_work_mem=512MB \
  -c max_wal_size=8GB -c max_parallel_workers_per_gather=2" start >/dev/null
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
export PGOPTIONS='-c client_min_messages=warning'

# --- build, inputs ---------------------------------------------------------
mkdir -p "$out" "$work/bin"
log "building"
if [ -n "${TRUCE_BIN:-}" ]; then
  cp "$TRUCE_BIN" "$work/bin/truce"
else
  go build -o "$work/bin/truce" ./cmd/truce
fi
for c in gen-events tally report; do
  go build -o "$work/bin/$c" "./bench/cmd/$c"
done
# Cache keys: the generator's sources, so a changed generator regenerates.
key=$(cat bench/resample/*.go bench/cmd/gen-events/*.go | sha256sum | cut -c1-8)
ev=$out/events-$events-$key.csv
if [ ! -s "$ev" ]; then
  log "generating $events events"
  "$work/bin/gen-events" -n "$events" -data "$data" -o "$ev.tmp" && mv "$ev.tmp" "$ev"
fi

results=$work/results.tsv
: >"$results"
# record JOB TOOL ROWS SECONDS RSS_MB COUNTS SCOPE NOTE
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }
# measure CMD...: runs CMD with GNU time; sets secs and rss_mb; returns CMD's status.
measure() {
  local rc=0
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" || rc=$?
  read -r secs rss_kb < <(tail -n 1 "$work/time")
  rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')
  return $rc
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# --- adjudicate --------------------------------------------------------------
adjudicate_job() {
  local prep=$work/prep ids rc
  "$py" bench/peers/prep.py "$terms" "$data" "$prep"
  chmod -R a+rX "$prep"
  ids=$(tail -n +2 "$prep/agreements.csv" | cut -d, -f2 | paste -sd,)

  log "adjudicate: Truce"
  rc=0
  measure "$work/bin/truce" adjudicate --terms "$terms" --events "$ev" --all >/dev/null 2>"$work/truce.err" || rc=$?
  if [ "$rc" -le 1 ]; then
    record adjudicate Truce "$events" "$secs" "$rss_mb" "$work/truce.counts" all "--all, output to /dev/null"
    # Counted in a second run without --all, so that 10M outside rows need not be parsed.
    "$work/bin/truce" adjudicate --terms "$terms" --events "$ev" 2>/dev/null |
      "$work/bin/tally" -events "$events" -sub "$gp_events" -agreements "$ids" >"$work/truce.counts"
  else
    log "truce adjudicate failed (exit $rc): $(head -c 300 "$work/truce.err")"
    record adjudicate Truce "$events" "" "" "" all "failed: exit $rc"
  fi

  log "adjudicate: PostGIS (load)"
  local t0 load
  t0=$(now)
  "${psql[@]}" -v prep="$prep" -f bench/peers/postgis_load.sql
  "${psql[@]}" -f bench/peers/postgis_events.sql <"$ev"
  "${psql[@]}" -c 'VACUUM ANALYZE events' # visibility map: what a loaded table looks like
  load=$(since "$t0")
  log "adjudicate: PostGIS (join)"
  cat >"$work/join.sql" <<EOF
\pset format csv
\o $work/postgis.counts
\i bench/peers/postgis_join.sql
\o $work/postgis.rss
\pset tuples_only on
SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmHWM:\s*(\d+)');
EOF
  t0=$(now)
  "${psql[@]}" -v energy="$(cat "$prep/energy_pg.txt")" -v energy_like="$(cat "$prep/energy_like.txt")" \
    -v sub="$gp_events" -f "$work/join.sql"
  secs=$(since "$t0")
  rss_mb=$(awk '{ printf "%.0f", $1 / 1024 }' "$work/postgis.rss")
  record adjudicate "PostGIS (join)" "$events" "$secs" "$rss_mb" "$work/postgis.counts" all \
    "one SQL query; RSS of the leader backend (2 parallel workers not counted)"
  record adjudicate "PostGIS (load+join)" "$events" "$(awk -v a="$secs" -v b="$load" 'BEGIN { print a + b }')" "" "" all \
    "load ${load} s: COPY, points, subdivided areas, GiST indexes"

  log "adjudicate: geopandas on $gp_events events"
  measure "$py" bench/peers/geopandas_join.py "$prep" "$ev" "$gp_events" "$work/geopandas.json" >"$work/geopandas.counts"
  local join_s load_s scale note
  join_s=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["join_s"])' "$work/geopandas.json")
  load_s=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["load_s"])' "$work/geopandas.json")
  scale=$(awk -v a="$events" -v b="$gp_events" 'BEGIN { print a / b }')
  note="RSS at $gp_events events"
  [ "$gp_events" -lt "$events" ] && note="measured on $gp_events events, time scaled ×$scale; $note"
  record adjudicate "geopandas (join)" "$events" "$(awk -v s="$join_s" -v k="$scale" 'BEGIN { printf "%.2f", s * k }')" \
    "$rss_mb" "$work/geopandas.counts" sub "$note"
  record adjudicate "geopandas (load+join)" "$events" "$(awk -v s="$join_s" -v l="$load_s" -v k="$scale" 'BEGIN { printf "%.2f", (s + l) * k }')" \
    "" "" sub "load: read CSV, points, projection, R-tree"
  "${psql[@]}" -c 'DROP TABLE events, area_edges, area_parts, areas, areas_raw'
}

# --- import ------------------------------------------------------------------
import_job() {
  local acled rows
  acled=$out/acled-$events-$(cat internal/ingest/generate.go | sha256sum | cut -c1-8).csv
  if [ ! -s "$acled" ]; then
    log "generating $events ACLED rows"
    "$work/bin/truce" import --generate-acled "$events" --out "$acled.tmp" --seed 1
    mv "$acled.tmp" "$acled"
  fi
  sync

  log "import: Truce"
  local rc=0
  measure "$work/bin/truce" import acled "$acled" --db "$work/truce.db" --quiet >/dev/null 2>"$work/import.err" || rc=$?
  if [ "$rc" -le 1 ]; then
    record import Truce "$events" "$secs" "$rss_mb" "" all "SQLite (WAL), batched transactions"
  else
    log "truce import failed (exit $rc): $(head -c 300 "$work/import.err")"
    record import Truce "$events" "" "" "" all "failed: exit $rc"
  fi

  log "import: sqlite3 .import"
  measure sqlite3 "$work/plain.db" ".mode csv" ".import $acled t"
  rows=$(sqlite3 "$work/plain.db" 'SELECT count(*) FROM t')
  record import "sqlite3 .import" "$rows" "$secs" "$rss_mb" "" all "plain table, all TEXT columns"

  log "import: PostgreSQL COPY"
  local cols
  cols=$(head -n 1 "$acled" | tr -d '\r' | sed 's/,/ text, /g; s/$/ text/')
  "${psql[@]}" -c "CREATE TABLE acled ($cols)"
  measure "${psql[@]}" -c "\\copy acled FROM pstdin WITH (FORMAT csv, HEADER true)" <"$acled"
  rows=$("${psql[@]}" -A -t -c 'SELECT count(*) FROM acled')
  record import "PostgreSQL COPY" "$rows" "$secs" "$rss_mb" "" all "plain table, all text columns; RSS of psql"
}

for job in $jobs; do
  case $job in
  adjudicate) adjudicate_job ;;
  import) import_job ;;
  *) log "unknown job $job" && exit 2 ;;
  esac
done

mkdir -p "$out/last"
cp "$results" "$out/last/results.tsv"
cp "$work"/*.counts "$out/last/" 2>/dev/null || true
sed -i "s|$work/|$out/last/|g" "$out/last/results.tsv"
{
  echo "# make bench, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), load average at start: $loadavg"
  echo
  "$work/bin/report" "$out/last/results.tsv"
} | tee "$out/last/table.md"
if [ "${BENCH_STRICT:-}" = 1 ]; then
  "$work/bin/report" -strict "$out/last/results.tsv" >/dev/null
fi
