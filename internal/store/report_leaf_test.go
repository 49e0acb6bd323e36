package store

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// TestPreparedLeaf: a leaf put together from the parts PrepareReports
// encodes ahead is ledger.Encode's byte for byte, also for strings that
// spell the stand-ins, need escaping, or are not ASCII.
func TestPreparedLeaf(t *testing.T) {
	at := time.Date(2026, 11, 26, 4, 37, 38, 236100000, time.UTC)
	lat, lon := 48.5, 37.25
	from := time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	base := truce.Report{
		ExternalID: "UKR1", SubmittedBy: "import:acled",
		Source:   truce.ReportSource{Kind: truce.SourceDataset, Name: "ACLED"},
		Occurred: truce.Occurrence{From: &from, Date: "2022-03-01", Precision: "day", TZ: "Europe/Kyiv"},
		Place:    truce.Place{Lat: &lat, Lon: &lon},
		Domains:  []string{"land"}, Perpetrators: []string{"Military Forces of Russia (2000-)"},
		Description: "shelling", Language: "en",
	}
	tricky := []func(r *truce.Report){
		func(r *truce.Report) {},
		func(r *truce.Report) { r.Description = `"received_at":"1970-01-01T00:00:00Z" and {"id":1, <b>&</b>` },
		func(r *truce.Report) { r.SubmittedBy = `x","received_at":"1970-01-01T00:00:00Z` },
		func(r *truce.Report) { r.ExternalID = ""; r.Description = "Обстріл \u2028 \t \\ ✓" },
		func(r *truce.Report) { r.Place = truce.Place{}; r.Perpetrators = nil; r.NotHostile = true },
	}
	for i, edit := range tricky {
		r := base
		edit(&r)
		lp := splitReportLeaf(r)
		if !lp.ok {
			t.Errorf("case %d: not split", i)
			continue
		}
		atJSON, err := at.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{1, 42, 1234567} {
			got := lp.leaf(id, ledger.FormatTime(at), atJSON)
			stored := r
			stored.ID, stored.ReceivedAt = id, at
			idx := int64(7)
			stored.LogIndex = &idx
			want, err := ledger.Encode(ledger.KindReport, strconv.FormatInt(id, 10), at, leafReport(stored))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("case %d id %d:\n got %s\nwant %s", i, id, got, want)
			}
		}
	}
}
