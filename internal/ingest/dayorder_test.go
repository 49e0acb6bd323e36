package ingest

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// ucdpWithDates writes lines 1-12 of the clean UCDP file (header and 11
// one-line records) with date_start and date_end of line n set to
// dates[n] when given.
func ucdpWithDates(t *testing.T, dates map[int][2]string) string {
	return variant(t, "ucdp/ged-ukraine-2014-2022.csv", "ged.csv", func(l []string) []string {
		l = l[:12]
		for n, d := range dates {
			l[n-1] = setField(setField(l[n-1], 38, d[0]), 39, d[1])
		}
		return l
	})
}

// slashed rewrites the ISO dates of the first 11 records with layout.
func slashed(t *testing.T, lines []int, layout func(time.Time) string) map[int][2]string {
	clean := map[int][2]string{2: {"2014-01-22", "2014-01-22"}, 3: {"2014-01-27", "2014-01-27"}, 4: {"2014-02-18", "2014-02-18"},
		5: {"2014-02-18", "2014-02-20"}, 6: {"2014-02-20", "2014-02-20"}, 7: {"2014-02-18", "2014-02-21"}, 8: {"2014-04-13", "2014-04-13"},
		9: {"2014-04-13", "2014-04-13"}, 10: {"2014-04-16", "2014-04-17"}, 11: {"2014-04-16", "2014-04-16"}, 12: {"2014-04-20", "2014-04-20"}}
	out := map[int][2]string{}
	for _, n := range lines {
		var d [2]string
		for k := range 2 {
			day, err := time.Parse("2006-01-02", clean[n][k])
			if err != nil {
				t.Fatal(err)
			}
			d[k] = layout(day)
		}
		out[n] = d
	}
	return out
}

func occurred(t *testing.T, sink *memSink) map[string]string {
	out := map[string]string{}
	for k, r := range sink.reports {
		from, to, err := r.Occurred.Interval()
		if err != nil {
			t.Fatal(err)
		}
		out[k[1]] = from.Format(time.RFC3339) + ".." + to.Format(time.RFC3339)
	}
	return out
}

// The order of day and month is inferred from the whole file: rewritten
// dates import to exactly the days of the clean file, whatever the layout.
func TestInferredDateOrder(t *testing.T) {
	all := []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	cleanSink := newMemSink()
	if _, err := Run(t.Context(), cleanSink, Options{}, ucdpWithDates(t, nil)); err != nil {
		t.Fatal(err)
	}
	want := occurred(t, cleanSink)
	mixed := slashed(t, all[:6], func(d time.Time) string { return d.Format("1/2/2006 3:04:05 PM") })
	for k, v := range slashed(t, all[6:], func(d time.Time) string { return d.Format("02.01.2006") }) {
		mixed[k] = v
	}
	// Every one of the 22 dates of lines 2-12 falls on a day above 12
	// (2014-01-22 ... 2014-04-20), so each can be read only one way: 22 in
	// one layout, or 12 (lines 2-7) and 10 (lines 8-12) in the mixed file.
	tests := []struct {
		name  string
		dates map[int][2]string
		note  string
	}{
		{"day first, 24h", slashed(t, all, func(d time.Time) string { return d.Format("02/01/2006 15:04") }),
			"dates read day first (D/M/YYYY), inferred file-wide: 22 dates can only be read that way, 0 the other"},
		{"month first, 12h", slashed(t, all, func(d time.Time) string { return d.Format("1/2/2006 3:04:05 PM") }),
			"dates read month first (M/D/YYYY), inferred file-wide: 22 dates can only be read that way, 0 the other"},
		// 12h layout month first (1/22/2014), dotted layout day first
		// (13.04.2014): each layout is read its own way.
		{"mixed layouts, each consistent", mixed,
			"dates in mixed orders (10 only day first, 12 only month first): read per layout where the layout's own dates agree"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := newMemSink()
			var errs bytes.Buffer
			sum, err := Run(t.Context(), sink, Options{Errors: &errs}, ucdpWithDates(t, tc.dates))
			if err != nil || errs.Len() > 0 || sum.Imported != 11 {
				t.Fatalf("%+v %v\n%s", sum, err, errs.String())
			}
			got := occurred(t, sink)
			for id, w := range want {
				if got[id] != w {
					t.Errorf("%s: %s, want %s", id, got[id], w)
				}
			}
			if sum.Files[0].Notes[0] != tc.note {
				t.Errorf("note %q\nwant %q", sum.Files[0].Notes[0], tc.note)
			}
		})
	}
}

// Without evidence in the file, a date that reads either way is settled
// only by its row (start on or before end); otherwise the row is rejected,
// naming both readings, and never guessed.
func TestAmbiguousDates(t *testing.T) {
	path := ucdpWithDates(t, map[int][2]string{
		2: {"03/04/2014", "03/04/2014"}, // three of four readings keep start <= end
		3: {"05/05/2014", "05/05/2014"}, // reads the same either way
		4: {"01/02/2014", "03/01/2014"}, // three readings fit
		5: {"12/11/2014", "01/12/2014"}, // only day first fits: 12 Nov..1 Dec
	})
	sink := newMemSink()
	var errs bytes.Buffer
	sum, err := Run(t.Context(), sink, Options{Errors: &errs}, path)
	if err != nil {
		t.Fatal(err)
	}
	why := "the order of day and month cannot be inferred: none of 8 slash dates has a number above 12"
	want := path + `:2: date_start: ambiguous date "03/04/2014": 2014-04-03 read day first, 2014-03-04 month first, and the file does not settle the order (` + why + ")\n" +
		path + `:4: date_start: ambiguous date "01/02/2014": 2014-02-01 read day first, 2014-01-02 month first, and the file does not settle the order (` + why + ")\n"
	if errs.String() != want {
		t.Errorf("errors:\n%s\nwant:\n%s", errs.String(), want)
	}
	if sum.Imported != 9 || sum.Rejected != 2 {
		t.Errorf("%+v", sum)
	}
	notes := strings.Join(sum.Files[0].Notes, "\n")
	if notes != why+"\n3 rows have a date that alone reads either way: 0 settled by the file's order, 1 by the row's other date, 2 stay ambiguous and are rejected" {
		t.Errorf("notes: %s", notes)
	}
	got := occurred(t, sink)
	if got["149249"] != "2014-11-11T22:00:00Z..2014-12-01T22:00:00Z" || got["149221"] != "2014-05-04T21:00:00Z..2014-05-05T21:00:00Z" {
		t.Errorf("149249 %s, 149221 %s", got["149249"], got["149221"])
	}
}
