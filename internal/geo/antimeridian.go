package geo

import "math"

// cutAntimeridian makes a spherical polygon planar. world-atlas stitches
// Natural Earth's polygons across the antimeridian, so a ring may jump from
// longitude 179.9 to -179.9 (Russia's Chukotka) or wind once round a pole
// (Antarctica); in a plane of longitude and latitude both would be wrong.
// Each ring is unwrapped into continuous longitudes, closed along the pole if
// it winds round one, and clipped into 360° windows that are shifted back
// into [-180, 180]. The edges drawn along the antimeridian or a pole are
// marked artificial: they count for point-in-polygon parity, but are not
// boundary for distances.
func cutAntimeridian(p polygon) []polygon {
	type unwrapped struct {
		pts []pt
		art []bool
	}
	rings := make([]unwrapped, len(p))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range p {
		u, art := unwrap(r.pts)
		rings[i] = unwrapped{u, art}
		for _, q := range u {
			lo, hi = min(lo, q.x), max(hi, q.x)
		}
	}
	m0 := int(math.Floor((lo + 180) / 360))
	m1 := int(math.Ceil((hi+180)/360)) - 1
	var out []polygon
	for m := m0; m <= m1; m++ {
		wlo, whi := -180+360*float64(m), 180+360*float64(m)
		var poly polygon
		for i, r := range rings {
			pts, art := r.pts, r.art
			if lo < wlo || hi > whi {
				pts, art = clipX(pts, art, wlo, true)
				pts, art = clipX(pts, art, whi, false)
			}
			if len(pts) < 4 {
				if i == 0 {
					break // nothing of the outer ring in this window
				}
				continue
			}
			shifted := make([]pt, len(pts))
			for j, q := range pts {
				shifted[j] = pt{q.x - 360*float64(m), q.y}
			}
			if m != 0 {
				// Clip lines land exactly on ±180 after the shift; make sure.
				for j := range shifted {
					if pts[j].x == wlo {
						shifted[j].x = -180
					} else if pts[j].x == whi {
						shifted[j].x = 180
					}
				}
			}
			poly = append(poly, ring{shifted, markSeams(shifted, art)})
		}
		if len(poly) > 0 {
			out = append(out, poly)
		}
	}
	return out
}

// unwrap makes a ring's longitudes continuous. A ring that winds round a
// pole is closed along it.
func unwrap(r []pt) ([]pt, []bool) {
	u := make([]pt, len(r), len(r)+3)
	u[0] = r[0]
	var sumY float64
	for i := 1; i < len(r); i++ {
		d := r[i].x - r[i-1].x
		if d > 180 {
			d -= 360
		} else if d < -180 {
			d += 360
		}
		u[i] = pt{u[i-1].x + d, r[i].y}
		sumY += r[i].y
	}
	art := make([]bool, len(u)-1, len(u)+2)
	if last := u[len(u)-1]; math.Abs(last.x-u[0].x) > 180 {
		pole := 90.0
		if sumY < 0 {
			pole = -90
		}
		u = append(u, pt{last.x, pole}, pt{u[0].x, pole}, u[0])
		art = append(art, true, true, true)
	}
	return u, art
}

// clipX clips a closed ring to the half-plane x ≥ at (keepGreater) or
// x ≤ at (Sutherland–Hodgman), keeping the artificial-edge marks of the
// pieces of original edges and marking edges along the clip line.
func clipX(pts []pt, art []bool, at float64, keepGreater bool) ([]pt, []bool) {
	in := func(q pt) bool {
		if keepGreater {
			return q.x >= at
		}
		return q.x <= at
	}
	var out []pt
	var arrive []bool // arrive[k]: mark of the edge ending at out[k]
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		f := art != nil && art[i]
		ain, bin := in(a), in(b)
		switch {
		case ain && bin:
			out, arrive = append(out, b), append(arrive, f)
		case ain:
			out, arrive = append(out, crossAt(a, b, at)), append(arrive, f)
		case bin:
			out, arrive = append(out, crossAt(a, b, at), b), append(arrive, true, f)
		}
	}
	if len(out) < 3 {
		return nil, nil
	}
	outArt := make([]bool, len(out))
	copy(outArt, arrive[1:])
	outArt[len(out)-1] = arrive[0]
	return append(out, out[0]), outArt
}

func crossAt(a, b pt, x float64) pt {
	t := (x - a.x) / (b.x - a.x)
	return pt{x, a.y + t*(b.y-a.y)}
}

// markSeams marks edges running along the antimeridian or a pole as
// artificial: no Natural Earth border follows them.
func markSeams(pts []pt, art []bool) []bool {
	out := make([]bool, len(pts)-1)
	for i := range out {
		a, b := pts[i], pts[i+1]
		out[i] = (art != nil && art[i]) ||
			(a.x == b.x && math.Abs(a.x) == 180) ||
			(a.y == b.y && math.Abs(a.y) == 90)
	}
	return out
}

// segsOf returns the segments of polygons.
func segsOf(polys []polygon) []seg {
	var out []seg
	for _, p := range polys {
		for _, r := range p {
			for i := 0; i+1 < len(r.pts); i++ {
				a, b := r.pts[i], r.pts[i+1]
				if a == b {
					continue
				}
				flags := segParity | segDist
				if r.art != nil && r.art[i] {
					flags = segParity
				}
				out = append(out, seg{a.x, a.y, b.x, b.y, flags})
			}
		}
	}
	return out
}
