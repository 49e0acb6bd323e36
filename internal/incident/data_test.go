package incident_test

import (
	"encoding/csv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/incident"
)

// sharedData returns the path of a file under ../shared/data, beside the
// repository.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared data %s: %v", rel, err)
	}
	return p
}

// readCSV returns a CSV file's header and rows.
func readCSV(t testing.TB, rel string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(sharedData(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rec)
	}
	return header, rows
}

func column(t testing.TB, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q", name)
	return -1
}

// ucdpEvent is what the benchmark resamples from a UCDP GED row.
type ucdpEvent struct {
	lat, lon, radiusKm float64
	first, last        time.Time // days, UTC
}

// ucdpRadius is the uncertainty of each where_prec (contract §2).
var ucdpRadius = map[string]float64{"1": 2, "2": 15, "3": 25, "4": 50, "5": 150, "6": 500, "7": 1000}

func loadUCDP(t testing.TB) []ucdpEvent {
	header, rows := readCSV(t, "ucdp/ged-ukraine-2014-2022.csv")
	lat, lon, prec := column(t, header, "latitude"), column(t, header, "longitude"), column(t, header, "where_prec")
	ds, de := column(t, header, "date_start"), column(t, header, "date_end")
	var out []ucdpEvent
	for _, r := range rows {
		var e ucdpEvent
		var err error
		if e.lat, err = strconv.ParseFloat(r[lat], 64); err != nil {
			t.Fatal(err)
		}
		if e.lon, err = strconv.ParseFloat(r[lon], 64); err != nil {
			t.Fatal(err)
		}
		e.radiusKm = ucdpRadius[r[prec]]
		if e.first, err = time.Parse(time.DateOnly, r[ds][:10]); err != nil {
			t.Fatal(err)
		}
		if e.last, err = time.Parse(time.DateOnly, r[de][:10]); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// loadFIRMS returns the coordinates of the VIIRS 2023 detections.
func loadFIRMS(t testing.TB) [][2]float64 {
	header, rows := readCSV(t, "firms/viirs-snpp-nrt-ukraine-2023.csv")
	lat, lon := column(t, header, "latitude"), column(t, header, "longitude")
	out := make([][2]float64, 0, len(rows))
	for _, r := range rows {
		a, err1 := strconv.ParseFloat(r[lat], 64)
		b, err2 := strconv.ParseFloat(r[lon], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("firms row %v", r)
		}
		out = append(out, [2]float64{a, b})
	}
	return out
}

// resample returns n reports drawn from real data: the place of a random
// UCDP event (with its where_prec radius) or of a random FIRMS detection
// (a radius of 1, 5 or 15 km), the days of another random UCDP event
// (or one hour within its first day), a source from a pool of 40 and,
// for a tenth of them, the UCDP dataset itself. The seed fixes them.
func resample(n int, ucdp []ucdpEvent, firms [][2]float64, seed uint64) []incident.Item {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	items := make([]incident.Item, n)
	firmsRadius := []float64{1, 5, 15}
	for i := range items {
		var lat, lon, r float64
		if rng.IntN(2) == 0 {
			e := ucdp[rng.IntN(len(ucdp))]
			lat, lon, r = e.lat, e.lon, e.radiusKm
		} else {
			p := firms[rng.IntN(len(firms))]
			lat, lon, r = p[0], p[1], firmsRadius[rng.IntN(3)]
		}
		d := ucdp[rng.IntN(len(ucdp))]
		from, to := d.first, d.last.AddDate(0, 0, 1)
		if rng.IntN(10) < 3 {
			from = from.Add(time.Duration(rng.IntN(24*60)) * time.Minute)
			to = from.Add(time.Hour)
		}
		source := "media:outlet " + strconv.Itoa(rng.IntN(40))
		it := incident.NewPointItem(int64(i+1), from, to, lat, lon, r, 3, source)
		if rng.IntN(10) == 0 {
			it.Dataset, it.Source = "ucdp ged", "dataset:ucdp ged"
		}
		items[i] = it
	}
	return items
}
