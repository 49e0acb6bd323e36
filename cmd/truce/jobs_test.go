package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// startJobServer runs a server with the background jobs over dsn, signing
// with the key file key, logging JSON into logs.
func startJobServer(t *testing.T, dsn, key string, logs *syncBuffer) *server {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:0", DB: dsn, LogKey: key, Jobs: true, ShutdownTimeout: 5 * time.Second}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	s, err := openServer(context.Background(), cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return s
}

// freshPostgres creates an empty database on the TRUCE_TEST_POSTGRES
// server, dropped when the test ends, and returns its URL.
func freshPostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("TRUCE_TEST_POSTGRES")
	if base == "" {
		t.Skip("TRUCE_TEST_POSTGRES is not set: PostgreSQL test skipped (scripts/with-postgres.sh sets it)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	name := "truce_e2e_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// attack is a report of Russian shelling in Kharkiv, 17:00-18:00 UTC on
// 20 April 2025: inside the Easter truce of testdata/terms.json (until
// 21:00 UTC), outside it once it collapsed at 15:00 UTC (easterCollapsed).
func attack(ext, kind string, lat, lon float64) truce.Report {
	from, to := time.Date(2025, 4, 20, 17, 0, 0, 0, time.UTC), time.Date(2025, 4, 20, 18, 0, 0, 0, time.UTC)
	return truce.Report{
		ExternalID:   ext,
		Source:       truce.ReportSource{Kind: kind, Name: "source of " + ext},
		Occurred:     truce.Occurrence{From: &from, To: &to},
		Place:        truce.Point(lat, lon, 2),
		Domains:      []string{truce.DomainLand},
		Perpetrators: []string{"RU"},
		Description:  "Shelling (" + ext + ")",
		SubmittedBy:  "test",
	}
}

// waitFor polls cond within a generous bound (a hang guard, not a speed
// check).
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var ok bool
		if ok, err = cond(); ok {
			return
		}
	}
	t.Fatalf("never: %s (last: %v)", what, err)
}

// easterFinding returns the finding of the report's incident against the
// Easter truce.
func easterFinding(ctx context.Context, db *store.DB, reportID int64) (truce.Finding, error) {
	r, err := db.Report(ctx, reportID)
	if err != nil {
		return truce.Finding{}, err
	}
	if r.IncidentID == nil {
		return truce.Finding{}, fmt.Errorf("report %d in no incident", reportID)
	}
	fs, err := db.SubjectFindings(ctx, "incident", *r.IncidentID)
	if err != nil {
		return truce.Finding{}, err
	}
	for _, f := range fs {
		if f.AgreementID == "easter-truce-2025" {
			return f, nil
		}
	}
	return truce.Finding{}, fmt.Errorf("incident %d: no Easter finding in %+v", *r.IncidentID, fs)
}

// TestServeJobs: a server with its jobs groups the reports written to its
// store into incidents, judges them, and judges them again when a new
// version of an agreement is imported by another process.
func TestServeJobs(t *testing.T) {
	ctx := context.Background()
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	var logs syncBuffer
	s := startJobServer(t, dsn, "", &logs)
	rs := []truce.Report{attack("a", truce.SourceParty, 49.99, 36.23), attack("b", truce.SourceMonitor, 49.995, 36.24)}
	for i := range rs {
		if _, err := s.db.CreateReport(ctx, &rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	violation := func(version int, verdict, party string) func() (bool, error) {
		return func() (bool, error) {
			for _, r := range rs {
				f, err := easterFinding(ctx, s.db, r.ID)
				if err != nil {
					return false, err
				}
				if f.AgreementVersion != version || f.Verdict != verdict || f.Party != party {
					return false, fmt.Errorf("finding %+v", f)
				}
			}
			return true, nil
		}
	}
	waitFor(t, "a violation of the Easter truce by RU", violation(1, truce.VerdictViolation, "RU"))
	a, _ := s.db.Report(ctx, rs[0].ID)
	b, _ := s.db.Report(ctx, rs[1].ID)
	if *a.IncidentID != *b.IncidentID {
		t.Errorf("two accounts 1 km apart in incidents %d and %d", *a.IncidentID, *b.IncidentID)
	}

	path := editTerms(t, easterCollapsed()...)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, path); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	waitFor(t, "the attack outside the collapsed truce (version 2)", violation(2, truce.VerdictOutside, ""))

	if code, out, errOut := runTruce(t, "", "log", "checkpoint", "--db", dsn); code != 0 {
		t.Fatalf("log checkpoint: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runTruce(t, "", "log", "verify", "--db", dsn); code != 0 {
		t.Fatalf("log verify: exit %d\n%s%s", code, out, errOut)
	}
}

// TestServeTwoNodesPostgres: two servers on one PostgreSQL database. Both
// take writes at once, and the log stays one strictly ordered sequence
// that verifies; a write on one node wakes a waiter on the other; the
// pipeline runs on one node only and groups every report.
func TestServeTwoNodesPostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dsn := freshPostgres(t)
	key := filepath.Join(t.TempDir(), "log.key")
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	var logs [2]syncBuffer
	nodes := []*server{startJobServer(t, dsn, key, &logs[0]), startJobServer(t, dsn, key, &logs[1])}

	// A live wake-up across nodes: node 0 waits, node 1 writes.
	size, err := nodes[0].db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	woke := make(chan int64, 1)
	go func() {
		n, err := nodes[0].db.WaitLog(ctx, size)
		if err != nil {
			t.Error(err)
		}
		woke <- n
	}()
	first := attack("wake", truce.SourceMonitor, 50.45, 30.52)
	if _, err := nodes[1].db.CreateReport(ctx, &first); err != nil {
		t.Fatal(err)
	}
	if n := <-woke; n <= size {
		t.Fatalf("node 0 woke at log size %d, not past %d", n, size)
	}

	// Both nodes write at once: 3 writers each, 10 reports a writer.
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i, s := range nodes {
		for w := range 3 {
			wg.Go(func() {
				for j := range 10 {
					r := attack(fmt.Sprintf("n%d-w%d-%d", i, w, j), truce.SourceParty, 48+float64(j)/10, 30+float64(w+3*i))
					if _, err := s.db.CreateReport(ctx, &r); err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// The pipeline (on one node) groups every report.
	waitFor(t, "every report in an incident", func() (bool, error) {
		for _, s := range nodes {
			rs, err := s.db.Reports(ctx, store.ReportFilter{})
			if err != nil {
				return false, err
			}
			if len(rs) != 61 {
				return false, fmt.Errorf("%d reports, want 61", len(rs))
			}
			for _, r := range rs {
				if r.IncidentID == nil {
					return false, fmt.Errorf("report %d not grouped", r.ID)
				}
			}
		}
		return true, nil
	})
	leaders := 0
	for i := range logs {
		leaders += strings.Count(logs[i].String(), `"msg":"lease: leading","job":"pipeline"`)
	}
	if leaders != 1 {
		t.Errorf("the pipeline led %d times across two nodes, want once", leaders)
	}

	// The log verifies, entries in one strict order, and a checkpoint
	// signed with the shared key covers them.
	if code, out, errOut := runTruce(t, "", "log", "checkpoint", "--db", dsn, "--key", key); code != 0 {
		t.Fatalf("log checkpoint: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runTruce(t, "", "log", "verify", "--db", dsn, "--key", key)
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("log verify: exit %d\n%s%s", code, out, errOut)
	}
}
