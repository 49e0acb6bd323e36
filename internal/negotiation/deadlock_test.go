package negotiation

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/truce-monitor/truce"
)

func act(party, issue string) truce.Condition {
	return truce.Condition{Kind: truce.ConditionAction, Party: party, Issue: issue}
}

func agr(id string) truce.Condition {
	return truce.Condition{Kind: truce.ConditionAgreement, AgreementID: id}
}

func pre(id int64, action, requires truce.Condition) truce.Precondition {
	return truce.Precondition{ID: id, Party: action.Party, Action: action, Requires: requires}
}

// The expected cycles and unblocking sets below were worked out by hand
// from the drawn graphs in each case's comment.
func TestAnalyse(t *testing.T) {
	A, B, C, D := act("UA", "direct_talks"), agr("ceasefire-30"), act("RU", "ceasefire"), act("RU", "territory")
	met := pre(9, B, A)
	met.Met = true
	withdrawn := pre(10, A, B)
	withdrawn.Withdrawn = true
	tests := []struct {
		name       string
		pre        []truce.Precondition
		wantCycles [][]int64 // edge IDs of each deadlock's cycles: shortest first, each from its smallest ID
		wantUnblk  [][][]int64
		wantActive int
	}{
		{
			name:       "no preconditions",
			wantActive: 0,
		},
		{
			// A → B → C, a chain: nothing waits on itself.
			name:       "chain has no cycle",
			pre:        []truce.Precondition{pre(1, A, B), pre(2, B, C)},
			wantActive: 2,
		},
		{
			// UA talks only after the ceasefire (1); the ceasefire only after talks (2).
			name:       "one mutual precondition",
			pre:        []truce.Precondition{pre(1, A, B), pre(2, B, A)},
			wantCycles: [][]int64{{1, 2}},
			wantUnblk:  [][][]int64{{{1}, {2}}},
			wantActive: 2,
		},
		{
			// A⇄B (1,2) and A→B→C→A (1,3,4): edge 1 lies on both, so dropping
			// it alone unblocks everything; 2 alone leaves A→B→C→A.
			name:       "overlapping cycles share a keystone",
			pre:        []truce.Precondition{pre(1, A, B), pre(2, B, A), pre(3, B, C), pre(4, C, A)},
			wantCycles: [][]int64{{1, 2}, {1, 3, 4}},
			wantUnblk:  [][][]int64{{{1}}},
			wantActive: 4,
		},
		{
			// A⇄B (1,2) and A⇄C (3,4) meet only at A: no single edge breaks
			// both, so the minimum sets take one edge from each.
			name:       "two cycles through one node need two drops",
			pre:        []truce.Precondition{pre(1, A, B), pre(2, B, A), pre(3, A, C), pre(4, C, A)},
			wantCycles: [][]int64{{1, 2}, {3, 4}},
			wantUnblk:  [][][]int64{{{1, 3}, {1, 4}, {2, 3}, {2, 4}}},
			wantActive: 4,
		},
		{
			// Two parallel preconditions A→B (1 and 5) and B→A (2): dropping
			// one of the parallel ones leaves the other, so only 2 unblocks.
			name:       "parallel preconditions",
			pre:        []truce.Precondition{pre(1, A, B), pre(5, A, B), pre(2, B, A)},
			wantCycles: [][]int64{{1, 2}, {2, 5}},
			wantUnblk:  [][][]int64{{{2}}},
			wantActive: 3,
		},
		{
			// Two separate deadlocks: A⇄B and C⇄D.
			name:       "separate deadlocks",
			pre:        []truce.Precondition{pre(1, A, B), pre(2, B, A), pre(3, C, D), pre(4, D, C)},
			wantCycles: [][]int64{{3, 4}, {1, 2}},
			wantUnblk:  [][][]int64{{{3}, {4}}, {{1}, {2}}},
			wantActive: 4,
		},
		{
			// The ceasefire's precondition on talks has been met (9), and UA
			// withdrew its own (10): what remains is the chain A → B.
			name:       "met and withdrawn conditions drop out",
			pre:        []truce.Precondition{pre(1, A, B), met, withdrawn},
			wantActive: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Analyse(tt.pre)
			if got.Active != tt.wantActive {
				t.Errorf("active = %d, want %d", got.Active, tt.wantActive)
			}
			var cycles [][]int64
			var unblk [][][]int64
			for _, d := range got.Deadlocks {
				for _, c := range d.Cycles {
					var ids []int64
					for _, e := range c.Edges {
						ids = append(ids, e.ID)
					}
					if len(c.Nodes) != len(c.Edges) {
						t.Errorf("cycle has %d nodes and %d edges", len(c.Nodes), len(c.Edges))
					}
					cycles = append(cycles, ids)
				}
				unblk = append(unblk, d.Unblocking)
			}
			if !reflect.DeepEqual(cycles, tt.wantCycles) {
				t.Errorf("cycles = %v, want %v", cycles, tt.wantCycles)
			}
			if !reflect.DeepEqual(unblk, tt.wantUnblk) {
				t.Errorf("unblocking = %v, want %v", unblk, tt.wantUnblk)
			}
		})
	}
}

func TestCycleNodesFollowEdges(t *testing.T) {
	A, B, C := act("UA", "direct_talks"), agr("ceasefire-30"), act("RU", "ceasefire")
	got := Analyse([]truce.Precondition{pre(1, A, B), pre(2, B, C), pre(3, C, A)})
	if len(got.Deadlocks) != 1 || len(got.Deadlocks[0].Cycles) != 1 {
		t.Fatalf("want one deadlock with one cycle, got %+v", got)
	}
	c := got.Deadlocks[0].Cycles[0]
	for i, e := range c.Edges {
		if e.Action.Key() != c.Nodes[i] {
			t.Errorf("edge %d starts at %s, node is %s", i, e.Action.Key(), c.Nodes[i])
		}
		if next := c.Nodes[(i+1)%len(c.Nodes)]; e.Requires.Key() != next {
			t.Errorf("edge %d ends at %s, next node is %s", i, e.Requires.Key(), next)
		}
	}
}

// denseGraph makes every one of n parties' talks wait on every other's:
// a complete graph with n(n-1) preconditions and exponentially many cycles.
func denseGraph(n int) []truce.Precondition {
	var out []truce.Precondition
	id := int64(0)
	for i := range n {
		for j := range n {
			if i != j {
				id++
				out = append(out, pre(id, act(string(rune('A'+i)), "direct_talks"), act(string(rune('A'+j)), "direct_talks")))
			}
		}
	}
	return out
}

// A dense graph is cut short rather than enumerated for ever: the graph is
// computed on every public request.
func TestAnalyseBounded(t *testing.T) {
	got := Analyse(denseGraph(12))
	if len(got.Deadlocks) != 1 {
		t.Fatalf("%d deadlocks, want 1", len(got.Deadlocks))
	}
	d := got.Deadlocks[0]
	if !d.Truncated || len(d.Cycles) != maxCycles {
		t.Errorf("truncated = %v with %d cycles, want true with %d", d.Truncated, len(d.Cycles), maxCycles)
	}
	if got.Active != 12*11 {
		t.Errorf("active = %d, want %d", got.Active, 12*11)
	}
	// Three parties: 3 two-cycles and 2 three-cycles, all listed.
	small := Analyse(denseGraph(3))
	if d := small.Deadlocks[0]; d.Truncated || len(d.Cycles) != 5 {
		t.Errorf("3 parties: truncated %v, %d cycles; want all 5", d.Truncated, len(d.Cycles))
	}
}

func BenchmarkAnalyse(b *testing.B) {
	for _, n := range []int{3, 6, 12} {
		pre := denseGraph(n)
		b.Run(fmt.Sprintf("complete-%d", n), func(b *testing.B) {
			for b.Loop() {
				Analyse(pre)
			}
		})
	}
}
