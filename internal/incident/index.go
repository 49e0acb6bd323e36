package incident

import (
	"math"
	"slices"

	"github.com/truce-monitor/truce/internal/geo"
)

// index finds the items near an item in space and time: a grid of cells
// of cellDeg degrees by the day of each item's start, kept as a sorted
// array of the occupied cells' keys (day, row, column) with their items,
// so that a build is one sort and a query a few binary searches: O(n log
// n) in all, with no map of a million buckets to allocate.
type index struct {
	items   []Item
	cells   []uint64 // occupied cells' keys, ascending
	start   []int32  // cell i holds pos[start[i]:start[i+1]]
	pos     []int32  // positions in items, by cell, and by latitude in a cell
	lat     []float64
	maxR    float64 // the largest radius indexed, km
	maxSpan int64   // the longest interval indexed, µs
	day0    int64   // the first day indexed
}

const (
	cellDeg   = 0.5
	rows      = int(180 / cellDeg)
	cols      = int(360 / cellDeg)
	dayMicros = int64(86400e6)
	kmPerRad  = geo.EarthRadiusKm
)

func dayOf(us int64) int64 { return floorDiv(us, dayMicros) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func rowOf(lat float64) int { return min(max(int(math.Floor((lat+90)/cellDeg)), 0), rows-1) }

func colOf(lon float64) int {
	c := int(math.Floor((lon + 180) / cellDeg))
	return ((c % cols) + cols) % cols
}

func (x *index) key(day int64, row, col int) uint64 {
	return uint64(day-x.day0)<<20 | uint64(row)<<10 | uint64(col)
}

func keyRow(k uint64) int { return int(k>>10) & 1023 }
func keyCol(k uint64) int { return int(k) & 1023 }

// newIndex indexes the items at positions ps of items.
func newIndex(items []Item, ps []int32) *index {
	x := &index{items: items, day0: math.MaxInt64, start: []int32{0}}
	for _, p := range ps {
		it := &items[p]
		x.day0 = min(x.day0, dayOf(it.T0))
		x.maxR = max(x.maxR, it.RadiusKm)
		x.maxSpan = max(x.maxSpan, it.T1-it.T0)
	}
	type kp struct {
		k   uint64
		lat float64
		p   int32
	}
	kps := make([]kp, len(ps))
	for i, p := range ps {
		it := &items[p]
		kps[i] = kp{x.key(dayOf(it.T0), rowOf(it.Lat), colOf(it.Lon)), it.Lat, p}
	}
	slices.SortFunc(kps, func(a, b kp) int {
		switch {
		case a.k != b.k:
			if a.k < b.k {
				return -1
			}
			return 1
		case a.lat != b.lat:
			return cmpFloat(a.lat, b.lat)
		}
		return int(a.p - b.p)
	})
	x.pos = make([]int32, len(kps))
	x.lat = make([]float64, len(kps))
	for i, e := range kps {
		x.pos[i], x.lat[i] = e.p, e.lat
		if i == 0 || e.k != kps[i-1].k {
			if i > 0 {
				x.start = append(x.start, int32(i))
			}
			x.cells = append(x.cells, e.k)
		}
	}
	x.start = append(x.start, int32(len(kps)))
	if len(kps) == 0 {
		x.start = []int32{0}
	}
	return x
}

// cellItems returns the items of cell i.
func (x *index) cellItems(i int) []int32 { return x.pos[x.start[i]:x.start[i+1]] }

// span is the rows and columns of cells within reachKm of a point.
type span struct {
	r0, r1, c0, c1 int // c0 > c1 wraps around the antimeridian
}

func spanOf(lat, lon, reachKm float64) span {
	δ := reachKm/kmPerRad + 1e-9
	dLat := δ * 180 / math.Pi
	s := span{r0: rowOf(lat - dLat), r1: rowOf(lat + dLat), c0: 0, c1: cols - 1}
	φ := lat * math.Pi / 180
	if math.Abs(φ)+δ >= math.Pi/2 {
		return s
	}
	// The widest a spherical cap of radius δ reaches in longitude.
	dLon := math.Asin(min(1, math.Sin(δ)/math.Cos(φ)))*180/math.Pi + 1e-9
	if dLon < 180-cellDeg {
		s.c0, s.c1 = colOf(lon-dLon), colOf(lon+dLon)
	}
	return s
}

// near calls fn with the cells within reachKm of a's centre whose items
// start on a day in [dayLo, dayHi]. fn returns false to stop.
func (x *index) near(a *Item, reachKm float64, dayLo, dayHi int64, fn func(cell int) bool) {
	if len(x.cells) == 0 {
		return
	}
	dayLo = max(dayLo, x.day0)
	s := spanOf(a.Lat, a.Lon, reachKm)
	for d := dayLo; d <= dayHi; d++ {
		for r := s.r0; r <= s.r1; r++ {
			if s.c0 <= s.c1 {
				if !x.scan(x.key(d, r, s.c0), x.key(d, r, s.c1), fn) {
					return
				}
				continue
			}
			if !x.scan(x.key(d, r, s.c0), x.key(d, r, cols-1), fn) || !x.scan(x.key(d, r, 0), x.key(d, r, s.c1), fn) {
				return
			}
		}
	}
}

// scan calls fn with the cells of keys lo..hi.
func (x *index) scan(lo, hi uint64, fn func(cell int) bool) bool {
	i, _ := slices.BinarySearch(x.cells, lo)
	for ; i < len(x.cells) && x.cells[i] <= hi; i++ {
		if !fn(i) {
			return false
		}
	}
	return true
}

// nearItems calls fn with every item of the cells near (see near).
func (x *index) nearItems(a *Item, reachKm float64, dayLo, dayHi int64, fn func(p int32)) {
	x.near(a, reachKm, dayLo, dayHi, func(c int) bool {
		for _, p := range x.cellItems(c) {
			fn(p)
		}
		return true
	})
}

// nearest calls fn with the cells within reachKm of a's centre whose
// items start on a day in [dayLo, dayHi], in rings of cells around a's
// own cell, skipping every cell that a lower bound on its distance puts
// beyond limit() (fn may lower the limit as it finds candidates), and in
// a cell every item whose latitude alone puts it beyond the limit. The
// bound is exact on a sphere: a cell is no nearer than its latitude
// band, nor than the nearest meridian it spans. Ring k+1 is no nearer
// than k cells in latitude or in longitude, so the rings stop as soon as
// that exceeds the limit.
func (x *index) nearest(a *Item, reachKm float64, dayLo, dayHi int64, limit func() float64, fn func(p int32)) {
	if len(x.cells) == 0 {
		return
	}
	dayLo = max(dayLo, x.day0)
	s := spanOf(a.Lat, a.Lon, reachKm)
	var colsNear []int
	if s.c0 <= s.c1 {
		for c := s.c0; c <= s.c1; c++ {
			colsNear = append(colsNear, c)
		}
	} else {
		for c := s.c0; c < cols; c++ {
			colsNear = append(colsNear, c)
		}
		for c := 0; c <= s.c1; c++ {
			colsNear = append(colsNear, c)
		}
	}
	rc, ac := rowOf(a.Lat), colOf(a.Lon)
	cc := slices.Index(colsNear, ac)
	if cc < 0 {
		cc = 0
	}
	φ := a.Lat * math.Pi / 180
	cφ := math.Cos(φ)
	bound := func(r, ci int) float64 {
		lat0, lat1 := float64(r)*cellDeg-90, float64(r+1)*cellDeg-90
		dφ := max(0, lat0-a.Lat, a.Lat-lat1) * math.Pi / 180
		lon0 := float64(colsNear[ci])*cellDeg - 180
		dλ := lonGap(a.Lon, lon0, lon0+cellDeg) * math.Pi / 180
		b := dφ
		if dλ < math.Pi/2 {
			b = max(b, math.Asin(min(1, cφ*math.Sin(dλ))))
		}
		return b * kmPerRad * (1 - 1e-12)
	}
	type cell struct {
		r, ci int
		b     float64
	}
	maxRing := max(rc-s.r0, s.r1-rc, cc, len(colsNear)-1-cc)
	var ring []cell
	for k := 0; k <= maxRing; k++ {
		if k >= 2 {
			step := float64(k-1) * cellDeg * math.Pi / 180
			lb := step
			if step < math.Pi/2 {
				lb = min(lb, math.Asin(min(1, cφ*math.Sin(step))))
			}
			if lb*kmPerRad*(1-1e-12) > limit() {
				return
			}
		}
		ring = ring[:0]
		for r := rc - k; r <= rc+k; r++ {
			if r < s.r0 || r > s.r1 {
				continue
			}
			for ci := cc - k; ci <= cc+k; ci++ {
				if ci < 0 || ci >= len(colsNear) || (r != rc-k && r != rc+k && ci != cc-k && ci != cc+k) {
					continue
				}
				ring = append(ring, cell{r, ci, bound(r, ci)})
			}
		}
		slices.SortFunc(ring, func(p, q cell) int { return cmpFloat(p.b, q.b) })
		for _, cl := range ring {
			if cl.b > limit() {
				break
			}
			for d := dayLo; d <= dayHi; d++ {
				if i, ok := slices.BinarySearch(x.cells, x.key(d, cl.r, colsNear[cl.ci])); ok {
					x.fromLat(i, a.Lat, limit, fn)
				}
			}
		}
	}
}

// fromLat calls fn with the items of cell i, outward from latitude lat,
// while their latitude difference alone keeps them within limit().
func (x *index) fromLat(i int, lat float64, limit func() float64, fn func(p int32)) {
	lo, hi := int(x.start[i]), int(x.start[i+1])
	up, _ := slices.BinarySearch(x.lat[lo:hi], lat)
	up += lo
	down := up - 1
	const kmPerDeg = kmPerRad * math.Pi / 180
	for down >= lo || up < hi {
		l := limit() / kmPerDeg * (1 + 1e-12)
		dDown, dUp := math.Inf(1), math.Inf(1)
		if down >= lo {
			dDown = lat - x.lat[down]
		}
		if up < hi {
			dUp = x.lat[up] - lat
		}
		switch {
		case dDown <= dUp && dDown <= l:
			fn(x.pos[down])
			down--
		case dUp < dDown && dUp <= l:
			fn(x.pos[up])
			up++
		default:
			return
		}
	}
}

// lonGap is the smallest longitude difference in degrees between lon and
// any longitude in [lo, hi], across the antimeridian if shorter.
func lonGap(lon, lo, hi float64) float64 {
	norm := func(d float64) float64 {
		d = math.Mod(d, 360)
		if d < 0 {
			d += 360
		}
		return d
	}
	if norm(lon-lo) <= hi-lo {
		return 0
	}
	return min(norm(lo-lon), norm(lon-hi))
}

// radiusClasses split indexed items by radius, so that a query reaches
// only as far as the largest radius of each class requires: most reports
// are placed within a few kilometres, and one 50 km report must not make
// every query reach 50 km further.
var radiusClasses = []float64{5, 20}

// grid is an index per radius class.
type grid struct {
	parts []*index
}

func newGrid(items []Item, ps []int32) *grid {
	byClass := make([][]int32, len(radiusClasses)+1)
	for _, p := range ps {
		c := len(radiusClasses)
		for i, r := range radiusClasses {
			if items[p].RadiusKm <= r {
				c = i
				break
			}
		}
		byClass[c] = append(byClass[c], p)
	}
	g := &grid{}
	for _, b := range byClass {
		if len(b) > 0 {
			g.parts = append(g.parts, newIndex(items, b))
		}
	}
	return g
}

// candidates calls fn with every item that may be compatible with a: a
// superset, by place and by time (tolT is Rules.TimeTolerance in µs).
func (g *grid) candidates(a *Item, tolKm float64, tolT int64, fn func(p int32)) {
	for _, x := range g.parts {
		x.nearItems(a, a.RadiusKm+x.maxR+tolKm, dayOf(a.T0-tolT-x.maxSpan), dayOf(a.T1+tolT), fn)
	}
}

// nearestCandidates calls fn with the items that may be compatible with
// a, nearest cells first, skipping cells farther than limit().
func (g *grid) nearestCandidates(a *Item, tolKm float64, tolT int64, limit func() float64, fn func(p int32)) {
	for _, x := range g.parts {
		x.nearest(a, a.RadiusKm+x.maxR+tolKm, dayOf(a.T0-tolT-x.maxSpan), dayOf(a.T1+tolT), limit, fn)
	}
}
