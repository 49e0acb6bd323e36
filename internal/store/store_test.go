package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/store"
)

func TestOpenSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cases := []struct {
		name, dsn string
		ok        bool
	}{
		{"path", filepath.Join(dir, "a.db"), true},
		{"file URI with parameters", "file:" + filepath.Join(dir, "b.db") + "?_pragma=synchronous(NORMAL)&cache=private", true},
		{"memory", ":memory:", false},
		{"memory URI", "file::memory:?cache=shared", false},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "c.db"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := store.Open(ctx, c.dsn, store.Options{})
			if (err == nil) != c.ok {
				t.Fatalf("Open(%q): %v", c.dsn, err)
			}
			if err != nil {
				return
			}
			defer db.Close()
			if db.Dialect() != store.SQLite {
				t.Errorf("Dialect() = %q", db.Dialect())
			}
			if _, err := db.PutParty(ctx, testParties()[0], "admin"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReopen: migrations run once; a second Open finds the schema current
// and the data kept.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	for i := range 2 {
		db, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if _, err := db.PutParty(ctx, testParties()[i], "admin"); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var versions, parties int
	if err := raw.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT COUNT(*) FROM parties").Scan(&parties); err != nil {
		t.Fatal(err)
	}
	if want := migrationVersions(t); versions != want || parties != 2 {
		t.Errorf("%d migrations recorded, %d parties; want %d, 2", versions, parties, want)
	}
}

// TestTwoStores: two stores on one database, as when "truce import" runs
// beside "truce serve", open at once (both migrating) and write at once.
// On SQLite BEGIN IMMEDIATE and busy_timeout make them take turns, on
// PostgreSQL the advisory lock; either way the log stays whole.
func TestTwoStores(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "truce.db")
			if d == store.Postgres {
				dsn = freshSchema(t)
			}
			dbs := make([]*store.DB, 2)
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for i := range dbs {
				wg.Go(func() {
					db, err := store.Open(ctx, dsn, store.Options{})
					if err != nil {
						errs <- err
						return
					}
					dbs[i] = db
				})
			}
			wg.Wait()
			for _, db := range dbs {
				if db == nil {
					t.Fatal(<-errs)
				}
				defer db.Close()
			}
			for i, db := range dbs {
				wg.Go(func() {
					for j := range 20 {
						r := fullReport()
						r.ExternalID = fmt.Sprintf("p%d-%d", i, j)
						if _, err := db.CreateReport(ctx, &r); err != nil {
							errs <- err
						}
					}
					if _, _, err := db.ImportReports(ctx, batch(300, "import:test", fmt.Sprintf("p%d", i))); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			n, err := dbs[1].CountReports(ctx)
			if err != nil || n != 2*(20+300) {
				t.Fatalf("CountReports = %d, %v", n, err)
			}
			checkLog(t, dbs[0], 2*(20+1))
		})
	}
}
