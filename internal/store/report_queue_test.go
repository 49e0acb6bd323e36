package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// openQueueStores opens n stores on one fresh PostgreSQL schema, as n API
// nodes on one database; it skips without TRUCE_TEST_POSTGRES.
func openQueueStores(t *testing.T, n int) ([]*DB, string) {
	dsn := internalSchema(t) + "&report_queue=on"
	var dbs []*DB
	for range n {
		db, err := Open(context.Background(), dsn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	return dbs, dsn
}

// holdLog takes the log's lock on a connection of its own, as a
// sequencer of another node would, until the returned function is called.
func holdLog(t *testing.T, db *DB) (release func()) {
	t.Helper()
	ctx := context.Background()
	c, err := db.rw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", db.lockKey); err != nil {
		t.Fatal(err)
	}
	return func() {
		c.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", db.lockKey)
		c.Close()
	}
}

// queuedRows returns the number of report_queue rows not yet sequenced.
func queuedRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.ro.QueryRow("SELECT COUNT(*) FROM report_queue WHERE done_us IS NULL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitQueued waits until n rows are queued.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); queuedRows(t, db) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d reports never queued", n)
		}
	}
}

// checkLog checks that the log's tree is whole and every leaf re-encodes
// from its record, with times that never go back.
func checkLog(t *testing.T, db *DB, want int64) {
	t.Helper()
	ctx := context.Background()
	size, err := db.LogSize(ctx)
	if err != nil || size != want {
		t.Fatalf("log size %d, %v; want %d", size, err, want)
	}
	if _, err := tlog.TreeHash(size, db.HashReader(ctx)); err != nil {
		t.Fatal(err)
	}
	es, err := db.LogEntries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for _, e := range es {
		data, err := db.Reencode(ctx, e)
		if err != nil || string(data) != string(e.Data) {
			t.Fatalf("leaf %d does not re-encode: %v", e.Index, err)
		}
		if e.At.Before(last) {
			t.Fatalf("leaf %d at %v, before the leaf before it (%v)", e.Index, e.At, last)
		}
		last = e.At
	}
}

// TestReportQueueGrouped: reports queued while another node holds the
// log are sequenced together once it lets go, in queue order: a report
// already stored and a second one with the key of an earlier queued one
// come back as those (created false), the others are stored with
// consecutive ids and leaves. (TestCreateReportGrouped checks the same
// of SQLite's group commit.)
func TestReportQueueGrouped(t *testing.T) {
	dbs, _ := openQueueStores(t, 1)
	db := dbs[0]
	ctx := context.Background()
	before := benchLeafReport(100)
	if created, err := db.CreateReport(ctx, &before); err != nil || !created || before.ID != 1 {
		t.Fatalf("CreateReport = %v, %v, id %d", created, err, before.ID)
	}
	release := holdLog(t, db)
	in := []struct {
		ext         string
		wantCreated bool
	}{
		{"r1", true},
		{"r100", false}, // stored before
		{"", true},
		{"r1", false}, // the first queued
		{"r2", true},
		{"", true},
	}
	type outcome struct {
		created    bool
		err        error
		id, index  int64
		receivedAt time.Time
	}
	got := make([]outcome, len(in))
	var wg sync.WaitGroup
	for i, c := range in {
		// One at a time, so that the queue's order is in's.
		wg.Go(func() {
			r := benchLeafReport(i)
			r.ExternalID = c.ext
			created, err := db.CreateReport(ctx, &r)
			got[i] = outcome{created: created, err: err, id: r.ID, receivedAt: r.ReceivedAt}
			if r.LogIndex != nil {
				got[i].index = *r.LogIndex
			}
		})
		waitQueued(t, db, i+1)
	}
	release()
	wg.Wait()
	want := []struct{ id, index int64 }{{2, 1}, {1, 0}, {3, 2}, {2, 1}, {4, 3}, {5, 4}}
	for i, c := range in {
		g := got[i]
		if g.err != nil || g.created != c.wantCreated || g.id != want[i].id || g.index != want[i].index {
			t.Errorf("report %d (%q): created %v, id %d, leaf %d, %v; want created %v, id %d, leaf %d",
				i, c.ext, g.created, g.id, g.index, g.err, c.wantCreated, want[i].id, want[i].index)
		}
	}
	// One transaction: one instant for the whole group.
	if !got[0].receivedAt.Equal(got[5].receivedAt) || !got[0].receivedAt.After(before.ReceivedAt) {
		t.Errorf("received at %v and %v, want one instant after %v", got[0].receivedAt, got[5].receivedAt, before.ReceivedAt)
	}
	// As read back, each report is what its writer was given.
	for i := range in {
		r, err := db.Report(ctx, got[i].id)
		if err != nil || r.LogIndex == nil || *r.LogIndex != got[i].index || !r.ReceivedAt.Equal(got[i].receivedAt) {
			t.Errorf("report %d read back: %+v, %v", got[i].id, r, err)
		}
	}
	checkLog(t, db, 5)
	if n := queuedRows(t, db); n != 0 {
		t.Errorf("%d rows left queued", n)
	}
}

// TestReportQueueNodes: writers on four stores open on one database, as
// four API nodes, submit at once, some of them the same keys on several
// nodes: every key is stored once, created for exactly one of its
// writers, every writer of a key gets the same report, and the log is
// whole, one leaf per report.
func TestReportQueueNodes(t *testing.T) {
	dbs, _ := openQueueStores(t, 4)
	ctx := context.Background()
	const keys, perKey = 60, 3 // every key is submitted three times, on different nodes
	type result struct {
		key     int
		created bool
		id      int64
		index   int64
		err     error
	}
	results := make(chan result, keys*perKey+8)
	var wg sync.WaitGroup
	for w := range 8 { // two writers a node
		db := dbs[w%len(dbs)]
		wg.Go(func() {
			for i := range keys * perKey / 8 {
				k := (i*8 + w) % keys
				r := benchLeafReport(k)
				r.ExternalID = fmt.Sprintf("key-%d", k)
				created, err := db.CreateReport(ctx, &r)
				res := result{key: k, created: created, id: r.ID, err: err}
				if r.LogIndex != nil {
					res.index = *r.LogIndex
				}
				results <- res
			}
		})
	}
	// And reports without a key, each its own.
	for i := range 8 {
		wg.Go(func() {
			r := benchLeafReport(1000 + i)
			r.ExternalID = ""
			created, err := dbs[i%len(dbs)].CreateReport(ctx, &r)
			results <- result{key: -1, created: created, id: r.ID, err: err}
		})
	}
	wg.Wait()
	close(results)
	createdFor := map[int]int{}
	idOf := map[int]int64{}
	ids := map[int64]bool{}
	for res := range results {
		if res.err != nil {
			t.Fatal(res.err)
		}
		if res.key < 0 {
			if !res.created || ids[res.id] {
				t.Errorf("report without a key: created %v, id %d (seen before: %v)", res.created, res.id, ids[res.id])
			}
			ids[res.id] = true
			continue
		}
		if res.created {
			createdFor[res.key]++
		}
		if id, ok := idOf[res.key]; ok && id != res.id {
			t.Errorf("key %d: reports %d and %d", res.key, id, res.id)
		}
		idOf[res.key] = res.id
		ids[res.id] = true
	}
	for k := range keys {
		if createdFor[k] != 1 {
			t.Errorf("key %d created %d times, want once", k, createdFor[k])
		}
	}
	n, err := dbs[0].CountReports(ctx)
	if err != nil || n != keys+8 {
		t.Fatalf("%d reports, %v; want %d", n, err, keys+8)
	}
	checkLog(t, dbs[0], keys+8)
	var distinct int
	if err := dbs[0].ro.QueryRow("SELECT COUNT(DISTINCT (submitted_by, external_id)) FROM reports WHERE external_id IS NOT NULL").Scan(&distinct); err != nil || distinct != keys {
		t.Fatalf("%d distinct keys, %v; want %d", distinct, err, keys)
	}
}

// queueOnly commits a report into the queue and nothing else, as a
// process that dies right after its queue commit leaves it.
func queueOnly(t *testing.T, db *DB, r truce.Report) {
	t.Helper()
	nr, err := normReport(r, &db.zones)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.queueReports(context.Background(), []newReport{nr}, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// TestReportQueueCrash: a report queued by a process that died before
// it was sequenced is stored by the next store to open the database, and
// one left by a live node's dead writer by the next write of another.
func TestReportQueueCrash(t *testing.T) {
	dbs, dsn := openQueueStores(t, 1)
	ctx := context.Background()
	orphan := benchLeafReport(1)
	orphan.ExternalID = "orphan"
	queueOnly(t, dbs[0], orphan)
	if err := dbs[0].Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := queuedRows(t, db); n != 0 {
		t.Fatalf("%d rows still queued after a store opened", n)
	}
	rs, err := db.Reports(ctx, ReportFilter{})
	if err != nil || len(rs) != 1 || rs[0].ExternalID != "orphan" || rs[0].LogIndex == nil || *rs[0].LogIndex != 0 {
		t.Fatalf("reports %+v, %v; want the orphan, leaf 0", rs, err)
	}

	// Queued, its writer gone, while this store runs: another writer's
	// sequencing takes it too, first.
	second := benchLeafReport(2)
	second.ExternalID = "second orphan"
	queueOnly(t, db, second)
	r := benchLeafReport(3)
	if created, err := db.CreateReport(ctx, &r); err != nil || !created || r.ID != 3 {
		t.Fatalf("CreateReport = %v, %v, id %d; want created, id 3", created, err, r.ID)
	}
	if got, err := db.Report(ctx, 2); err != nil || got.ExternalID != "second orphan" {
		t.Fatalf("report 2: %+v, %v; want the second orphan", got, err)
	}
	checkLog(t, db, 3)
}

// TestReportQueueRetry: a writer that retries a report whose first
// attempt is still queued (its answer lost) gets the one report: the
// first queued is stored, the retry comes back as it, not created; and
// so does a retry after both.
func TestReportQueueRetry(t *testing.T) {
	dbs, _ := openQueueStores(t, 2)
	ctx := context.Background()
	r := benchLeafReport(7)
	r.ExternalID = "retried"
	queueOnly(t, dbs[0], r)
	retry := r
	if created, err := dbs[1].CreateReport(ctx, &retry); err != nil || created || retry.ID != 1 {
		t.Fatalf("retry: created %v, %v, id %d; want id 1, not created", created, err, retry.ID)
	}
	var created sql.NullBool
	var id sql.NullInt64
	if err := dbs[0].ro.QueryRow("SELECT created, report_id FROM report_queue WHERE external_id = 'retried' ORDER BY queued_us LIMIT 1").Scan(&created, &id); err != nil || !created.Bool || id.Int64 != 1 {
		t.Fatalf("first attempt's outcome: created %v, report %v, %v; want created, report 1", created, id, err)
	}
	again := r
	if created, err := dbs[0].CreateReport(ctx, &again); err != nil || created || again.ID != 1 {
		t.Fatalf("second retry: created %v, %v, id %d; want id 1, not created", created, err, again.ID)
	}
	checkLog(t, dbs[0], 1)
}

// TestReportQueuePrune: rows sequenced more than queueKeep ago are
// deleted by a later sequencing; recent ones stay for their writers.
func TestReportQueuePrune(t *testing.T) {
	dbs, _ := openQueueStores(t, 1)
	db := dbs[0]
	ctx := context.Background()
	// Queued reports 1-3, taken by the write of report 4.
	for i := range 3 {
		queueOnly(t, db, benchLeafReport(i))
	}
	r := benchLeafReport(3)
	if _, err := db.CreateReport(ctx, &r); err != nil || r.ID != 4 {
		t.Fatalf("CreateReport: %v, id %d; want id 4", err, r.ID)
	}
	old := time.Now().Add(-queueKeep - time.Minute).UnixMicro()
	if _, err := db.rw.Exec("UPDATE report_queue SET done_us = $1 WHERE report_id IN (1, 2)", old); err != nil {
		t.Fatal(err)
	}
	// Queued report 5, taken by the write of report 6, which prunes.
	queueOnly(t, db, benchLeafReport(4))
	r = benchLeafReport(5)
	if _, err := db.CreateReport(ctx, &r); err != nil || r.ID != 6 {
		t.Fatalf("CreateReport: %v, id %d; want id 6", err, r.ID)
	}
	rows, err := db.ro.Query("SELECT report_id FROM report_queue ORDER BY report_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var left []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, id)
	}
	if fmt.Sprint(left) != "[3 5]" {
		t.Errorf("queue rows of reports %v, want [3 5]", left)
	}
	checkLog(t, db, 6)
}

// TestReportQueueOption: report_queue in a PostgreSQL URL turns the queue
// on or off and is taken out of the URL the driver sees; anything else
// is an error naming it.
func TestReportQueueOption(t *testing.T) {
	for _, c := range []struct {
		in, out string
		on      bool
		err     bool
	}{
		{"postgres://h/db?sslmode=disable", "postgres://h/db?sslmode=disable", false, false},
		{"postgres://h/db?sslmode=disable&report_queue=on", "postgres://h/db?sslmode=disable", true, false},
		{"postgres://h/db?report_queue=off", "postgres://h/db", false, false},
		{"postgres://h/db?report_queue=maybe", "", false, true},
	} {
		out, on, err := reportQueueOption(c.in)
		if (err != nil) != c.err || out != c.out || on != c.on {
			t.Errorf("reportQueueOption(%q) = %q, %v, %v; want %q, %v, error %v", c.in, out, on, err, c.out, c.on, c.err)
		}
		if err != nil && !strings.Contains(err.Error(), "report_queue") {
			t.Errorf("error %q does not name report_queue", err)
		}
	}
}
