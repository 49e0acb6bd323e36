package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// sharedData returns the path of a file under ../shared/data.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared data: %v", err)
	}
	return p
}

func TestImportCommand(t *testing.T) {
	db := tempDB(t)
	messy := sharedData(t, "ucdp/ged-ukraine-2014-2023-cp1252-messy.csv")
	code, out, errOut := runTruce(t, "", "import", "--db", db, "--log-level", "warn", messy)
	want := messy + `: ucdp-ged, windows-1252
  dates read month first (M/D/YYYY), inferred file-wide: 4,930 dates can only be read that way, 0 the other
  1,442 rows have a date that alone reads either way: 1,442 settled by the file's order, 0 by the row's other date, 0 stay ambiguous and are rejected
  read 3883, imported 3883, already present 0, rejected 0
`
	if code != 0 || !strings.HasPrefix(out, want) || errOut != "" {
		t.Fatalf("exit %d\n%s\nstderr: %s", code, out, errOut)
	}
	code, out, _ = runTruce(t, "", "import", "--db", db, "--log-level", "warn", "ucdp-ged", messy)
	if code != 0 || !strings.Contains(out, "read 3883, imported 0, already present 3883, rejected 0\n") ||
		!strings.HasSuffix(out, "nothing new: all 3883 rows were already present\n") {
		t.Errorf("second import: exit %d\n%s", code, out)
	}
}

func TestImportExitStatus(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "alerts.csv")
	os.WriteFile(bad, []byte("region,started_at,finished_at,naive\nKyiv City,2022-02-25 16:36:22+00:00,2022-02-25 17:06:22+00:00,True\nAtlantis,2022-02-25 16:36:22+00:00,2022-02-25 17:06:22+00:00,True\n"), 0o644)
	bin := filepath.Join(dir, "x.bin")
	os.WriteFile(bin, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, 0o644)
	readme := sharedData(t, "README.md")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"rejected row", []string{bad}, 1, bad + `:3: region: "Atlantis" is not a Ukrainian oblast` + "\n"},
		{"unknown format", []string{"kml", bad}, 2, `truce import: unknown format "kml" (known: acled, ucdp-ged, firms, alerts, pax, corridors, geojson, csv)` + "\n"},
		{"not CSV", []string{bin}, 2, "truce import: " + bin + ": not a text file (binary data: 5 NUL and 2 control bytes in the first 8)\n"},
		{"unknown header", []string{readme}, 2, "truce import: " + readme + `: unknown format: the header ("# Real data for tests,demos and benchmarks") is none of acled, ucdp-ged, firms, alerts, pax, corridors, geojson, csv; name the format, or give --mapping for a generic CSV` + "\n"},
		{"no file", nil, 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"import", "--db", tempDB(t), "--log-level", "warn"}, tc.args...)
			code, _, errOut := runTruce(t, "", args...)
			if code != tc.code || tc.stderr != "" && errOut != tc.stderr {
				t.Errorf("exit %d, want %d\nstderr: %s\nwant:   %s", code, tc.code, errOut, tc.stderr)
			}
		})
	}
}

// buildTruce builds the command into dir.
func buildTruce(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "truce")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// countReports counts the reports and their distinct keys in SQL.
func countReports(t *testing.T, dsn string) (rows, keys int) {
	t.Helper()
	if _, err := os.Stat(dsn); err != nil {
		return 0, 0 // not created yet
	}
	db, err := sql.Open("sqlite", "file:"+dsn+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow("SELECT COUNT(*), COUNT(DISTINCT submitted_by || '|' || external_id) FROM reports").Scan(&rows, &keys)
	if err != nil && !strings.Contains(err.Error(), "no such table") {
		t.Fatal(err)
	}
	return rows, keys
}

// deferredIndexes counts the indexes a bulk import dropped and has not
// built again.
func deferredIndexes(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM deferred_indexes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// hasIndex reports whether the database has the index.
func hasIndex(t *testing.T, path, name string) bool {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// An import killed with SIGKILL part-way loses at most its uncommitted
// batch; running it again ends with exactly the file's rows, none twice.
func TestImportCrashSafety(t *testing.T) {
	const rows, batch = 100_000, 2_000
	dir := t.TempDir()
	bin := buildTruce(t, dir)
	data := filepath.Join(dir, "acled.csv")
	if out, err := exec.Command(bin, "import", "--generate-acled", fmt.Sprint(rows), "--out", data).CombinedOutput(); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "truce.db")
	cmd := exec.Command(bin, "import", "--db", db, "--batch", fmt.Sprint(batch), "--log-level", "warn", data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if n, _ := countReports(t, db); n >= rows/5 {
			break // part-way: some batches in, most to come
		}
		select {
		case err := <-done:
			t.Fatalf("the import ended before it could be killed: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no row committed in 5 minutes")
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	<-done
	if cmd.ProcessState.Success() {
		t.Fatal("the import finished before the kill")
	}
	killedAt, keys := countReports(t, db)
	if killedAt == 0 || killedAt >= rows || killedAt%batch != 0 || keys != killedAt {
		t.Fatalf("after the kill: %d reports (%d keys); want whole batches of %d, fewer than %d", killedAt, keys, batch, rows)
	}
	// The import put off its indexes (a large file into an empty table):
	// they are recorded as owed, and the next open builds them.
	if n := deferredIndexes(t, db); n == 0 {
		t.Errorf("after the kill: no index recorded as deferred; the import should have put them off")
	}

	out, err := exec.Command(bin, "import", "--db", db, "--log-level", "warn", data).CombinedOutput()
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	want := fmt.Sprintf("read %d, imported %d, already present %d, rejected 0\n", rows, rows-killedAt, killedAt)
	if !strings.Contains(string(out), want) {
		t.Errorf("re-run summary:\n%s\nwant %q", out, want)
	}
	if n, k := countReports(t, db); n != rows || k != rows {
		t.Errorf("after the re-run: %d reports, %d keys; want %d", n, k, rows)
	}
	if n := deferredIndexes(t, db); n != 0 {
		t.Errorf("after the re-run: %d indexes still deferred", n)
	}
	for _, name := range []string{"reports_time", "reports_t1", "reports_place", "reports_source_kind", "reports_external"} {
		if !hasIndex(t, db, name) {
			t.Errorf("after the re-run: no index %s", name)
		}
	}
	// The log still recomputes from the records: sign a checkpoint (which
	// creates the key) and verify.
	for _, args := range [][]string{{"log", "checkpoint"}, {"log", "verify"}} {
		out, err := exec.Command(bin, append(args, "--db", db, "--log-level", "warn")...).CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	t.Logf("killed after %d of %d rows", killedAt, rows)
}
