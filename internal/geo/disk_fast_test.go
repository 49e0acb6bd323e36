package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// diskSlow is region.disk without the cell shortcuts (gap lower bounds, the
// boundary-within upper bound, the box bound): membership of the centre from
// contains and a full search of the boundary from the top of the pyramid.
// Disk must agree with it exactly, since both end in the same float
// comparisons.
func (r *region) diskSlow(lat, lon, rkm float64) Relation {
	g := r.g
	if len(g.edges) == 0 {
		return Outside
	}
	in := r.contains(lon, lat)
	if !(rkm > 0) {
		return relation(in)
	}
	if g.anyNearFromTop(lat, lon, rkm, in) {
		return Crossing
	}
	return relation(in)
}

// anyNearFromTop is anyNear searching every level of the pyramid, from
// the largest blocks down.
func (g *grid) anyNearFromTop(lat, lon, rkm float64, strict bool) bool {
	if len(g.edges) == 0 {
		return false
	}
	q := g.newNearQuery(lat, lon, rkm, strict)
	if q.latHi < g.minY || q.latLo >= g.maxY {
		return false
	}
	k := len(g.levels) - 1
	for _, lr := range q.ranges[:q.nr] {
		if g.near(&q, lr, k, 0, g.levels[k].ny-1, 0, g.levels[k].nx-1) {
			return true
		}
	}
	return false
}

// minBoundaryKm is the distance from (lat, lon) to the nearest boundary edge
// of g, by brute force over every edge.
func (g *grid) minBoundaryKm(lat, lon float64) float64 {
	p := unitVec(lat, lon)
	d := math.Inf(1)
	for i := range g.edges {
		if e := &g.edges[i]; e.flags&segDist != 0 {
			d = min(d, e.distKm(p))
		}
	}
	return d
}

// TestDiskFastPathExact compares Disk with diskSlow on random disks near
// the boundaries of real areas (admin-1 units, countries, a drawn polygon
// and unions of them), radii 0–50 km, including disks whose radius is the
// exact distance to the boundary (touching it) and radii a hair either side.
func TestDiskFastPathExact(t *testing.T) {
	g := loadTB(t)
	square := `{"type":"Polygon","coordinates":[[[37.5,47.5],[38.5,47.5],[38.5,48.5],[37.5,48.5],[37.5,47.5]]]}`
	tests := []struct {
		name              string
		countries, admin1 []string
		geojson           string
		bruteForce        bool // brute-force the touching radius (small boundaries only)
	}{
		{"UA-30", nil, []string{"UA-30"}, "", true},
		{"UA-14,UA-09", nil, []string{"UA-14", "UA-09"}, "", true},
		{"UA-43,UA-40,UA-65", nil, []string{"UA-43", "UA-40", "UA-65"}, "", true},
		{"UA-14,UA-09,UA-23,UA-65", nil, []string{"UA-14", "UA-09", "UA-23", "UA-65"}, "", true},
		{"square", nil, nil, square, true},
		{"UA-09+square", nil, []string{"UA-09"}, square, true},
		{"UA", []string{"UA"}, nil, "", false},
		{"RU", []string{"RU"}, nil, "", false},
		{"UA,RU", []string{"UA", "RU"}, nil, "", false},
	}
	n := 3000
	if testing.Short() {
		n = 500
	}
	rng := rand.New(rand.NewPCG(17, 19))
	uaEdge := unsharedSegs(g.allUnits())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustArea(t, g, tt.countries, tt.admin1, tt.geojson)
			reg := a.reg
			var segs []seg
			for i := range reg.g.edges {
				if e := &reg.g.edges[i]; e.flags&segDist != 0 {
					segs = append(segs, seg{e.x1, e.y1, e.x2, e.y2, e.flags})
				}
			}
			if !tt.bruteForce {
				segs = append(segs, uaEdge...) // the front: where events are
			}
			var seen [3]int
			check := func(lat, lon, r float64) {
				got, want := a.Disk(lat, lon, r), reg.diskSlow(lat, lon, r)
				seen[got]++
				if got != want {
					t.Errorf("Disk(%.7f, %.7f, %v) = %v, full search says %v", lat, lon, r, got, want)
				}
			}
			for _, d := range nearBoundary(rng, segs, n, []float64{0.5, 2, 5, 15, 30, 50}) {
				lat, lon := d[0], d[1]
				for _, r := range []float64{0, d[2], rng.Float64() * 50} {
					check(lat, lon, r)
				}
				if tt.bruteForce && rng.IntN(4) == 0 {
					// Touching: the radius is the boundary's distance.
					if dist := reg.g.minBoundaryKm(lat, lon); dist <= 50 {
						for _, r := range []float64{dist, math.Nextafter(dist, 0), math.Nextafter(dist, 100), dist * (1 - 1e-7), dist * (1 + 1e-7)} {
							check(lat, lon, r)
						}
					}
				}
			}
			t.Logf("%v inside, %v outside, %v crossing", seen[Inside], seen[Outside], seen[Crossing])
			if seen[Inside] == 0 || seen[Outside] == 0 || seen[Crossing] == 0 {
				t.Errorf("not every relation was exercised: %v", seen)
			}
		})
	}
}

// TestBoxBeyond: the bound without trigonometry decides as boxLowerKm
// does, for points all over the globe and near the box, and radii from
// metres to thousands of kilometres, on grids near and far from the poles
// and across the antimeridian.
func TestBoxBeyond(t *testing.T) {
	g := loadTB(t)
	var grids []*grid
	for _, c := range []string{"UA", "RU", "NZ", "AQ", "FJ", "EC"} {
		a, err := g.NewArea([]string{c}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		grids = append(grids, a.reg.g)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, gr := range grids {
		for range 200000 {
			var lat, lon float64
			if rng.IntN(2) == 0 { // anywhere
				lat, lon = rng.Float64()*180-90, rng.Float64()*360-180
			} else { // near the box
				lat = min(90, max(-90, gr.minY+(rng.Float64()*1.4-0.2)*(gr.maxY-gr.minY)))
				lon = gr.minX + (rng.Float64()*1.4-0.2)*(gr.maxX-gr.minX)
				lon, _, _ = point(lat, lon)
			}
			r := math.Exp(rng.Float64()*12 - 5) // 7 m to 1,100 km
			if got, want := gr.boxBeyond(lat, lon, r), gr.boxLowerKm(lat, lon) > r; got != want {
				t.Fatalf("box %v..%v, %v..%v: (%v, %v) r=%v: boxBeyond %v, boxLowerKm %v", gr.minX, gr.maxX, gr.minY, gr.maxY, lat, lon, r, got, gr.boxLowerKm(lat, lon))
			}
		}
	}
}
