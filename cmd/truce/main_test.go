package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/store"
)

// runTruce runs the command line args in-process and returns its exit
// status and output.
func runTruce(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// tempDB returns the path of a SQLite database in a fresh directory.
func tempDB(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "truce.db")
}

// dbState describes everything terms can change in a database: parties,
// agreements with their version and status-history counts, and the size
// of the log, so that tests can assert a failed command wrote nothing.
func dbState(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer db.Close()
	var b strings.Builder
	parties, err := db.Parties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parties {
		fmt.Fprintf(&b, "party %s %q %q\n", p.Code, p.Name, p.Aliases)
	}
	as, err := db.Agreements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		vs, err := db.AgreementVersions(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := db.StatusHistory(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "agreement %s v%d %s versions=%d history=%d\n", a.ID, a.Version, a.Status, len(vs), len(hs))
	}
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "log size %d\n", size)
	return b.String()
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		inOut    string // expected in stdout
		inErr    string // expected in stderr
	}{
		{nil, 2, "", "Usage:"},
		{[]string{"help"}, 0, "truce terms import", ""},
		{[]string{"--help"}, 0, "truce serve", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"version"}, 0, "truce ", ""},
		{[]string{"version", "x"}, 2, "", "usage: truce version"},
		{[]string{"serve", "--no-such-flag"}, 2, "", "flag provided but not defined: -no-such-flag"},
		{[]string{"serve", "extra"}, 2, "", "unexpected argument extra"},
		{[]string{"serve", "--log-level", "loud"}, 2, "", `log-level: "loud" is not a level`},
		{[]string{"help", "serve"}, 0, "", "-addr"},
		{[]string{"terms"}, 2, "", "usage: truce terms import"},
		{[]string{"terms", "import"}, 2, "", "usage: truce terms import"},
		{[]string{"terms", "import", "a.json", "b.json"}, 2, "", "usage: truce terms import"},
		{[]string{"terms", "import", "--db"}, 2, "", "flag needs an argument: -db"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runTruce(t, "", tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(out, tt.inOut) {
				t.Errorf("stdout %q does not contain %q", out, tt.inOut)
			}
			if !strings.Contains(errOut, tt.inErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.inErr)
			}
		})
	}
}

func TestParseArgsInterspersed(t *testing.T) {
	fs := newFlagSet("x", "x", &bytes.Buffer{})
	db := fs.String("db", "default", "")
	pos, err := parseArgs(fs, []string{"a.json", "--db", "x.db", "b", "--", "--c"})
	if err != nil {
		t.Fatal(err)
	}
	if *db != "x.db" {
		t.Errorf("db = %q, want x.db", *db)
	}
	if want := []string{"a.json", "b", "--c"}; fmt.Sprint(pos) != fmt.Sprint(want) {
		t.Errorf("positional = %q, want %q", pos, want)
	}
}

func TestDBFlagEnv(t *testing.T) {
	tests := []struct {
		name, env string
		args      []string
		want      string
	}{
		{"default", "", nil, "truce.db"},
		{"env", "/tmp/env.db", nil, "/tmp/env.db"},
		{"flag wins over env", "/tmp/env.db", []string{"--db", "flag.db"}, "flag.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envDB, tt.env)
			fs := newFlagSet("x", "x", &bytes.Buffer{})
			dsn := dbFlag(fs, defaultDB)
			if _, err := parseArgs(fs, tt.args); err != nil {
				t.Fatal(err)
			}
			if *dsn != tt.want {
				t.Errorf("db = %q, want %q", *dsn, tt.want)
			}
		})
	}
}

func TestRedactDSN(t *testing.T) {
	tests := map[string]string{
		"truce.db": "truce.db",
		"postgres://u:secret@h:5432/db?sslmode=disable": "postgres://u:xxxxx@h:5432/db?sslmode=disable",
		"postgres://u@h/db":                             "postgres://u@h/db",
	}
	for in, want := range tests {
		if got := redactDSN(in); got != want {
			t.Errorf("redactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}
