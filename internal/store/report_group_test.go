package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// internalDialects opens a fresh store of each dialect for the package's
// internal tests: SQLite always, PostgreSQL (a new schema, dropped at
// the end) when TRUCE_TEST_POSTGRES is set.
func internalDialects(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run(SQLite, func(t *testing.T) { internalSQLite(t, fn) })
	t.Run(Postgres, func(t *testing.T) {
		db, err := Open(context.Background(), internalSchema(t), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		fn(t, db)
	})
}

// internalSQLite runs fn on a fresh SQLite store: for the in-process
// group commit, which PostgreSQL's reports do not use (they go through
// the report queue, report_queue_test.go).
func internalSQLite(t *testing.T, fn func(t *testing.T, db *DB)) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fn(t, db)
}

// internalSchema creates a schema in the TRUCE_TEST_POSTGRES database,
// dropped when the test ends, and returns a URL whose connections use
// it; it skips the test when the variable is not set.
func internalSchema(t *testing.T) string {
	base := os.Getenv("TRUCE_TEST_POSTGRES")
	if base == "" {
		t.Skip("TRUCE_TEST_POSTGRES is not set: PostgreSQL run skipped")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "truce_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestCreateReportGrouped: reports queued together are written by one
// transaction: a report already stored and a second one with the key of
// an earlier one in the group come back as those (created false), the
// others are stored with consecutive ids and leaves, in queue order.
// (On SQLite; TestReportQueueGrouped checks the same on PostgreSQL.)
func TestCreateReportGrouped(t *testing.T) {
	internalSQLite(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		before := benchLeafReport(100)
		if created, err := db.CreateReport(ctx, &before); err != nil || !created {
			t.Fatalf("CreateReport = %v, %v", created, err)
		}

		// A first write holds the transaction until the others have queued.
		release, running := make(chan struct{}), make(chan struct{})
		first := make(chan error, 1)
		go func() {
			first <- db.writeGrouped(ctx, func(ctx context.Context, t *tx) error {
				close(running)
				<-release
				return nil
			})
		}()
		<-running
		in := []struct {
			ext         string
			wantCreated bool
		}{
			{"r1", true},
			{"r100", false}, // stored before
			{"", true},
			{"r1", false}, // the first of the group
			{"r2", true},
			{"", true},
		}
		reports := make([]struct {
			created bool
			err     error
			id      int64
			index   int64
		}, len(in))
		var wg sync.WaitGroup
		for i, c := range in {
			// One at a time, so that the queue's order is in's.
			queued := queueLen(db)
			wg.Go(func() {
				r := benchLeafReport(i)
				r.ExternalID = c.ext
				created, err := db.CreateReport(ctx, &r)
				reports[i].created, reports[i].err, reports[i].id = created, err, r.ID
				if r.LogIndex != nil {
					reports[i].index = *r.LogIndex
				}
			})
			for deadline := time.Now().Add(time.Minute); queueLen(db) == queued; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("report %d never queued", i)
				}
			}
		}
		close(release)
		wg.Wait()
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		// Stored before: id 1, leaf 0. The group: ids 2, 3, 4, 5 for in[0],
		// in[2], in[4], in[5], leaves 1 to 4.
		want := []struct {
			id, index int64
		}{{2, 1}, {1, 0}, {3, 2}, {2, 1}, {4, 3}, {5, 4}}
		for i, c := range in {
			got := reports[i]
			if got.err != nil || got.created != c.wantCreated || got.id != want[i].id || got.index != want[i].index {
				t.Errorf("report %d (%q): created %v, id %d, leaf %d, %v; want created %v, id %d, leaf %d",
					i, c.ext, got.created, got.id, got.index, got.err, c.wantCreated, want[i].id, want[i].index)
			}
		}
		size, err := db.LogSize(ctx)
		if err != nil || size != 5 {
			t.Fatalf("log size %d, %v; want 5", size, err)
		}
		if _, err := tlog.TreeHash(size, db.HashReader(ctx)); err != nil {
			t.Fatal(err)
		}
		es, err := db.LogEntries(ctx, 0, size)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			data, err := db.Reencode(ctx, e)
			if err != nil || string(data) != string(e.Data) {
				t.Fatalf("leaf %d does not re-encode: %v", e.Index, err)
			}
		}
	})
}

func queueLen(db *DB) int {
	db.group.mu.Lock()
	defer db.group.mu.Unlock()
	return len(db.group.queue)
}

// TestCreateReportLateDuplicate: a report that joins a group once its
// transaction holds the lock, and whose key is stored already (taken for
// new on PostgreSQL, without a look), still comes back as the stored
// report, and the group's other reports are stored once each. (SQLite:
// on PostgreSQL the report queue looks every key up under the lock.)
func TestCreateReportLateDuplicate(t *testing.T) {
	internalSQLite(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		stored := benchLeafReport(1)
		if created, err := db.CreateReport(ctx, &stored); err != nil || !created {
			t.Fatalf("CreateReport = %v, %v", created, err)
		}
		type outcome struct {
			created bool
			id      int64
			err     error
		}
		late := make(chan outcome, 2)
		var once sync.Once
		db.group.locked = func() {
			once.Do(func() {
				// The late ones queue while the first group holds the lock.
				for _, i := range []int{1, 3} {
					go func() {
						r := benchLeafReport(i)
						created, err := db.CreateReport(ctx, &r)
						late <- outcome{created, r.ID, err}
					}()
				}
				for deadline := time.Now().Add(time.Minute); queueLen(db) < 2; time.Sleep(time.Millisecond) {
					if time.Now().After(deadline) {
						t.Error("the late reports never queued")
						return
					}
				}
			})
		}
		first := benchLeafReport(2)
		if created, err := db.CreateReport(ctx, &first); err != nil || !created || first.ID != 2 {
			t.Fatalf("CreateReport = %v, %v, id %d; want created, id 2", created, err, first.ID)
		}
		got := map[int64]outcome{}
		for range 2 {
			o := <-late
			if o.err != nil {
				t.Fatal(o.err)
			}
			got[o.id] = o
		}
		if o, ok := got[stored.ID]; !ok || o.created {
			t.Errorf("the late duplicate: %+v, want report %d, not created", got, stored.ID)
		}
		if o, ok := got[3]; !ok || !o.created {
			t.Errorf("the late new report: %+v, want report 3, created", got)
		}
		size, err := db.LogSize(ctx)
		if err != nil || size != 3 {
			t.Fatalf("log size %d, %v; want 3", size, err)
		}
		if n, err := db.CountReports(ctx); err != nil || n != 3 {
			t.Fatalf("%d reports, %v; want 3", n, err)
		}
	})
}
