package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// TestRemoteCommands files the contract's example report on a real
// server with `truce report add` and lists incidents with `truce
// incidents`, as a liaison, an analyst and the public.
func TestRemoteCommands(t *testing.T) {
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tokens := feedtest.Tokens(t, db)
	s := startServer(t, dsn)
	url := s.URL()
	liaison, analyst := tokens[truce.RoleLiaison], tokens[truce.RoleAnalyst]

	code, out, errOut := runTruce(t, "", "report", "add", "--server", url, "--token", liaison, "testdata/report.json")
	if code != 0 {
		t.Fatalf("report add: exit %d: %s", code, errOut)
	}
	var r truce.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.ID != 1 || r.SubmittedBy != "test-liaison" || r.Source.Party != "UA" || r.ExternalID != "ua-jfo-2025-05-09-0142" || errOut != "report 1 filed\n" {
		t.Errorf("filed %+v, stderr %q", r, errOut)
	}
	// The same external id again, from stdin: the first report.
	body, err := os.ReadFile("testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runTruce(t, string(body), "report", "add", "-", "--server", url, "--token", liaison)
	if code != 0 || errOut != "already filed as report 1 (same external_id)\n" {
		t.Errorf("again: exit %d %q", code, errOut)
	}

	// Bad input: exit 2, the field named.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(strings.Replace(string(body), `"domains"`, `"domain"`, 1)), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", "add", "--server", url, "--token", liaison, bad}, 2, "domain"},
		{[]string{"report", "add", "--token", liaison, "testdata/report.json"}, 2, "--server is required"},
		{[]string{"report", "add", "--server", url, "testdata/report.json"}, 1, "sign in"},
		{[]string{"report", "add", "--server", url, "--token", analyst, "testdata/report.json"}, 1, "may not POST"},
		{[]string{"report", "add", "--server", url, "--token", liaison, "nope.json"}, 2, "nope.json"},
		{[]string{"incidents", "--server", url, "--status", "alleged"}, 1, "verified incidents only"},
		{[]string{"incidents", "--server", url, "--bbox", "1,2"}, 2, "bbox"},
	} {
		code, _, errOut := runTruce(t, "", tt.args...)
		if code != tt.code || !strings.Contains(strings.ToLower(errOut), strings.ToLower(tt.want)) {
			t.Errorf("%v: exit %d %q, want %d mentioning %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}

	// Group the report, as the server's jobs would, then list.
	gz, err := feedtest.Gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.GroupNew(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runTruce(t, "", "incidents", "--server", url, "--token", analyst)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.HasPrefix(lines[1], "1 ") || !strings.Contains(lines[1], "alleged") {
		t.Errorf("analyst: exit %d %q %s", code, out, errOut)
	}
	code, out, _ = runTruce(t, "", "incidents", "--server", url, "--token", analyst, "--json", "--status", "alleged")
	var inc truce.Incident
	if err := json.Unmarshal([]byte(out), &inc); code != 0 || err != nil || inc.ID != 1 || len(inc.ReportIDs) != 1 {
		t.Errorf("--json: exit %d %v %q", code, err, out)
	}
	// The public sees no unverified incident.
	code, out, _ = runTruce(t, "", "incidents", "--server", url)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 1 {
		t.Errorf("public: exit %d %q", code, out)
	}
}
