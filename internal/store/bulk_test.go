package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/truce-monitor/truce/internal/store"
)

// reportIndexes lists the indexes of reports and the indexes recorded as
// deferred, read from the file itself.
func reportIndexes(t *testing.T, path string) (indexes, deferred []string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	read := func(q string) []string {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		return names
	}
	return read("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' ORDER BY name"),
		read("SELECT name FROM deferred_indexes ORDER BY name")
}

// TestDeferIndexes: a large import into an empty table drops the plain
// indexes of reports (keeping the unique and the partial ones) and its
// restore builds them again; an import killed before restoring leaves the
// record, and the next Open builds them; a small import defers nothing.
func TestDeferIndexes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, none := reportIndexes(t, path)
	for _, want := range []string{"reports_external", "reports_place", "reports_t1", "reports_time", "reports_ungrouped"} {
		if !slices.Contains(all, want) {
			t.Fatalf("a fresh store has indexes %v: no %s", all, want)
		}
	}
	if len(none) != 0 {
		t.Fatalf("a fresh store has deferred indexes %v", none)
	}

	restore, did, err := db.DeferIndexes(ctx, "reports", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if !did {
		t.Error("DeferIndexes says nothing was deferred")
	}
	kept, deferred := reportIndexes(t, path)
	for _, name := range deferred {
		if slices.Contains(kept, name) {
			t.Errorf("%s is deferred and still there", name)
		}
	}
	for _, name := range []string{"reports_place", "reports_t1", "reports_time"} {
		if !slices.Contains(deferred, name) {
			t.Errorf("%s not deferred (deferred: %v)", name, deferred)
		}
	}
	for _, name := range []string{"reports_external", "reports_ungrouped", "reports_incident"} {
		if !slices.Contains(kept, name) {
			t.Errorf("%s was dropped (kept: %v)", name, kept)
		}
	}
	src := ucdpReports(t)[:300]
	if added, _, err := db.ImportReports(ctx, src); err != nil || added != len(src) {
		t.Fatalf("import: %d added, %v", added, err)
	}
	if err := restore(ctx); err != nil {
		t.Fatal(err)
	}
	if got, d := reportIndexes(t, path); !slices.Equal(got, all) || len(d) != 0 {
		t.Errorf("after restore: indexes %v, deferred %v; want %v, none", got, d, all)
	}

	// Killed before restore: the record stays, and Open builds them.
	if _, _, err := db.DeferIndexes(ctx, "reports", 1_000_000); err != nil {
		t.Fatal(err)
	}
	if _, d := reportIndexes(t, path); len(d) == 0 {
		t.Fatal("nothing deferred the second time")
	}
	db.Close()
	db, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, d := reportIndexes(t, path); !slices.Equal(got, all) || len(d) != 0 {
		t.Errorf("after reopening: indexes %v, deferred %v; want %v, none", got, d, all)
	}

	// Too small: nothing deferred.
	for _, rows := range []int{10_000, 200} {
		restore, did, err := db.DeferIndexes(ctx, "reports", rows)
		if err != nil {
			t.Fatal(err)
		}
		if did {
			t.Errorf("deferring %d rows: DeferIndexes says it deferred", rows)
		}
		if got, d := reportIndexes(t, path); !slices.Equal(got, all) || len(d) != 0 {
			t.Errorf("deferring %d rows: indexes %v, deferred %v", rows, got, d)
		}
		if err := restore(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
