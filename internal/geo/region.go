package geo

// A region is a set of points on the sphere: the parity region of its grid's
// segments, or, when pred is set, the points where pred holds (the grid's
// boundary segments then enclose every change of pred).
type region struct {
	g    *grid
	pred func(x, y float64) bool
}

func newParityRegion(segs []seg) *region { return &region{g: newGrid(segs, nil)} }

func newPredRegion(segs []seg, pred func(x, y float64) bool) *region {
	return &region{g: newGrid(segs, pred), pred: pred}
}

// contains reports whether the point (lon x, lat y) is in the region. Points
// exactly on the boundary may go either way.
func (r *region) contains(x, y float64) bool {
	col, row, ok := r.g.locate(x, y)
	return ok && r.at(x, y, col, row)
}

// at is contains for a point known to lie in cell (col, row).
func (r *region) at(x, y float64, col, row int) bool {
	g := r.g
	f := g.cells[row*g.nx+col]
	if f&g.slow == 0 {
		return f&cellIn != 0
	}
	if r.pred == nil {
		return g.parityAt(x, y, col, row)
	}
	if f&cellSub != 0 {
		if ff := g.subState(x, y, col, row); ff&cellDist == 0 {
			return ff&cellIn != 0
		}
	}
	return r.pred(x, y)
}

// disk relates the disk of radius rkm around (lat, lon) to the region. The
// disk is inside when its centre is inside and no boundary point is closer
// than rkm; outside when its centre is outside and every boundary point is
// farther than rkm.
func (r *region) disk(lat, lon, rkm float64) Relation {
	g := r.g
	if len(g.edges) == 0 {
		return Outside
	}
	if !(rkm > 0) {
		return relation(r.contains(lon, lat))
	}
	var in bool
	if col, row, ok := g.locate(lon, lat); ok {
		i := row*g.nx + col
		f := g.cells[i]
		// In a boundary cell, membership can cost a point-in-polygon test:
		// skip it when the disk crosses the boundary anyway.
		if f&cellDist != 0 && g.boundaryWithin(i, lat, rkm) {
			return Crossing
		}
		lb := -1.0 // lower bound on the distance to the boundary
		switch {
		case f&cellDist == 0:
			in = r.at(lon, lat, col, row)
			lb = g.gapLowerKm(i, row)
		case f&cellSub != 0:
			s := &g.subs[g.listSub[g.listed(col, row)]]
			fc, fr, k := g.fineLocate(s, lon, lat)
			ff := s.cells[k]
			switch {
			case ff&g.slow == 0:
				in = ff&cellIn != 0
			case r.pred != nil:
				in = r.pred(lon, lat)
			default:
				in = (ff&cellIn != 0) != g.flips(s.idx[s.off[k]:s.off[k+1]], lon, lat, g.fcx(fc), g.fcy(fr))
			}
			if ff&cellDist == 0 {
				lb = g.nearSpanKm(float64(s.gap[k]), g.fine.dx, g.fine.dy, row)
			}
		default:
			in = r.at(lon, lat, col, row)
		}
		if lb > rkm || (in && lb == rkm) {
			return relation(in)
		}
		// Boundary certainly closer than the radius: the disk crosses it
		// whichever side the centre is on, without searching for it.
		if f&cellDist == 0 && g.boundaryWithin(i, lat, rkm) {
			return Crossing
		}
	} else if g.boxBeyond(lat, lon, rkm) {
		return Outside
	}
	if g.anyNear(lat, lon, rkm, in) {
		return Crossing
	}
	return relation(in)
}

func relation(in bool) Relation {
	if in {
		return Inside
	}
	return Outside
}
