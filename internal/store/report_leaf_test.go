package store

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
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
		lp, ok := appendLeafParts(r)
		if !ok {
			t.Errorf("case %d: not encoded", i)
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

// TestLeafPartsMatchJSON: appendLeafParts writes what encoding/json
// writes (splitReportLeaf), and jsonStrings what jsonList writes, over random reports whose strings need every
// kind of escaping, whose numbers take both forms, and whose optional
// fields are each there or not.
func TestLeafPartsMatchJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"", "a", "UKR123", "Military Forces of Russia (2000-)", `q"uote`, `back\slash`, "tab\there", "new\nline",
		"\x00\x01\x1f", "\x7f", "<b>&amp;</b>", "Обстріл Харкова", "en–dash", "\u2028\u2029", "é", "✓", "\xff\xfe", "🇺🇦",
		`"received_at":"1970-01-01T00:00:00Z"`, `{"id":1,`}
	str := func() string {
		var b strings.Builder
		for range rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	strs := func() []string {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		l := make([]string, 1+rng.IntN(3))
		for i := range l {
			l[i] = str()
		}
		return l
	}
	floats := []float64{0, 1, -1, 48.47869, 37.25, 2.0, 0.5, 1e-6, 9.99e-7, 1e-7, -3e-9, 1e20, 1e21, 123456789012345678901234.0, 1.5e300, math.SmallestNonzeroFloat64}
	float := func() *float64 {
		if rng.IntN(4) == 0 {
			return nil
		}
		f := floats[rng.IntN(len(floats))]
		return &f
	}
	when := func() *time.Time {
		if rng.IntN(2) == 0 {
			return nil
		}
		tm := time.Date(1990+rng.IntN(40), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), 0, rng.IntN(1e6)*1000, time.UTC)
		return &tm
	}
	for i := range 20_000 {
		r := truce.Report{
			ExternalID: str(), SubmittedBy: str(),
			Source:   truce.ReportSource{Kind: str(), Name: str(), URL: str(), Party: str()},
			Occurred: truce.Occurrence{From: when(), To: when(), Date: str(), Precision: str(), TZ: str()},
			Place:    truce.Place{Lat: float(), Lon: float(), RadiusKm: float(), Admin1: str()},
			Domains:  strs(), Targets: strs(), Perpetrators: strs(),
			Description: str(), Language: str(),
			EventType: str(), SubEventType: str(), Country: str(),
			NotHostile: rng.IntN(2) == 0, Illustrative: rng.IntN(2) == 0,
		}
		for range rng.IntN(3) {
			r.Means = append(r.Means, truce.Means{Kind: str(), Count: rng.IntN(1000) - 10})
		}
		for range rng.IntN(3) {
			r.Evidence = append(r.Evidence, truce.Evidence{SHA256: str(), URL: str(), MediaType: str()})
		}
		want := splitReportLeaf(r)
		got, ok := appendLeafParts(r)
		if !ok || !want.ok {
			t.Fatalf("report %d: fast ok %v, encoding/json ok %v: %+v", i, ok, want.ok, r)
		}
		if !bytes.Equal(got.a, want.a) || !bytes.Equal(got.b, want.b) {
			t.Fatalf("report %d:\n got %s | %s\nwant %s | %s", i, got.a, got.b, want.a, want.b)
		}
		// The list columns too: jsonStrings writes what jsonList does.
		for _, l := range [][]string{r.Domains, r.Targets, r.Perpetrators} {
			want, err := jsonList(l)
			if got := jsonStrings(l); err != nil || got != want {
				t.Fatalf("report %d: jsonStrings(%q) = %#v, jsonList %#v, %v", i, l, got, want, err)
			}
		}
	}
}
