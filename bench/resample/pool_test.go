package resample

import (
	"math"
	"path/filepath"
	"testing"
	"time"
)

// dataDir is shared/data beside the repository (bench/resample is two levels down).
var dataDir = filepath.Join("..", "..", "..", "shared", "data")

func loadPool(t *testing.T) *Pool {
	t.Helper()
	p, err := Load(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadReadsEveryRealRow(t *testing.T) {
	p := loadPool(t)
	// Row counts from shared/data/README.md.
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"UCDP places", len(p.UCDPPlaces), 3077},
		{"where_prec codes", len(p.WherePrec), 3077},
		{"spans", len(p.SpanDays), 3077},
		{"texts", len(p.Texts), 3077},
		{"FIRMS places", len(p.FirePlaces), 42415},
		{"FIRMS dates", len(p.FireDates), 42415},
		{"sides (messy file)", len(p.Sides), 3883},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	// The first UCDP row: Maidan, Kyiv, 2014-01-22.
	if got := p.UCDPPlaces[0]; got.Lat != 50.45 || got.Lon != 30.52333 || got.Country != "Ukraine" {
		t.Errorf("first UCDP place = %+v", got)
	}
	if got := p.UCDPDates[0]; !got.Equal(time.Date(2014, 1, 22, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("first UCDP date = %v", got)
	}
	russian := 0
	for _, s := range p.Sides {
		if s.SideA == "Government of Russia (Soviet Union)" {
			russian++
		}
	}
	if russian == 0 {
		t.Error("no Russian side_a read from the cp1252 file")
	}
}

func TestSamplerIsSeeded(t *testing.T) {
	p := loadPool(t)
	a, b, c := p.Sampler(7), p.Sampler(7), p.Sampler(8)
	same, differ := true, false
	for range 100 {
		pa, pb, pc := a.Place(), b.Place(), c.Place()
		same = same && pa == pb
		differ = differ || pa != pc
	}
	if !same {
		t.Error("two samplers with one seed diverged")
	}
	if !differ {
		t.Error("samplers with different seeds gave the same 100 places")
	}
}

func TestPlacesStayNearRealPoints(t *testing.T) {
	p := loadPool(t)
	s := p.Sampler(1)
	real := append(append([]Place{}, p.UCDPPlaces...), p.FirePlaces...)
	for i := range 50 {
		got := s.Place()
		best := math.Inf(1)
		for _, r := range real {
			best = math.Min(best, km(got.Lat, got.Lon, r.Lat, r.Lon))
		}
		// Gaussian noise of 1 km per axis: 8 km is beyond 5 sigma.
		if best > 8 {
			t.Errorf("place %d %+v is %.1f km from every real point", i, got, best)
		}
	}
}

func TestDayStaysInWindow(t *testing.T) {
	s := loadPool(t).Sampler(3)
	from := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	end := from.AddDate(0, 0, 30)
	seen := map[time.Time]bool{}
	for range 2000 {
		d := s.Day(from, 30)
		if d.Before(from) || !d.Before(end) {
			t.Fatalf("day %v outside [%v, %v)", d, from, end)
		}
		seen[d] = true
	}
	if len(seen) < 20 {
		t.Errorf("only %d distinct days of 30 in 2000 draws", len(seen))
	}
}

func km(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}
