package negotiation

import (
	"sort"

	"github.com/truce-monitor/truce"
)

// Graph is the precondition graph as drawn: every condition a precondition
// names, every precondition (active or not), and the analysis of the
// active ones. InCycle marks what lies on some deadlock cycle.
type Graph struct {
	At    string      `json:"at,omitempty"` // the date it is drawn for; "" for now
	Nodes []GraphNode `json:"nodes"`
	Edges []GraphEdge `json:"edges"`
	Analysis
}

// GraphNode is one condition.
type GraphNode struct {
	Key       string          `json:"key"`
	Condition truce.Condition `json:"condition"`
	InCycle   bool            `json:"in_cycle"`
}

// GraphEdge is one precondition, from the action to what it requires.
// Active is false once it was met or withdrawn (by the date drawn for).
type GraphEdge struct {
	From         string             `json:"from"`
	To           string             `json:"to"`
	Precondition truce.Precondition `json:"precondition"`
	Active       bool               `json:"active"`
	InCycle      bool               `json:"in_cycle"`
}

// BuildGraph draws pre as the graph stood on the date at (YYYY-MM-DD), or
// as it stands now if at is "". On a past date, preconditions not yet
// stated are left out, and those met or withdrawn later count as active.
func BuildGraph(pre []truce.Precondition, at string) Graph {
	var shown []truce.Precondition
	active := map[int64]bool{}
	for _, p := range pre {
		if at != "" && p.Since != "" && p.Since > at {
			continue
		}
		shown = append(shown, p)
		if at == "" && !p.Met && !p.Withdrawn || at != "" && p.ActiveOn(at) {
			active[p.ID] = true
		}
	}
	var input []truce.Precondition
	for _, p := range shown {
		if active[p.ID] {
			q := p
			q.Met, q.Withdrawn = false, false // active on the date drawn for
			input = append(input, q)
		}
	}
	g := Graph{At: at, Analysis: Analyse(input), Nodes: []GraphNode{}, Edges: []GraphEdge{}}
	onCycle, nodeOnCycle := map[int64]bool{}, map[string]bool{}
	for _, d := range g.Deadlocks {
		for _, c := range d.Cycles {
			for _, e := range c.Edges {
				onCycle[e.ID] = true
			}
			for _, n := range c.Nodes {
				nodeOnCycle[n] = true
			}
		}
	}
	// The analysis reports preconditions as they were on the date; give
	// back the stored ones, so a client sees their current state.
	byID := map[int64]truce.Precondition{}
	for _, p := range shown {
		byID[p.ID] = p
	}
	for i := range g.Deadlocks {
		for j := range g.Deadlocks[i].Cycles {
			for k, e := range g.Deadlocks[i].Cycles[j].Edges {
				g.Deadlocks[i].Cycles[j].Edges[k] = byID[e.ID]
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range shown {
		for _, c := range []truce.Condition{p.Action, p.Requires} {
			if !seen[c.Key()] {
				seen[c.Key()] = true
				g.Nodes = append(g.Nodes, GraphNode{Key: c.Key(), Condition: c, InCycle: nodeOnCycle[c.Key()]})
			}
		}
		g.Edges = append(g.Edges, GraphEdge{From: p.Action.Key(), To: p.Requires.Key(), Precondition: p,
			Active: active[p.ID], InCycle: onCycle[p.ID]})
	}
	sort.Slice(g.Nodes, func(i, j int) bool { return g.Nodes[i].Key < g.Nodes[j].Key })
	return g
}
