package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// volunteerWithBadRows is the header and first 49 rows of the volunteer
// alert log with the region of lines 10, 20, 30 and 40 made unknown.
func volunteerWithBadRows(t *testing.T) string {
	return variant(t, "alerts/volunteer_data_en_2022-02-25_2024-10-10.csv", "volunteer.csv", func(l []string) []string {
		l = head(49)(l)
		for _, n := range []int{10, 20, 30, 40} {
			l[n-1] = setField(l[n-1], 0, "Nowhere "+l[n-1][:3])
		}
		return l
	})
}

// --max-errors stops at the Nth bad row; the good rows read before it are
// imported, none after.
func TestMaxErrors(t *testing.T) {
	path := volunteerWithBadRows(t)
	sink := newMemSink()
	var errs bytes.Buffer
	sum, err := Run(t.Context(), sink, Options{MaxErrors: 3, Errors: &errs}, path)
	if !errors.Is(err, ErrStopped) || !sum.Stopped {
		t.Fatalf("err %v, stopped %v", err, sum.Stopped)
	}
	// Lines 2-30 read: 29 rows, 3 of them bad.
	if sum.Read != 29 || sum.Rejected != 3 || sum.Imported != 26 || len(sink.obs) != 26 {
		t.Errorf("%+v, stored %d", sum, len(sink.obs))
	}
	if n := strings.Count(errs.String(), "\n"); n != 3 {
		t.Errorf("%d error lines:\n%s", n, errs.String())
	}
}

// --rejects writes each bad row as read, with the file's header and a
// reject_reason column; the file imports once fixed.
func TestRejectsFile(t *testing.T) {
	path := volunteerWithBadRows(t)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	sink := newMemSink()
	sum, err := Run(t.Context(), sink, Options{Rejects: rejects}, path)
	if err != nil || sum.Rejected != 4 || sum.Imported != 45 {
		t.Fatalf("%+v %v", sum, err)
	}
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	want.WriteString("region,started_at,finished_at,naive,reject_reason\n")
	for _, n := range []int{10, 20, 30, 40} {
		region, _, _ := strings.Cut(lines[n-1], ",")
		want.WriteString(lines[n-1] + `,"line ` + strconv.Itoa(n) + `: region: ""` + region + `"" is not a Ukrainian oblast"` + "\n")
	}
	if string(got) != want.String() {
		t.Errorf("rejects:\n%s\nwant:\n%s", got, want.String())
	}

	// Fixed (a real oblast for each region), the rejects import as they
	// are: the reason column is ignored.
	var fixed strings.Builder
	for i, line := range strings.SplitAfter(string(got), "\n") {
		if i > 0 && line != "" {
			_, rest, _ := strings.Cut(line, ",")
			line = "Lvivska oblast," + rest
		}
		fixed.WriteString(line)
	}
	fixedPath := filepath.Join(t.TempDir(), "fixed.csv")
	if err := os.WriteFile(fixedPath, []byte(fixed.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err = Run(t.Context(), sink, Options{}, fixedPath)
	if err != nil || sum.Imported != 4 || sum.Rejected != 0 {
		t.Errorf("fixed rejects: %+v %v", sum, err)
	}
}

// A row the store refuses (EINVALID) costs only itself: its batch is
// written again row by row, and the rejects file gets the row as read.
func TestStoreRefusesRow(t *testing.T) {
	path := ucdpWithDates(t, nil)
	sink := newMemSink()
	sink.invalid = func(r truce.Report) error {
		if r.ExternalID == "149249" {
			return truce.Invalid("reports[3].description", "too long for this store")
		}
		return nil
	}
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	var errs bytes.Buffer
	sum, err := Run(t.Context(), sink, Options{Rejects: rejects, Errors: &errs}, path)
	if err != nil || sum.Imported != 10 || sum.Rejected != 1 || len(sink.reports) != 10 {
		t.Fatalf("%+v %v", sum, err)
	}
	if errs.String() != path+":5: refused by the store: description: too long for this store\n" {
		t.Errorf("errors: %s", errs.String())
	}
	f, err := os.Open(rejects)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(recs[1]) != 50 || recs[1][0] != "149249" || recs[1][49] != "line 5: refused by the store: description: too long for this store" {
		t.Errorf("rejects: %d records, %q", len(recs), recs)
	}
}
