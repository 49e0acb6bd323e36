package compliance_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/compliance"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var gazetteer = sync.OnceValues(geo.Load)

func grouper(t testing.TB) *incident.Grouper {
	t.Helper()
	gz, err := gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// clock is a test clock that moves a second per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func openDB(t testing.TB) *store.DB { return openStore(t, store.SQLite) }

// openStore opens a fresh store: a SQLite file, or a new schema of the
// TRUCE_TEST_POSTGRES database (skipped when it is not set).
func openStore(t testing.TB, dialect string) *store.DB {
	t.Helper()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	dsn := filepath.Join(t.TempDir(), "truce.db")
	if dialect == store.Postgres {
		dsn = freshSchema(t)
	}
	// Seeded salts for the agreement status commitments: the golden
	// reports' log roots must come out the same on every run and dialect.
	salts := mrand.NewChaCha8([32]byte{})
	db, err := store.Open(context.Background(), dsn, store.Options{Now: clk.Now, Rand: salts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// forEachStore runs fn on SQLite, and on PostgreSQL when
// TRUCE_TEST_POSTGRES is set: the same records must give the same report,
// byte for byte, on both.
func forEachStore(t *testing.T, fn func(t *testing.T, dialect string)) {
	for _, d := range []string{store.SQLite, store.Postgres} {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

func freshSchema(t testing.TB) string {
	t.Helper()
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
	schema := "truce_compliance_" + hex.EncodeToString(b[:])
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

// process does what the server's jobs do after new reports: group them
// into incidents and judge the incidents against every agreement.
func process(t testing.TB, db *store.DB, g *incident.Grouper) {
	t.Helper()
	ctx := context.Background()
	sum, err := db.GroupNew(ctx, g)
	if err != nil {
		t.Fatalf("GroupNew: %v", err)
	}
	parties, err := db.Parties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agreements, err := db.Agreements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	j, err := incident.NewJudge(truce.Terms{Parties: parties, Agreements: agreements}, g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecomputeFindings(ctx, j, sum.Live()); err != nil {
		t.Fatalf("RecomputeFindings: %v", err)
	}
}

// render returns a report in a format.
func render(t testing.TB, rep *compliance.Report, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := rep.Render(&b, format); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return b.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking the change)", name)
	}
}
