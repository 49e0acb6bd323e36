package incident

// Affected returns the existing reports that adding fresh ones can move:
// precise reports compatible with a fresh precise report (their incidents
// merge with it) and attaching reports compatible with a fresh precise
// report (it may be a better place for them). Grouping the incidents of
// these reports together with the fresh ones, with every other precise
// report passed as Fixed, gives what grouping everything again would:
// nothing else can change, because fresh reports only add links, and a
// component only grows when links are added.
func (g *Grouper) Affected(fresh, existing []Item, c *Constraints) []int64 {
	var fps []int32
	for i := range fresh {
		if g.bridging(&fresh[i], c) {
			fps = append(fps, int32(i))
		}
	}
	if len(fps) == 0 {
		return nil
	}
	x := newGrid(fresh, fps)
	tol, tolT := g.rules.PlaceToleranceKm, g.rules.TimeTolerance.Microseconds()
	hit := make([]bool, len(existing))
	parallel(len(existing), func(i int) {
		e := &existing[i]
		if !e.placed || (c.Linked(e.ID) && !g.bridging(e, c)) {
			return // placed by a merge alone: neither links nor attaches
		}
		x.candidates(e, tol, tolT, func(q int32) {
			if !hit[i] {
				_, hit[i] = g.Compatible(e, &fresh[q])
			}
		})
	})
	var out []int64
	for i, h := range hit {
		if h {
			out = append(out, existing[i].ID)
		}
	}
	return out
}
