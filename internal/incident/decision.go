package incident

import (
	"slices"
	"time"
)

// Kinds of a monitor's grouping decision.
const (
	DecisionSplit = "split" // a report is taken out of its incident
	DecisionMerge = "merge" // two incidents become one
)

// Decision is a monitor's grouping decision, as far as it is still in
// force. A split keeps Report apart from Reports (the other reports of its
// incident when it was split); a merge keeps Reports together (the reports
// of both incidents when they were merged). A later decision supersedes the
// parts of an earlier one it contradicts: a merge lifts the splits between
// the reports it joins, a split lifts the merges of the report it takes
// out. The store keeps the whole history; Reports lists what remains.
type Decision struct {
	ID      int64     `json:"id"`
	Kind    string    `json:"kind"`
	By      string    `json:"by"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
	Report  int64     `json:"report_id,omitempty"`
	Reports []int64   `json:"report_ids"`
}

// Constraints are the decisions in force, compiled for grouping.
type Constraints struct {
	decisions []Decision
	partners  map[int64][]int64 // a split report → the reports it is kept apart from
	splits    map[int64][]int   // a split report → its decisions (indexes)
	linked    map[int64][]int   // a merged report → its merge decisions (indexes)
}

// NewConstraints compiles decisions. A split with no report left to keep
// apart from, or a merge of fewer than two reports, is no longer in force
// and is ignored.
func NewConstraints(ds []Decision) *Constraints {
	c := &Constraints{decisions: ds, partners: map[int64][]int64{}, splits: map[int64][]int{}, linked: map[int64][]int{}}
	for i, d := range ds {
		switch d.Kind {
		case DecisionSplit:
			if len(d.Reports) == 0 {
				continue
			}
			c.partners[d.Report] = append(c.partners[d.Report], d.Reports...)
			c.splits[d.Report] = append(c.splits[d.Report], i)
		case DecisionMerge:
			if len(d.Reports) < 2 {
				continue
			}
			for _, id := range d.Reports {
				c.linked[id] = append(c.linked[id], i)
			}
		}
	}
	for id, ps := range c.partners {
		slices.Sort(ps)
		c.partners[id] = slices.Compact(ps)
	}
	return c
}

// Held reports whether a report was split off and is still kept apart
// from some report: it then attaches, and never links incidents.
func (c *Constraints) Held(id int64) bool { return c != nil && len(c.partners[id]) > 0 }

// Linked reports whether a report is kept in an incident by a merge.
func (c *Constraints) Linked(id int64) bool { return c != nil && len(c.linked[id]) > 0 }

// Partners returns the reports a split report is kept apart from.
func (c *Constraints) Partners(id int64) []int64 {
	if c == nil {
		return nil
	}
	return c.partners[id]
}

// Merges returns the merge decisions in force, in decision order.
func (c *Constraints) merges() []Decision {
	if c == nil {
		return nil
	}
	var out []Decision
	for _, d := range c.decisions {
		if d.Kind == DecisionMerge && len(d.Reports) >= 2 {
			out = append(out, d)
		}
	}
	return out
}

// Core reports whether a report belongs to the core of its incident: a
// precise report that no split holds back (it links incidents), or a
// report a merge keeps. The rest attach.
func (g *Grouper) Core(it *Item, c *Constraints) bool {
	return c.Linked(it.ID) || g.bridging(it, c)
}

// bridging reports whether a report links the incidents it is compatible
// with.
func (g *Grouper) bridging(it *Item, c *Constraints) bool {
	return g.Precise(it) && !c.Held(it.ID)
}

// InForce replays decisions in the order they were taken (by id) and
// returns what remains of each: a merge lifts the earlier splits between
// the reports it keeps together, and a split lifts the report it takes
// out from the earlier merges. The decisions themselves are never
// changed: what is in force follows from them and their order.
func InForce(ds []Decision) []Decision {
	ds = slices.Clone(ds)
	slices.SortFunc(ds, func(a, b Decision) int { return cmpInt(a.ID, b.ID) })
	out := make([]Decision, 0, len(ds))
	for _, d := range ds {
		d.Reports = slices.Clone(d.Reports)
		switch d.Kind {
		case DecisionSplit:
			for i := range out {
				if out[i].Kind == DecisionMerge {
					out[i].Reports = slices.DeleteFunc(out[i].Reports, func(id int64) bool { return id == d.Report })
				}
			}
		case DecisionMerge:
			for i := range out {
				if out[i].Kind == DecisionSplit && slices.Contains(d.Reports, out[i].Report) {
					out[i].Reports = slices.DeleteFunc(out[i].Reports, func(id int64) bool { return slices.Contains(d.Reports, id) })
				}
			}
		}
		out = append(out, d)
	}
	return out
}
