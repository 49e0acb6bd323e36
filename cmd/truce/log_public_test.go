package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// TestLogVerifyRemoteWithheld verifies a server's log as the public, who
// is served only the hash of non-public leaves (a report, users), and
// with a signed-in user's token, who is served every leaf's data.
func TestLogVerifyRemoteWithheld(t *testing.T) {
	dsn := loggedDB(t)
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tokens := feedtest.Tokens(t, db)
	s := startServer(t, dsn)
	url := s.URL()
	if code, _, errOut := runTruce(t, "", "report", "add", "--server", url, "--token", tokens[truce.RoleLiaison], "testdata/report.json"); code != 0 {
		t.Fatalf("report add: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runTruce(t, "", "log", "checkpoint", "--db", dsn); code != 0 {
		t.Fatalf("log checkpoint: exit %d: %s", code, errOut)
	}

	// The expected split, from the database: the public reads parties
	// and agreements (claims name the monitor who recorded them).
	size, err := db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	es, err := db.LogEntries(context.Background(), 0, size)
	if err != nil {
		t.Fatal(err)
	}
	public := []string{"party", "agreement_version", "agreement_status"}
	var byContent, kinds []string
	for _, e := range es {
		kinds = append(kinds, e.Kind)
		if slices.Contains(public, e.Kind) {
			byContent = append(byContent, e.Kind)
		}
	}
	if !slices.Contains(kinds, ledger.KindReport) && !slices.Contains(kinds, store.KindReportBatch) || len(byContent) == 0 {
		t.Fatalf("the log should hold public leaves and a report: %v", kinds)
	}

	code, out, errOut := runTruce(t, "", "log", "verify", "--server", url)
	want := fmt.Sprintf("leaves: %d checked by content, %d by hash only", len(byContent), len(es)-len(byContent))
	if code != 0 || !strings.Contains(out, "OK: the log is intact") || !strings.Contains(out, want) {
		t.Fatalf("verify --server as the public: exit %d, want %q\n%s%s", code, want, out, errOut)
	}

	code, out, errOut = runTruce(t, "", "log", "verify", "--server", url, "--token", tokens[truce.RoleAnalyst])
	want = fmt.Sprintf("leaves: %d checked by content, 0 by hash only", len(es))
	if code != 0 || !strings.Contains(out, "OK: the log is intact") || !strings.Contains(out, want) {
		t.Fatalf("verify --server --token: exit %d, want %q\n%s%s", code, want, out, errOut)
	}

	// A bad token is refused, not verified as the public.
	code, _, errOut = runTruce(t, "", "log", "verify", "--server", url, "--token", "nonsense")
	if code != 1 || !strings.Contains(errOut, "revoked token") {
		t.Fatalf("verify --server with a bad token: exit %d\n%s", code, errOut)
	}
	// --token needs --server.
	if code, _, errOut := runTruce(t, "", "log", "verify", "--db", dsn, "--token", "x"); code != 2 || !strings.Contains(errOut, "--token goes with --server") {
		t.Fatalf("verify --db --token: exit %d\n%s", code, errOut)
	}
}
