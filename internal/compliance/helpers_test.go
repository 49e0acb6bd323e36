package compliance_test

import (
	"bytes"
	"context"
	"flag"
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

func openDB(t testing.TB) *store.DB {
	t.Helper()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "truce.db"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
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
