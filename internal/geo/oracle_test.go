package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// This file holds slow, simple reference implementations that the tests
// check the indexed code against: naive even-odd tests over every ring, and
// distances found by minimising the haversine along each straight lon/lat
// segment. They share no code with the package beyond the data loaders.

// naivePolys is a set of polygons with the even-odd rule inside each
// polygon; a point is in the set when it is in any polygon.
type naivePolys []naivePoly

type naivePoly struct {
	rings [][]pt
	box   [4]float64 // minX, minY, maxX, maxY
}

func newNaive(polys []polygon) naivePolys {
	var out naivePolys
	for _, p := range polys {
		np := naivePoly{box: [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}}
		for _, r := range p {
			np.rings = append(np.rings, r.pts)
			for _, q := range r.pts {
				np.box = [4]float64{min(np.box[0], q.x), min(np.box[1], q.y), max(np.box[2], q.x), max(np.box[3], q.y)}
			}
		}
		out = append(out, np)
	}
	return out
}

func (n naivePolys) contains(lat, lon float64) bool {
	for _, p := range n {
		if lon < p.box[0] || lon > p.box[2] || lat < p.box[1] || lat > p.box[3] {
			continue
		}
		in := false
		for _, r := range p.rings {
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				if (a.y > lat) != (b.y > lat) && lon < a.x+(lat-a.y)*(b.x-a.x)/(b.y-a.y) {
					in = !in
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}

// haversineKm is an independent great-circle distance.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	h := math.Pow(math.Sin(dp/2), 2) + math.Cos(p1)*math.Cos(p2)*math.Pow(math.Sin(dl/2), 2)
	return 2 * r * math.Asin(math.Sqrt(math.Min(1, h)))
}

// destination returns the point at distance km and bearing deg from (lat, lon).
func destination(lat, lon, km, bearing float64) (float64, float64) {
	const r = 6371.0088
	φ1, λ1, θ, δ := lat*math.Pi/180, lon*math.Pi/180, bearing*math.Pi/180, km/r
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(δ) + math.Cos(φ1)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ1), math.Cos(δ)-math.Sin(φ1)*math.Sin(φ2))
	lon2 := math.Mod(λ2*180/math.Pi+540, 360) - 180
	return φ2 * 180 / math.Pi, lon2
}

// segDistKm is the great-circle distance from a point to a segment that is
// straight in lon/lat, by golden-section search along it.
func segDistKm(lat, lon float64, s seg) float64 {
	f := func(t float64) float64 {
		return haversineKm(lat, lon, s.y1+t*(s.y2-s.y1), s.x1+t*(s.x2-s.x1))
	}
	a, b := 0.0, 1.0
	g := (math.Sqrt(5) - 1) / 2
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := f(c), f(d)
	for range 60 {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = f(d)
		}
	}
	return min(f(0), f(1), fc, fd)
}

// boundaryDistKm is the distance from a point to the nearest of segs,
// skipping segments that are clearly farther than limitKm.
func boundaryDistKm(lat, lon float64, segs []seg, limitKm float64) float64 {
	mLat := limitKm/111.0 + 0.01
	mLon := mLat / max(math.Cos(min(math.Abs(lat)+mLat, 89)*math.Pi/180), 0.01)
	best := math.Inf(1)
	for _, s := range segs {
		if max(s.y1, s.y2) < lat-mLat || min(s.y1, s.y2) > lat+mLat ||
			max(s.x1, s.x2) < lon-mLon || min(s.x1, s.x2) > lon+mLon {
			continue
		}
		// Triangle inequality: no point of s is closer than the distance to
		// its start minus its length (padded for the lon/lat path).
		length := haversineKm(s.y1, s.x1, s.y2, s.x2)*1.01 + 1e-6
		if haversineKm(lat, lon, s.y1, s.x1)-length >= best {
			continue
		}
		best = min(best, segDistKm(lat, lon, s))
	}
	return best
}

// unsharedSegs returns the segments of polys that no other polygon of the
// set repeats: the boundary of a union of polygons that meet edge to edge.
func unsharedSegs(polys []polygon) []seg {
	type key [4]float64
	n := map[key]int{}
	k := func(s seg) key {
		if s.x1 < s.x2 || (s.x1 == s.x2 && s.y1 < s.y2) {
			return key{s.x1, s.y1, s.x2, s.y2}
		}
		return key{s.x2, s.y2, s.x1, s.y1}
	}
	var all []seg
	for _, p := range polys {
		for _, r := range p {
			for i := 0; i+1 < len(r.pts); i++ {
				s := seg{r.pts[i].x, r.pts[i].y, r.pts[i+1].x, r.pts[i+1].y, 0}
				if s.x1 != s.x2 || s.y1 != s.y2 {
					all = append(all, s)
					n[k(s)]++
				}
			}
		}
	}
	var out []seg
	for _, s := range all {
		if n[k(s)] == 1 {
			out = append(out, s)
		}
	}
	return out
}

// sampleVerdict samples the disk (centre, and circles at r, r/2 and r/4)
// and returns what the samples prove: in and out are whether any sample was
// in or out of the area.
func sampleVerdict(lat, lon, r float64, in func(lat, lon float64) bool) (anyIn, anyOut bool) {
	check := func(y, x float64) {
		if in(y, x) {
			anyIn = true
		} else {
			anyOut = true
		}
	}
	check(lat, lon)
	for _, f := range [...]float64{1, 0.5, 0.25} {
		n := 240
		if f < 1 {
			n = 60
		}
		for i := range n {
			check(destination(lat, lon, r*f, float64(i)*360/float64(n)))
		}
	}
	return anyIn, anyOut
}

// checkSampled asserts that Disk agrees with what sampling proves: a disk
// with samples in and out crosses; one whose samples are all in is not
// outside; one whose samples are all out is not inside.
func checkSampled(t *testing.T, a *Area, lat, lon, r float64, in func(lat, lon float64) bool) Relation {
	t.Helper()
	got := a.Disk(lat, lon, r)
	anyIn, anyOut := sampleVerdict(lat, lon, r, in)
	switch {
	case anyIn && anyOut && got != Crossing:
		t.Errorf("Disk(%.6f, %.6f, %g) = %v; samples lie both in and out", lat, lon, r, got)
	case anyIn && !anyOut && got == Outside:
		t.Errorf("Disk(%.6f, %.6f, %g) = outside; every sample is in", lat, lon, r)
	case !anyIn && got == Inside:
		t.Errorf("Disk(%.6f, %.6f, %g) = inside; every sample is out", lat, lon, r)
	}
	return got
}

// nearBoundary returns n random disks whose centres lie 0.3 to 2 radii
// from a random vertex of segs, with radii drawn from radii: a mix of disks
// across the boundary and disks just clear of it on either side.
func nearBoundary(rng *rand.Rand, segs []seg, n int, radii []float64) [][3]float64 {
	out := make([][3]float64, n)
	for i := range out {
		s := segs[rng.IntN(len(segs))]
		r := radii[rng.IntN(len(radii))]
		lat, lon := destination(s.y1, s.x1, (0.3+1.7*rng.Float64())*r, rng.Float64()*360)
		out[i] = [3]float64{lat, lon, r}
	}
	return out
}

// distKm is the great-circle distance from p to the edge.
func (e *edge) distKm(p vec3) float64 {
	if p.dot(e.na) > 0 && p.dot(e.bn) > 0 {
		return EarthRadiusKm * math.Asin(min(1, math.Abs(p.dot(e.n))))
	}
	da, db := p.sub(e.a).norm(), p.sub(e.b).norm()
	return EarthRadiusKm * 2 * math.Asin(min(1, min(da, db)/2))
}

// bbox returns the region's bounding box as (minX, minY, maxX, maxY).
func (r *region) bbox() [4]float64 {
	g := r.g
	if len(g.edges) == 0 {
		return [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	}
	return [4]float64{g.minX, g.minY, g.maxX, g.maxY}
}
