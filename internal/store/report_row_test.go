package store

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/truce-monitor/truce"
)

// TestReportRowReuse: the values of a row written after another
// (reportRowInto with the row before) are those the row has alone,
// whichever fields the two share, and a shared string is the previous
// row's own interface value.
func TestReportRowReuse(t *testing.T) {
	lat, lon := 48.5, 37.25
	base := truce.Report{
		SubmittedBy: "import:acled", ExternalID: "UKR1",
		Source:       truce.ReportSource{Kind: truce.SourceDataset, Name: "ACLED"},
		Occurred:     truce.Occurrence{Date: "2024-01-02", Precision: "day", TZ: "Europe/Kyiv"},
		Place:        truce.Place{Lat: &lat, Lon: &lon},
		Domains:      []string{truce.DomainLand, truce.DomainAir},
		Targets:      []string{truce.TargetEnergy},
		Perpetrators: []string{"Military Forces of Russia (2000-)"},
		Description:  "Shelling.", Language: "en", EventType: "Explosions/Remote violence", Country: "Ukraine",
	}
	next := base
	next.ExternalID, next.Description = "UKR2", "Another shelling."
	next.Domains = []string{truce.DomainLand} // a list that differs
	next.Targets = nil
	other := next
	other.ExternalID, other.SubmittedBy, other.Perpetrators = "", "someone", []string{"x", "y"}
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, pair := range [][2]truce.Report{{base, next}, {next, base}, {base, base}, {next, other}, {other, next}} {
		prevR, r := pair[0], pair[1]
		r.ReceivedAt = at
		prev, err := reportRow(prevR, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		want, err := reportRow(r, 3, 4)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]any, len(reportColList))
		reuse := rowReuse{prev: prev}
		reuse.lists[0].json(prevR.Domains)
		reuse.lists[2].json(prevR.Perpetrators)
		if err := reportRowInto(got, &r, 3, 4, &reuse); err != nil {
			t.Fatal(err)
		}
		want[len(want)-1] = nil // no log index
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s after %s:\n got %v\nwant %v", r.ExternalID, prevR.ExternalID, got, want)
		}
	}
	// Shared: the submitter's string and the perpetrators' JSON.
	prev, _ := reportRow(base, 1, 2)
	got := make([]any, len(reportColList))
	reuse := rowReuse{prev: prev}
	prev[22] = reuse.lists[2].json(base.Perpetrators)
	if err := reportRowInto(got, &next, 3, 4, &reuse); err != nil {
		t.Fatal(err)
	}
	for _, col := range []int{1, 22} {
		if boxOf(prev[col]) != boxOf(got[col]) {
			t.Errorf("column %s is not the previous row's value", reportColList[col])
		}
	}
}

// boxOf is where an interface value's data is.
func boxOf(v any) unsafe.Pointer { return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[1] }
