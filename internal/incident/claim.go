package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/adjudicate"
	"github.com/truce-monitor/truce/internal/geo"
)

// ClaimIncident is an incident with its reports and findings, as
// ClaimEvidence reads it.
type ClaimIncident struct {
	Incident truce.Incident // with Findings
	Members  []truce.Report
}

// Tally counts the incidents or reports that support a claim, and the
// means they name.
type Tally struct {
	Count        int           `json:"count"`
	Means        []truce.Means `json:"means,omitempty"` // summed per kind, in the claim's order of kinds
	MeansUnknown int           `json:"means_unknown"`   // how many of Count name no means
	IDs          []int64       `json:"ids,omitempty"`
}

// ClaimEvidence sets a claim beside what the record supports for the same
// accused party, period, area and means: claimed vs alleged vs
// corroborated vs verified.
type ClaimEvidence struct {
	ClaimID     int64     `json:"claim_id"`
	Claimant    string    `json:"claimant"`
	Accused     string    `json:"accused"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	AgreementID string    `json:"agreement_id,omitempty"`
	Area        string    `json:"area"`

	Claimed      []truce.Means `json:"claimed"`      // what the claim counts
	Reports      Tally         `json:"reports"`      // every report accusing the party in the period and area
	Alleged      Tally         `json:"alleged"`      // incidents, but those rejected
	Corroborated Tally         `json:"corroborated"` // incidents corroborated or verified
	Verified     Tally         `json:"verified"`     // incidents verified

	ByStatus map[truce.IncidentStatus]int `json:"incidents_by_status"`
	// Verdicts counts the matching incidents' findings against the
	// claim's agreement: violation and uncertain where the engine holds
	// the accused responsible, other_party where it holds another party,
	// unattributed where it holds no one party (the accounts name several,
	// as UCDP names both sides of a clash), outside, and not_judged.
	Verdicts map[string]int `json:"verdicts,omitempty"`
	Notes    []string       `json:"notes"`
}

// ClaimEvidence computes the evidence for a claim from the reports and
// incidents whose time overlaps its period (the caller may pass more;
// each is checked here). area is the area of the claim's agreement (nil:
// everywhere); parties map the record's actor names to party codes.
//
// A report supports the claim when it names the accused among its
// perpetrators (by code, name or alias), its interval overlaps the
// period, its place is not outside the area, and it names one of the
// claim's means or none at all (an account that does not count the
// weapons neither supports nor contradicts the count). An incident does
// when its reports together do: the accused among any report's
// perpetrators, its interval in the period, one of its reports in the
// area. An incident counts a means kind as the largest count any of its
// reports gives: three accounts of ten drones are ten drones.
func (g *Grouper) ClaimEvidence(c truce.Claim, area *truce.Area, parties []truce.Party, reports []truce.Report, incidents []ClaimIncident) (ClaimEvidence, error) {
	ev := ClaimEvidence{
		ClaimID: c.ID, Claimant: c.Claimant, Accused: c.Accused, From: c.From, To: c.To, AgreementID: c.AgreementID,
		Claimed: c.Means, ByStatus: map[truce.IncidentStatus]int{},
	}
	in, err := g.areaTest(area)
	if err != nil {
		return ev, err
	}
	ev.Area = "everywhere"
	if !area.IsEmpty() {
		ev.Area = areaWords(area)
		if c.AgreementID != "" {
			ev.Area = "the area of " + c.AgreementID + ": " + ev.Area
		}
	}
	m := adjudicate.NewPartyMatcher(parties)
	var kinds []string
	for _, mn := range c.Means {
		if !slices.Contains(kinds, mn.Kind) {
			kinds = append(kinds, mn.Kind)
		}
	}
	accuses := func(perps []string) bool {
		for _, p := range perps {
			if code, ok := m.Match(p); ok && code == c.Accused {
				return true
			}
		}
		return false
	}
	reportIn := func(r truce.Report) bool {
		from, to, err := r.Occurred.Interval()
		if err != nil || !overlaps(from, to, c.From, c.To) || !accuses(r.Perpetrators) {
			return false
		}
		it := g.Item(r, from, to)
		return in(&it)
	}
	for _, r := range reports {
		if reportIn(r) {
			if means, ok := meansOf(kinds, r.Means); ok {
				ev.Reports.add(r.ID, means)
			}
		}
	}
	for _, ci := range incidents {
		inc := ci.Incident
		if !overlaps(inc.From, inc.To, c.From, c.To) || !accuses(inc.Perpetrators) {
			continue
		}
		placed := false
		var all []truce.Means
		for _, r := range ci.Members {
			from, to, err := r.Occurred.Interval()
			if err != nil {
				continue
			}
			it := g.Item(r, from, to)
			placed = placed || in(&it)
			all = append(all, r.Means...)
		}
		means, ok := meansOf(kinds, largest(all))
		if !placed || !ok {
			continue
		}
		ev.ByStatus[inc.Status]++
		if inc.Status != truce.IncidentRejected {
			ev.Alleged.add(inc.ID, means)
		}
		if inc.Status == truce.IncidentCorroborated || inc.Status == truce.IncidentVerified {
			ev.Corroborated.add(inc.ID, means)
		}
		if inc.Status == truce.IncidentVerified {
			ev.Verified.add(inc.ID, means)
		}
		if c.AgreementID != "" {
			if ev.Verdicts == nil {
				ev.Verdicts = map[string]int{}
			}
			ev.Verdicts[verdictOf(inc.Findings, c.AgreementID, c.Accused)]++
		}
	}
	for _, t := range []*Tally{&ev.Reports, &ev.Alleged, &ev.Corroborated, &ev.Verified} {
		t.order(kinds)
	}
	ev.Notes = claimNotes(c, kinds)
	return ev, nil
}

func (t *Tally) add(id int64, means []truce.Means) {
	t.Count++
	t.IDs = append(t.IDs, id)
	if len(means) == 0 {
		t.MeansUnknown++
	}
	for _, m := range means {
		i := slices.IndexFunc(t.Means, func(x truce.Means) bool { return x.Kind == m.Kind })
		if i < 0 {
			t.Means = append(t.Means, truce.Means{Kind: m.Kind})
			i = len(t.Means) - 1
		}
		t.Means[i].Count += m.Count
	}
}

// order puts the means in the claim's order of kinds, then the others by
// name, and the ids ascending.
func (t *Tally) order(kinds []string) {
	rank := func(k string) int {
		if i := slices.Index(kinds, k); i >= 0 {
			return i
		}
		return len(kinds)
	}
	slices.SortFunc(t.Means, func(a, b truce.Means) int {
		if ra, rb := rank(a.Kind), rank(b.Kind); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	slices.Sort(t.IDs)
}

// meansOf returns the means of an account that bear on the claim: those
// of the claim's kinds (all when the claim names none). ok is false when
// the account names means, but none of the claim's kinds.
func meansOf(kinds []string, means []truce.Means) ([]truce.Means, bool) {
	if len(kinds) == 0 || len(means) == 0 {
		return means, true
	}
	var out []truce.Means
	for _, m := range means {
		if slices.Contains(kinds, m.Kind) {
			out = append(out, m)
		}
	}
	return out, len(out) > 0
}

// largest returns the largest count of each kind.
func largest(ms []truce.Means) []truce.Means {
	var out []truce.Means
	for _, m := range ms {
		i := slices.IndexFunc(out, func(x truce.Means) bool { return x.Kind == m.Kind })
		switch {
		case i < 0:
			out = append(out, m)
		case m.Count > out[i].Count:
			out[i].Count = m.Count
		}
	}
	return out
}

func verdictOf(fs []truce.Finding, agreement, accused string) string {
	for _, f := range fs {
		if f.AgreementID != agreement {
			continue
		}
		switch {
		case f.Verdict == truce.VerdictOutside:
			return "outside"
		case f.Party == "":
			return "unattributed"
		case f.Party != accused:
			return "other_party"
		}
		return f.Verdict
	}
	return "not_judged"
}

// overlaps reports whether [from, to) meets [lo, hi); an instant counts
// where it falls.
func overlaps(from, to, lo, hi time.Time) bool {
	if from.Equal(to) {
		return !from.Before(lo) && from.Before(hi)
	}
	return from.Before(hi) && to.After(lo)
}

// areaTest returns the test of whether a report's place is not outside
// an area: a point's disk must reach into it; a report placed by admin-1
// unit is in it when the area lists the unit or its country, out of it
// when the area is made of other units and countries alone (units do not
// overlap), and decided by the unit's covering disk against a drawn area.
func (g *Grouper) areaTest(area *truce.Area) (func(*Item) bool, error) {
	if area.IsEmpty() {
		return func(*Item) bool { return true }, nil
	}
	if g.gz == nil {
		return nil, fmt.Errorf("claim evidence: an area needs the gazetteer")
	}
	a, err := g.gz.NewArea(area.Countries, area.Admin1, area.GeoJSON)
	if err != nil {
		return nil, fmt.Errorf("claim evidence: area: %w", err)
	}
	var drawn *geo.Area
	if raw := strings.TrimSpace(string(area.GeoJSON)); raw != "" && raw != "null" {
		if drawn, err = g.gz.NewArea(nil, nil, area.GeoJSON); err != nil {
			return nil, fmt.Errorf("claim evidence: area: %w", err)
		}
	}
	return func(it *Item) bool {
		if !it.placed && it.Admin1 == "" {
			return false
		}
		if it.Admin1 != "" {
			for _, u := range area.Admin1 {
				if strings.EqualFold(u, it.Admin1) {
					return true
				}
			}
			for _, cc := range area.Countries {
				if strings.EqualFold(cc, it.Admin1[:2]) {
					return true
				}
			}
			if drawn == nil || !it.placed {
				return false
			}
			return drawn.Disk(it.Lat, it.Lon, it.RadiusKm) != geo.Outside
		}
		return a.Disk(it.Lat, it.Lon, it.RadiusKm) != geo.Outside
	}, nil
}

// areaWords names an area's parts.
func areaWords(a *truce.Area) string {
	var parts []string
	if len(a.Countries) > 0 {
		parts = append(parts, "countries "+strings.Join(a.Countries, ", "))
	}
	if len(a.Admin1) > 0 {
		parts = append(parts, "admin-1 units "+strings.Join(a.Admin1, ", "))
	}
	if raw := strings.TrimSpace(string(a.GeoJSON)); raw != "" && raw != "null" {
		parts = append(parts, "a drawn area")
	}
	return strings.Join(parts, "; ")
}

// claimNotes say how to read the comparison.
func claimNotes(c truce.Claim, kinds []string) []string {
	notes := []string{
		"reports are every account, whoever gave it, that names the accused among the perpetrators; an incident may hold several of them",
		"alleged counts incidents in any status but rejected; corroborated counts corroborated and verified ones; verified the verified",
		"an incident counts a kind of means as the largest count any of its reports gives",
	}
	if len(kinds) == 0 {
		notes = append(notes, "the claim counts no means: only incidents are compared")
	} else {
		notes = append(notes, fmt.Sprintf("accounts that name no means are counted but add nothing to the means (means_unknown); accounts that name only other means than %s are left out", strings.Join(kinds, ", ")))
	}
	if c.AgreementID == "" {
		notes = append(notes, "the claim names no agreement: no area and no verdicts")
	}
	return notes
}
