package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// assemble chains boundary segments into closed rings and nests them into
// polygons (a ring inside an even number of others is an outer ring, inside
// an odd number a hole). It is for display: segments whose ends do not meet
// up are dropped.
func assemble(segs []seg) orb.MultiPolygon {
	type key [2]int64
	k := func(x, y float64) key {
		return key{int64(math.Round(x * 1e9)), int64(math.Round(y * 1e9))}
	}
	at := make(map[key][]int, 2*len(segs))
	for i, s := range segs {
		if s.flags&segDist == 0 {
			continue
		}
		at[k(s.x1, s.y1)] = append(at[k(s.x1, s.y1)], i)
		at[k(s.x2, s.y2)] = append(at[k(s.x2, s.y2)], i)
	}
	used := make([]bool, len(segs))
	var rings []orb.Ring
	for i, s := range segs {
		if used[i] || s.flags&segDist == 0 {
			continue
		}
		used[i] = true
		start := k(s.x1, s.y1)
		r := orb.Ring{{s.x1, s.y1}, {s.x2, s.y2}}
		cur := k(s.x2, s.y2)
		for cur != start {
			next := -1
			for _, j := range at[cur] {
				if !used[j] {
					next = j
					break
				}
			}
			if next < 0 {
				r = nil
				break
			}
			used[next] = true
			n := segs[next]
			if k(n.x1, n.y1) == cur {
				r = append(r, orb.Point{n.x2, n.y2})
				cur = k(n.x2, n.y2)
			} else {
				r = append(r, orb.Point{n.x1, n.y1})
				cur = k(n.x1, n.y1)
			}
		}
		if len(r) >= 4 {
			r[len(r)-1] = r[0]
			rings = append(rings, r)
		}
	}
	return nest(rings)
}

// nest groups rings into polygons by containment.
func nest(rings []orb.Ring) orb.MultiPolygon {
	bounds := make([]orb.Bound, len(rings))
	for i, r := range rings {
		bounds[i] = r.Bound()
	}
	depth := make([]int, len(rings))
	parent := make([]int, len(rings))
	for i, r := range rings {
		parent[i] = -1
		for j, o := range rings {
			if i == j || !bounds[j].Contains(r[0]) || !ringContains(o, r[0]) {
				continue
			}
			depth[i]++
			// The innermost container has the smallest box.
			if p := parent[i]; p < 0 || area(bounds[j]) < area(bounds[p]) {
				parent[i] = j
			}
		}
	}
	var mp orb.MultiPolygon
	index := make([]int, len(rings))
	order := make([]int, len(rings))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return depth[a] - depth[b] })
	for _, i := range order {
		if depth[i]%2 == 0 {
			index[i] = len(mp)
			mp = append(mp, orb.Polygon{rings[i]})
		} else if p := parent[i]; p >= 0 && depth[p]%2 == 0 {
			mp[index[p]] = append(mp[index[p]], rings[i])
		}
	}
	return mp
}

func area(b orb.Bound) float64 { return (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]) }

// ringContains is the even-odd rule for one ring.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if (a[1] > p[1]) != (b[1] > p[1]) &&
			p[0] < a[0]+(p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
			in = !in
		}
	}
	return in
}

// toOrb converts polygons to an orb multipolygon.
func toOrb(polys []polygon) orb.MultiPolygon {
	mp := make(orb.MultiPolygon, 0, len(polys))
	for _, p := range polys {
		op := make(orb.Polygon, 0, len(p))
		for _, r := range p {
			or := make(orb.Ring, len(r.pts))
			for i, q := range r.pts {
				or[i] = orb.Point{q.x, q.y}
			}
			op = append(op, or)
		}
		mp = append(mp, op)
	}
	return mp
}
