package geo

import (
	"math"
	"slices"
)

// boundaryOf returns the parts of the regions' boundary segments that
// separate points where in holds from points where it does not. It serves
// both unions (in: any region contains the point) and differences (RU: in
// Natural Earth's Russia and not in UA).
//
// The boundary of any set built from the regions lies on their boundaries,
// and along a piece of segment that no other region's boundary crosses or
// touches, membership on either side cannot change. So each segment is cut
// wherever another region's segment crosses it or ends on it, and each piece
// is kept when points just left and right of its middle differ under in. A
// border that two regions share (UA's units, UA and RU along their border)
// thus disappears from a union, while stretches where two sources' borders
// leave a gap between them stay.
func boundaryOf(parts []*region, in func(x, y float64) bool) []seg {
	var out, pieces []seg
	var ts []float64
	for i, p := range parts {
		for k := range p.g.edges {
			e := &p.g.edges[k]
			if e.flags&segDist == 0 {
				continue
			}
			ts = ts[:0]
			for j, q := range parts {
				if j == i || !boxesMeet(e, q.g) {
					continue
				}
				qg := q.g
				qg.cover(e, 1, 0, 0, qg.nx-1, qg.ny-1, func(col, row int) {
					if j := qg.listed(col, row); j >= 0 {
						for _, fi := range qg.listEdges(j) {
							if f := &qg.edges[fi]; f.flags&segDist != 0 {
								ts = splitParams(e, f, ts)
							}
						}
					}
				})
			}
			pieces = cut(e, ts, pieces[:0])
			for _, s := range pieces {
				if separates(s, in) {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func boxesMeet(e *edge, g *grid) bool {
	return len(g.edges) > 0 &&
		max(e.x1, e.x2) >= g.minX && min(e.x1, e.x2) <= g.maxX &&
		max(e.y1, e.y2) >= g.minY && min(e.y1, e.y2) <= g.maxY
}

const (
	paramEps = 1e-12 // segment parameters this close to an end are the end
	onLine   = 1e-11 // degrees: a point this close to a segment is on it
)

// splitParams appends the parameters along e (0 at its start, 1 at its end)
// where f crosses e or one of f's ends lies on e.
func splitParams(e, f *edge, ts []float64) []float64 {
	if max(f.x1, f.x2) < min(e.x1, e.x2)-onLine || min(f.x1, f.x2) > max(e.x1, e.x2)+onLine ||
		max(f.y1, f.y2) < min(e.y1, e.y2)-onLine || min(f.y1, f.y2) > max(e.y1, e.y2)+onLine {
		return ts
	}
	rx, ry := e.x2-e.x1, e.y2-e.y1
	sx, sy := f.x2-f.x1, f.y2-f.y1
	lr2 := rx*rx + ry*ry
	lr := math.Sqrt(lr2)
	for _, q := range [2]pt{{f.x1, f.y1}, {f.x2, f.y2}} {
		wx, wy := q.x-e.x1, q.y-e.y1
		if math.Abs(rx*wy-ry*wx) <= onLine*lr {
			if t := (wx*rx + wy*ry) / lr2; t > paramEps && t < 1-paramEps {
				ts = append(ts, t)
			}
		}
	}
	den := rx*sy - ry*sx
	if math.Abs(den) <= 1e-10*lr*math.Hypot(sx, sy) {
		return ts // parallel: only the ends above can cut e
	}
	qx, qy := f.x1-e.x1, f.y1-e.y1
	t := (qx*sy - qy*sx) / den
	u := (qx*ry - qy*rx) / den
	if t > paramEps && t < 1-paramEps && u >= -paramEps && u <= 1+paramEps {
		ts = append(ts, t)
	}
	return ts
}

// cut splits e at the parameters ts.
func cut(e *edge, ts []float64, out []seg) []seg {
	slices.Sort(ts)
	px, py, last := e.x1, e.y1, 0.0
	for _, t := range ts {
		if t-last <= paramEps {
			continue
		}
		qx, qy := e.x1+t*(e.x2-e.x1), e.y1+t*(e.y2-e.y1)
		out = append(out, seg{px, py, qx, qy, segDist})
		px, py, last = qx, qy, t
	}
	return append(out, seg{px, py, e.x2, e.y2, segDist})
}

// separates reports whether in differs just left and just right of the
// middle of s. Pieces too short to probe are kept: keeping a segment that is
// not boundary can only turn an answer into Crossing, never into a wrong
// Inside or Outside.
func separates(s seg, in func(x, y float64) bool) bool {
	dx, dy := s.x2-s.x1, s.y2-s.y1
	l := math.Hypot(dx, dy)
	if l < 1e-9 {
		return true
	}
	δ := min(1e-7, l/4)
	ox, oy := -dy/l*δ, dx/l*δ
	mx, my := (s.x1+s.x2)/2, (s.y1+s.y2)/2
	return in(wrapLon(mx+ox), my+oy) != in(wrapLon(mx-ox), my-oy)
}

// wrapLon brings a longitude that strayed past the antimeridian back into
// [-180, 180].
func wrapLon(x float64) float64 {
	switch {
	case x > 180:
		return x - 360
	case x < -180:
		return x + 360
	}
	return x
}

// cancelShared drops segments that occur an even number of times (in either
// direction) and keeps one copy of the others. Units of geoBoundaries, and
// countries of a TopoJSON topology, share their borders vertex for vertex, so
// this turns the segments of several non-overlapping polygons into those of
// their union without changing any even-odd test.
func cancelShared(segs []seg) []seg {
	// Sort by a hash of the undirected segment, then count runs of equal
	// segments (a map is several times slower here, and Load pays for it).
	// Each entry is a 40-bit hash above a 24-bit index.
	norm := func(s seg) [4]float64 {
		if s.x1 < s.x2 || (s.x1 == s.x2 && s.y1 < s.y2) {
			return [4]float64{s.x1, s.y1, s.x2, s.y2}
		}
		return [4]float64{s.x2, s.y2, s.x1, s.y1}
	}
	if len(segs) >= 1<<24 {
		panic("geo: too many segments")
	}
	es := make([]uint64, len(segs))
	for i, s := range segs {
		var h uint64 = 14695981039346656037
		for _, v := range norm(s) {
			h = (h ^ math.Float64bits(v+0)) * 1099511628211 // +0 folds -0 into 0
			h ^= h >> 29
		}
		es[i] = h<<24 | uint64(i)
	}
	slices.Sort(es)
	type entry struct{ h, i int }
	at := func(k int) entry { return entry{int(es[k] >> 24), int(es[k] & (1<<24 - 1))} }
	keep := make([]bool, len(segs))
	for i := 0; i < len(es); {
		j := i
		for j < len(es) && at(j).h == at(i).h {
			j++
		}
		if j == i+1 {
			keep[at(i).i] = true
			i = j
			continue
		}
		// Within a run of equal hashes, count each distinct segment.
		for k := i; k < j; k++ {
			kk := norm(segs[at(k).i])
			first, n := true, 0
			for m := i; m < j; m++ {
				if norm(segs[at(m).i]) == kk {
					if m < k {
						first = false
					}
					n++
				}
			}
			if first && n%2 == 1 {
				keep[at(k).i] = true
			}
		}
		i = j
	}
	out := make([]seg, 0, len(segs)/2)
	for i, s := range segs {
		if keep[i] {
			out = append(out, s)
		}
	}
	return out
}
