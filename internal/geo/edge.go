package geo

import "math"

// pt is a position in degrees: x is longitude, y latitude.
type pt struct{ x, y float64 }

// seg is a straight segment in longitude/latitude.
type seg struct {
	x1, y1, x2, y2 float64
	flags          uint8
}

// Segment flags.
const (
	// segParity segments count for even-odd point-in-polygon tests.
	segParity uint8 = 1 << iota
	// segDist segments are part of the boundary that disk tests measure
	// distances to. Artificial edges (the antimeridian cut of a Natural
	// Earth polygon, say) count for parity but are not boundary.
	segDist
)

// maxDeviationKm bounds how far a great-circle arc may stray from the
// straight longitude/latitude segment it stands in for when distances are
// measured; longer segments are split before they are indexed.
const maxDeviationKm = 0.001

// densify splits s in halves until each piece's great-circle arc passes
// within maxDeviationKm/2 of the piece's midpoint (the curve bends smoothly,
// so its largest deviation is about the midpoint's). Meridians never need
// splitting; long parallels far from the equator need it most.
func densify(s seg, out []seg) []seg {
	if s.flags&segDist == 0 {
		return append(out, s)
	}
	return bisect(s, out, 0)
}

func bisect(s seg, out []seg, depth int) []seg {
	long := math.Abs(s.x2-s.x1) > 45 || math.Abs(s.y2-s.y1) > 45 // keep arcs well short of antipodal
	if depth < 30 && (long || deviationKm(s) > maxDeviationKm/2) {
		mx, my := (s.x1+s.x2)/2, (s.y1+s.y2)/2
		out = bisect(seg{s.x1, s.y1, mx, my, s.flags}, out, depth+1)
		return bisect(seg{mx, my, s.x2, s.y2, s.flags}, out, depth+1)
	}
	return append(out, s)
}

// deviationKm is the distance from the lon/lat midpoint of s to the great
// circle through its ends.
func deviationKm(s seg) float64 {
	// A straight lon/lat line curves away from a great circle by at most
	// tan φ / R, so a piece of ground length L strays by at most
	// tan φ · L² / (8R): under 0.25 m for L < 1 km below 85°.
	φ := max(math.Abs(s.y1), math.Abs(s.y2))
	dy := (s.y2 - s.y1) * rad * EarthRadiusKm
	dx := (s.x2 - s.x1) * rad * EarthRadiusKm
	if φ < 85 && dx*dx+dy*dy < 1 {
		return 0
	}
	n := unitVec(s.y1, s.x1).cross(unitVec(s.y2, s.x2))
	l := n.norm()
	if l < 1e-12 {
		return 0 // ends (nearly) coincide or are antipodal
	}
	m := unitVec((s.y1+s.y2)/2, (s.x1+s.x2)/2)
	return EarthRadiusKm * math.Asin(min(1, math.Abs(m.dot(n))/l))
}

// edge is an indexed segment with what a distance test needs precomputed.
type edge struct {
	a, b  vec3 // unit vectors of the ends
	n     vec3 // unit normal of the great circle through a and b (zero if a = b)
	na    vec3 // n×a: p·na > 0 when p lies beyond a towards b
	bn    vec3 // b×n: p·bn > 0 when p lies before b coming from a
	x1    float64
	y1    float64
	x2    float64
	y2    float64
	flags uint8
}

func newEdge(s seg) edge {
	e := edge{x1: s.x1, y1: s.y1, x2: s.x2, y2: s.y2, flags: s.flags}
	φ1, λ1, φ2, λ2 := s.y1*rad, s.x1*rad, s.y2*rad, s.x2*rad
	sφ1, cφ1 := math.Sincos(φ1)
	sλ1, cλ1 := math.Sincos(λ1)
	sφ2, cφ2 := math.Sincos(φ2)
	sλ2, cλ2 := math.Sincos(λ2)
	e.a = vec3{cφ1 * cλ1, cφ1 * sλ1, sφ1}
	e.b = vec3{cφ2 * cλ2, cφ2 * sλ2, sφ2}
	// b−a from half-angle differences, which keep full relative precision
	// for very short edges (subtracting the vectors would not).
	sdφ, sdλ := math.Sin((φ2-φ1)/2), math.Sin((λ2-λ1)/2)
	smφ, cmφ := math.Sincos((φ1 + φ2) / 2)
	smλ, cmλ := math.Sincos((λ1 + λ2) / 2)
	dcφ := -2 * smφ * sdφ // cos φ2 − cos φ1
	d := vec3{
		cφ2*(-2*smλ*sdλ) + cλ1*dcφ,
		cφ2*(2*cmλ*sdλ) + sλ1*dcφ,
		2 * cmφ * sdφ,
	}
	c := e.a.cross(d)
	if l := c.norm(); l > 0 && !math.IsInf(l, 0) {
		e.n = c.scale(1 / l)
		e.na = e.n.cross(e.a)
		e.bn = e.b.cross(e.n)
	}
	return e
}

// near reports whether the great-circle distance from p to the edge is less
// than the radius whose chord squared is chord2 and whose sine is sinr.
func (e *edge) near(p vec3, chord2, sinr float64) bool {
	// The distance to the arc is at least the distance to its great circle.
	if math.Abs(p.dot(e.n)) >= sinr {
		return false
	}
	if p.dot(e.na) > 0 && p.dot(e.bn) > 0 {
		return true
	}
	d := p.sub(e.a)
	if d.dot(d) < chord2 {
		return true
	}
	d = p.sub(e.b)
	return d.dot(d) < chord2
}
