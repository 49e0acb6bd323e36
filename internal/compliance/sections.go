package compliance

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// judge judges incidents against one agreement with the engine.
type judge struct {
	j  *incident.Judge
	id string
}

type judges struct {
	current  *judge // the agreement as of the report's log size; nil if it is not adjudicated
	baseline *judge // the same, with its window moved onto the baseline hours
}

func newJudges(in Input, a truce.Agreement, base Span) (judges, error) {
	var js judges
	if !a.Status.TookEffect() || a.TermsNeedReview {
		return js, nil
	}
	mk := func(a truce.Agreement) (*judge, error) {
		j, err := incident.NewJudge(truce.Terms{Parties: in.State.Parties, Agreements: []truce.Agreement{a}}, in.Grouper)
		if err != nil {
			return nil, fmt.Errorf("compliance: agreement %s: %w", a.ID, err)
		}
		return &judge{j: j, id: a.ID}, nil
	}
	var err error
	if js.current, err = mk(a); err != nil {
		return js, err
	}
	loc, _ := truce.LoadZone(a.Window.TZ)
	const layout = "2006-01-02T15:04:05"
	b := a
	end := base.To.In(loc).Format(layout)
	b.Status = truce.StatusInForce
	b.Window = truce.Window{Start: base.From.In(loc).Format(layout), End: &end, TZ: a.Window.TZ}
	js.baseline, err = mk(b)
	return js, err
}

// judge returns the finding on inc against the judge's agreement.
func (j *judge) judge(inc *store.IncidentAsOf) *truce.Finding {
	ti := truce.Incident{ID: inc.ID, Status: inc.Status, From: inc.From, To: inc.To, Lat: inc.Lat, Lon: inc.Lon, RadiusKm: inc.RadiusKm,
		Admin1: inc.Admin1, Domains: inc.Domains, Targets: inc.Targets, Perpetrators: inc.Perpetrators, Title: inc.Title}
	for _, f := range j.j.Findings(ti, inc.Hostile, inc.ByUnit, time.Time{}) {
		if f.AgreementID == j.id {
			return &f
		}
	}
	return nil
}

// label names a row's key for people.
func (rep *Report) label(gz *geo.Gazetteer, dim, key string) string {
	switch dim {
	case "party":
		if key == "unattributed" {
			return "Unattributed (several or unknown perpetrators)"
		}
		if n := rep.names["party:"+key]; n != "" {
			return n + " (" + key + ")"
		}
	case "region":
		if key == "unknown" {
			return "Unknown place"
		}
		if gz != nil {
			if len(key) > 2 {
				if n := gz.Admin1Name(key); n != "" {
					return n + " (" + key + ")"
				}
			} else if n := gz.CountryName(key); n != "" {
				return n + " (" + key + ")"
			}
		}
	case "means":
		return strings.ReplaceAll(key, "_", " ")
	}
	return key
}

func (rep *Report) notable(gz *geo.Gazetteer, loc *time.Location, inc *store.IncidentAsOf, party, reason string) Notable {
	const layout = "2006-01-02 15:04"
	n := Notable{ID: inc.ID, Title: inc.Title, Party: party, Reason: reason,
		From: inc.From.In(loc).Format(layout), To: inc.To.In(loc).Format(layout)}
	if n.Party == "" {
		n.Party = "unattributed"
	}
	n.Place = rep.label(gz, "region", regionOf(gz, inc))
	if inc.ByUnit {
		n.Place += " (the unit as a whole)"
	} else {
		n.Place += fmt.Sprintf(", %.3f, %.3f ±%s km", inc.Lat, inc.Lon, num(inc.RadiusKm))
	}
	seen := map[string]bool{}
	for _, r := range inc.Reports {
		s := r.Source.Kind + ": " + r.Source.Name
		if r.Source.URL != "" {
			s += " <" + r.Source.URL + ">"
		}
		if !seen[s] {
			seen[s] = true
			n.Sources = append(n.Sources, s)
		}
	}
	slices.Sort(n.Sources)
	if n.Sources == nil {
		n.Sources = []string{}
	}
	return n
}

// claims sets the day's claims beside the evidence.
func (rep *Report) claims(in Input, j judges) error {
	st := in.State
	var cis []incident.ClaimIncident
	for i := range st.Incidents {
		inc := &st.Incidents[i]
		ti := truce.Incident{ID: inc.ID, Status: inc.Status, ReportIDs: inc.ReportIDs, From: inc.From, To: inc.To, Lat: inc.Lat, Lon: inc.Lon,
			RadiusKm: inc.RadiusKm, Admin1: inc.Admin1, Domains: inc.Domains, Targets: inc.Targets, Perpetrators: inc.Perpetrators, Title: inc.Title,
			Sources: inc.Sources, Score: inc.Score}
		if inc.Finding != nil {
			ti.Findings = []truce.Finding{*inc.Finding}
		} else if j.current != nil {
			if f := j.current.judge(inc); f != nil {
				ti.Findings = []truce.Finding{*f}
			}
		}
		cis = append(cis, incident.ClaimIncident{Incident: ti, Members: inc.Reports})
	}
	for _, c := range st.Claims {
		if !overlaps(c.From, c.To, rep.Periods.Day) {
			continue
		}
		ev, err := in.Grouper.ClaimEvidence(c, st.Agreement.Area, st.Parties, st.Reports, cis)
		if err != nil {
			return fmt.Errorf("compliance: claim %d: %w", c.ID, err)
		}
		rep.Claims = append(rep.Claims, ClaimLine{ID: c.ID, Summary: c.Summary, Evidence: ev})
	}
	return nil
}

// num formats a number the one way every format uses: no exponent, no
// trailing zeros.
func num(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
