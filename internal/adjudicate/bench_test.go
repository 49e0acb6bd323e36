package adjudicate

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/events"
	"github.com/truce-monitor/truce/internal/terms"
)

// benchTerms are ten agreements over admin-1 units, countries and drawn
// polygons, all in force during March 2025.
func benchTerms() string {
	w := `"window": {"start": "2025-03-10T00:00", "end": "2025-03-20T00:00", "tz": "Europe/Kyiv"}`
	donbasBand := `{"type": "Polygon", "coordinates": [[[37.3,47.0],[38.2,47.3],[38.6,48.2],[39.5,48.6],[39.9,49.1],[39.1,49.2],[38.2,48.6],[37.5,48.3],[37.0,47.6],[37.3,47.0]]]}`
	multi := `{"type": "MultiPolygon", "coordinates": [[[[35,46],[36.5,46],[36.5,47.5],[35,47.5],[35,46]]], [[[30,50],[31,50],[31,51],[30,51],[30,50]],[[30.4,50.4],[30.6,50.4],[30.6,50.6],[30.4,50.6],[30.4,50.4]]]]}`
	ags := []string{
		agreementJSON("donetsk", w+`, "area": {"admin1": ["UA-14"]}`),
		agreementJSON("luhansk", w+`, "area": {"admin1": ["UA-09"]}`),
		agreementJSON("crimea", w+`, "area": {"admin1": ["UA-43", "UA-40"]}`),
		agreementJSON("kherson-zaporizhzhia", w+`, "area": {"admin1": ["UA-65", "UA-23"]}`),
		agreementJSON("ukraine", w+`, "area": {"countries": ["UA"]}`),
		agreementJSON("russia-ukraine", w+`, "area": {"countries": ["UA", "RU"]}`),
		agreementJSON("belarus-border", w+`, "area": {"countries": ["BY"], "admin1": ["UA-74", "UA-18"]}`),
		agreementJSON("contact-line", w+`, "area": {"geojson": `+donbasBand+`}`),
		agreementJSON("multi", w+`, "area": {"geojson": `+multi+`}`),
		agreementJSON("energy-everywhere", w+`, "targets": ["energy"]`),
	}
	return `{"parties": ` + testParties + `, "agreements": [` + strings.Join(ags, ",\n") + `]}`
}

// benchEvents resamples n events from the coordinates of the real UCDP
// extract, with random radii, days in and around the window and
// perpetrators.
func benchEvents(b *testing.B, n int) []Event {
	f, err := os.Open(sharedData(b, gedFile))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rd, err := events.NewReader(f, "ged.csv")
	if err != nil {
		b.Fatal(err)
	}
	var pts [][2]float64
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if r.HasPlace {
			pts = append(pts, [2]float64{r.Lat, r.Lon})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	radii := []float64{2, 2, 15, 15, 25, 50, 150}
	perps := [][]string{{"Military Forces of Russia (2000-)"}, {"Military Forces of Ukraine (2019-)"},
		{"Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)"}, {"Unidentified Armed Group (Ukraine)"}}
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	evs := make([]Event, n)
	for i := range evs {
		p := pts[rng.IntN(len(pts))]
		day := time.Date(2025, 3, 5+rng.IntN(20), 0, 0, 0, 0, kyiv)
		evs[i] = Event{
			ID: "e", From: day.UTC(), To: day.AddDate(0, 0, 1).UTC(), When: day.Format("2006-01-02") + " (Europe/Kyiv)",
			Place:   Place{Kind: PlacePoint, Lat: p[0] + rng.NormFloat64()*0.05, Lon: p[1] + rng.NormFloat64()*0.05, RadiusKm: radii[rng.IntN(len(radii))]},
			Hostile: true, Kind: "bench", Domains: []string{"land", "air"}, Perpetrators: perps[rng.IntN(len(perps))],
		}
	}
	return evs
}

func benchEngine(b *testing.B) *Engine {
	tm, err := terms.Parse(strings.NewReader(benchTerms()), gz(b))
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(tm, gz(b))
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkJudge judges events resampled from real UCDP coordinates
// against ten agreements; ns/event is the cost of one event against all
// ten, writing rows for verdicts that are not outside (the default).
func BenchmarkJudge(b *testing.B) {
	benchmarkJudge(b, false)
}

// BenchmarkJudgeAll is BenchmarkJudge with --all: every pair is judged in
// full and explained.
func BenchmarkJudgeAll(b *testing.B) {
	benchmarkJudge(b, true)
}

func benchmarkJudge(b *testing.B, all bool) {
	e := benchEngine(b)
	evs := benchEvents(b, 4096)
	rows := 0
	fn := func(int, Verdict) { rows++ }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e.Judge(&evs[i%len(evs)], all, fn)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/event")
}

// BenchmarkReadAndJudgeUCDP reads and judges the whole real UCDP extract
// against the Donbas 2020 terms, as `truce adjudicate` does.
func BenchmarkReadAndJudgeUCDP(b *testing.B) {
	e := engineFromFile(b, "donbas-2020.json")
	path := sharedData(b, gedFile)
	n := 0
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		rd, err := events.NewReader(f, "ged.csv")
		if err != nil {
			b.Fatal(err)
		}
		for {
			r, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			ev := EventFromRecord(r)
			e.Judge(&ev, false, func(int, Verdict) {})
			n++
		}
		f.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}
