package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// TestSQLitePageSize checks the file format Open leaves: a database it
// creates has 16 KiB pages and a write-ahead log, whichever the driver
// runs first; one created elsewhere with SQLite's default 4 KiB pages
// keeps them (changing them takes a VACUUM) and is switched to WAL too.
func TestSQLitePageSize(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	check := func(path string, wantPage int) {
		t.Helper()
		db, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for name, pool := range map[string]*sql.DB{"writer": db.rw, "reader": db.ro} {
			var page int
			var mode string
			if err := pool.QueryRowContext(ctx, "PRAGMA page_size").Scan(&page); err != nil {
				t.Fatal(err)
			}
			if err := pool.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
				t.Fatal(err)
			}
			if page != wantPage || mode != "wal" {
				t.Errorf("%s, %s: page_size %d, journal_mode %q; want %d, \"wal\"", filepath.Base(path), name, page, mode, wantPage)
			}
		}
	}
	check(filepath.Join(dir, "new.db"), 16384)

	old := filepath.Join(dir, "old.db")
	plain, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Exec("PRAGMA page_size = 4096; CREATE TABLE before_truce (x)"); err != nil {
		t.Fatal(err)
	}
	plain.Close()
	check(old, 4096)
}
