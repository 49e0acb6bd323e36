package geo

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func mustArea(t testing.TB, g *Gazetteer, countries, admin1 []string, geojson string) *Area {
	t.Helper()
	var b []byte
	if geojson != "" {
		b = []byte(geojson)
	}
	a, err := g.NewArea(countries, admin1, b)
	if err != nil {
		t.Fatalf("NewArea(%q, %q, %q): %v", countries, admin1, geojson, err)
	}
	return a
}

// Places whose oblast and country are a matter of record.
var (
	kyiv       = [2]float64{50.45, 30.52}
	donetsk    = [2]float64{48.0, 37.8}
	luhansk    = [2]float64{48.57, 39.31}
	simferopol = [2]float64{44.95, 34.10}
	sevastopol = [2]float64{44.6, 33.52}
	moscow     = [2]float64{55.75, 37.62}
	belgorod   = [2]float64{50.6, 36.6}
	kharkiv    = [2]float64{49.99, 36.23}
	minsk      = [2]float64{53.9, 27.57}
	warsaw     = [2]float64{52.23, 21.01}
	blackSea   = [2]float64{43.5, 34.0}
)

func TestAreaPoints(t *testing.T) {
	g := loadTB(t)
	areas := map[string]*Area{
		"UA":          mustArea(t, g, []string{"UA"}, nil, ""),
		"RU":          mustArea(t, g, []string{"RU"}, nil, ""),
		"UA-30":       mustArea(t, g, nil, []string{"UA-30"}, ""),
		"UA-43":       mustArea(t, g, nil, []string{"ua-43"}, ""),
		"UA,RU":       mustArea(t, g, []string{"UA", "RU"}, nil, ""),
		"BY,PL":       mustArea(t, g, []string{"BY", "PL"}, nil, ""),
		"UA-14,UA-09": mustArea(t, g, nil, []string{"UA-14", "UA-09"}, ""),
	}
	tests := []struct {
		name string
		p    [2]float64
		area string
		want Relation
	}{
		{"Kyiv in UA", kyiv, "UA", Inside},
		{"Kyiv in UA-30", kyiv, "UA-30", Inside},
		{"Kyiv not in RU", kyiv, "RU", Outside},
		{"Donetsk in UA-14 ∪ UA-09", donetsk, "UA-14,UA-09", Inside},
		{"Luhansk in UA-14 ∪ UA-09", luhansk, "UA-14,UA-09", Inside},
		{"Kyiv not in UA-14 ∪ UA-09", kyiv, "UA-14,UA-09", Outside},
		{"Simferopol in UA", simferopol, "UA", Inside},
		{"Simferopol in UA-43", simferopol, "UA-43", Inside},
		{"Simferopol not in RU", simferopol, "RU", Outside},
		{"Sevastopol in UA", sevastopol, "UA", Inside},
		{"Sevastopol not in RU", sevastopol, "RU", Outside},
		{"Sevastopol not in UA-43", sevastopol, "UA-43", Outside},
		{"Moscow in RU", moscow, "RU", Inside},
		{"Moscow not in UA", moscow, "UA", Outside},
		{"Moscow in UA ∪ RU", moscow, "UA,RU", Inside},
		{"Simferopol in UA ∪ RU", simferopol, "UA,RU", Inside},
		{"Belgorod in RU", belgorod, "RU", Inside},
		{"Minsk in BY ∪ PL", minsk, "BY,PL", Inside},
		{"Warsaw in BY ∪ PL", warsaw, "BY,PL", Inside},
		{"Kyiv not in BY ∪ PL", kyiv, "BY,PL", Outside},
		{"Black Sea not in UA", blackSea, "UA", Outside},
		{"Black Sea not in RU", blackSea, "RU", Outside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := areas[tt.area].Disk(tt.p[0], tt.p[1], 0); got != tt.want {
				t.Errorf("Disk(%v, 0) in %s = %v, want %v", tt.p, tt.area, got, tt.want)
			}
		})
	}
}

func TestAreaDisks(t *testing.T) {
	g := loadTB(t)
	ua30 := mustArea(t, g, nil, []string{"UA-30"}, "")
	ua := mustArea(t, g, []string{"UA"}, nil, "")
	ru := mustArea(t, g, []string{"RU"}, nil, "")
	ua14 := mustArea(t, g, nil, []string{"UA-14"}, "")
	ua09 := mustArea(t, g, nil, []string{"UA-09"}, "")
	both := mustArea(t, g, nil, []string{"UA-14", "UA-09"}, "")

	// Kharkiv and Belgorod lie on either side of the border, 74 km apart:
	// a disk of 45 km around their midpoint holds both.
	mid := [2]float64{(kharkiv[0] + belgorod[0]) / 2, (kharkiv[1] + belgorod[1]) / 2}
	for _, c := range [][2]float64{kharkiv, belgorod} {
		if d := haversineKm(mid[0], mid[1], c[0], c[1]); d >= 45 {
			t.Fatalf("test setup: %v is %.1f km from the midpoint", c, d)
		}
	}
	// (48.35, 38.45), near Debaltseve, lies 1-2 km from the border between
	// the Donetsk (UA-14) and Luhansk (UA-09) oblasts and some 60 km from
	// any other border of the two.
	border := [2]float64{48.35, 38.45}

	tests := []struct {
		name string
		a    *Area
		p    [2]float64
		r    float64
		want Relation
	}{
		{"Kyiv r=2 in Kyiv city", ua30, kyiv, 2, Inside},
		{"Kyiv r=50 across Kyiv city", ua30, kyiv, 50, Crossing},
		{"Kyiv r=50 in UA", ua, kyiv, 50, Inside},
		{"Kyiv r=2 not in RU", ru, kyiv, 2, Outside},
		{"Kharkiv–Belgorod r=45 across UA", ua, mid, 45, Crossing},
		{"Kharkiv–Belgorod r=45 across RU", ru, mid, 45, Crossing},
		{"Moscow r=50 in RU", ru, moscow, 50, Inside},
		{"Simferopol r=15 not in RU", ru, simferopol, 15, Outside},
		{"Simferopol r=15 in UA", ua, simferopol, 15, Inside},
		{"oblast border r=10 across UA-14", ua14, border, 10, Crossing},
		{"oblast border r=10 across UA-09", ua09, border, 10, Crossing},
		{"oblast border r=10 in UA-14 ∪ UA-09", both, border, 10, Inside},
		{"oblast border r=0 in UA-14 ∪ UA-09", both, border, 0, Inside},
		{"Black Sea r=2", ua, blackSea, 2, Outside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Disk(tt.p[0], tt.p[1], tt.r); got != tt.want {
				t.Errorf("Disk(%v, %g) = %v, want %v", tt.p, tt.r, got, tt.want)
			}
		})
	}

	// The claims about the border point above, checked by brute force.
	units := append(append([]polygon{}, g.units["UA-14"].polys...), g.units["UA-09"].polys...)
	if d := boundaryDistKm(border[0], border[1], unsharedSegs(units), 80); d < 40 {
		t.Errorf("test setup: border point is %.1f km from the union's edge", d)
	}
	if d := boundaryDistKm(border[0], border[1], unsharedSegs(g.units["UA-14"].polys), 10); d > 5 {
		t.Errorf("test setup: border point is %.1f km from UA-14's edge", d)
	}
}

func TestAreaEmpty(t *testing.T) {
	g := loadTB(t)
	for _, geojson := range []string{"", "null", "  null "} {
		a, err := g.NewArea(nil, nil, []byte(geojson))
		if err != nil {
			t.Fatal(err)
		}
		if !a.Empty() || a.Disk(10, 10, 500) != Inside {
			t.Errorf("NewArea(nil, nil, %q) is not everywhere", geojson)
		}
	}
	if a := mustArea(t, g, []string{"UA"}, nil, ""); a.Empty() {
		t.Error("UA is empty")
	}
}

func TestAreaCodeErrors(t *testing.T) {
	g := loadTB(t)
	tests := []struct {
		countries, admin1 []string
		want              CodeError
		msg               string
	}{
		{[]string{"UA", "XX"}, nil, CodeError{"area.countries", "XX"}, `area.countries: unknown country code "XX"`},
		{[]string{"UKR"}, nil, CodeError{"area.countries", "UKR"}, `area.countries: unknown country code "UKR"`},
		{nil, []string{"UA-14", "UA-44"}, CodeError{"area.admin1", "UA-44"}, `area.admin1: unknown admin1 code "UA-44"`},
		{nil, []string{"RU-BEL"}, CodeError{"area.admin1", "RU-BEL"}, `area.admin1: unknown admin1 code "RU-BEL"`},
		{[]string{""}, nil, CodeError{"area.countries", ""}, `area.countries: unknown country code ""`},
	}
	for _, tt := range tests {
		_, err := g.NewArea(tt.countries, tt.admin1, nil)
		var ce *CodeError
		if !errors.As(err, &ce) || *ce != tt.want || err.Error() != tt.msg {
			t.Errorf("NewArea(%q, %q) error = %v, want %q", tt.countries, tt.admin1, err, tt.msg)
		}
	}
}

// TestDiskExactDistance checks Disk against distances worked out by hand
// on a square whose west edge is a meridian and whose north edge is a
// parallel (straight in lon/lat, so not a great circle).
func TestDiskExactDistance(t *testing.T) {
	g := loadTB(t)
	a := mustArea(t, g, nil, nil, `{"type":"Polygon","coordinates":[[[30,40],[40,40],[40,60],[30,60],[30,40]]]}`)
	// The distance from (50, 30.5) to the meridian 30°E is
	// R·asin(cos 50°·sin 0.5°) = 35.737 km.
	// From (59.5, 35) to the parallel 60°N it is R·0.5° = 55.597 km; the
	// great circle between the corners would pass 10 km farther north.
	tests := []struct {
		lat, lon, d float64
	}{
		{50, 30.5, 35.737},
		{59.5, 35, 55.597},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			f    float64
			want Relation
		}{{0.995, Inside}, {1.005, Crossing}} {
			if got := a.Disk(tt.lat, tt.lon, tt.d*c.f); got != c.want {
				t.Errorf("Disk(%g, %g, %.3f) = %v, want %v", tt.lat, tt.lon, tt.d*c.f, got, c.want)
			}
		}
	}
	// Outside, 0.5° west of the meridian: the same distance as inside.
	for _, c := range []struct {
		f    float64
		want Relation
	}{{0.995, Outside}, {1.005, Crossing}} {
		if got := a.Disk(50, 29.5, 35.737*c.f); got != c.want {
			t.Errorf("Disk(50, 29.5, %.3f) = %v, want %v", 35.737*c.f, got, c.want)
		}
	}
}

// TestDiskAgainstOracle compares Disk on random disks near borders with
// the exact answer, found by brute force from the raw polygons: membership
// of the centre by a naive even-odd test, distance to the union's boundary
// by minimising the haversine along every nearby segment. Disks whose
// boundary distance is within 0.5% of the radius may go either way.
func TestDiskAgainstOracle(t *testing.T) {
	g := loadTB(t)
	sets := [][]string{{"UA-30"}, {"UA-14", "UA-09"}, {"UA-43", "UA-40", "UA-65"}}
	n := 200
	if testing.Short() {
		n = 40
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, codes := range sets {
		var polys []polygon
		for _, c := range codes {
			polys = append(polys, g.units[c].polys...)
		}
		naive := newNaive(polys)
		boundary := unsharedSegs(polys)
		a := mustArea(t, g, nil, codes, "")
		var seen [3]int
		for _, d := range nearBoundary(rng, boundary, n, []float64{2, 5, 15, 50}) {
			lat, lon, r := d[0], d[1], d[2]
			in := naive.contains(lat, lon)
			dist := boundaryDistKm(lat, lon, boundary, r*1.1)
			got := a.Disk(lat, lon, r)
			seen[got]++
			if dist > r*0.995 && dist < r*1.005 {
				continue
			}
			want := Crossing
			switch {
			case in && dist >= r:
				want = Inside
			case !in && dist > r:
				want = Outside
			}
			if got != want {
				t.Errorf("%v: Disk(%.6f, %.6f, %g) = %v, want %v (centre in: %v, boundary %.4f km away)",
					codes, lat, lon, r, got, want, in, dist)
			}
		}
		t.Logf("%v: %v inside, %v outside, %v crossing", codes, seen[Inside], seen[Outside], seen[Crossing])
	}
}

// TestDiskSampled checks areas made of several sources, whose union has no
// simple brute-force boundary, against sampling: what samples prove
// (some in and some out, all in, all out) Disk must not contradict.
func TestDiskSampled(t *testing.T) {
	g := loadTB(t)
	ua := newNaive(g.allUnits())
	neRU := newNaive(g.countries["RU"].polys)
	by := newNaive(g.countries["BY"].polys)
	square := `{"type":"Polygon","coordinates":[[[37.5,47.5],[38.5,47.5],[38.5,48.5],[37.5,48.5],[37.5,47.5]]]}`
	sq := newNaive([]polygon{{{pts: []pt{{37.5, 47.5}, {38.5, 47.5}, {38.5, 48.5}, {37.5, 48.5}, {37.5, 47.5}}}}})
	ua09 := newNaive(g.units["UA-09"].polys)
	uaEdge := unsharedSegs(g.allUnits())
	tests := []struct {
		name              string
		countries, admin1 []string
		geojson           string
		in                func(lat, lon float64) bool
		near              []seg
	}{
		{"RU", []string{"RU"}, nil, "",
			func(lat, lon float64) bool { return neRU.contains(lat, lon) && !ua.contains(lat, lon) },
			segsNear(uaEdge, 44, 53, 31, 41)},
		{"UA,RU", []string{"UA", "RU"}, nil, "",
			func(lat, lon float64) bool { return neRU.contains(lat, lon) || ua.contains(lat, lon) },
			segsNear(uaEdge, 44, 53, 31, 41)},
		{"UA,BY", []string{"UA", "BY"}, nil, "",
			func(lat, lon float64) bool { return by.contains(lat, lon) || ua.contains(lat, lon) },
			segsNear(uaEdge, 51, 53, 23, 33)},
		{"UA-09 + square", nil, []string{"UA-09"}, square,
			func(lat, lon float64) bool { return ua09.contains(lat, lon) || sq.contains(lat, lon) },
			segsNear(uaEdge, 46, 50, 36, 41)},
	}
	n := 80
	if testing.Short() {
		n = 20
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustArea(t, g, tt.countries, tt.admin1, tt.geojson)
			var seen [3]int
			for _, d := range nearBoundary(rng, tt.near, n, []float64{2, 15, 50}) {
				seen[checkSampled(t, a, d[0], d[1], d[2], tt.in)]++
			}
			t.Logf("%v inside, %v outside, %v crossing", seen[Inside], seen[Outside], seen[Crossing])
		})
	}
}

func (g *Gazetteer) allUnits() []polygon {
	var out []polygon
	for _, c := range g.Admin1Units() {
		out = append(out, g.units[c].polys...)
	}
	return out
}

// segsNear returns the segments starting in a lat/lon box.
func segsNear(segs []seg, lat0, lat1, lon0, lon1 float64) []seg {
	var out []seg
	for _, s := range segs {
		if s.y1 >= lat0 && s.y1 <= lat1 && s.x1 >= lon0 && s.x1 <= lon1 {
			out = append(out, s)
		}
	}
	return out
}

func TestDiskInvalidInput(t *testing.T) {
	g := loadTB(t)
	a := mustArea(t, g, []string{"UA"}, nil, "")
	nan := func() float64 { var z float64; return z / z }()
	for _, c := range [][3]float64{{nan, 30, 2}, {50, nan, 2}, {91, 30, 2}, {50, 30, nan}} {
		if got := a.Disk(c[0], c[1], c[2]); got != Crossing {
			t.Errorf("Disk(%v) = %v, want crossing", c, got)
		}
	}
	// Longitudes past ±180 wrap.
	if got := a.Disk(kyiv[0], kyiv[1]+360, 2); got != Inside {
		t.Errorf("Disk(Kyiv + 360°) = %v, want inside", got)
	}
}
