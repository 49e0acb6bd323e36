package geo

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

const ucdpFile = "../../../shared/data/ucdp/ged-ukraine-2014-2022.csv"

// ucdpPoints returns n points drawn from the UCDP events in Ukraine, each
// moved by a few kilometres at random, so that benchmarks see the real
// density of events near borders and front lines.
func ucdpPoints(tb testing.TB, n int) [][2]float64 {
	tb.Helper()
	f, err := os.Open(ucdpFile)
	if err != nil {
		tb.Skipf("UCDP data not available: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	lat, lon := -1, -1
	for i, h := range rows[0] {
		switch h {
		case "latitude":
			lat = i
		case "longitude":
			lon = i
		}
	}
	var base [][2]float64
	for _, r := range rows[1:] {
		y, err1 := strconv.ParseFloat(r[lat], 64)
		x, err2 := strconv.ParseFloat(r[lon], 64)
		if err1 == nil && err2 == nil {
			base = append(base, [2]float64{y, x})
		}
	}
	if len(base) == 0 {
		tb.Fatal("no UCDP coordinates")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([][2]float64, n)
	for i := range out {
		p := base[rng.IntN(len(base))]
		out[i] = [2]float64{p[0] + rng.NormFloat64()*0.05, p[1] + rng.NormFloat64()*0.07}
	}
	return out
}

func BenchmarkDisk(b *testing.B) {
	g := loadTB(b)
	pts := ucdpPoints(b, 1<<16)
	areas := []struct {
		name              string
		countries, admin1 []string
	}{
		{"admin1=UA-14,UA-09", nil, []string{"UA-14", "UA-09"}},
		{"countries=UA", []string{"UA"}, nil},
		{"countries=RU", []string{"RU"}, nil},
		{"countries=UA,RU", []string{"UA", "RU"}, nil},
	}
	for _, a := range areas {
		area, err := g.NewArea(a.countries, a.admin1, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range []float64{2, 15, 50, 150} { // UCDP where_prec 1, 2, 4, 5
			b.Run(a.name+"/r="+strconv.Itoa(int(r)), func(b *testing.B) {
				var n [3]int
				i := 0
				for b.Loop() {
					p := pts[i&(len(pts)-1)]
					n[area.Disk(p[0], p[1], r)]++
					i++
				}
				b.ReportMetric(float64(n[Crossing])/float64(b.N), "crossing/op")
			})
		}
	}
}

func BenchmarkNewArea(b *testing.B) {
	g := loadTB(b)
	for b.Loop() {
		if _, err := g.NewArea([]string{"UA", "RU"}, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
