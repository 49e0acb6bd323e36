package geo

import (
	"math"
	"slices"
)

// This file holds what the disk test needs beyond membership: lower bounds
// on the distance to the boundary for whole cells, and the search for
// boundary segments near a point.

// newLevel describes cells of size dx×dy from the grid's corner.
func (g *grid) newLevel(nx, ny int, dx, dy float64) level {
	l := level{nx: nx, ny: ny, dx: dx, dy: dy}
	l.rowC = make([]sincos, ny)
	for r := range l.rowC {
		l.rowC[r] = sinCos(g.minY + (float64(r)+0.5)*dy)
	}
	l.colC = make([]sincos, nx)
	for c := range l.colC {
		l.colC[c] = sinCos(g.minX + (float64(c)+0.5)*dx)
	}
	// The straight lon/lat path from the centre to a point of the cell,
	// at most dy/2 by dx/2 degrees away, has length at most
	// R·√(Δφ² + c²Δλ²), c the largest cos φ on the way; the great circle
	// is no longer.
	c := 1.0
	if g.minY > 0 || g.maxY < 0 {
		c = math.Cos(min(math.Abs(g.minY), math.Abs(g.maxY)) * rad)
	}
	l.radiusKm = math.Hypot(dy/2+cellEps, c*(dx/2+cellEps)) * rad * EarthRadiusKm * (1 + 1e-9)
	return l
}

// pyramid builds the levels above the cells.
func (g *grid) pyramid() {
	g.levels = []level{g.newLevel(g.nx, g.ny, g.dx, g.dy)}
	for {
		below := &g.levels[len(g.levels)-1]
		if (below.nx <= 4 && below.ny <= 4) || len(g.levels) == maxLevels {
			return
		}
		l := g.newLevel((below.nx+3)/4, (below.ny+3)/4, below.dx*4, below.dy*4)
		l.dist = make([]bool, l.nx*l.ny)
		for r := range below.ny {
			for c := range below.nx {
				var d bool
				if below.dist == nil {
					d = g.cells[r*g.nx+c]&cellDist != 0
				} else {
					d = below.dist[r*below.nx+c]
				}
				if d {
					l.dist[(r/4)*l.nx+c/4] = true
				}
			}
		}
		g.levels = append(g.levels, l)
	}
}

// chamfer returns, for each of nx×ny cells, the Chebyshev distance in
// cells to the nearest cell for which src holds (a two-pass distance
// transform), capped at limit; limit where no cell is a source.
func chamfer(nx, ny int, src func(i int) bool, limit uint16) []uint16 {
	d := make([]uint16, nx*ny)
	for i := range d {
		if !src(i) {
			d[i] = limit
		}
	}
	relax := func(i, n int) {
		if v := d[n]; v < limit && v+1 < d[i] {
			d[i] = v + 1
		}
	}
	for r := range ny {
		for c := range nx {
			i := r*nx + c
			if c > 0 {
				relax(i, i-1)
			}
			if r > 0 {
				relax(i, i-nx)
				if c > 0 {
					relax(i, i-nx-1)
				}
				if c < nx-1 {
					relax(i, i-nx+1)
				}
			}
		}
	}
	for r := ny - 1; r >= 0; r-- {
		for c := nx - 1; c >= 0; c-- {
			i := r*nx + c
			if c < nx-1 {
				relax(i, i+1)
			}
			if r < ny-1 {
				relax(i, i+nx)
				if c < nx-1 {
					relax(i, i+nx+1)
				}
				if c > 0 {
					relax(i, i+nx-1)
				}
			}
		}
	}
	return d
}

// gaps computes, for every cell and fine cell, the number of whole cells
// between it and the nearest cell with boundary segments, and the tables
// turning those counts into lower bounds in kilometres.
func (g *grid) gaps() {
	nx := g.nx
	d := chamfer(nx, g.ny, func(i int) bool { return g.cells[i]&cellDist != 0 }, gapMax)
	g.hop = slices.Clone(d)
	// Near the antimeridian the nearest boundary may lie across it, at the
	// grid's other end: count only the cells up to the grid's edge.
	wraps := g.minX <= -179 && g.maxX >= 179
	var top uint16
	for i, v := range d {
		if v > 0 && v < gapMax {
			v--
		}
		if wraps {
			c := i % nx
			v = min(v, uint16(min(c, nx-1-c, gapMax-1)))
		}
		d[i] = v
		if v < gapMax {
			top = max(top, v)
		}
	}
	g.gap = d
	g.gapKm = make([]float64, int(top)+1)
	for k := range g.gapKm {
		g.gapKm[k] = g.spanKm(k, g.dx, g.dy)
	}
	// Within a subgrid, boundary outside it is at least as many whole fine
	// cells away as separate the fine cell from the subgrid's edge.
	m := g.m
	for k := range g.fineGapKm {
		g.fineGapKm[k] = g.spanKm(k, g.fine.dx, g.fine.dy)
	}
	for si := range g.subs {
		s := &g.subs[si]
		fd := chamfer(m, m, func(i int) bool { return s.cells[i]&cellDist != 0 }, maxFine)
		s.gap = make([]uint8, m*m)
		for i, v := range fd {
			c, r := i%m, i/m
			s.gap[i] = uint8(min(max(int(v)-1, 0), c, r, m-1-c, m-1-r))
		}
	}
}

// spanKm is a lower bound on the distance between points k whole cells
// apart in either direction: k rows span k·dy of latitude; k columns span
// k·dx of longitude, which is shortest at the grid's highest latitude.
func (g *grid) spanKm(k int, dx, dy float64) float64 {
	lat := float64(k) * dy * rad * EarthRadiusKm
	dλ := min(float64(k)*dx*rad, math.Pi)
	lon := 2 * EarthRadiusKm * math.Asin(min(1, g.cosMax*math.Sin(dλ/2)))
	return min(lat, lon) * (1 - 1e-9)
}

// nearDeg: a boundary point fewer than nearDeg/dy rows away lies within
// nearDeg of latitude, so rowCos bounds the cosine of its latitude.
const nearDeg = 5

// gapLowerKm is a lower bound on the distance from any point of cell i, in
// the given row, to the boundary, or +Inf when the grid has no boundary.
func (g *grid) gapLowerKm(i, row int) float64 {
	v := g.gap[i]
	if v == gapMax {
		return math.Inf(1)
	}
	if float64(v+1)*g.dy <= nearDeg {
		return g.nearSpanKm(float64(v), g.dx, g.dy, row)
	}
	return g.gapKm[v]
}

// nearSpanKm is spanKm for k < nearDeg/dy whole cells of size dx×dy, from a
// point in the given row. The boundary point, if it is fewer than k+1 rows
// away, is within nearDeg of the row's latitudes, and then
// hav(d) ≥ cos²φ·sin²(Δλ/2) gives d ≥ R·c·Δλ·(1 − Δλ²/24).
func (g *grid) nearSpanKm(k, dx, dy float64, row int) float64 {
	lat := k * dy * rad * EarthRadiusKm
	x := k * dx * rad
	lon := EarthRadiusKm * g.rowCos[row] * x * (1 - x*x/24)
	return min(lat, lon) * (1 - 1e-9)
}

// boundaryWithin reports whether some boundary point is certainly closer
// than rkm to (lat, lon), a point of cell i, by an upper bound on the distance.
// Cell i is hop[i] cells (Chebyshev) from a cell that a boundary segment
// meets (within cellEps), so some boundary point lies within hop[i]+1 cells
// and cellEps in either direction; the straight lon/lat path to it is no
// shorter than the great circle and at most R·√(Δφ² + c²Δλ²), c the largest
// cos φ on the way. The edges are great-circle arcs that stray from their
// lon/lat segments by well under maxDeviationKm, which is added.
func (g *grid) boundaryWithin(i int, lat, rkm float64) bool {
	v := g.hop[i]
	if v == gapMax {
		return false
	}
	k := float64(v) + 1
	dφ := k*g.dy + 2*cellEps
	if dφ*rad*EarthRadiusKm >= rkm {
		return false // the bound below is at least this
	}
	dλ := k*g.dx + 2*cellEps
	c := 1.0
	if lo := math.Abs(lat) - dφ; lo > 0 {
		c = math.Cos(lo * rad)
	}
	return (math.Hypot(dφ, c*dλ)*rad*EarthRadiusKm+2*maxDeviationKm)*(1+1e-6) < rkm
}

// boxBeyond reports whether boxLowerKm(lat, lon) > rkm, for lat in
// [-90, 90]. It tries first a bound without trigonometry, no larger than
// boxLowerKm's (sin h ≥ h − h³/6 for h in [0, π/2], asin x ≥ x, and the
// cosine of the latitude rounded up to a whole degree), which settles most
// points far from the box: the disk test asks it of every area's grid
// that the event lies outside.
func (g *grid) boxBeyond(lat, lon, rkm float64) bool {
	hφ := max(0, g.minY-lat, lat-g.maxY) * rad / 2
	dλ := math.Inf(1)
	for _, l := range [3]float64{lon - 360, lon, lon + 360} {
		dλ = min(dλ, max(0, g.minX-l, l-g.maxX))
	}
	hλ := min(dλ*rad, math.Pi) / 2
	c := min(g.cosMax, cosWholeDeg[int(math.Ceil(min(math.Abs(lat), 90)))])
	sφ, sλ := hφ-hφ*hφ*hφ/6, c*(hλ-hλ*hλ*hλ/6)
	if 2*EarthRadiusKm*math.Sqrt(sφ*sφ+sλ*sλ)*(1-1e-6) > rkm {
		return true
	}
	return g.boxLowerKm(lat, lon) > rkm
}

// cosWholeDeg is the cosine of each whole degree from 0 to 90.
var cosWholeDeg = func() (t [91]float64) {
	for k := range t {
		t[k] = max(0, math.Cos(float64(k)*rad))
	}
	return t
}()

// boxLowerKm is a lower bound on the distance from (lat, lon) to any point
// of the grid's box.
func (g *grid) boxLowerKm(lat, lon float64) float64 {
	dφ := max(0, g.minY-lat, lat-g.maxY) * rad
	dλ := math.Inf(1)
	for _, l := range [3]float64{lon - 360, lon, lon + 360} {
		dλ = min(dλ, max(0, g.minX-l, l-g.maxX))
	}
	dλ = min(dλ*rad, math.Pi)
	c := min(g.cosMax, math.Cos(min(math.Abs(lat), 90)*rad))
	sφ, sλ := math.Sin(dφ/2), c*math.Sin(dλ/2)
	return 2 * EarthRadiusKm * math.Asin(min(1, math.Sqrt(sφ*sφ+sλ*sλ))) * (1 - 1e-9)
}

// A nearQuery looks for boundary within a distance of a point.
type nearQuery struct {
	p            vec3
	chord2, sinr float64 // thresholds for edge.near
	latLo, latHi float64
	lat, lon     float64
	ranges       [3][2]float64 // longitude ranges of the disk, unwrapped
	nr           int
	// Per level (the last entry for fine cells), squared chords: a block
	// whose centre is farther than beyond is out of reach, one whose centre
	// is closer than within is wholly in reach.
	beyond, within [maxLevels + 1]float64
}

// maxLevels bounds the pyramid: 4^12 cells a side is far more than any grid.
const maxLevels = 12

func (g *grid) newNearQuery(lat, lon, rkm float64, strict bool) nearQuery {
	ρ := rkm / EarthRadiusKm
	sφ, cφ := math.Sincos(lat * rad)
	sλ, cλ := math.Sincos(lon * rad)
	s := 2 * math.Sin(min(ρ, math.Pi)/2) // chord of ρ
	q := nearQuery{p: vec3{cφ * cλ, cφ * sλ, sφ}, lat: lat, lon: lon, chord2: s * s, sinr: 2}
	sinρ := 1.0
	if ρ < math.Pi/2 {
		sinρ = s * math.Sqrt(1-s*s/4) // sin ρ = 2 sin(ρ/2) cos(ρ/2)
		q.sinr = sinρ
	}
	if !strict {
		q.chord2, q.sinr = math.Nextafter(q.chord2, 5), math.Nextafter(q.sinr, 3)
	}
	// The chord of an angle θ lies between θ − θ³/24 and θ: cheap bounds
	// that err on the safe side.
	bounds := func(i int, radiusKm float64) {
		θ := (rkm + radiusKm) / EarthRadiusKm * (1 + 1e-9)
		q.beyond[i] = θ * θ
		q.within[i] = -1
		if θ = (rkm - radiusKm) / EarthRadiusKm * (1 - 1e-9); θ > 0 {
			c := θ - θ*θ*θ/24
			q.within[i] = c * c
		}
	}
	for k := range g.levels {
		bounds(k, g.levels[k].radiusKm)
	}
	bounds(maxLevels, g.fine.radiusKm)
	q.latLo, q.latHi = lat-ρ/rad, lat+ρ/rad
	if q.latHi >= 90 || q.latLo <= -90 || sinρ >= cφ {
		q.ranges[0], q.nr = [2]float64{-540, 540}, 1
	} else {
		// The disk spans asin(sin ρ / cos φ) of longitude either side;
		// x/√(1−x²) bounds asin x from above and is cheaper.
		x := sinρ / cφ
		dλ := x / math.Sqrt(1-x*x) / rad * (1 + 1e-9)
		for _, shift := range [3]float64{0, -360, 360} {
			a, b := lon-dλ+shift, lon+dλ+shift
			if b >= g.minX && a < g.maxX {
				q.ranges[q.nr] = [2]float64{a, b}
				q.nr++
			}
		}
	}
	return q
}

// reach classifies a block of level k (maxLevels: a fine cell) by its
// centre: -1 when every point of it is beyond the radius, 1 when every point
// is within it, else 0.
func (q *nearQuery) reach(row, col sincos, k int) int {
	d := vec3{row.c*col.c - q.p.x, row.c*col.s - q.p.y, row.s - q.p.z}
	switch d2 := d.dot(d); {
	case d2 > q.beyond[k]:
		return -1
	case d2 < q.within[k]:
		return 1
	}
	return 0
}

// anyNear reports whether a boundary segment lies within rkm of (lat, lon):
// strictly closer when strict, else at most rkm away.
func (g *grid) anyNear(lat, lon, rkm float64, strict bool) bool {
	if len(g.edges) == 0 {
		return false
	}
	q := g.newNearQuery(lat, lon, rkm, strict)
	if q.latHi < g.minY || q.latLo >= g.maxY {
		return false
	}
	// Start at the finest level whose blocks are at least as large as the
	// disk's box, which overlaps at most 2×2 of them: the levels above
	// would only lead down to the same few blocks.
	w := 0.0
	for _, lr := range q.ranges[:q.nr] {
		w = max(w, lr[1]-lr[0])
	}
	k := len(g.levels) - 1
	for k > 0 && g.levels[k-1].dy >= q.latHi-q.latLo && g.levels[k-1].dx >= w {
		k--
	}
	for _, lr := range q.ranges[:q.nr] {
		if g.near(&q, lr, k, 0, g.levels[k].ny-1, 0, g.levels[k].nx-1) {
			return true
		}
	}
	return false
}

// span returns the rows or columns of a level that [a, b] overlaps, within
// [lo, hi].
func span(a, b, origin, size float64, lo, hi int) (int, int) {
	return max(int(math.Floor((a-origin)/size)), lo), min(int(math.Floor((b-origin)/size)), hi)
}

// near searches the blocks of level k in rows r0..r1 and columns c0..c1
// that the disk's box and longitude range lr overlap, from the disk's
// centre outwards (blocks wholly within reach are likeliest there).
func (g *grid) near(q *nearQuery, lr [2]float64, k, r0, r1, c0, c1 int) bool {
	l := &g.levels[k]
	r0, r1 = span(q.latLo, q.latHi, g.minY, l.dy, r0, min(r1, l.ny-1))
	c0, c1 = span(lr[0], lr[1], g.minX, l.dx, c0, min(c1, l.nx-1))
	if r0 > r1 || c0 > c1 {
		return false
	}
	rc := clampInt(int(math.Floor((q.lat-g.minY)/l.dy)), r0, r1)
	cc := clampInt(int(math.Floor((q.lon-g.minX)/l.dx)), c0, c1)
	if q.lon < lr[0] || q.lon > lr[1] { // a wrapped range: start at its near end
		cc = c0
		if q.lon > lr[1] {
			cc = c1
		}
	}
	for i := 0; rc-i >= r0 || rc+i <= r1; i++ {
		for si, r := range [2]int{rc - i, rc + i} {
			if r < r0 || r > r1 || (i == 0 && si == 1) {
				continue
			}
			for j := 0; cc-j >= c0 || cc+j <= c1; j++ {
				for sj, c := range [2]int{cc - j, cc + j} {
					if c < c0 || c > c1 || (j == 0 && sj == 1) {
						continue
					}
					if g.nearBlock(q, lr, k, r, c) {
						return true
					}
				}
			}
		}
	}
	return false
}

// nearBlock searches block (r, c) of level k.
func (g *grid) nearBlock(q *nearQuery, lr [2]float64, k, r, c int) bool {
	l := &g.levels[k]
	if k == 0 {
		if g.cells[r*g.nx+c]&cellDist == 0 {
			return false
		}
	} else if !l.dist[r*l.nx+c] {
		return false
	}
	switch q.reach(l.rowC[r], l.colC[c], k) {
	case -1:
		return false
	case 1:
		return true
	}
	if k > 0 {
		return g.near(q, lr, k-1, 4*r, 4*r+3, 4*c, 4*c+3)
	}
	j := g.listed(c, r)
	if s := g.listSub[j]; s >= 0 {
		return g.subNear(&g.subs[s], q, lr)
	}
	return g.edgesNear(g.listEdges(j), q)
}

// subNear searches a subgrid's fine cells.
func (g *grid) subNear(s *subgrid, q *nearQuery, lr [2]float64) bool {
	m, f := g.m, &g.fine
	r0, r1 := span(q.latLo, q.latHi, g.minY, f.dy, s.row*m, s.row*m+m-1)
	c0, c1 := span(lr[0], lr[1], g.minX, f.dx, s.col*m, s.col*m+m-1)
	for fr := r0; fr <= r1; fr++ {
		for fc := c0; fc <= c1; fc++ {
			k := (fr-s.row*m)*m + fc - s.col*m
			if s.cells[k]&cellDist == 0 {
				continue
			}
			switch q.reach(f.rowC[fr], f.colC[fc], maxLevels) {
			case -1:
				continue
			case 1:
				return true
			}
			if g.edgesNear(s.idx[s.off[k]:s.off[k+1]], q) {
				return true
			}
		}
	}
	return false
}

func (g *grid) edgesNear(idx []int32, q *nearQuery) bool {
	for _, i := range idx {
		e := &g.edges[i]
		if e.flags&segDist != 0 && e.near(q.p, q.chord2, q.sinr) {
			return true
		}
	}
	return false
}
