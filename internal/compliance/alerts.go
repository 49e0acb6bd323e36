package compliance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// AlertSystemUser is who opens and clears alerts.
const AlertSystemUser = "alerts"

// engine folds the log, leaf by leaf, into what alert rules read: the
// incidents (status, interval, targets), their findings, the agreements
// and the rules with their open alerts. It is not safe for concurrent use.
type engine struct {
	g          *incident.Grouper
	size       int64 // leaves folded
	agreements map[string]truce.Agreement
	parties    map[string]truce.Party
	incidents  map[int64]*store.IncidentState
	findings   map[string]map[int64]truce.Finding // agreement → incident → finding
	rules      []truce.AlertRule
	open       map[alertKey]*openAlert
	baselines  map[string]*judge // agreement id@version → the baseline judge
}

type alertKey struct {
	rule int64
	key  string
}

type openAlert struct {
	id    int64
	acked bool
}

// match is a rule's condition holding for one key.
type match struct {
	incidents []int64
	summary   string
}

func newEngine(g *incident.Grouper) *engine {
	return &engine{g: g, agreements: map[string]truce.Agreement{}, parties: map[string]truce.Party{},
		incidents: map[int64]*store.IncidentState{}, findings: map[string]map[int64]truce.Finding{},
		open: map[alertKey]*openAlert{}, baselines: map[string]*judge{}}
}

// apply folds one leaf and says whether it may change a rule's condition
// (and for a finding, which agreement: "" means any). states reads the
// incident states of a grouping leaf.
func (e *engine) apply(en ledger.Entry, states func(id int64) ([]store.IncidentState, error)) (changed bool, agreement string, err error) {
	e.size = en.Index + 1
	var leaf struct {
		Record json.RawMessage `json:"record"`
	}
	decode := func(v any) error {
		if err := json.Unmarshal(en.Data, &leaf); err != nil {
			return fmt.Errorf("alerts: leaf %d: %w", en.Index, err)
		}
		if err := json.Unmarshal(leaf.Record, v); err != nil {
			return fmt.Errorf("alerts: leaf %d (%s): %w", en.Index, en.Kind, err)
		}
		return nil
	}
	switch en.Kind {
	case ledger.KindAgreementVersion:
		var a truce.Agreement
		if err := decode(&a); err != nil {
			return false, "", err
		}
		e.agreements[a.ID] = a
		return true, a.ID, nil
	case ledger.KindParty:
		var p truce.Party
		if err := decode(&p); err != nil {
			return false, "", err
		}
		e.parties[p.Code] = p
	case ledger.KindFinding:
		var f truce.Finding
		if err := decode(&f); err != nil {
			return false, "", err
		}
		if f.SubjectKind != store.SubjectIncident {
			return false, "", nil
		}
		m := e.findings[f.AgreementID]
		if m == nil {
			m = map[int64]truce.Finding{}
			e.findings[f.AgreementID] = m
		}
		m[f.SubjectID] = f
		return true, f.AgreementID, nil
	case ledger.KindTransition:
		var t truce.Transition
		if err := decode(&t); err != nil {
			return false, "", err
		}
		if s := e.incidents[t.IncidentID]; s != nil {
			s.Status = t.To
		}
		return true, "", nil
	case store.KindIncidentGrouping:
		id, err := strconv.ParseInt(en.RecordID, 10, 64)
		if err != nil {
			return false, "", fmt.Errorf("alerts: leaf %d: grouping id %q", en.Index, en.RecordID)
		}
		ss, err := states(id)
		if err != nil {
			return false, "", err
		}
		for i := range ss {
			s := ss[i]
			e.incidents[s.ID] = &s
		}
		return true, "", nil
	case store.KindAlertRule:
		var r truce.AlertRule
		if err := decode(&r); err != nil {
			return false, "", err
		}
		if !slices.ContainsFunc(e.rules, func(x truce.AlertRule) bool { return x.ID == r.ID }) {
			e.rules = append(e.rules, r)
		}
		return true, r.AgreementID, nil
	case store.KindAlert:
		var a truce.Alert
		if err := decode(&a); err != nil {
			return false, "", err
		}
		e.noteAlert(a)
	}
	return false, "", nil
}

// noteAlert applies a logged alert step to the open alerts; applying one
// twice changes nothing.
func (e *engine) noteAlert(a truce.Alert) {
	k := alertKey{a.RuleID, a.Key}
	switch a.Event {
	case truce.AlertOpened:
		if o := e.open[k]; o == nil || o.id != a.ID {
			e.open[k] = &openAlert{id: a.ID}
		}
	case truce.AlertAcknowledged:
		if o := e.open[k]; o != nil && o.id == a.OpenedID {
			o.acked = true
		}
	case truce.AlertCleared:
		if o := e.open[k]; o != nil && o.id == a.OpenedID {
			delete(e.open, k)
		}
	}
}

// steps returns the alert steps that bring the open alerts of the rules
// on agreement (every rule when "") in line with their conditions now: an
// opening for each key that holds and has no alert open, a clearing for
// each open alert whose key no longer holds.
func (e *engine) steps(agreement string) []truce.Alert {
	var out []truce.Alert
	for _, r := range e.rules {
		if agreement != "" && r.AgreementID != agreement {
			continue
		}
		ms := e.evaluate(r)
		for _, key := range slices.Sorted(mapKeysOf(ms)) {
			if e.open[alertKey{r.ID, key}] != nil {
				continue
			}
			m := ms[key]
			out = append(out, truce.Alert{RuleID: r.ID, AgreementID: r.AgreementID, Key: key, Event: truce.AlertOpened,
				Incidents: m.incidents, Summary: r.Name + ": " + m.summary, LogSize: e.size, By: AlertSystemUser})
		}
		var stale []alertKey
		for k := range e.open {
			if k.rule == r.ID {
				if _, ok := ms[k.key]; !ok {
					stale = append(stale, k)
				}
			}
		}
		slices.SortFunc(stale, func(a, b alertKey) int { return strings.Compare(a.key, b.key) })
		for _, k := range stale {
			out = append(out, truce.Alert{RuleID: r.ID, AgreementID: r.AgreementID, Key: k.key, Event: truce.AlertCleared,
				OpenedID: e.open[k].id, Summary: r.Name + ": the condition no longer holds", LogSize: e.size, By: AlertSystemUser})
		}
	}
	return out
}

func mapKeysOf[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// evaluate returns the keys for which a rule's condition holds.
func (e *engine) evaluate(r truce.AlertRule) map[string]match {
	out := map[string]match{}
	a, ok := e.agreements[r.AgreementID]
	if !ok {
		return out
	}
	fs := e.findings[r.AgreementID]
	// The incidents with a finding against the agreement, as they stand.
	type live struct {
		s *store.IncidentState
		f truce.Finding
	}
	var incs []live
	for id, f := range fs {
		s := e.incidents[id]
		if s == nil || s.MergedInto != 0 || len(s.ReportIDs) == 0 {
			continue
		}
		incs = append(incs, live{s, f})
	}
	slices.SortFunc(incs, func(x, y live) int {
		if c := x.s.From.Compare(y.s.From); c != 0 {
			return c
		}
		return int(x.s.ID - y.s.ID)
	})
	verifiedViolation := func(l live) bool {
		return l.f.Verdict == truce.VerdictViolation && l.s.Status == truce.IncidentVerified
	}
	switch r.Kind {
	case truce.RuleVerifiedTarget:
		for _, l := range incs {
			if verifiedViolation(l) && slices.Contains(l.s.Targets, r.Target) {
				out["incident:"+strconv.FormatInt(l.s.ID, 10)] = match{[]int64{l.s.ID},
					fmt.Sprintf("incident %d, verified as a violation of %s, struck a target of kind %s", l.s.ID, r.AgreementID, r.Target)}
			}
		}
	case truce.RuleVerifiedByParty:
		byParty := map[string][]live{}
		for _, l := range incs {
			if verifiedViolation(l) && l.f.Party != "" && (r.Party == "" || l.f.Party == r.Party) {
				byParty[l.f.Party] = append(byParty[l.f.Party], l)
			}
		}
		within := time.Duration(r.WithinHours) * time.Hour
		for party, ls := range byParty {
			// The incidents of every window of Count or more that began
			// within the span; one key per party, so that the alert
			// trips once when the party first crosses the threshold and
			// again only after it has fallen back below it.
			in := map[int64]bool{}
			for i := range ls {
				j := i
				for j+1 < len(ls) && ls[j+1].s.From.Sub(ls[i].s.From) < within {
					j++
				}
				if j-i+1 >= r.Count {
					for _, l := range ls[i : j+1] {
						in[l.s.ID] = true
					}
				}
			}
			if len(in) == 0 {
				continue
			}
			var ids []int64
			for id := range in {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			out["party:"+party] = match{ids, fmt.Sprintf("%d or more verified violations of %s by %s within %d h (incidents %s)",
				r.Count, r.AgreementID, party, r.WithinHours, joinIDs(ids))}
		}
	case truce.RuleBaselineRatio:
		e.baselineRatio(r, a, out, func(yield func(*store.IncidentState, truce.Finding) bool) {
			for _, l := range incs {
				if !yield(l.s, l.f) {
					return
				}
			}
		})
	}
	return out
}

// baselineRatio finds the reporting days whose violations outnumber
// Factor times the pre-truce baseline.
func (e *engine) baselineRatio(r truce.AlertRule, a truce.Agreement, out map[string]match, incs func(func(*store.IncidentState, truce.Finding) bool)) {
	start, end, err := a.Window.Resolve()
	if err != nil || !a.Status.TookEffect() {
		return
	}
	loc, _ := truce.LoadZone(a.Window.TZ)
	periods, _, err := Spans(a, start.In(loc).Format("2006-01-02"))
	if err != nil {
		return
	}
	bj, err := e.baselineJudge(a, periods.Baseline)
	if err != nil || bj == nil {
		return
	}
	base := 0
	for _, s := range e.incidents {
		if s.MergedInto != 0 || len(s.ReportIDs) == 0 || s.Status == truce.IncidentRejected || !overlaps(s.From, s.To, periods.Baseline) {
			continue
		}
		if f := bj.judge(&store.IncidentAsOf{IncidentState: *s}); f != nil && f.Verdict == truce.VerdictViolation {
			base++
		}
	}
	days := map[string][]int64{}
	for s, f := range incs {
		if f.Verdict != truce.VerdictViolation || s.Status == truce.IncidentRejected {
			continue
		}
		from, to := s.From, s.To
		if from.Before(start) {
			from = start
		}
		if !end.IsZero() && to.After(end) {
			to = end
		}
		// Every reporting day of the window the incident touches, at
		// most 400.
		d := from.In(loc)
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		for n := 0; n < 400; n++ {
			f0, t0, err := truce.LocalDays(day, day, loc)
			if err != nil || (n > 0 && !f0.Before(to)) {
				break
			}
			if overlaps(from, to, Span{f0, t0}) {
				days[day.Format("2006-01-02")] = append(days[day.Format("2006-01-02")], s.ID)
			}
			day = day.AddDate(0, 0, 1)
		}
	}
	for d, ids := range days {
		if float64(len(ids)) > r.Factor*float64(base) {
			slices.Sort(ids)
			out["day:"+d] = match{ids, fmt.Sprintf("%d violations of %s on %s (%s), more than %s × the pre-truce baseline of %d",
				len(ids), r.AgreementID, d, a.Window.TZ, num(r.Factor), base)}
		}
	}
}

func (e *engine) baselineJudge(a truce.Agreement, base Span) (*judge, error) {
	k := a.ID + "@" + strconv.Itoa(a.Version)
	if j, ok := e.baselines[k]; ok {
		return j, nil
	}
	var parties []truce.Party
	for _, code := range slices.Sorted(mapKeysOf(e.parties)) {
		parties = append(parties, e.parties[code])
	}
	js, err := newJudges(Input{State: store.ComplianceState{Parties: parties}, Grouper: e.g}, a, base)
	if err != nil {
		return nil, err
	}
	e.baselines[k] = js.baseline
	return js.baseline, nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}
