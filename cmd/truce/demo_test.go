package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// runUntilServing runs a serving command line until its stdout holds
// marker followed by the URL; it returns the URL, a stop function that
// cancels the command and returns its exit status, and its output.
func runUntilServing(t *testing.T, marker string, args ...string) (url string, stop func() int, stdout, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, strings.NewReader(""), stdout, stderr) }()
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(time.Minute): // a hang guard, not a speed check
			t.Fatal("command did not return after its context was cancelled")
			return -1
		}
	}
	giveUp := time.After(5 * time.Minute)
	for {
		if _, rest, ok := strings.Cut(stdout.String(), marker); ok {
			if line, _, ok := strings.Cut(rest, "\n"); ok {
				return strings.TrimSpace(line), stop, stdout, stderr
			}
		}
		select {
		case code := <-done:
			t.Fatalf("%v exited %d before serving\nstdout: %s\nstderr: %s", args, code, stdout, stderr)
		case <-giveUp:
			cancel()
			t.Fatalf("%v did not start serving\nstdout: %s\nstderr: %s", args, stdout, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestDemo runs `truce demo` on a fresh database as a new user would, reads
// the agreements back over HTTP, then runs it again: the second run must
// load nothing. Expected UTC windows by hand: Moscow is UTC+3; Kyiv is
// UTC+3 in summer and UTC+2 in winter.
func TestDemo(t *testing.T) {
	dsn := tempDB(t)
	url, stop, stdout, stderr := runUntilServing(t, "Truce demo mission at ", "demo", "--addr", "127.0.0.1:0", "--db", dsn, "--log-level", "warn")
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Errorf("demo URL %q", url)
	}
	if !strings.Contains(stdout.String(), "demo mission loaded") {
		t.Errorf("first run does not say it loaded the demo:\n%s", stdout)
	}

	var health map[string]string
	get(t, url+"healthz", http.StatusOK, &health)

	var list struct{ Agreements []apiAgreement }
	get(t, url+"api/v1/agreements", http.StatusOK, &list)
	want := map[string][2]string{
		"easter-truce-2025":              {"2025-04-19T15:00:00Z", "2025-04-20T21:00:00Z"},
		"victory-day-truce-2025":         {"2025-05-07T21:00:00Z", "2025-05-10T21:00:00Z"},
		"energy-moratorium-2025":         {"2025-03-17T21:00:00Z", "2025-04-16T21:00:00Z"},
		"ceasefire-proposal-30-day-2025": {"2025-05-11T21:00:00Z", "2025-06-10T21:00:00Z"},
		"donbas-ceasefire-measures-2020": {"2020-07-26T21:01:00Z", "2022-02-23T22:00:00Z"},
	}
	got := map[string][2]string{}
	for _, a := range list.Agreements {
		got[a.ID] = [2]string{str(a.Window.StartUTC), str(a.Window.EndUTC)}
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: UTC window %v, want %v", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("demo has agreements %v, want those of %v", got, want)
	}

	var easter apiAgreement
	get(t, url+"api/v1/agreements/easter-truce-2025", http.StatusOK, &easter)
	if easter.Window.TZ != "Europe/Moscow" || easter.Window.Start != "2025-04-19T18:00" || len(easter.Versions) != 1 || easter.Versions[0].Version != 1 {
		t.Errorf("easter truce: %+v", easter)
	}
	if len(easter.StatusHistory) == 0 {
		t.Error("easter truce has no status history")
	}
	var e apiError
	get(t, url+"api/v1/agreements/no-such-truce", http.StatusNotFound, &e)
	if e.Code != "not_found" {
		t.Errorf("unknown agreement: %+v", e)
	}

	if code := stop(); code != 0 {
		t.Fatalf("demo exited %d\nstderr: %s", code, stderr)
	}
	before := dbState(t, dsn)

	_, stop, stdout, stderr = runUntilServing(t, "Truce demo mission at ", "demo", "--addr", "127.0.0.1:0", "--db", dsn, "--log-level", "warn")
	if code := stop(); code != 0 {
		t.Fatalf("second demo exited %d\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stdout.String(), "nothing changed") {
		t.Errorf("second run does not say nothing changed:\n%s", stdout)
	}
	if after := dbState(t, dsn); after != before {
		t.Errorf("second demo run changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestDemoIgnoresTruceDB checks that the demo's database comes from
// --db, TRUCE_DEMO_DB or its own default, never from TRUCE_DB.
func TestDemoIgnoresTruceDB(t *testing.T) {
	t.Setenv(envDB, "/srv/mission.db")
	t.Setenv(envDemoDB, "")
	fs := newFlagSet("demo", "demo", &bytes.Buffer{})
	cfg := serverFlags(fs, envDemoDB, defaultDemoDB)
	if _, err := parseArgs(fs, nil); err != nil {
		t.Fatal(err)
	}
	if cfg.DB != "truce-demo.db" {
		t.Errorf("demo db = %q with TRUCE_DB set, want truce-demo.db", cfg.DB)
	}
	t.Setenv(envDemoDB, "/tmp/d.db")
	fs = newFlagSet("demo", "demo", &bytes.Buffer{})
	cfg = serverFlags(fs, envDemoDB, defaultDemoDB)
	if _, err := parseArgs(fs, nil); err != nil {
		t.Fatal(err)
	}
	if cfg.DB != "/tmp/d.db" {
		t.Errorf("demo db = %q with TRUCE_DEMO_DB set, want /tmp/d.db", cfg.DB)
	}
}
