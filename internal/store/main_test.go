package store_test

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

	"github.com/truce-monitor/truce/internal/store"
)

// pgEnv names the PostgreSQL URL the suite also runs against when set.
const pgEnv = "TRUCE_TEST_POSTGRES"

// dialects returns the databases every store test runs on: SQLite always,
// PostgreSQL when TRUCE_TEST_POSTGRES is set (its subtests say why they
// skip otherwise).
func dialects() []string { return []string{store.SQLite, store.Postgres} }

// forEachDB runs fn as a subtest on a fresh store of each dialect.
func forEachDB(t *testing.T, fn func(t *testing.T, db *store.DB, clk *clock)) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			clk := newClock()
			fn(t, mustOpen(t, d, clk), clk)
		})
	}
}

// MustOpenDB opens a fresh SQLite store in tb.TempDir() with a test clock,
// closed when the test ends.
func MustOpenDB(tb testing.TB) *store.DB { return mustOpen(tb, store.SQLite, newClock()) }

// mustOpen opens a fresh store of the dialect: a SQLite file in a temp
// dir, or a new PostgreSQL schema dropped when the test ends, so that
// runs never see each other's data.
func mustOpen(tb testing.TB, dialect string, clk *clock) *store.DB {
	tb.Helper()
	ctx := context.Background()
	var dsn string
	switch dialect {
	case store.SQLite:
		dsn = filepath.Join(tb.TempDir(), "truce.db")
	case store.Postgres:
		dsn = freshSchema(tb)
	}
	db, err := store.Open(ctx, dsn, store.Options{Now: clk.Now})
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	if db.Dialect() != dialect {
		tb.Fatalf("Dialect() = %q, want %q", db.Dialect(), dialect)
	}
	return db
}

// freshSchema creates a schema in the TRUCE_TEST_POSTGRES database and
// returns a URL whose connections use it.
func freshSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(pgEnv)
	if base == "" {
		tb.Skip(pgEnv + " is not set: PostgreSQL run skipped (set it to a postgres:// URL to run the suite on PostgreSQL too)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("%s: %v", pgEnv, err)
	}
	tb.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "truce_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", pgEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// clock is a test clock that moves one second per reading, so that every
// transaction has its own instant and times are known in advance.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// clockStart is the first instant the test clock gives, with sub-
// microsecond digits and a zone, which the store must normalize.
var clockStart = time.Date(2025, 5, 10, 12, 0, 0, 123456789, time.FixedZone("MSK", 3*3600))

func newClock() *clock { return &clock{t: clockStart} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(time.Second)
	return t
}

// peek returns the instant the next reading will give, normalized the
// way the store keeps times.
func (c *clock) peek() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t.UTC().Truncate(time.Microsecond)
}
