package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce/internal/ledger"
)

// loggedDB returns a database with terms imported (so the log has leaves)
// and a first checkpoint signed by `truce log checkpoint`.
func loggedDB(t *testing.T) string {
	t.Helper()
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	if code, out, errOut := runTruce(t, "", "log", "checkpoint", "--db", dsn); code != 0 || !strings.HasPrefix(out, defaultLogOrigin+"\n") {
		t.Fatalf("log checkpoint: exit %d: %s%s", code, out, errOut)
	}
	return dsn
}

// execSQL changes the database file behind the store's back.
func execSQL(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestLogCheckpointKeyFile(t *testing.T) {
	dsn := loggedDB(t)
	fi, err := os.Stat(dsn + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	os.Chmod(dsn+".key", 0o644)
	code, _, errOut := runTruce(t, "", "log", "checkpoint", "--db", dsn)
	if code != 1 || !strings.Contains(errOut, "chmod 600") {
		t.Fatalf("checkpoint with a 0644 key: exit %d: %s", code, errOut)
	}
}

func TestLogVerifyDB(t *testing.T) {
	dsn := loggedDB(t)
	code, out, errOut := runTruce(t, "", "log", "verify", "--db", dsn)
	if code != 0 || !strings.Contains(out, "OK: the log is intact") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}

	// The verifier key from a file, as a party would hold it.
	k, err := ledger.OpenKey(dsn+".key", "")
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(t.TempDir(), "log.pub")
	os.WriteFile(pub, []byte(k.VerifierKey+"\n"), 0o644)
	if code, out, errOut := runTruce(t, "", "log", "verify", "--db", dsn, "--key", pub, "--json"); code != 0 || !strings.Contains(out, `"problems": null`) {
		t.Fatalf("verify --key --json: exit %d\n%s%s", code, out, errOut)
	}

	execSQL(t, dsn, "UPDATE log_entries SET at_us = at_us - 1000000 WHERE idx = 2")
	code, out, _ = runTruce(t, "", "log", "verify", "--db", dsn)
	if code != 1 || !strings.Contains(out, "entry 2 (") || !strings.Contains(out, "timestamp:") || !strings.Contains(out, "FAILED") {
		t.Fatalf("verify of a tampered log: exit %d\n%s", code, out)
	}

	// Another key does not vouch for this log.
	other := filepath.Join(t.TempDir(), "other.key")
	if _, err := ledger.OpenKey(other, defaultLogOrigin); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runTruce(t, "", "log", "verify", "--db", dsn, "--key", other)
	if code != 1 || !strings.Contains(out, "forged_checkpoint") {
		t.Fatalf("verify with another key: exit %d\n%s", code, out)
	}
}

func TestLogServerVerifyAndWitness(t *testing.T) {
	dsn := loggedDB(t)
	s := startServer(t, dsn)
	url := s.URL()
	state := t.TempDir()

	code, out, errOut := runTruce(t, "", "log", "verify", "--server", url)
	if code != 0 || !strings.Contains(out, "OK") || !strings.Contains(errOut, "trusting the server's own key") {
		t.Fatalf("verify --server: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runTruce(t, "", "log", "witness", "--server", url, "--state", state); code != 0 || !strings.Contains(out, "pinned") {
		t.Fatalf("witness, first run: exit %d\n%s%s", code, out, errOut)
	}
	first, err := s.db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// The log grows and is signed again: the witness proves it consistent.
	path := editTerms(t, easterCollapsed()...)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, path); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runTruce(t, "", "log", "checkpoint", "--db", dsn); code != 0 {
		t.Fatalf("log checkpoint: exit %d: %s", code, errOut)
	}
	second, _ := s.db.LogSize(context.Background())
	code, out, errOut = runTruce(t, "", "log", "witness", "--server", url, "--state", state)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("size %d extends size %d", second, first)) {
		t.Fatalf("witness after growth: exit %d\n%s%s", code, out, errOut)
	}

	// Roll the log and its checkpoints back to the first size.
	execSQL(t, dsn,
		fmt.Sprintf("DELETE FROM log_entries WHERE idx >= %d", first),
		fmt.Sprintf("DELETE FROM log_hashes WHERE idx >= %d", tlog.StoredHashIndex(0, first)),
		fmt.Sprintf("DELETE FROM checkpoints WHERE size > %d", first))
	code, _, errOut = runTruce(t, "", "log", "witness", "--server", url, "--state", state)
	if code != 1 || !strings.Contains(errOut, fmt.Sprintf("size %d, smaller than size %d", first, second)) {
		t.Fatalf("witness after a rollback: exit %d\n%s", code, errOut)
	}
}

func TestLogUsage(t *testing.T) {
	tests := []struct {
		args  []string
		inErr string
	}{
		{[]string{"log"}, "usage:"},
		{[]string{"log", "frob"}, "usage:"},
		{[]string{"log", "verify", "--db", "x.db", "--server", "http://x"}, "not both"},
		{[]string{"log", "witness"}, "--server and --state are required"},
		{[]string{"log", "witness", "--server", "ftp://x", "--state", "d"}, "not an http(s) URL"},
		{[]string{"log", "verify", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := runTruce(t, "", tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.inErr) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.inErr)
			}
		})
	}
}

func TestLogKeyPath(t *testing.T) {
	tests := []struct{ dsn, flag, want string }{
		{"truce.db", "", "truce.db.key"},
		{"/var/lib/truce/m.db", "", "/var/lib/truce/m.db.key"},
		{"file:/data/t.db?_pragma=busy_timeout(5000)", "", "/data/t.db.key"},
		{"postgres://u@h/db", "", "truce-log.key"},
		{"truce.db", "/etc/truce/log.key", "/etc/truce/log.key"},
	}
	for _, tt := range tests {
		if got := logKeyPath(tt.dsn, tt.flag); got != tt.want {
			t.Errorf("logKeyPath(%q, %q) = %q, want %q", tt.dsn, tt.flag, got, tt.want)
		}
	}
}
