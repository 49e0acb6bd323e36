package incident

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Roles of a report in its incident.
const (
	RoleLinked   = "linked"   // a precise report compatible with another precise report of the incident
	RoleSeed     = "seed"     // a precise report the incident formed around, compatible with no other precise report of it
	RoleAttached = "attached" // an imprecise or split-off report attached to the incident's nearest compatible precise report
	RoleMerged   = "merged"   // kept in the incident by a monitor's merge
	RoleAlone    = "alone"    // an imprecise or split-off report compatible with no precise report: an incident of its own
)

// Membership says why a report belongs to its incident.
type Membership struct {
	ReportID   int64   `json:"report_id"`
	Role       string  `json:"role"`
	Via        int64   `json:"via,omitempty"` // the report it is compatible with
	DistanceKm float64 `json:"distance_km,omitempty"`
	GapMinutes int64   `json:"gap_minutes,omitempty"` // between the two intervals; 0 when they overlap
	Decisions  []int64 `json:"decisions,omitempty"`   // the monitors' decisions that bear on it
	Why        string  `json:"why"`
}

// Explain says why each of an incident's reports belongs to it, in the
// order of members (which should be the incident's reports by id). The
// explanation is worked out again from the reports, the rules and the
// decisions, so it always matches the grouping: a precise report names
// the nearest compatible precise report of the incident, an attaching one
// the report it attached to (its best compatible one, which is in the
// incident by construction), and a merged one the merge.
func (g *Grouper) Explain(members []Item, c *Constraints) []Membership {
	var bps []int32
	for i := range members {
		if g.bridging(&members[i], c) {
			bps = append(bps, int32(i))
		}
	}
	x := newGrid(members, bps)
	tol, tolT := g.rules.PlaceToleranceKm, g.rules.TimeTolerance.Microseconds()
	in := map[int64]bool{}
	for _, m := range members {
		in[m.ID] = true
	}
	out := make([]Membership, len(members))
	for i := range members {
		a := &members[i]
		m := Membership{ReportID: a.ID}
		best, found := Link{}, false
		var via *Item
		x.candidates(a, tol, tolT, func(q int32) {
			b := &members[q]
			if b.ID == a.ID {
				return
			}
			if l, ok := g.Compatible(a, b); ok && (!found || better(l, b, best, via)) {
				best, via, m.Via, found = l, b, b.ID, true
			}
		})
		if found {
			m.DistanceKm = round1(best.DistanceKm)
			m.GapMinutes = int64(best.Gap / time.Minute)
		}
		bridging := g.bridging(a, c)
		switch {
		case found && bridging:
			m.Role = RoleLinked
			m.Why = fmt.Sprintf("#%d links to #%d: %s", a.ID, m.Via, g.closeness(a, best, members, m.Via))
		case found && !c.Linked(a.ID):
			m.Role = RoleAttached
			m.Why = fmt.Sprintf("#%d is %s, so it attaches to the nearest compatible precise report, #%d (%s), and links no incidents together",
				a.ID, g.looseness(a, c), m.Via, g.closeness(a, best, members, m.Via))
		case c.Linked(a.ID):
			m.Role = RoleMerged
			m.Why = fmt.Sprintf("#%d is kept in this incident by a monitor: %s", a.ID, c.mergeText(a.ID))
			if found {
				m.Why += fmt.Sprintf("; it is also compatible with #%d (%s)", m.Via, g.closeness(a, best, members, m.Via))
			}
			m.Decisions = c.mergeIDs(a.ID)
		case bridging:
			m.Role = RoleSeed
			m.Why = fmt.Sprintf("#%d is a precise report that no other precise report of the incident is compatible with: the incident formed around it", a.ID)
		default:
			m.Role = RoleAlone
			m.Why = fmt.Sprintf("#%d is %s and no precise report is compatible with it: it stands alone", a.ID, g.looseness(a, c))
			if !a.placed {
				m.Why = fmt.Sprintf("#%d is placed by admin-1 unit %s, which the gazetteer does not know: it stands alone", a.ID, a.Admin1)
			}
		}
		if ids := c.splitIDs(a.ID); len(ids) > 0 {
			m.Decisions = append(m.Decisions, ids...)
			slices.Sort(m.Decisions)
			m.Why += "; " + c.splitText(a.ID)
			var clash []string
			for _, p := range c.Partners(a.ID) {
				if in[p] {
					clash = append(clash, "#"+strconv.FormatInt(p, 10))
				}
			}
			if len(clash) > 0 {
				m.Why += fmt.Sprintf("; yet a later merge keeps it with %s, which it was split from: a monitor should review", strings.Join(clash, ", "))
			}
		}
		out[i] = m
	}
	return out
}

// closeness says how near two compatible reports are.
func (g *Grouper) closeness(a *Item, l Link, members []Item, via int64) string {
	var b *Item
	for i := range members {
		if members[i].ID == via {
			b = &members[i]
		}
	}
	var place string
	switch {
	case a.Admin1 != "" && b.Admin1 != "":
		place = "both in " + a.Admin1
	case a.Admin1 != "":
		place = fmt.Sprintf("#%d's disk reaches into %s", b.ID, a.Admin1)
	case b.Admin1 != "":
		place = fmt.Sprintf("its disk reaches into %s", b.Admin1)
	default:
		place = fmt.Sprintf("%s km apart, within %s + %s + %s km", num(l.DistanceKm), num(a.RadiusKm), num(b.RadiusKm), num(g.rules.PlaceToleranceKm))
	}
	when := "overlapping in time"
	if l.Gap > 0 {
		when = fmt.Sprintf("%s apart in time, within %s", durText(l.Gap), durText(g.rules.TimeTolerance))
	}
	return place + ", " + when + ", sharing " + domainText(a.Domains&b.Domains)
}

// looseness says why a report does not link incidents.
func (g *Grouper) looseness(a *Item, c *Constraints) string {
	var why []string
	if c.Held(a.ID) {
		why = append(why, "split off by a monitor")
	}
	if a.placed && a.RadiusKm > g.rules.PreciseRadiusKm {
		why = append(why, fmt.Sprintf("placed within %s km (more than %s)", num(a.RadiusKm), num(g.rules.PreciseRadiusKm)))
	}
	if span := time.Duration(a.T1-a.T0) * time.Microsecond; span > g.rules.PreciseSpan {
		why = append(why, fmt.Sprintf("timed within %s (more than %s)", durText(span), durText(g.rules.PreciseSpan)))
	}
	if len(why) == 0 {
		return "not precise"
	}
	return strings.Join(why, " and ")
}

func (c *Constraints) mergeIDs(id int64) []int64 {
	var out []int64
	for _, i := range c.linked[id] {
		out = append(out, c.decisions[i].ID)
	}
	return out
}

func (c *Constraints) splitIDs(id int64) []int64 {
	if c == nil {
		return nil
	}
	var out []int64
	for _, i := range c.splits[id] {
		out = append(out, c.decisions[i].ID)
	}
	return out
}

func (c *Constraints) mergeText(id int64) string {
	var parts []string
	for _, i := range c.linked[id] {
		parts = append(parts, decisionText(c.decisions[i]))
	}
	return strings.Join(parts, "; ")
}

func (c *Constraints) splitText(id int64) string {
	var parts []string
	for _, i := range c.splits[id] {
		parts = append(parts, decisionText(c.decisions[i]))
	}
	return strings.Join(parts, "; ")
}

func decisionText(d Decision) string {
	verb := "merged"
	if d.Kind == DecisionSplit {
		verb = "split off"
	}
	return fmt.Sprintf("%s by %s on %s (decision %d): %s", verb, d.By, d.At.UTC().Format("2006-01-02 15:04 UTC"), d.ID, d.Reason)
}

func domainText(m uint8) string {
	var ds []string
	for _, d := range []struct {
		bit  uint8
		name string
	}{{domainLand, "land"}, {domainAir, "air"}, {domainSea, "sea"}} {
		if m&d.bit != 0 {
			ds = append(ds, d.name)
		}
	}
	return strings.Join(ds, " and ")
}

// durText writes a duration the way people say it: 40 min, 3 h, 2.5 h,
// 31 days.
func durText(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int64(d/time.Minute))
	case d < 48*time.Hour:
		return num(d.Hours()) + " h"
	}
	return num(d.Hours()/24) + " days"
}

func num(f float64) string { return strconv.FormatFloat(round1(f), 'f', -1, 64) }

func round1(f float64) float64 {
	return float64(int64(f*10+0.5)) / 10
}
