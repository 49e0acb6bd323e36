package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/store"
)

// demoDB returns a SQLite database holding the demo mission, with a
// signed checkpoint (key beside it).
func demoDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dsn := tempDB(t)
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gz, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, db, gz, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if code, out, errOut := runTruce(t, "", "log", "checkpoint", "--db", dsn); code != 0 {
		t.Fatalf("log checkpoint: exit %d\n%s%s", code, out, errOut)
	}
	return dsn
}

// logRoot is the "log NAME: N entries, root R" line of log verify.
var logRoot = regexp.MustCompile(`(?m)^log .*: \d+ entries, root \S+$`)

// TestDBCopy moves the demo mission to PostgreSQL: log verify passes on
// the target with the source's key and prints the same size and root;
// a second copy into the now full database is refused.
func TestDBCopy(t *testing.T) {
	src := demoDB(t)
	code, out, errOut := runTruce(t, "", "log", "verify", "--db", src)
	if code != 0 {
		t.Fatalf("verify source: exit %d\n%s%s", code, out, errOut)
	}
	want := logRoot.FindString(out)
	if want == "" {
		t.Fatalf("no root line in\n%s", out)
	}

	dst := freshPostgres(t)
	code, out, errOut = runTruce(t, "", "db", "copy", "--from", src, "--to", dst)
	if code != 0 || !strings.Contains(out, "reports ") || !strings.Contains(out, "log_entries ") {
		t.Fatalf("db copy: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runTruce(t, "", "log", "verify", "--db", dst, "--key", src+".key")
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify target: exit %d\n%s%s", code, out, errOut)
	}
	if got := logRoot.FindString(out); got != want {
		t.Errorf("target %q, source %q", got, want)
	}

	code, _, errOut = runTruce(t, "", "db", "copy", "--from", src, "--to", dst)
	if code != 1 || !strings.Contains(errOut, "not empty") {
		t.Errorf("copy into a full database: exit %d: %s", code, errOut)
	}
}

func TestDBCopyUsage(t *testing.T) {
	for _, args := range [][]string{
		{"db"},
		{"db", "move"},
		{"db", "copy", "--from", "a.db"},
		{"db", "copy", "--to", "postgres://x/y"},
		{"db", "copy", "--from", "postgres://x/y", "--to", "postgres://x/z"},
		{"db", "copy", "--from", "a.db", "--to", "a.db"},
	} {
		if code, _, errOut := runTruce(t, "", args...); code != 2 {
			t.Errorf("%q: exit %d, want 2: %s", args, code, errOut)
		}
	}
}
