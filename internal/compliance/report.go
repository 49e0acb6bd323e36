package compliance

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// Report is the daily compliance report of one agreement.
type Report struct {
	Agreement  AgreementInfo `json:"agreement"`
	Date       string        `json:"date"` // the reporting day, in the agreement's zone
	Checkpoint Checkpoint    `json:"checkpoint"`
	Periods    Periods       `json:"periods"`

	Summary  Row   `json:"summary"`
	ByParty  []Row `json:"by_party"`
	ByDomain []Row `json:"by_domain"`
	ByRegion []Row `json:"by_region"`
	ByMeans  []Row `json:"by_means"`

	Series  []DayCount     `json:"series"` // the seven reporting days ending with this one
	Claims  []ClaimLine    `json:"claims"`
	Notable []Notable      `json:"notable"`
	Access  []AccessLine   `json:"access_restrictions"`
	Alerts  []AlertLine    `json:"alerts"` // alerts of the agreement's rules not cleared at the report's log size
	Places  []Place        `json:"places"` // the day's counted incidents, for the map
	Notes   []string       `json:"notes"`
	region  map[string]int // the day's counted incidents per region, for the map
	area    []string       // the agreement's admin-1 units and countries, for the map
	names   map[string]string
	gz      *geo.Gazetteer
}

// AgreementInfo names the agreement and the version the report read.
type AgreementInfo struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Title   string `json:"title,omitempty"`
	Status  string `json:"status"`
	Window  string `json:"window"`
	TZ      string `json:"tz"`
}

// Checkpoint is the log the report was computed from.
type Checkpoint struct {
	Size int64  `json:"size"`
	Root string `json:"root"` // standard base64, as in signed checkpoints
}

// Span is an interval of instants [From, To).
type Span struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Periods are the spans each count is given for.
type Periods struct {
	Day      Span `json:"day"`
	Previous Span `json:"previous_day"`
	Baseline Span `json:"baseline"`
	Total    Span `json:"since_window_opened"`
}

// Counts are the incidents of one period, by verdict and by status, with
// the range of violations the evidence allows.
type Counts struct {
	Violation    int `json:"violation"`
	Uncertain    int `json:"uncertain"`
	Alleged      int `json:"alleged"`
	Corroborated int `json:"corroborated"`
	Verified     int `json:"verified"`
	Disputed     int `json:"disputed"`
	Rejected     int `json:"rejected"`
	Low          int `json:"low"`               // verified violations
	High         int `json:"high"`              // verified or corroborated, violation or uncertain
	Weapons      int `json:"weapons,omitempty"` // means rows: the weapons counted
}

// Row is one line of counts: the total, a party, a domain, a region or a
// means, in each period.
type Row struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Day      Counts `json:"day"`
	Previous Counts `json:"previous_day"`
	Baseline Counts `json:"baseline"`
	Total    Counts `json:"since_window_opened"`
}

// DayCount is one reporting day of the chart.
type DayCount struct {
	Date      string `json:"date"`
	Violation int    `json:"violation"`
	Uncertain int    `json:"uncertain"`
	Low       int    `json:"low"`
	High      int    `json:"high"`
}

// ClaimLine is a claim beside what the record supports.
type ClaimLine struct {
	ID       int64                  `json:"id"`
	Summary  string                 `json:"summary"`
	Evidence incident.ClaimEvidence `json:"evidence"`
}

// Notable is one of the day's verified violations.
type Notable struct {
	ID      int64    `json:"id"`
	Title   string   `json:"title"`
	Party   string   `json:"party"`
	Reason  string   `json:"reason"`
	From    string   `json:"from"`
	To      string   `json:"to"`
	Place   string   `json:"place"`
	Sources []string `json:"sources"`
}

// AccessLine is a place monitors were denied access to.
type AccessLine struct {
	ID       int64  `json:"id"`
	At       string `json:"at"` // local time in the agreement's zone
	Place    string `json:"place"`
	Region   string `json:"region,omitempty"`
	DeniedBy string `json:"denied_by,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// AlertLine is an alert open (or acknowledged) at the report's log size.
type AlertLine struct {
	ID        int64   `json:"id"`
	RuleID    int64   `json:"rule_id"`
	State     string  `json:"state"` // opened, acknowledged
	Summary   string  `json:"summary"`
	LogSize   int64   `json:"log_size"` // the leaf that tripped it is LogSize-1
	Incidents []int64 `json:"incidents"`
}

// Place is a counted incident of the day on the map.
type Place struct {
	ID       int64   `json:"id"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	RadiusKm float64 `json:"radius_km"`
	Verdict  string  `json:"verdict"`
	Status   string  `json:"status"`
}

// Input is what Build needs besides the record: the grouper (with the
// gazetteer) and the reporting day.
type Input struct {
	State   store.ComplianceState
	Grouper *incident.Grouper
	Date    string // YYYY-MM-DD
}

// ParseDate reads a reporting day YYYY-MM-DD.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil || d.Format("2006-01-02") != s {
		return time.Time{}, truce.Invalid("date", "%q is not a date YYYY-MM-DD", s)
	}
	return d, nil
}

// Spans returns the periods of a reporting day for an agreement, and the
// span the record must be read for (the periods and the chart's days).
func Spans(a truce.Agreement, date string) (Periods, Span, error) {
	var p Periods
	d, err := ParseDate(date)
	if err != nil {
		return p, Span{}, err
	}
	start, end, err := a.Window.Resolve()
	if err != nil {
		return p, Span{}, truce.Invalid("agreement", "%s: window: %v", a.ID, err)
	}
	loc, _ := truce.LoadZone(a.Window.TZ)
	day := func(off int) (Span, error) {
		from, to, err := truce.LocalDays(d.AddDate(0, 0, off), d.AddDate(0, 0, off), loc)
		return Span{from, to}, err
	}
	if p.Day, err = day(0); err != nil {
		return p, Span{}, truce.Invalid("date", "%v", err)
	}
	if p.Previous, err = day(-1); err != nil {
		return p, Span{}, truce.Invalid("date", "%v", err)
	}
	local := start.In(loc)
	naive := time.Date(local.Year(), local.Month(), local.Day()-1, local.Hour(), local.Minute(), local.Second(), 0, time.UTC)
	bfrom, err := truce.LocalInstant(naive, loc)
	if err != nil {
		bfrom = start.Add(-24 * time.Hour)
	}
	p.Baseline = Span{bfrom, start}
	p.Total = Span{start, p.Day.To}
	if !end.IsZero() && end.Before(p.Total.To) {
		p.Total.To = end
	}
	if p.Total.To.Before(start) {
		p.Total.To = start
	}
	first, err := day(-(seriesDays - 1))
	if err != nil {
		return p, Span{}, truce.Invalid("date", "%v", err)
	}
	read := Span{From: minTime(first.From, bfrom, start), To: p.Day.To}
	return p, read, nil
}

const seriesDays = 7

func minTime(ts ...time.Time) time.Time {
	m := ts[0]
	for _, t := range ts[1:] {
		if t.Before(m) {
			m = t
		}
	}
	return m
}

// Build computes the report from the record as of in.State.
func Build(in Input) (*Report, error) {
	st := in.State
	a := st.Agreement
	periods, _, err := Spans(a, in.Date)
	if err != nil {
		return nil, err
	}
	loc, _ := truce.LoadZone(a.Window.TZ)
	end := "open-ended"
	if a.Window.End != nil {
		end = *a.Window.End
	}
	rep := &Report{
		Agreement: AgreementInfo{ID: a.ID, Version: max(a.Version, 1), Title: a.Title, Status: string(a.Status),
			Window: a.Window.Start + " – " + end, TZ: a.Window.TZ},
		Date:       in.Date,
		Checkpoint: Checkpoint{Size: st.AsOf.Size, Root: base64.StdEncoding.EncodeToString(st.AsOf.Root[:])},
		Periods:    periods,
		region:     map[string]int{},
		names:      map[string]string{},
	}
	for _, p := range st.Parties {
		rep.names["party:"+p.Code] = p.Name
	}
	if !a.Status.TookEffect() {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the agreement is %s: it never took effect, so nothing is judged against it", a.Status))
	}
	if in.Grouper == nil {
		return nil, fmt.Errorf("compliance: no grouper")
	}
	j, err := newJudges(in, a, periods.Baseline)
	if err != nil {
		return nil, err
	}
	gz := in.Grouper.Gazetteer()
	rep.gz = gz
	if a.Area != nil {
		rep.area = append(append(rep.area, a.Area.Admin1...), a.Area.Countries...)
	}

	// Classify every incident once per period.
	type judged struct {
		inc     *store.IncidentAsOf
		verdict string
		party   string
		reason  string
	}
	var stored, fresh []judged
	var baseline []judged
	for i := range st.Incidents {
		inc := &st.Incidents[i]
		v := judged{inc: inc}
		if inc.Finding != nil {
			v.verdict, v.party, v.reason = inc.Finding.Verdict, inc.Finding.Party, inc.Finding.Reason
		} else if j.current != nil {
			if f := j.current.judge(inc); f != nil {
				v.verdict, v.party, v.reason = f.Verdict, f.Party, f.Reason
				fresh = append(fresh, v)
			}
		}
		stored = append(stored, v)
		if j.baseline != nil && overlaps(inc.From, inc.To, periods.Baseline) {
			if f := j.baseline.judge(inc); f != nil {
				baseline = append(baseline, judged{inc: inc, verdict: f.Verdict, party: f.Party, reason: f.Reason})
			}
		}
	}
	if len(fresh) > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d incidents had no stored finding against this agreement at log size %d and were judged for this report", len(fresh), st.AsOf.Size))
	}

	rows := map[string]*Row{}
	row := func(dim, key string) *Row {
		k := dim + ":" + key
		r, ok := rows[k]
		if !ok {
			r = &Row{Key: key, Label: rep.label(gz, dim, key)}
			rows[k] = r
		}
		return r
	}
	rep.Summary = Row{Key: "all", Label: "All incidents"}
	add := func(v judged, pick func(*Row) *Counts) {
		if v.verdict != truce.VerdictViolation && v.verdict != truce.VerdictUncertain {
			return
		}
		means := largestMeans(v.inc.Reports)
		pick(&rep.Summary).add(v.verdict, v.inc.Status, 0)
		party := v.party
		if party == "" {
			party = "unattributed"
		}
		pick(row("party", party)).add(v.verdict, v.inc.Status, 0)
		for _, d := range v.inc.Domains {
			pick(row("domain", d)).add(v.verdict, v.inc.Status, 0)
		}
		pick(row("region", regionOf(gz, v.inc))).add(v.verdict, v.inc.Status, 0)
		for _, m := range means {
			pick(row("means", m.Kind)).add(v.verdict, v.inc.Status, m.Count)
		}
	}
	for _, v := range stored {
		if overlaps(v.inc.From, v.inc.To, periods.Day) {
			add(v, func(r *Row) *Counts { return &r.Day })
			if v.verdict == truce.VerdictViolation || v.verdict == truce.VerdictUncertain {
				rep.region[regionOf(gz, v.inc)]++
				rep.Places = append(rep.Places, Place{ID: v.inc.ID, Lat: v.inc.Lat, Lon: v.inc.Lon, RadiusKm: v.inc.RadiusKm,
					Verdict: v.verdict, Status: string(v.inc.Status)})
			}
			if v.verdict == truce.VerdictViolation && v.inc.Status == truce.IncidentVerified {
				rep.Notable = append(rep.Notable, rep.notable(gz, loc, v.inc, v.party, v.reason))
			}
		}
		if overlaps(v.inc.From, v.inc.To, periods.Previous) {
			add(v, func(r *Row) *Counts { return &r.Previous })
		}
		if periods.Total.To.After(periods.Total.From) && overlaps(v.inc.From, v.inc.To, periods.Total) {
			add(v, func(r *Row) *Counts { return &r.Total })
		}
	}
	for _, v := range baseline {
		add(v, func(r *Row) *Counts { return &r.Baseline })
	}
	for k, r := range rows {
		dim, _, _ := strings.Cut(k, ":")
		switch dim {
		case "party":
			rep.ByParty = append(rep.ByParty, *r)
		case "domain":
			rep.ByDomain = append(rep.ByDomain, *r)
		case "region":
			rep.ByRegion = append(rep.ByRegion, *r)
		case "means":
			rep.ByMeans = append(rep.ByMeans, *r)
		}
	}
	for _, rs := range []*[]Row{&rep.ByParty, &rep.ByDomain, &rep.ByRegion, &rep.ByMeans} {
		slices.SortFunc(*rs, func(a, b Row) int { return strings.Compare(a.Key, b.Key) })
		*rs = nonNil(*rs)
	}

	// The chart: seven reporting days.
	d, _ := ParseDate(in.Date)
	for off := seriesDays - 1; off >= 0; off-- {
		day := d.AddDate(0, 0, -off)
		from, to, err := truce.LocalDays(day, day, loc)
		if err != nil {
			return nil, truce.Invalid("date", "%v", err)
		}
		dc := DayCount{Date: day.Format("2006-01-02")}
		for _, v := range stored {
			if !overlaps(v.inc.From, v.inc.To, Span{from, to}) {
				continue
			}
			var c Counts
			c.add(v.verdict, v.inc.Status, 0)
			dc.Violation += c.Violation
			dc.Uncertain += c.Uncertain
			dc.Low += c.Low
			dc.High += c.High
		}
		rep.Series = append(rep.Series, dc)
	}

	if err := rep.claims(in, j); err != nil {
		return nil, err
	}
	for _, ar := range st.Access {
		if !overlaps(ar.At, ar.At, periods.Day) {
			continue
		}
		line := AccessLine{ID: ar.ID, At: ar.At.In(loc).Format("2006-01-02 15:04"), Place: ar.Place, DeniedBy: ar.DeniedBy, Reason: ar.Reason}
		if ar.Admin1 != "" {
			line.Region = rep.label(gz, "region", ar.Admin1)
		} else if ar.Lat != nil && gz != nil {
			if code, ok := gz.Admin1At(*ar.Lat, *ar.Lon); ok {
				line.Region = rep.label(gz, "region", code)
			}
		}
		rep.Access = append(rep.Access, line)
	}
	slices.SortFunc(rep.Places, func(a, b Place) int { return int(a.ID - b.ID) })
	slices.SortFunc(rep.Notable, func(a, b Notable) int { return int(a.ID - b.ID) })
	for _, a := range st.Alerts {
		rep.Alerts = append(rep.Alerts, AlertLine{ID: a.ID, RuleID: a.RuleID, State: a.State, Summary: a.Summary, LogSize: a.LogSize, Incidents: nonNil(a.Incidents)})
	}
	// Empty lists as [] in JSON, the same whatever was found.
	rep.Claims, rep.Notable, rep.Access = nonNil(rep.Claims), nonNil(rep.Notable), nonNil(rep.Access)
	rep.Places, rep.Notes, rep.Alerts = nonNil(rep.Places), nonNil(rep.Notes), nonNil(rep.Alerts)
	return rep, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// add counts one incident with a violation or uncertain verdict.
func (c *Counts) add(verdict string, status truce.IncidentStatus, weapons int) {
	switch verdict {
	case truce.VerdictViolation:
		c.Violation++
	case truce.VerdictUncertain:
		c.Uncertain++
	default:
		return
	}
	switch status {
	case truce.IncidentAlleged:
		c.Alleged++
	case truce.IncidentCorroborated:
		c.Corroborated++
	case truce.IncidentVerified:
		c.Verified++
	case truce.IncidentDisputed:
		c.Disputed++
	case truce.IncidentRejected:
		c.Rejected++
	}
	if verdict == truce.VerdictViolation && status == truce.IncidentVerified {
		c.Low++
	}
	if status == truce.IncidentVerified || status == truce.IncidentCorroborated {
		c.High++
	}
	c.Weapons += weapons
}

// overlaps reports whether [from, to) meets s; an instant counts where it
// falls.
func overlaps(from, to time.Time, s Span) bool {
	if from.Equal(to) {
		return !from.Before(s.From) && from.Before(s.To)
	}
	return from.Before(s.To) && to.After(s.From)
}

// regionOf names an incident's admin-1 unit, else the country at its
// centre, else "unknown".
func regionOf(gz *geo.Gazetteer, inc *store.IncidentAsOf) string {
	if inc.Admin1 != "" {
		return strings.ToUpper(inc.Admin1)
	}
	if gz != nil {
		if cc, ok := gz.CountryAt(inc.Lat, inc.Lon); ok {
			return cc
		}
	}
	return "unknown"
}

// largestMeans returns, per kind, the largest count any report gives,
// sorted by kind.
func largestMeans(rs []truce.Report) []truce.Means {
	best := map[string]int{}
	for _, r := range rs {
		for _, m := range r.Means {
			best[m.Kind] = max(best[m.Kind], m.Count)
		}
	}
	var out []truce.Means
	for k, n := range best {
		out = append(out, truce.Means{Kind: k, Count: n})
	}
	slices.SortFunc(out, func(a, b truce.Means) int { return strings.Compare(a.Kind, b.Kind) })
	return out
}
