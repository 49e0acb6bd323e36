package geo

import (
	"math"
	"slices"
)

// A grid indexes a region's segments in a regular lon/lat grid. Every cell
// knows whether a reference point (its centre) is inside the region, whether
// segments meet it, and how many whole cells separate it from the nearest
// cell with boundary segments. Most queries are answered from the cell
// alone; the rest look only at the segments of nearby cells.
//
// Boundaries mix resolutions (Natural Earth's kilometre-long edges meet
// geoBoundaries' hundred-metre ones along UA's border), so cells holding
// many segments are split again into a finer subgrid of m×m cells.
type grid struct {
	minX, minY float64 // south-west corner of cell (0, 0)
	dx, dy     float64 // cell size in degrees
	nx, ny     int
	maxX, maxY float64   // north-east corner of the last cell
	cosMax     float64   // cos of the largest |latitude| in the grid
	rowCos     []float64 // per row: cos of its largest |latitude| plus nearDeg

	// slow is the cell flag that means membership cannot be read from the
	// cell: cellParity for parity grids, cellDist for predicate grids.
	slow      uint8
	edges     []edge
	cells     []uint8  // cellIn | cellParity | cellDist | cellSub
	gap       []uint16 // whole cells between a cell and the nearest cell with boundary
	hop       []uint16 // Chebyshev distance in cells to a cell with boundary, ignoring the antimeridian
	gapKm     []float64
	fineGapKm [maxFine]float64

	// Segment lists of the cells that have any, row by row, sorted by column.
	rowOff  []int32 // row r's cells are listCol[rowOff[r]:rowOff[r+1]]
	listCol []int32
	listOff []int32 // listed cell i's edges are idx[listOff[i]:listOff[i+1]]
	listSub []int32 // listed cell i's subgrid, or -1
	idx     []int32

	m    int // fine cells per cell side
	subs []subgrid

	// levels[0] describes the cells, levels[k] blocks of 4^k×4^k cells, up
	// to a handful of blocks: searches for nearby boundary start with the
	// largest blocks and descend only into those that have boundary and
	// straddle the search radius.
	levels []level
	fine   level // fine cells, by global fine index
}

// A level of cells or blocks of cells of one size.
type level struct {
	nx, ny     int
	dx, dy     float64
	dist       []bool   // whether the block has boundary (nil for cells and fine cells)
	rowC, colC []sincos // centres
	radiusKm   float64  // bound on the distance from a centre to any point of its block
}

// A subgrid splits one crowded cell into m×m fine cells.
type subgrid struct {
	col, row int     // the cell it splits
	cells    []uint8 // m*m, row-major from the south-west
	gap      []uint8 // whole fine cells between a fine cell and the nearest boundary
	off      []int32 // fine cell i's edges are idx[off[i]:off[i+1]]
	idx      []int32
}

type sincos struct{ s, c float64 }

func sinCos(deg float64) sincos {
	s, c := math.Sincos(deg * rad)
	return sincos{s, c}
}

// Cell flags.
const (
	cellIn     uint8 = 1 << iota // the cell's centre is in the region
	cellParity                   // a parity segment meets the cell
	cellDist                     // a boundary segment meets the cell
	cellSub                      // the cell has a subgrid
)

const (
	maxCells  = 1 << 20
	gapMax    = math.MaxUint16
	cellEps   = 1e-9 // degrees by which segments are widened when assigned to cells
	crowded   = 24   // a cell with more segments gets a subgrid
	maxFine   = 16   // at most maxFine×maxFine fine cells per cell
	edgesWide = 8    // cells are about this many average segments wide
)

// newGrid indexes segs. With pred nil, membership is the even-odd rule over
// the parity segments. Otherwise pred decides membership, and segs must
// include every point where pred changes value (they may include more).
func newGrid(segs []seg, pred func(x, y float64) bool) *grid {
	g := &grid{slow: cellParity, m: 1}
	if pred != nil {
		g.slow = cellDist
	}
	var dense []seg
	for _, s := range segs {
		if s.x1 == s.x2 && s.y1 == s.y2 {
			continue
		}
		dense = densify(s, dense)
	}
	if len(dense) == 0 {
		return g
	}
	g.layout(dense)
	g.edges = make([]edge, len(dense))
	for i, s := range dense {
		g.edges[i] = newEdge(s)
	}
	g.fill()
	if pred == nil {
		g.parityStates()
	} else {
		g.floodStates(pred)
	}
	g.split(pred)
	g.gaps()
	g.pyramid()
	return g
}

// layout chooses the cell size from the mean segment length, and the fine
// cell size from the mean length of the shortest quarter of the segments.
func (g *grid) layout(segs []seg) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	lens := make([]float64, len(segs))
	var total float64
	for i, s := range segs {
		minX, maxX = min(minX, s.x1, s.x2), max(maxX, s.x1, s.x2)
		minY, maxY = min(minY, s.y1, s.y2), max(maxY, s.y1, s.y2)
		lens[i] = math.Hypot(s.x2-s.x1, s.y2-s.y1)
		total += lens[i]
	}
	slices.Sort(lens)
	var short float64
	for _, l := range lens[:(len(lens)+3)/4] {
		short += l
	}
	short /= float64((len(lens) + 3) / 4)

	// Wide regions get cells no coarser than about 2^18 to the box, so that
	// most points far from the boundary are answered by their cell.
	w, h := maxX-minX, maxY-minY
	size := min(edgesWide*total/float64(len(segs)), math.Sqrt(w*h/(1<<18)))
	size = min(max(size, 0.005), 2)
	c := max(math.Cos((minY+maxY)/2*rad), 0.25)
	dy, dx := size, size/c
	for (w/dx+2)*(h/dy+2) > maxCells {
		dx, dy = dx*1.25, dy*1.25
	}
	g.minX, g.minY, g.dx, g.dy = minX-cellEps, minY-cellEps, dx, dy
	g.nx = int((w+2*cellEps)/dx) + 1
	g.ny = int((h+2*cellEps)/dy) + 1
	g.maxX = g.minX + float64(g.nx)*dx
	g.maxY = g.minY + float64(g.ny)*dy
	g.cosMax = math.Cos(min(max(math.Abs(g.minY), math.Abs(g.maxY)), 90) * rad)
	g.m = clampInt(int(math.Round(dy/max(edgesWide*short, 0.002))), 1, maxFine)

	g.fine = g.newLevel(g.nx*g.m, g.ny*g.m, dx/float64(g.m), dy/float64(g.m))
	g.rowCos = make([]float64, g.ny)
	for r := range g.rowCos {
		y0, y1 := g.minY+float64(r)*dy, g.minY+float64(r+1)*dy
		g.rowCos[r] = math.Cos(min(max(math.Abs(y0), math.Abs(y1))+nearDeg, 90) * rad)
	}
}

func (g *grid) cx(col int) float64 { return g.minX + (float64(col)+0.5)*g.dx }
func (g *grid) cy(row int) float64 { return g.minY + (float64(row)+0.5)*g.dy }

// Fine cell centres, by global fine column and row.
func (g *grid) fcx(col int) float64 { return g.minX + (float64(col)+0.5)*g.dx/float64(g.m) }
func (g *grid) fcy(row int) float64 { return g.minY + (float64(row)+0.5)*g.dy/float64(g.m) }

// locate returns the cell holding (x, y).
func (g *grid) locate(x, y float64) (col, row int, ok bool) {
	if !(x >= g.minX && x < g.maxX && y >= g.minY && y < g.maxY) {
		return 0, 0, false
	}
	col, row = int((x-g.minX)/g.dx), int((y-g.minY)/g.dy)
	return min(col, g.nx-1), min(row, g.ny-1), true
}

// fineLocate returns the fine cell of sub holding (x, y), a point of its cell,
// as global fine column and row and index within sub.
func (g *grid) fineLocate(s *subgrid, x, y float64) (fc, fr, i int) {
	m := g.m
	fc = clampInt(int((x-g.minX)/g.dx*float64(m)), s.col*m, s.col*m+m-1)
	fr = clampInt(int((y-g.minY)/g.dy*float64(m)), s.row*m, s.row*m+m-1)
	return fc, fr, (fr-s.row*m)*m + fc - s.col*m
}

func clampInt(v, lo, hi int) int { return min(max(v, lo), hi) }

// colOf and rowOf map a coordinate to a (clamped) column or row, for k
// subdivisions per cell.
func (g *grid) colOf(x float64, k int) int {
	return clampInt(int(math.Floor((x-g.minX)/g.dx*float64(k))), 0, g.nx*k-1)
}

func (g *grid) rowOf(y float64, k int) int {
	return clampInt(int(math.Floor((y-g.minY)/g.dy*float64(k))), 0, g.ny*k-1)
}

// cover calls f with the column and row of every cell, at k subdivisions
// per cell and within the given bounds, that the segment may meet.
func (g *grid) cover(e *edge, k int, c0, r0, c1, r1 int, f func(col, row int)) {
	x1, y1, x2, y2 := e.x1, e.y1, e.x2, e.y2
	ra := max(g.rowOf(min(y1, y2)-cellEps, k), r0)
	rb := min(g.rowOf(max(y1, y2)+cellEps, k), r1)
	dy := g.dy / float64(k)
	for r := ra; r <= rb; r++ {
		xa, xb := min(x1, x2), max(x1, x2)
		if y1 != y2 && ra != rb {
			yb := g.minY + float64(r)*dy - cellEps
			yt := yb + dy + 2*cellEps
			ta := min(max((yb-y1)/(y2-y1), 0), 1)
			tb := min(max((yt-y1)/(y2-y1), 0), 1)
			xa, xb = x1+ta*(x2-x1), x1+tb*(x2-x1)
			if xa > xb {
				xa, xb = xb, xa
			}
		}
		ca, cb := max(g.colOf(xa-cellEps, k), c0), min(g.colOf(xb+cellEps, k), c1)
		for c := ca; c <= cb; c++ {
			f(c, r)
		}
	}
}

// fill assigns edges to cells.
func (g *grid) fill() {
	g.cells = make([]uint8, g.nx*g.ny)
	keys := make([]uint64, 0, 2*len(g.edges))
	for i := range g.edges {
		g.cover(&g.edges[i], 1, 0, 0, g.nx-1, g.ny-1, func(col, row int) {
			keys = append(keys, uint64(row*g.nx+col)<<32|uint64(i))
		})
	}
	slices.Sort(keys)
	g.rowOff = make([]int32, g.ny+1)
	g.idx = make([]int32, 0, len(keys))
	last := -1
	for _, k := range keys {
		cell, i := int(k>>32), int32(k&0xffffffff)
		if cell != last {
			last = cell
			g.listCol = append(g.listCol, int32(cell%g.nx))
			g.listOff = append(g.listOff, int32(len(g.idx)))
			g.rowOff[cell/g.nx+1]++
		}
		g.idx = append(g.idx, i)
		g.cells[cell] |= flagsOf(&g.edges[i])
	}
	g.listOff = append(g.listOff, int32(len(g.idx)))
	for r := range g.ny {
		g.rowOff[r+1] += g.rowOff[r]
	}
}

func flagsOf(e *edge) uint8 {
	var f uint8
	if e.flags&segParity != 0 {
		f |= cellParity
	}
	if e.flags&segDist != 0 {
		f |= cellDist
	}
	return f
}

// listed returns the index of a cell in the segment lists, or -1.
func (g *grid) listed(col, row int) int {
	lo, hi := int(g.rowOff[row]), int(g.rowOff[row+1])
	j, ok := slices.BinarySearch(g.listCol[lo:hi], int32(col))
	if !ok {
		return -1
	}
	return lo + j
}

func (g *grid) listEdges(j int) []int32 { return g.idx[g.listOff[j]:g.listOff[j+1]] }

// parityStates sets cellIn for every cell centre by casting a ray east along
// each row's centre line (even-odd rule, half-open in latitude).
func (g *grid) parityStates() {
	type cross struct {
		row int
		x   float64
	}
	var xs []cross
	for i := range g.edges {
		e := &g.edges[i]
		if e.flags&segParity == 0 || e.y1 == e.y2 {
			continue
		}
		r0 := clampInt(int(math.Floor((min(e.y1, e.y2)-g.minY)/g.dy-0.5)), 0, g.ny-1)
		r1 := clampInt(int(math.Ceil((max(e.y1, e.y2)-g.minY)/g.dy-0.5)), 0, g.ny-1)
		for r := r0; r <= r1; r++ {
			y := g.cy(r)
			if (e.y1 > y) != (e.y2 > y) {
				xs = append(xs, cross{r, crossX(e, y)})
			}
		}
	}
	slices.SortFunc(xs, func(a, b cross) int {
		if a.row != b.row {
			return a.row - b.row
		}
		if a.x < b.x {
			return -1
		}
		if a.x > b.x {
			return 1
		}
		return 0
	})
	for i := 0; i < len(xs); {
		j := i
		for j < len(xs) && xs[j].row == xs[i].row {
			j++
		}
		row, k := xs[i].row, i
		for c := range g.nx {
			cx := g.cx(c)
			for k < j && xs[k].x <= cx {
				k++
			}
			if (j-k)%2 == 1 {
				g.cells[row*g.nx+c] |= cellIn
			}
		}
		i = j
	}
}

// crossX is where e crosses the parallel y; e must straddle it.
func crossX(e *edge, y float64) float64 {
	return e.x1 + (y-e.y1)*(e.x2-e.x1)/(e.y2-e.y1)
}

// crossY is where e crosses the meridian x; e must straddle it.
func crossY(e *edge, x float64) float64 {
	return e.y1 + (x-e.x1)*(e.y2-e.y1)/(e.x2-e.x1)
}

// flips reports whether an odd number of the parity edges in idx cross the
// path from (x, y) along its parallel to (cx, y), then along that meridian
// to (cx, cy). The even-odd state of (x, y) is that of (cx, cy), flipped if
// so. Edges are counted as a ray cast east would count them.
func (g *grid) flips(idx []int32, x, y, cx, cy float64) bool {
	odd := false
	for _, i := range idx {
		e := &g.edges[i]
		if e.flags&segParity == 0 {
			continue
		}
		if (e.y1 > y) != (e.y2 > y) {
			if t := crossX(e, y); (x < t && t <= cx) || (cx < t && t <= x) {
				odd = !odd
			}
		}
		if (e.x1 > cx) != (e.x2 > cx) {
			if t := crossY(e, cx); (y < t && t <= cy) || (cy < t && t <= y) {
				odd = !odd
			}
		}
	}
	return odd
}

// flood sets cellIn on the cells (of a grid or subgrid, nx×ny) without
// boundary segments: such cells that touch share membership, so pred is
// asked once per connected group, at the centre given by at.
func flood(cells []uint8, nx, ny int, at func(i int) (x, y float64), pred func(x, y float64) bool) {
	seen := make([]bool, len(cells))
	var stack []int
	for start := range cells {
		if seen[start] || cells[start]&cellDist != 0 {
			continue
		}
		in := pred(at(start))
		seen[start] = true
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if in {
				cells[c] |= cellIn
			}
			col, row := c%nx, c/nx
			for k, n := range [4]int{c - 1, c + 1, c - nx, c + nx} {
				if (k == 0 && col == 0) || (k == 1 && col == nx-1) ||
					(k == 2 && row == 0) || (k == 3 && row == ny-1) {
					continue
				}
				if !seen[n] && cells[n]&cellDist == 0 {
					seen[n] = true
					stack = append(stack, n)
				}
			}
		}
	}
}

func (g *grid) floodStates(pred func(x, y float64) bool) {
	flood(g.cells, g.nx, g.ny, func(i int) (float64, float64) {
		return g.cx(i % g.nx), g.cy(i / g.nx)
	}, pred)
}

// split gives each crowded cell a subgrid.
func (g *grid) split(pred func(x, y float64) bool) {
	g.listSub = make([]int32, len(g.listCol))
	for j := range g.listSub {
		g.listSub[j] = -1
	}
	if g.m == 1 {
		return
	}
	m := g.m
	for row := range g.ny {
		for j := int(g.rowOff[row]); j < int(g.rowOff[row+1]); j++ {
			idx := g.listEdges(j)
			if len(idx) <= crowded {
				continue
			}
			col := int(g.listCol[j])
			s := subgrid{col: col, row: row, cells: make([]uint8, m*m)}
			var keys []uint64
			for _, i := range idx {
				g.cover(&g.edges[i], m, col*m, row*m, col*m+m-1, row*m+m-1, func(fc, fr int) {
					keys = append(keys, uint64((fr-row*m)*m+fc-col*m)<<32|uint64(i))
				})
			}
			slices.Sort(keys)
			s.off = make([]int32, m*m+1)
			s.idx = make([]int32, len(keys))
			for k, key := range keys {
				c, i := int(key>>32), int32(key&0xffffffff)
				s.off[c+1]++
				s.idx[k] = i
				s.cells[c] |= flagsOf(&g.edges[i])
			}
			for c := range m * m {
				s.off[c+1] += s.off[c]
			}
			if pred == nil {
				in := g.cells[row*g.nx+col]&cellIn != 0
				cx, cy := g.cx(col), g.cy(row)
				for c := range m * m {
					fx, fy := g.fcx(col*m+c%m), g.fcy(row*m+c/m)
					if in != g.flips(idx, fx, fy, cx, cy) {
						s.cells[c] |= cellIn
					}
				}
			} else {
				flood(s.cells, m, m, func(c int) (float64, float64) {
					return g.fcx(col*m + c%m), g.fcy(row*m + c/m)
				}, pred)
			}
			g.cells[row*g.nx+col] |= cellSub
			g.listSub[j] = int32(len(g.subs))
			g.subs = append(g.subs, s)
		}
	}
}

// parityAt applies the even-odd rule at (x, y) in cell (col, row), starting
// from the state of the centre of its cell or fine cell.
func (g *grid) parityAt(x, y float64, col, row int) bool {
	i := row*g.nx + col
	if g.cells[i]&cellSub != 0 {
		s := &g.subs[g.listSub[g.listed(col, row)]]
		fc, fr, k := g.fineLocate(s, x, y)
		f := s.cells[k]
		if f&cellParity == 0 {
			return f&cellIn != 0
		}
		return (f&cellIn != 0) != g.flips(s.idx[s.off[k]:s.off[k+1]], x, y, g.fcx(fc), g.fcy(fr))
	}
	return (g.cells[i]&cellIn != 0) != g.flips(g.listEdges(g.listed(col, row)), x, y, g.cx(col), g.cy(row))
}

// subState returns, for a point of a cell with a subgrid, the flags of its
// fine cell.
func (g *grid) subState(x, y float64, col, row int) uint8 {
	s := &g.subs[g.listSub[g.listed(col, row)]]
	_, _, k := g.fineLocate(s, x, y)
	return s.cells[k]
}
