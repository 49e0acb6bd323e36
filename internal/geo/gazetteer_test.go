package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"golang.org/x/text/language"
)

func TestPlaces(t *testing.T) {
	g := loadTB(t)
	tests := []struct {
		name           string
		p              [2]float64
		admin1, alpha2 string
	}{
		{"Kyiv", kyiv, "UA-30", "UA"},
		{"Donetsk", donetsk, "UA-14", "UA"},
		{"Luhansk", luhansk, "UA-09", "UA"},
		{"Kharkiv", kharkiv, "UA-63", "UA"},
		{"Simferopol", simferopol, "UA-43", "UA"},
		{"Sevastopol", sevastopol, "UA-40", "UA"},
		{"Lviv", [2]float64{49.84, 24.03}, "UA-46", "UA"},
		{"Odesa", [2]float64{46.48, 30.72}, "UA-51", "UA"},
		{"Moscow", moscow, "", "RU"},
		{"Belgorod", belgorod, "", "RU"},
		{"Rostov-on-Don", [2]float64{47.23, 39.72}, "", "RU"},
		{"Chukotka, west of the antimeridian", [2]float64{65.5, 175.0}, "", "RU"},
		{"Chukotka, east of the antimeridian", [2]float64{66.0, -175.0}, "", "RU"},
		{"Minsk", minsk, "", "BY"},
		{"Warsaw", warsaw, "", "PL"},
		{"Chisinau", [2]float64{47.01, 28.86}, "", "MD"},
		{"Pristina", [2]float64{42.66, 21.17}, "", "XK"},
		{"Hargeisa (Somaliland)", [2]float64{9.56, 44.06}, "", "SO"},
		{"Fairbanks", [2]float64{64.84, -147.72}, "", "US"},
		{"Viti Levu", [2]float64{-17.8, 178.0}, "", "FJ"},
		{"South Pole", [2]float64{-89.5, 0}, "", "AQ"},
		{"Black Sea", blackSea, "", ""},
		{"Atlantic", [2]float64{0, -30}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := g.Admin1At(tt.p[0], tt.p[1])
			if a != tt.admin1 || ok != (tt.admin1 != "") {
				t.Errorf("Admin1At = %q, %v; want %q", a, ok, tt.admin1)
			}
			c, ok := g.CountryAt(tt.p[0], tt.p[1])
			if c != tt.alpha2 || ok != (tt.alpha2 != "") {
				t.Errorf("CountryAt = %q, %v; want %q", c, ok, tt.alpha2)
			}
		})
	}
	for _, p := range [][2]float64{{91, 0}, {math.NaN(), 0}} {
		if _, ok := g.CountryAt(p[0], p[1]); ok {
			t.Errorf("CountryAt(%v) found a country", p)
		}
	}
}

func TestCodesAndNames(t *testing.T) {
	g := loadTB(t)
	units := g.Admin1Units()
	want := strings.Fields("UA-05 UA-07 UA-09 UA-12 UA-14 UA-18 UA-21 UA-23 UA-26 UA-30 UA-32 UA-35 UA-40 UA-43 UA-46 UA-48 UA-51 UA-53 UA-56 UA-59 UA-61 UA-63 UA-65 UA-68 UA-71 UA-74 UA-77")
	if !slices.Equal(units, want) {
		t.Errorf("Admin1Units() = %v, want %v", units, want)
	}
	for code, name := range map[string]string{"UA-30": "Kyiv", "ua-43": "Autonomous Republic of Crimea", "UA-40": "Sevastopol", "UA-14": "Donetsk Oblast", "UA-99": ""} {
		if got := g.Admin1Name(code); got != name {
			t.Errorf("Admin1Name(%q) = %q, want %q", code, got, name)
		}
	}
	for _, c := range []string{"UA", "ua", "Ru", "BY", "XK", "SO", "CY", "CX", "CC", "AQ", "FJ"} {
		if !g.HasCountry(c) {
			t.Errorf("HasCountry(%q) = false", c)
		}
	}
	for _, c := range []string{"", "XX", "UKR", "804", "EU", "SU"} {
		if g.HasCountry(c) {
			t.Errorf("HasCountry(%q) = true", c)
		}
	}
	if !g.HasAdmin1("ua-14") || g.HasAdmin1("UA-44") || g.HasAdmin1("UA") {
		t.Error("HasAdmin1 is wrong")
	}
	for code, name := range map[string]string{"UA": "Ukraine", "RU": "Russia", "XK": "Kosovo", "SO": "Somalia", "PL": "Poland"} {
		if got := g.CountryName(code); got != name {
			t.Errorf("CountryName(%q) = %q, want %q", code, got, name)
		}
	}
	// world-atlas has 241 features: Ukraine's is replaced by geoBoundaries'
	// (±0), Somaliland, N. Cyprus and Ashmore and Cartier Is. merge into SO,
	// CY and AU (−3), Indian Ocean Ter. splits into CX and CC (+1), Siachen
	// Glacier is left out (−1).
	if n := len(g.Countries()); n != 241-3+1-1 {
		t.Errorf("%d countries, want %d", n, 241-3+1-1)
	}
}

// TestISONumeric checks the numeric → alpha-2 table against CLDR's, in
// golang.org/x/text.
func TestISONumeric(t *testing.T) {
	const w = 5
	n := len(isoNumeric) / w
	if n != 249 || len(isoNumeric)%w != 0 {
		t.Fatalf("table has %d entries, want the 249 of ISO 3166-1", n)
	}
	seen := map[string]bool{}
	for i := range n {
		num, a2 := isoNumeric[i*w:i*w+3], isoNumeric[i*w+3:i*w+5]
		if i > 0 && isoNumeric[(i-1)*w:(i-1)*w+3] >= num {
			t.Errorf("table not sorted at %s", num)
		}
		if seen[a2] {
			t.Errorf("%s twice", a2)
		}
		seen[a2] = true
		r, err := language.ParseRegion(num)
		if err != nil || r.String() != a2 {
			t.Errorf("%s → %s, CLDR says %v (%v)", num, a2, r, err)
		}
		if got := alpha2(num); got != a2 {
			t.Errorf("alpha2(%q) = %q, want %q", num, got, a2)
		}
	}
	for _, num := range []string{"", "000", "999", "80", "8040"} {
		if got := alpha2(num); got != "" {
			t.Errorf("alpha2(%q) = %q, want none", num, got)
		}
	}
}

func TestParseTopology(t *testing.T) {
	// Arc 0 runs (10,20) → (12,20) → (12,21); arc 1 (12,21) → (10,21) →
	// (10,20); arc 2 (12,21) → (14,21) → (12,20); arc 3 (12,20) → (10,20),
	// all quantized with scale (0.5, 0.25) and translate (10, 20).
	const topo = `{"type":"Topology",
	"transform":{"scale":[0.5,0.25],"translate":[10,20]},
	"objects":{"countries":{"type":"GeometryCollection","geometries":[
		{"type":"Polygon","arcs":[[0,1]],"id":"804","properties":{"name":"A"}},
		{"type":"MultiPolygon","arcs":[[[-2,2,3]]],"id":"643","properties":{"name":"B \"b\""}},
		{"type":"Polygon","arcs":[[0,1]],"properties":{"name":"no id"}}
	]},"land":{"type":"GeometryCollection","geometries":[]}},
	"arcs":[[[0,0],[4,0],[0,4]],[[4,4],[-4,0],[0,-4]],[[4,4],[4,0],[-4,-4]],[[4,0],[-4,0]]]}`
	fs, err := parseTopology([]byte(topo))
	if err != nil {
		t.Fatal(err)
	}
	want := []feature{
		{"804", "A", []polygon{{{pts: []pt{{10, 20}, {12, 20}, {12, 21}, {10, 21}, {10, 20}}}}}},
		{"643", `B "b"`, []polygon{{{pts: []pt{{10, 20}, {10, 21}, {12, 21}, {14, 21}, {12, 20}, {10, 20}}}}}},
		{"", "no id", []polygon{{{pts: []pt{{10, 20}, {12, 20}, {12, 21}, {10, 21}, {10, 20}}}}}},
	}
	if len(fs) != len(want) {
		t.Fatalf("%d features, want %d", len(fs), len(want))
	}
	for i, f := range fs {
		w := want[i]
		if f.code != w.code || f.name != w.name || len(f.polys) != 1 || len(f.polys[0]) != 1 ||
			!slices.Equal(f.polys[0][0].pts, w.polys[0][0].pts) {
			t.Errorf("feature %d = %+v, want %+v", i, f, w)
		}
	}
	for _, bad := range []string{`{"arcs":[[[0,0]]],"objects":{"countries":{"geometries":[{"arcs":[[5]]}]}}}`, `{"arcs":`, `[1]`} {
		if _, err := parseTopology([]byte(bad)); err == nil {
			t.Errorf("parseTopology(%q) succeeded", bad)
		}
	}
}

func TestCutAntimeridian(t *testing.T) {
	// A box from 170°E across the antimeridian to 170°W, as world-atlas
	// stitches it.
	box := polygon{{pts: []pt{{170, 60}, {-170, 60}, {-170, 70}, {170, 70}, {170, 60}}}}
	polys := cutAntimeridian(box)
	if len(polys) != 2 {
		t.Fatalf("%d pieces, want 2", len(polys))
	}
	r := newParityRegion(segsOf(polys))
	for _, c := range []struct {
		lat, lon float64
		in       bool
	}{{65, 175, true}, {65, -175, true}, {65, 179.999, true}, {65, -179.999, true}, {65, 0, false}, {75, 175, false}, {65, 165, false}} {
		if got := r.contains(c.lon, c.lat); got != c.in {
			t.Errorf("contains(%v, %v) = %v, want %v", c.lat, c.lon, got, c.in)
		}
	}
	// The cut is not a boundary: 10 km around the antimeridian is inside,
	// although the region's nearest real edge is 555 km away.
	area := &Area{reg: r}
	for _, lon := range []float64{180, -180, 179.99, -179.99} {
		if got := area.Disk(65, lon, 10); got != Inside {
			t.Errorf("Disk(65, %v, 10) = %v, want inside", lon, got)
		}
	}
	// A ring round the south pole gains edges along the pole.
	ant := polygon{{pts: []pt{{0, -70}, {120, -70}, {-120, -70}, {0, -70}}}}
	ps := cutAntimeridian(ant)
	ar := newParityRegion(segsOf(ps))
	if !ar.contains(60, -80) || !ar.contains(-170, -89) || ar.contains(0, -60) {
		t.Error("polar ring is wrong")
	}
	if got := (&Area{reg: ar}).Disk(-89.9, 0, 50); got != Inside {
		t.Errorf("disk at the pole = %v, want inside", got)
	}
}

// TestUnitsShareBorders checks the property UA's union relies on: units of
// geoBoundaries meet vertex for vertex, so no segment is used by more than
// two units, and every segment used once separates UA from elsewhere.
func TestUnitsShareBorders(t *testing.T) {
	g := loadTB(t)
	n := map[[4]float64]int{}
	for _, p := range g.allUnits() {
		for _, r := range p {
			for i := 0; i+1 < len(r.pts); i++ {
				a, b := r.pts[i], r.pts[i+1]
				if a.x > b.x || (a.x == b.x && a.y > b.y) {
					a, b = b, a
				}
				n[[4]float64{a.x, a.y, b.x, b.y}]++
			}
		}
	}
	for k, c := range n {
		if c > 2 {
			t.Fatalf("segment %v used %d times", k, c)
		}
	}
	naive := newNaive(g.allUnits())
	bad := 0
	segs := unsharedSegs(g.allUnits())
	for i := 0; i < len(segs); i += 97 {
		s := segs[i]
		mx, my := (s.x1+s.x2)/2, (s.y1+s.y2)/2
		l := math.Hypot(s.x2-s.x1, s.y2-s.y1)
		ox, oy := -(s.y2-s.y1)/l*1e-6, (s.x2-s.x1)/l*1e-6
		if naive.contains(my+oy, mx+ox) == naive.contains(my-oy, mx-ox) {
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d sampled unshared segments do not separate UA from elsewhere", bad)
	}
}

// TestRegionsAgreeWithNaive compares the indexed membership of UA, RU and
// some countries with naive even-odd tests at random points.
func TestRegionsAgreeWithNaive(t *testing.T) {
	g := loadTB(t)
	ua := newNaive(g.allUnits())
	rng := rand.New(rand.NewPCG(1, 1))
	for _, code := range []string{"UA", "RU", "BY", "MD", "RO"} {
		var want func(lat, lon float64) bool
		switch code {
		case "UA":
			want = ua.contains
		case "RU":
			ne := newNaive(g.countries["RU"].polys)
			want = func(lat, lon float64) bool { return ne.contains(lat, lon) && !ua.contains(lat, lon) }
		default:
			want = newNaive(g.countries[code].polys).contains
		}
		r := g.countries[code].region()
		for range 3000 {
			lat, lon := 43+rng.Float64()*10, 20+rng.Float64()*22
			if got := r.contains(lon, lat); got != want(lat, lon) {
				t.Errorf("%s contains(%.6f, %.6f) = %v", code, lat, lon, got)
			}
		}
	}
	// Every unit against its raw polygons.
	for _, code := range g.Admin1Units() {
		u := g.units[code]
		naive := newNaive(u.polys)
		r := u.region()
		b := r.bbox()
		for range 300 {
			x, y := b[0]+rng.Float64()*(b[2]-b[0]), b[1]+rng.Float64()*(b[3]-b[1])
			if got := r.contains(x, y); got != naive.contains(y, x) {
				t.Errorf("%s contains(%.6f, %.6f) = %v", code, y, x, got)
			}
		}
	}
}

func TestGeometry(t *testing.T) {
	g := loadTB(t)
	in := func(mp orb.MultiPolygon, p [2]float64) bool {
		return planar.MultiPolygonContains(mp, orb.Point{p[1], p[0]})
	}
	tests := []struct {
		code    string
		country bool
		in, out [][2]float64
	}{
		{"UA-30", false, [][2]float64{kyiv}, [][2]float64{donetsk}},
		{"UA-43", false, [][2]float64{simferopol}, [][2]float64{sevastopol}},
		{"UA", true, [][2]float64{kyiv, simferopol, sevastopol, donetsk}, [][2]float64{moscow, blackSea}},
		{"RU", true, [][2]float64{moscow, belgorod, {65.5, 175}, {66, -175}}, [][2]float64{simferopol, sevastopol, kyiv}},
		{"BY", true, [][2]float64{minsk}, [][2]float64{kyiv}},
	}
	for _, tt := range tests {
		var mp orb.MultiPolygon
		var ok bool
		if tt.country {
			mp, ok = g.CountryGeometry(tt.code)
		} else {
			mp, ok = g.Admin1Geometry(tt.code)
		}
		if !ok || len(mp) == 0 {
			t.Errorf("%s: no geometry", tt.code)
			continue
		}
		for _, p := range tt.in {
			if !in(mp, p) {
				t.Errorf("%s geometry does not contain %v", tt.code, p)
			}
		}
		for _, p := range tt.out {
			if in(mp, p) {
				t.Errorf("%s geometry contains %v", tt.code, p)
			}
		}
		// Callers get their own copy.
		mp[0][0][0] = orb.Point{0, 0}
	}
	ua, _ := g.CountryGeometry("UA")
	if ua[0][0][0] == (orb.Point{0, 0}) {
		t.Error("CountryGeometry returned shared data")
	}
	if _, ok := g.CountryGeometry("XX"); ok {
		t.Error("CountryGeometry(XX) found")
	}
	if _, ok := g.Admin1Geometry("UA-44"); ok {
		t.Error("Admin1Geometry(UA-44) found")
	}
}

// TestConcurrentFirstUse has goroutines race to index places that are
// indexed on first use (run with -race).
func TestConcurrentFirstUse(t *testing.T) {
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Go(func() {
			c, _ := g.CountryAt(moscow[0], moscow[1])
			u, _ := g.Admin1At(donetsk[0], donetsk[1])
			a, err := g.NewArea([]string{"RU", "BY"}, []string{"UA-14"}, nil)
			rel := "error"
			if err == nil {
				rel = a.Disk(minsk[0], minsk[1], 2).String()
			}
			results[i] = c + " " + u + " " + rel
		})
	}
	wg.Wait()
	for _, r := range results {
		if r != "RU UA-14 inside" {
			t.Errorf("got %q, want %q", r, "RU UA-14 inside")
		}
	}
}
