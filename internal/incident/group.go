package incident

import (
	"math"
	"runtime"
	"slices"
	"sync"
)

// Fixed is a report outside the reports being grouped, with the incident
// it is in: a precise report that reports being grouped may attach to, or
// a report that a split keeps one of them apart from. Grouping a part of
// the record (GroupNew, a split, a merge) passes the rest this way.
type Fixed struct {
	Item     Item
	Incident int64
}

// Group is one outcome of a grouping: reports that form an incident, or,
// with Incident set, reports that attach to that existing incident outside
// the reports grouped.
type Group struct {
	Members  []int64 // report ids, ascending
	Incident int64
}

// Group partitions items into incidents. Incidents are defined, not built
// up, so that the outcome cannot depend on the order reports arrive in:
//
//  1. The core: precise reports that no split holds back link whenever
//     they are compatible; incidents are the connected components of that
//     symmetric relation (union-find over a space-time grid, so the work
//     is O(n log n) for reports spread in space and time).
//  2. A monitor's merge joins the components of the reports it keeps
//     together.
//  3. Every other report (imprecise, or split off) attaches to the
//     component of its best compatible precise report: the nearest, then
//     the closest in time, then by the reports' own names, skipping
//     components that hold a report a split keeps it apart from. It joins
//     that one incident and links nothing: two incidents it is compatible
//     with stay two. With no such report it is an incident of its own.
//
// fixed lists the precise reports outside items that items may attach to,
// and the reports outside items that splits refer to; the caller includes
// whole incidents in items, so that step 1 and 2 see every link. Groups
// come by their smallest member.
func (g *Grouper) Group(items []Item, fixed []Fixed, c *Constraints) []Group {
	items = localOrder(items)
	n := len(items)
	tol, tolT := g.rules.PlaceToleranceKm, g.rules.TimeTolerance.Microseconds()

	bridging := make([]bool, n)
	var bps []int32
	for i := range items {
		if g.bridging(&items[i], c) {
			bridging[i] = true
			bps = append(bps, int32(i))
		}
	}
	x := newGrid(items, bps)
	uf := newUnionFind(n)

	// 1. Each pair is found from the report that starts on the earlier
	// day (or from both, on one day): the query looks forward only. Once
	// every report of a cell is in one component, a report of that
	// component skips the cell: components only grow.
	unified := make([][]int32, len(x.parts))
	for i, xi := range x.parts {
		unified[i] = make([]int32, len(xi.cells))
		for c := range unified[i] {
			unified[i][c] = -1
		}
	}
	for _, xi := range x.parts {
		for _, p := range xi.pos {
			a := &items[p]
			for j, xj := range x.parts {
				u := unified[j]
				xj.near(a, a.RadiusKm+xj.maxR+tol, dayOf(a.T0), dayOf(a.T1+tolT), func(c int) bool {
					if u[c] >= 0 && uf.find(u[c]) == uf.find(p) {
						return true
					}
					same := true
					for _, q := range xj.cellItems(c) {
						if q != p && uf.find(q) != uf.find(p) {
							if _, ok := g.Compatible(a, &items[q]); ok {
								uf.union(p, q)
							} else {
								same = false
							}
						}
					}
					if same {
						u[c] = p
					}
					return true
				})
			}
		}
	}

	// 2. Merges.
	posOf := referenced(items, c)
	for _, d := range c.merges() {
		first := int32(-1)
		for _, id := range d.Reports {
			p, ok := posOf[id]
			switch {
			case !ok:
			case first < 0:
				first = p
			default:
				uf.union(first, p)
			}
		}
	}

	// 3. Attachments, decided against the components of steps 1 and 2
	// alone, so that they do not depend on one another.
	root := make([]int32, n)
	for i := range root {
		root[i] = uf.find(int32(i))
	}
	var attaching []int32
	for i := range items {
		if !bridging[i] && !c.Linked(items[i].ID) && items[i].placed {
			attaching = append(attaching, int32(i))
		}
	}
	fixedItems := make([]Item, len(fixed))
	var fps []int32
	fixedCore := map[int64]int64{} // report → incident, for the cores splits refer to
	for i, f := range fixed {
		fixedItems[i] = f.Item
		if g.bridging(&fixedItems[i], c) {
			fps = append(fps, int32(i))
		}
		if g.Core(&fixedItems[i], c) {
			fixedCore[f.Item.ID] = f.Incident
		}
	}
	fx := newGrid(fixedItems, fps)
	// A component is a root (>= 0) inside, or minus an incident outside.
	target := make([]int64, len(attaching))
	parallel(len(attaching), func(k int) {
		a := &items[attaching[k]]
		var forbidden []int64
		for _, id := range c.Partners(a.ID) {
			if p, ok := posOf[id]; ok && (bridging[p] || c.Linked(id)) {
				forbidden = append(forbidden, int64(root[p]))
			} else if inc, ok := fixedCore[id]; ok {
				forbidden = append(forbidden, -inc)
			}
		}
		best, found := Link{}, false
		var bestItem *Item
		var bestComp int64
		consider := func(b *Item, comp int64) {
			l, ok := g.Compatible(a, b)
			if !ok || (found && !better(l, b, best, bestItem)) || slices.Contains(forbidden, comp) {
				return
			}
			best, bestItem, bestComp, found = l, b, comp, true
		}
		limit := func() float64 {
			if !found {
				return math.Inf(1)
			}
			return best.DistanceKm
		}
		x.nearestCandidates(a, tol, tolT, limit, func(q int32) { consider(&items[q], int64(root[q])) })
		fx.nearestCandidates(a, tol, tolT, limit, func(q int32) { consider(&fixedItems[q], -fixed[q].Incident) })
		target[k] = int64(attaching[k]) // alone: its own root
		if found {
			target[k] = bestComp
		}
	})
	outside := map[int64][]int64{}
	final := make([]int32, n)
	copy(final, root)
	for k, p := range attaching {
		switch t := target[k]; {
		case t < 0:
			outside[-t] = append(outside[-t], items[p].ID)
			final[p] = -1
		default:
			final[p] = int32(t)
		}
	}

	// The groups, by counting sort on the root.
	count := make([]int32, n+1)
	for _, r := range final {
		if r >= 0 {
			count[r+1]++
		}
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	ids := make([]int64, count[n])
	next := slices.Clone(count[:n])
	for i, r := range final {
		if r >= 0 {
			ids[next[r]] = items[i].ID
			next[r]++
		}
	}
	var groups []Group
	for r := range n {
		if m := ids[count[r]:count[r+1]]; len(m) > 0 {
			slices.Sort(m)
			groups = append(groups, Group{Members: m})
		}
	}
	for inc, m := range outside {
		slices.Sort(m)
		groups = append(groups, Group{Members: m, Incident: inc})
	}
	slices.SortFunc(groups, func(a, b Group) int { return cmpInt(a.Members[0], b.Members[0]) })
	return groups
}

// localOrder returns a copy of items in the order of the grid (day,
// cell, latitude), so that the reports a query visits lie together in
// memory: at a million reports, memory, not arithmetic, is the cost.
func localOrder(items []Item) []Item {
	type kp struct {
		k   uint64
		lat float64
		i   int32
	}
	var x index
	for i := range items {
		x.day0 = min(x.day0, dayOf(items[i].T0))
	}
	kps := make([]kp, len(items))
	for i := range items {
		it := &items[i]
		kps[i] = kp{x.key(dayOf(it.T0), rowOf(it.Lat), colOf(it.Lon)), it.Lat, int32(i)}
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
		return int(a.i - b.i)
	})
	out := make([]Item, len(items))
	for j, e := range kps {
		out[j] = items[e.i]
	}
	return out
}

// referenced maps the reports that decisions name to their positions in
// items.
func referenced(items []Item, c *Constraints) map[int64]int32 {
	if c == nil || len(c.decisions) == 0 {
		return nil
	}
	want := map[int64]bool{}
	for _, d := range c.decisions {
		want[d.Report] = true
		for _, id := range d.Reports {
			want[id] = true
		}
	}
	pos := map[int64]int32{}
	for i := range items {
		if want[items[i].ID] {
			pos[items[i].ID] = int32(i)
		}
	}
	return pos
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parallel calls fn(i) for i in [0, n), spread over the CPUs when n is
// large enough to be worth it. fn must only read shared state.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/512)
	if workers < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	per := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				fn(i)
			}
		})
	}
	wg.Wait()
}
