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

// benchEventsFile is the synthetic UCDP file scripts/bench.sh generates
// (bench/out, git-ignored); BenchmarkDiskEvents skips without it.
const benchEventsFile = "../../bench/out/events-1000000-35290508.csv"

// BenchmarkDiskEvents replays the first 200,000 events of the adjudication
// benchmark (their points and where_prec radii) against the distinct areas
// of bench/terms-10.json: the disk tests `truce adjudicate` makes there.
func BenchmarkDiskEvents(b *testing.B) {
	g := loadTB(b)
	f, err := os.Open(benchEventsFile)
	if err != nil {
		b.Skipf("benchmark events not generated: %v", err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	head, err := rd.Read()
	if err != nil {
		b.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	radius := map[string]float64{"1": 2, "2": 15, "3": 25, "4": 50, "5": 150, "6": 500}
	var disks [][3]float64
	for len(disks) < 200000 {
		rec, err := rd.Read()
		if err != nil {
			break
		}
		lat, err1 := strconv.ParseFloat(rec[col["latitude"]], 64)
		lon, err2 := strconv.ParseFloat(rec[col["longitude"]], 64)
		r, ok := radius[rec[col["where_prec"]]]
		if err1 == nil && err2 == nil && ok {
			disks = append(disks, [3]float64{lat, lon, r})
		}
	}
	var areas []*Area
	for _, a := range []struct{ countries, admin1 []string }{
		{[]string{"UA", "RU"}, nil},
		{nil, []string{"UA-14", "UA-09", "UA-23", "UA-65"}},
		{nil, []string{"UA-63"}},
		{[]string{"RU"}, nil},
	} {
		area, err := g.NewArea(a.countries, a.admin1, nil)
		if err != nil {
			b.Fatal(err)
		}
		areas = append(areas, area)
	}
	b.ResetTimer()
	var n [3]int
	for b.Loop() {
		for _, a := range areas {
			for _, d := range disks {
				n[a.Disk(d[0], d[1], d[2])]++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(areas)*len(disks)), "ns/disk")
}
