package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

// complianceDB is a database with the May 2025 scenario's terms and two
// Ukrainian accounts of Russian shelling on 9 May, grouped and judged.
func complianceDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g, err := newGrouper()
	if err != nil {
		t.Fatal(err)
	}
	b, err := demo.Open(demo.ScenarioTermsFile)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := terms.Parse(bytes.NewReader(b), g.Gazetteer())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportTerms(ctx, tm, "test"); err != nil {
		t.Fatal(err)
	}
	for i, p := range [][2]float64{{48.28, 37.18}, {47.84, 35.14}} {
		from := time.Date(2025, 5, 9, 6+i, 0, 0, 0, time.UTC)
		to := from.Add(time.Hour)
		r := truce.Report{ExternalID: "cli-" + strconv.Itoa(i), SubmittedBy: "test", Source: truce.ReportSource{Kind: truce.SourceParty, Name: "General Staff", Party: "UA"},
			Occurred: truce.Occurrence{From: &from, To: &to}, Place: truce.Point(p[0], p[1], 5), Domains: []string{"land"},
			Perpetrators: []string{"RU"}, Description: "shelling"}
		if _, err := db.CreateReport(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := db.GroupNew(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	j, err := incident.NewJudge(tm, g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecomputeFindings(ctx, j, sum.Live()); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestComplianceDailyCommand(t *testing.T) {
	path := complianceDB(t)
	daily := func(extra ...string) (int, string, string) {
		return runCmd(t, append([]string{"compliance", "daily", "--agreement", "victory-day-truce-2025", "--date", "2025-05-09", "--db", path}, extra...)...)
	}
	code, out, errOut := daily("--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Checkpoint struct {
			Size int64
			Root string
		}
		Summary struct {
			Day struct{ Violation, Alleged int }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Day.Violation != 2 || rep.Summary.Day.Alleged != 2 || rep.Checkpoint.Size == 0 {
		t.Errorf("report %+v, want 2 alleged violations and a checkpoint", rep)
	}
	before := map[string]string{}
	for _, f := range []string{"html", "json", "csv", "md", "pdf"} {
		_, before[f], _ = daily("--format", f, "--as-of", strconv.FormatInt(rep.Checkpoint.Size, 10))
	}
	if !strings.HasPrefix(before["html"], "<!doctype html>") || !strings.Contains(before["md"], "| violation | 2 |") {
		t.Errorf("html or md not as expected:\n%.200s\n%.400s", before["html"], before["md"])
	}

	// New records: the report at the old size does not change.
	if code, _, errOut := runCmd(t, "alert-rules", "add", "--db", path, "--agreement", "victory-day-truce-2025", "--kind", "verified_by_party",
		"--name", "three a day", "--count", "3"); code != 0 {
		t.Fatalf("alert-rules add: exit %d: %s", code, errOut)
	}
	for _, f := range []string{"html", "json", "csv", "md", "pdf"} {
		if _, got, _ := daily("--format", f, "--as-of", strconv.FormatInt(rep.Checkpoint.Size, 10)); got != before[f] {
			t.Errorf("%s at --as-of %d changed after new records", f, rep.Checkpoint.Size)
		}
	}
	if _, got, _ := daily("--format", "json"); got == before["json"] {
		t.Error("the report of the grown log still states the old checkpoint")
	}

	// --as-of a checkpoint file: its size, and its root must be the log's.
	cp := filepath.Join(t.TempDir(), "checkpoint")
	root, _ := base64.StdEncoding.DecodeString(rep.Checkpoint.Root)
	var h [32]byte
	copy(h[:], root)
	if err := os.WriteFile(cp, append(ledger.FormatCheckpoint("truce.test", rep.Checkpoint.Size, h), "\n— truce.test sig\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, got, errOut := daily("--format", "csv", "--as-of", cp); code != 0 || got != before["csv"] {
		t.Errorf("--as-of checkpoint file: exit %d, %s; same bytes %v", code, errOut, got == before["csv"])
	}
	h[0] ^= 1
	if err := os.WriteFile(cp, ledger.FormatCheckpoint("truce.test", rep.Checkpoint.Size, h), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := daily("--as-of", cp); code != 2 || !strings.Contains(errOut, "as-of") {
		t.Errorf("a foreign checkpoint: exit %d, %q; want 2 naming as-of", code, errOut)
	}

	for _, c := range []struct {
		args  []string
		field string
	}{
		{[]string{"compliance", "daily", "--agreement", "x", "--date", "9 May", "--db", path}, "date"},
		{[]string{"compliance", "daily", "--date", "2025-05-09", "--db", path}, "agreement"},
		{[]string{"compliance", "daily", "--agreement", "x", "--date", "2025-05-09", "--format", "docx", "--db", path}, "format"},
		{[]string{"compliance", "daily", "--agreement", "victory-day-truce-2025", "--date", "2025-05-09", "--as-of", "999999", "--db", path}, "as_of"},
		{[]string{"alert-rules", "add", "--agreement", "victory-day-truce-2025", "--kind", "verified_target", "--name", "x", "--target", "ships", "--db", path}, "target"},
	} {
		if code, _, errOut := runCmd(t, c.args...); code != 2 || !strings.Contains(errOut, c.field) {
			t.Errorf("%v: exit %d, %q; want 2 naming %s", c.args, code, errOut, c.field)
		}
	}
	if code, _, errOut := runCmd(t, "compliance", "daily", "--agreement", "nope", "--date", "2025-05-09", "--db", path); code != 1 || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown agreement: exit %d, %q", code, errOut)
	}
	code, out, _ = runCmd(t, "alert-rules", "list", "--db", path)
	var rules []truce.AlertRule
	if err := json.Unmarshal([]byte(out), &rules); code != 0 || err != nil || len(rules) != 1 || rules[0].Count != 3 || rules[0].WithinHours != 24 || rules[0].CreatedBy != "cli" {
		t.Errorf("alert-rules list: exit %d, %v, %+v", code, err, rules)
	}
}
