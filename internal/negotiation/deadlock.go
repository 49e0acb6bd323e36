// Package negotiation analyses the negotiation track: the graph of current
// preconditions ("P will do X only if Y happens first"), the cycles in it
// that deadlock talks, and the conditions whose dropping would unblock them.
// It is pure: it takes preconditions and returns an analysis.
package negotiation

import (
	"slices"
	"sort"

	"github.com/truce-monitor/truce"
)

// Cycle is one mutual-precondition deadlock: conditions that each wait,
// directly or through others, on themselves. Nodes[i] requires Nodes[i+1],
// and the last requires the first; Edges[i] is the precondition that says so.
type Cycle struct {
	Nodes []string             `json:"nodes"`
	Edges []truce.Precondition `json:"preconditions"`
}

// Deadlock is a strongly connected group of conditions, with every cycle
// in it and the smallest sets of preconditions whose dropping breaks them all.
type Deadlock struct {
	Nodes  []string `json:"nodes"`
	Cycles []Cycle  `json:"cycles"`
	// Truncated is set when the group has more than maxCycles cycles:
	// Cycles then holds the first maxCycles found, and Unblocking is
	// computed from those only.
	Truncated bool `json:"truncated,omitempty"`
	// Unblocking lists the minimum-size sets of precondition IDs that, if
	// dropped, leave no cycle in this group. A set of one is a single
	// condition that unblocks the whole deadlock.
	Unblocking [][]int64 `json:"unblocking"`
}

// Analysis is the result of Analyse.
type Analysis struct {
	Active    int        `json:"active_preconditions"` // neither met nor withdrawn
	Deadlocks []Deadlock `json:"deadlocks"`
}

// maxHittingSetSize bounds the search for unblocking sets; negotiation
// graphs are small, and past this size a list of sets stops being useful.
const maxHittingSetSize = 4

// maxCycles bounds the cycles listed per deadlock, and maxSubsets the
// candidate sets tried per size: a dense graph has exponentially many
// cycles, and the graph is computed on every public request.
const (
	maxCycles  = 500
	maxSubsets = 200_000
	maxSteps   = 1_000_000 // nodes visited while enumerating one component's cycles
)

// Analyse builds the graph of active preconditions (met and withdrawn ones
// drop out), finds every elementary cycle, groups them by strongly
// connected component, and finds each group's minimum unblocking sets.
// Preconditions are identified by ID, which must be unique.
func Analyse(pre []truce.Precondition) Analysis {
	g := newGraph(pre)
	var out Analysis
	out.Active = len(g.edges)
	for _, comp := range g.components() {
		cycles, truncated := g.cycles(comp)
		if len(cycles) == 0 {
			continue
		}
		out.Deadlocks = append(out.Deadlocks, Deadlock{
			Nodes:      comp,
			Cycles:     cycles,
			Truncated:  truncated,
			Unblocking: minimumHittingSets(cycles),
		})
	}
	return out
}

type graph struct {
	nodes []string             // sorted
	out   map[string][]edgeRef // node → outgoing edges, sorted by target then ID
	edges []truce.Precondition // active edges
}

type edgeRef struct {
	to  string
	pre int // index into graph.edges
}

func newGraph(pre []truce.Precondition) *graph {
	g := &graph{out: map[string][]edgeRef{}}
	seen := map[string]bool{}
	for _, p := range pre {
		if p.Met || p.Withdrawn {
			continue
		}
		from, to := p.Action.Key(), p.Requires.Key()
		g.edges = append(g.edges, p)
		g.out[from] = append(g.out[from], edgeRef{to: to, pre: len(g.edges) - 1})
		for _, n := range []string{from, to} {
			if !seen[n] {
				seen[n] = true
				g.nodes = append(g.nodes, n)
			}
		}
	}
	sort.Strings(g.nodes)
	for n, refs := range g.out {
		sort.Slice(refs, func(i, j int) bool {
			if refs[i].to != refs[j].to {
				return refs[i].to < refs[j].to
			}
			return g.edges[refs[i].pre].ID < g.edges[refs[j].pre].ID
		})
		g.out[n] = refs
	}
	return g
}

// components returns the strongly connected components with more than one
// node, or with a self-loop, in a deterministic order (Tarjan's algorithm).
func (g *graph) components() [][]string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var comps [][]string
	next := 0
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, e := range g.out[v] {
			if _, ok := index[e.to]; !ok {
				visit(e.to)
				low[v] = min(low[v], low[e.to])
			} else if onStack[e.to] {
				low[v] = min(low[v], index[e.to])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 || g.hasSelfLoop(v) {
			sort.Strings(comp)
			comps = append(comps, comp)
		}
	}
	for _, v := range g.nodes {
		if _, ok := index[v]; !ok {
			visit(v)
		}
	}
	sort.Slice(comps, func(i, j int) bool { return comps[i][0] < comps[j][0] })
	return comps
}

func (g *graph) hasSelfLoop(v string) bool {
	for _, e := range g.out[v] {
		if e.to == v {
			return true
		}
	}
	return false
}

// cycles enumerates the elementary cycles within one component, shortest
// first, each starting at its smallest precondition ID. Each cycle is found
// once, from its smallest node; parallel preconditions between the
// same two conditions give distinct cycles, since dropping one of them does
// not unblock the other. It stops after maxCycles and says so.
func (g *graph) cycles(comp []string) ([]Cycle, bool) {
	in := map[string]bool{}
	for _, n := range comp {
		in[n] = true
	}
	var out []Cycle
	truncated, steps := false, 0
	for _, start := range comp {
		var nodes []string
		var edges []int
		onPath := map[string]bool{}
		var walk func(v string)
		walk = func(v string) {
			if steps++; steps > maxSteps {
				truncated = true
			}
			if truncated {
				return
			}
			nodes = append(nodes, v)
			onPath[v] = true
			for _, e := range g.out[v] {
				switch {
				case !in[e.to] || e.to < start:
					// Outside the component, or a cycle already found from a smaller start.
				case e.to == start:
					if len(out) == maxCycles {
						truncated = true
						continue
					}
					c := Cycle{Nodes: slices.Clone(nodes)}
					for _, i := range append(slices.Clone(edges), e.pre) {
						c.Edges = append(c.Edges, g.edges[i])
					}
					out = append(out, c)
				case !onPath[e.to]:
					edges = append(edges, e.pre)
					walk(e.to)
					edges = edges[:len(edges)-1]
				}
			}
			onPath[v] = false
			nodes = nodes[:len(nodes)-1]
		}
		walk(start)
	}
	for i := range out {
		out[i] = rotateToSmallestEdge(out[i])
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Edges, out[j].Edges
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		for k := range a {
			if a[k].ID != b[k].ID {
				return a[k].ID < b[k].ID
			}
		}
		return false
	})
	return out, truncated
}

// rotateToSmallestEdge starts a cycle at its precondition with the
// smallest ID, so the same cycle always reads the same way.
func rotateToSmallestEdge(c Cycle) Cycle {
	k := 0
	for i, e := range c.Edges {
		if e.ID < c.Edges[k].ID {
			k = i
		}
	}
	return Cycle{
		Nodes: append(slices.Clone(c.Nodes[k:]), c.Nodes[:k]...),
		Edges: append(slices.Clone(c.Edges[k:]), c.Edges[:k]...),
	}
}

// minimumHittingSets returns every smallest set of precondition IDs that
// contains at least one edge of every cycle, up to maxHittingSetSize.
func minimumHittingSets(cycles []Cycle) [][]int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, c := range cycles {
		for _, e := range c.Edges {
			if !seen[e.ID] {
				seen[e.ID] = true
				ids = append(ids, e.ID)
			}
		}
	}
	slices.Sort(ids)
	hits := func(set []int64) bool {
		for _, c := range cycles {
			hit := false
			for _, e := range c.Edges {
				if slices.Contains(set, e.ID) {
					hit = true
					break
				}
			}
			if !hit {
				return false
			}
		}
		return true
	}
	for size := 1; size <= maxHittingSetSize && size <= len(ids) && binomial(len(ids), size) <= maxSubsets; size++ {
		var found [][]int64
		forEachSubset(ids, size, func(set []int64) {
			if hits(set) {
				found = append(found, slices.Clone(set))
			}
		})
		if len(found) > 0 {
			return found
		}
	}
	return nil
}

// forEachSubset calls fn with every size-k subset of ids, in lexicographic order.
func forEachSubset(ids []int64, k int, fn func([]int64)) {
	set := make([]int64, 0, k)
	var rec func(from int)
	rec = func(from int) {
		if len(set) == k {
			fn(set)
			return
		}
		for i := from; i <= len(ids)-(k-len(set)); i++ {
			set = append(set, ids[i])
			rec(i + 1)
			set = set[:len(set)-1]
		}
	}
	rec(0)
}

// binomial returns n choose k, saturating past maxSubsets.
func binomial(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
		if r > maxSubsets {
			return maxSubsets + 1
		}
	}
	return r
}
