package negotiation

import (
	"reflect"
	"testing"

	"github.com/truce-monitor/truce"
)

// The demo's deadlock: Ukraine talks only after the ceasefire (1, from 10
// May), Russia lets the ceasefire take effect only after talks (2, from
// 11 May); Ukraine dropped its condition on 16 May (went to Istanbul
// without a ceasefire), and Russia's June 2024 condition (3: talks only
// after Ukraine leaves NATO) was withdrawn on 11 May.
func demoPreconditions() []truce.Precondition {
	talks, cf, nato, ruTalks := act("UA", "direct_talks"), agr("ceasefire-30"), act("UA", "nato"), act("RU", "direct_talks")
	p1 := pre(1, talks, cf)
	p1.Since, p1.Withdrawn, p1.Until = "2025-05-10", true, "2025-05-16"
	p2 := pre(2, cf, talks)
	p2.Party, p2.Since = "RU", "2025-05-11"
	p3 := pre(3, ruTalks, nato)
	p3.Since, p3.Withdrawn, p3.Until = "2024-06-14", true, "2025-05-11"
	return []truce.Precondition{p1, p2, p3}
}

func TestBuildGraph(t *testing.T) {
	tests := []struct {
		at         string
		wantEdges  []int64 // shown
		wantActive []int64
		wantCycle  []int64 // edges on a cycle
		wantUnblk  [][]int64
	}{
		// Now: Ukraine withdrew, so nothing is deadlocked.
		{at: "", wantEdges: []int64{1, 2, 3}, wantActive: []int64{2}},
		// 11 May 2025: both conditions stand, each waiting on the other;
		// dropping either one unblocks. Russia's 2024 condition ended that day.
		{at: "2025-05-11", wantEdges: []int64{1, 2, 3}, wantActive: []int64{1, 2}, wantCycle: []int64{1, 2}, wantUnblk: [][]int64{{1}, {2}}},
		// 10 May 2025: Russia had not yet stated its condition.
		{at: "2025-05-10", wantEdges: []int64{1, 3}, wantActive: []int64{1, 3}},
		// 2023: nothing stated yet.
		{at: "2023-01-01"},
	}
	for _, tt := range tests {
		t.Run("at "+tt.at, func(t *testing.T) {
			g := BuildGraph(demoPreconditions(), tt.at)
			var edges, active, cycle []int64
			for _, e := range g.Edges {
				edges = append(edges, e.Precondition.ID)
				if e.Active {
					active = append(active, e.Precondition.ID)
				}
				if e.InCycle {
					cycle = append(cycle, e.Precondition.ID)
				}
				if e.From != e.Precondition.Action.Key() || e.To != e.Precondition.Requires.Key() {
					t.Errorf("edge %d drawn %s → %s", e.Precondition.ID, e.From, e.To)
				}
			}
			if !reflect.DeepEqual(edges, tt.wantEdges) || !reflect.DeepEqual(active, tt.wantActive) || !reflect.DeepEqual(cycle, tt.wantCycle) {
				t.Errorf("edges %v active %v on cycle %v; want %v, %v, %v", edges, active, cycle, tt.wantEdges, tt.wantActive, tt.wantCycle)
			}
			var unblk [][]int64
			for _, d := range g.Deadlocks {
				unblk = append(unblk, d.Unblocking...)
				for _, c := range d.Cycles {
					for _, e := range c.Edges {
						if e.ID == 1 && !e.Withdrawn {
							t.Error("a cycle's precondition lost its stored state")
						}
					}
				}
			}
			if !reflect.DeepEqual(unblk, tt.wantUnblk) {
				t.Errorf("unblocking %v, want %v", unblk, tt.wantUnblk)
			}
			inCycle := 0
			for _, n := range g.Nodes {
				if n.InCycle {
					inCycle++
				}
			}
			if want := map[bool]int{true: 2, false: 0}[tt.wantCycle != nil]; inCycle != want {
				t.Errorf("%d nodes on a cycle, want %d", inCycle, want)
			}
		})
	}
}
