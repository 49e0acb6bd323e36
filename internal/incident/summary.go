package incident

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
)

// Member is a report of an incident with its grouping view. Of the
// report, Summarize reads Domains, Targets, Perpetrators, Description and
// NotHostile.
type Member struct {
	Item   Item
	Report truce.Report
}

// Summary is what an incident says of its reports: when and where, what,
// by whom, and a title.
type Summary struct {
	Anchor             int64 // the smallest core report: the incident's id follows it (see the store)
	From, To           time.Time
	Lat, Lon, RadiusKm float64
	Admin1             string
	ByUnit             bool // placed by an admin-1 unit alone: every core report gives only Admin1
	Domains            []string
	Targets            []string
	Perpetrators       []string
	Title              string
	Hostile            bool
}

// Summarize describes an incident from its members, sorted by report id.
// Place and time come from the core reports (all reports when there is no
// core), so that an imprecise report that attached does not blur them:
// the interval is the hull of the core's intervals; the centre is the
// mean of the core's centres weighted by 1/r² (the most precise count
// most); the radius is the smallest around that centre that still holds
// one core report's whole disk. Domains, targets and perpetrators are
// those of every report, so conflicting accounts stay visible.
func (g *Grouper) Summarize(members []Member, c *Constraints) Summary {
	var s Summary
	if len(members) == 0 {
		return s
	}
	core := make([]*Item, 0, len(members))
	for i := range members {
		if g.Core(&members[i].Item, c) {
			core = append(core, &members[i].Item)
		}
	}
	if len(core) == 0 {
		for i := range members {
			core = append(core, &members[i].Item)
		}
	}
	s.Anchor = core[0].ID
	t0, t1 := core[0].T0, core[0].T1
	var vx, vy, vz float64
	unitOnly := true
	for _, it := range core {
		s.Anchor = min(s.Anchor, it.ID)
		t0, t1 = min(t0, it.T0), max(t1, it.T1)
		w := 1 / math.Pow(max(it.RadiusKm, 1), 2)
		vx, vy, vz = vx+w*it.x, vy+w*it.y, vz+w*it.z
		unitOnly = unitOnly && it.Admin1 != "" && it.Admin1 == core[0].Admin1
	}
	s.From, s.To = time.UnixMicro(t0).UTC(), time.UnixMicro(t1).UTC()
	centre := Item{placed: true}
	if norm := math.Sqrt(vx*vx + vy*vy + vz*vz); norm > 1e-9 {
		centre.Lat = round6(math.Asin(max(-1, min(1, vz/norm))) * 180 / math.Pi)
		centre.Lon = round6(math.Atan2(vy, vx) * 180 / math.Pi)
	} else {
		centre.Lat, centre.Lon = core[0].Lat, core[0].Lon
	}
	centre.setVec()
	s.Lat, s.Lon = centre.Lat, centre.Lon
	s.RadiusKm = math.Inf(1)
	for _, it := range core {
		s.RadiusKm = min(s.RadiusKm, it.RadiusKm+distanceKm(&centre, it))
	}
	s.RadiusKm = math.Ceil(s.RadiusKm*10) / 10
	switch {
	case unitOnly:
		s.Admin1, s.ByUnit = core[0].Admin1, true
	case g.gz != nil:
		s.Admin1, _ = g.gz.Admin1At(s.Lat, s.Lon)
	}

	var domains uint8
	targets, perps := map[string]bool{}, map[string]bool{}
	for _, m := range members {
		domains |= m.Item.Domains
		s.Hostile = s.Hostile || !m.Report.NotHostile
		for _, t := range m.Report.Targets {
			targets[t] = true
		}
		for _, p := range m.Report.Perpetrators {
			if p = strings.TrimSpace(p); p != "" {
				perps[p] = true
			}
		}
		if m.Item.ID == s.Anchor {
			s.Title = title(m.Report.Description)
		}
	}
	for _, d := range truce.Domains {
		if domains&DomainMask([]string{d}) != 0 {
			s.Domains = append(s.Domains, d)
		}
	}
	for _, t := range truce.ReportTargets {
		if targets[t] {
			s.Targets = append(s.Targets, t)
		}
	}
	for p := range perps {
		s.Perpetrators = append(s.Perpetrators, p)
	}
	slices.Sort(s.Perpetrators)
	return s
}

// title is the first line of a description, cut to 120 characters.
func title(d string) string {
	d = strings.TrimSpace(d)
	if i := strings.IndexByte(d, '\n'); i >= 0 {
		d = strings.TrimSpace(d[:i])
	}
	if utf8.RuneCountInString(d) <= 120 {
		return d
	}
	r := []rune(d)
	return strings.TrimSpace(string(r[:119])) + "…"
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }
