#!/usr/bin/env bash
# bench-stores.sh: the same store operations on SQLite and on PostgreSQL,
# side by side in one table (BenchmarkStores in internal/store):
#
#   import          ImportReports, batches of 5,000 real UCDP events
#   log-append      one transaction appending one leaf
#   writers-1/4/16  CreateReport from 1, 4 and 16 goroutines at once, 512
#                   reports an iteration (one API node)
#   writers-4/nodes-4, writers-16/nodes-4, writers-16/nodes-16
#                   the writers spread over 4 or 16 stores open on one
#                   database, as over several API nodes (4 and 16 writers
#                   each on its own node; 16 over 4 nodes)
#   writers-N/nodes-K/queue
#                   the same on PostgreSQL with report_queue=on
#   group           GroupNew over 5,000 new reports
#   adjudicate      RecomputeFindings over every incident of a ~13,000-report
#                   mission (real UCDP events, Donbas 2020 terms)
#   list-reports, list-incidents, stats
#                   the API's list and stats queries on that mission
#
# PostgreSQL is a throwaway server (scripts/with-postgres.sh) with fsync on,
# as SQLite runs with synchronous=FULL: both make every commit durable.
# Without PostgreSQL installed the table has the SQLite column only.
#
# Environment:
#   BENCH_STORES_TIME  go test -benchtime (default 3x; BENCH_QUICK=1: 1x)
#   TRUCE_TEST_POSTGRES  use this server instead of a throwaway one
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
benchtime=${BENCH_STORES_TIME:-3x}
[ "${BENCH_QUICK:-}" = 1 ] && benchtime=1x
out=$(mktemp "${TMPDIR:-/tmp}/bench-stores.XXXXXX")
trap 'rm -f "$out"' EXIT

echo "bench-stores: go test -bench BenchmarkStores -benchtime $benchtime (raw output follows the table's inputs)"
TRUCE_PG_FSYNC=1 scripts/with-postgres.sh \
  go test -run '^$' -bench '^BenchmarkStores$' -benchtime "$benchtime" -timeout 60m ./internal/store | tee "$out"

echo
echo "Stores side by side (higher is better; ratio = PostgreSQL / SQLite):"
awk '
/^BenchmarkStores\// {
  name = $1
  sub(/^BenchmarkStores\//, "", name)
  sub(/-[0-9]+$/, "", name)
  n = split(name, parts, "/")
  dialect = ""; op = ""
  for (i = 1; i <= n; i++) {
    if (parts[i] == "sqlite" || parts[i] == "postgres") dialect = parts[i]
    else op = (op == "" ? parts[i] : op "/" parts[i])
  }
  # The rate is the last metric that is not ns/op or a cpu figure.
  rate = ""; unit = ""
  for (i = 3; i < NF; i += 2) {
    if ($(i+1) != "ns/op" && $(i+1) !~ /^cpu-/) { rate = $i; unit = $(i+1) }
  }
  if (!(op in seen)) { seen[op] = 1; order[++ops] = op }
  units[op] = unit
  val[op, dialect] = rate
}
END {
  printf "%-26s %-12s %12s %12s %8s\n", "operation", "unit", "SQLite", "PostgreSQL", "ratio"
  for (k = 1; k <= ops; k++) {
    op = order[k]
    s = val[op, "sqlite"]; p = val[op, "postgres"]
    ratio = (s != "" && p != "" && s > 0) ? sprintf("%.2f", p / s) : "-"
    printf "%-26s %-12s %12s %12s %8s\n", op, units[op], (s == "" ? "-" : s), (p == "" ? "-" : p), ratio
  }
}' "$out"
