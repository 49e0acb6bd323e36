package compliance_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/compliance"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

// alertWorld is the May 2025 scenario's terms with an alerter over them.
type alertWorld struct {
	t    *testing.T
	ctx  context.Context
	db   *store.DB
	g    *incident.Grouper
	a    *compliance.Alerter
	seen int // alert steps already checked
	n    int // reports filed
}

func newAlertWorld(t *testing.T, rules ...truce.AlertRule) (*alertWorld, []truce.AlertRule) {
	return newAlertWorldOn(t, store.SQLite, rules...)
}

func newAlertWorldOn(t *testing.T, dialect string, rules ...truce.AlertRule) (*alertWorld, []truce.AlertRule) {
	t.Helper()
	w := &alertWorld{t: t, ctx: context.Background(), db: openStore(t, dialect), g: grouper(t)}
	b, err := demo.Open(demo.ScenarioTermsFile)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := terms.Parse(bytes.NewReader(b), w.g.Gazetteer())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ImportTerms(w.ctx, tm, "test"); err != nil {
		t.Fatal(err)
	}
	for i := range rules {
		if err := w.db.CreateAlertRule(w.ctx, &rules[i]); err != nil {
			t.Fatal(err)
		}
	}
	w.a = compliance.NewAlerter(w.db, w.g, nil)
	w.step()
	if got := w.newAlerts(); len(got) != 0 {
		t.Fatalf("alerts before any incident: %+v", got)
	}
	return w, rules
}

func (w *alertWorld) step() {
	w.t.Helper()
	if err := w.a.Step(w.ctx); err != nil {
		w.t.Fatalf("Step: %v", err)
	}
}

// newAlerts returns the alert steps logged since the last call.
func (w *alertWorld) newAlerts() []truce.Alert {
	w.t.Helper()
	entries := w.entries()
	var all []truce.Alert
	for _, e := range entries {
		if e.Kind != store.KindAlert {
			continue
		}
		rec, err := w.db.Record(w.ctx, e.Kind, e.RecordID)
		if err != nil {
			w.t.Fatal(err)
		}
		all = append(all, rec.(truce.Alert))
	}
	out := all[w.seen:]
	w.seen = len(all)
	return out
}

func (w *alertWorld) entries() []ledger.Entry {
	w.t.Helper()
	n, err := w.db.LogSize(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	es, err := w.db.LogEntries(w.ctx, 0, n)
	if err != nil {
		w.t.Fatal(err)
	}
	return es
}

func (w *alertWorld) size() int64 {
	n, err := w.db.LogSize(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// file stores a monitor's report, groups and judges it, and returns its
// incident.
func (w *alertWorld) file(at time.Time, lat, lon float64, perp string, targets ...string) truce.Incident {
	w.t.Helper()
	w.n++
	to := at.Add(time.Hour)
	r := truce.Report{ExternalID: "r" + string(rune('a'+w.n)), Source: truce.ReportSource{Kind: truce.SourceMonitor, Name: "patrol"},
		SubmittedBy: "monitor1", Occurred: truce.Occurrence{From: &at, To: &to}, Place: truce.Point(lat, lon, 5),
		Domains: []string{"land"}, Targets: targets, Perpetrators: []string{perp}, Description: "shelling (test)"}
	if _, err := w.db.CreateReport(w.ctx, &r); err != nil {
		w.t.Fatal(err)
	}
	process(w.t, w.db, w.g)
	r, err := w.db.Report(w.ctx, r.ID)
	if err != nil || r.IncidentID == nil {
		w.t.Fatalf("report %d: %v, in no incident", r.ID, err)
	}
	inc, err := w.db.Incident(w.ctx, *r.IncidentID)
	if err != nil {
		w.t.Fatal(err)
	}
	return inc
}

// move takes an incident through the workflow and returns the index of
// the transition's leaf.
func (w *alertWorld) move(id int64, to truce.IncidentStatus) int64 {
	w.t.Helper()
	inc, err := w.db.Incident(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.db.Transition(w.ctx, truce.Transition{IncidentID: id, To: to, Reason: "test", By: "monitor1"}, inc.Version); err != nil {
		w.t.Fatalf("incident %d to %s: %v", id, to, err)
	}
	return w.size() - 1
}

func (w *alertWorld) expectNone(when string) {
	w.t.Helper()
	w.step()
	if got := w.newAlerts(); len(got) != 0 {
		w.t.Errorf("%s: alerts %+v, want none", when, got)
	}
}

// expect steps the alerter and checks that exactly one alert step came
// out, for the rule, of the event, crossed at leaf (its LogSize is leaf+1),
// naming the incidents.
func (w *alertWorld) expect(when string, rule int64, event string, leaf int64, incidents []int64) truce.Alert {
	w.t.Helper()
	w.step()
	got := w.newAlerts()
	if len(got) != 1 {
		w.t.Fatalf("%s: alerts %+v, want one %s of rule %d", when, got, event, rule)
	}
	a := got[0]
	w.t.Logf("%s: %s %s (log size %d)", when, a.Event, a.Summary, a.LogSize)
	if a.RuleID != rule || a.Event != event || a.LogSize != leaf+1 || (incidents != nil && !slices.Equal(a.Incidents, incidents)) {
		w.t.Errorf("%s: alert %+v; want rule %d %s at log size %d naming %v", when, a, rule, event, leaf+1, incidents)
	}
	return a
}

// TestAlertVerifiedByParty: three verified violations of the Easter truce
// by Russia within 24 h trip once, at the third verification; a fourth
// while the alert is open (and acknowledged) trips nothing; disputing two
// clears it; verifying again trips again.
func TestAlertVerifiedByParty(t *testing.T) { forEachStore(t, testAlertVerifiedByParty) }

func testAlertVerifiedByParty(t *testing.T, dialect string) {
	w, rules := newAlertWorldOn(t, dialect, truce.AlertRule{Name: "three by one party in a day", Kind: truce.RuleVerifiedByParty,
		AgreementID: "easter-truce-2025", Count: 3, WithinHours: 24})
	rule := rules[0].ID
	day := time.Date(2025, 4, 20, 6, 0, 0, 0, time.UTC) // inside the truce: 19 Apr 15:00 to 20 Apr 21:00 UTC
	places := [][2]float64{{49.99, 36.23}, {46.63, 32.6}, {47.84, 35.14}, {50.9, 34.8}}
	var ids []int64
	for i, p := range places {
		ids = append(ids, w.file(day.Add(time.Duration(i)*time.Hour), p[0], p[1], "RU").ID)
	}
	w.expectNone("four alleged violations")
	w.move(ids[0], truce.IncidentVerified)
	w.expectNone("one verified")
	w.move(ids[1], truce.IncidentVerified)
	w.expectNone("two verified")
	leaf := w.move(ids[2], truce.IncidentVerified)
	open := w.expect("three verified", rule, truce.AlertOpened, leaf, ids[:3])
	logged := w.size() // the alert's own leaf is the last

	ack := truce.Alert{Event: truce.AlertAcknowledged, OpenedID: open.ID, Note: "guarantors informed", By: "monitor1"}
	if err := w.db.AddAlert(w.ctx, &ack); err != nil {
		t.Fatal(err)
	}
	w.step()
	w.newAlerts() // the acknowledgement itself
	// The day's report lists the alert as of each log size: not before
	// its leaf (which follows the leaf that tripped it), open from it,
	// acknowledged after the acknowledgement's leaf.
	for _, c := range []struct {
		size  int64
		state string
	}{{leaf + 1, ""}, {logged - 1, ""}, {logged, truce.AlertOpened}, {w.size(), truce.AlertAcknowledged}} {
		rep, err := compliance.Daily(w.ctx, w.db, w.g, "easter-truce-2025", "2025-04-20", c.size)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.state == "" && len(rep.Alerts) != 0:
			t.Errorf("report at size %d lists alerts %+v, want none", c.size, rep.Alerts)
		case c.state != "" && (len(rep.Alerts) != 1 || rep.Alerts[0].ID != open.ID || rep.Alerts[0].State != c.state):
			t.Errorf("report at size %d lists alerts %+v, want alert %d %s", c.size, rep.Alerts, open.ID, c.state)
		}
	}
	w.move(ids[3], truce.IncidentVerified)
	w.expectNone("a fourth while the alert is acknowledged")

	w.move(ids[0], truce.IncidentDisputed)
	w.expectNone("three of four still verified")
	leaf = w.move(ids[1], truce.IncidentDisputed)
	cleared := w.expect("two of four verified", rule, truce.AlertCleared, leaf, nil)
	if cleared.OpenedID != open.ID {
		t.Errorf("clearing names alert %d, want %d", cleared.OpenedID, open.ID)
	}
	leaf = w.move(ids[1], truce.IncidentVerified)
	w.expect("three verified again", rule, truce.AlertOpened, leaf, []int64{ids[1], ids[2], ids[3]})

	// A fresh alerter (a restart) neither repeats nor misses anything.
	w.a = compliance.NewAlerter(w.db, w.g, nil)
	w.expectNone("after a restart")
	views, err := w.db.Alerts(w.ctx, store.AlertFilter{Open: true})
	if err != nil || len(views) != 1 || views[0].State != truce.AlertOpened {
		t.Errorf("open alerts %+v, %v; want the second opening", views, err)
	}
	// `truce log verify` re-reads every alert and rule leaf from its row.
	for _, e := range w.entries() {
		if e.Kind != store.KindAlert && e.Kind != store.KindAlertRule {
			continue
		}
		again, err := w.db.Reencode(w.ctx, e)
		if err != nil || !bytes.Equal(again, e.Data) {
			t.Errorf("leaf %d (%s %s) re-encodes as %s, %v; logged %s", e.Index, e.Kind, e.RecordID, again, err, e.Data)
		}
	}
}

// TestAlertEnergyTarget: a verified violation against an energy target
// during the energy moratorium trips at its verification, and rejecting
// the incident clears it; an attack on another target never trips.
func TestAlertEnergyTarget(t *testing.T) {
	w, rules := newAlertWorld(t, truce.AlertRule{Name: "energy strike in the moratorium", Kind: truce.RuleVerifiedTarget,
		AgreementID: "energy-moratorium-2025", Target: truce.TargetEnergy})
	rule := rules[0].ID
	at := time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC)
	power := w.file(at, 49.99, 36.23, "RU", "energy")
	other := w.file(at.Add(2*time.Hour), 46.63, 32.6, "RU", "civilian")
	w.expectNone("alleged")
	w.move(other.ID, truce.IncidentVerified)
	w.expectNone("a verified attack on a civilian target")
	leaf := w.move(power.ID, truce.IncidentVerified)
	open := w.expect("verified energy strike", rule, truce.AlertOpened, leaf, []int64{power.ID})
	if open.Key != "incident:"+itoa(power.ID) {
		t.Errorf("key %q", open.Key)
	}
	leaf = w.move(power.ID, truce.IncidentRejected)
	w.expect("rejected", rule, truce.AlertCleared, leaf, []int64{power.ID})
}

// TestAlertBaselineRatio: violations on a day of the Easter truce above
// twice the pre-truce baseline. Two attacks on 18-19 April in the hours
// before the window opened make the baseline 2; the alert trips at the
// finding of the fifth violation on 20 April, not the fourth.
func TestAlertBaselineRatio(t *testing.T) {
	w, rules := newAlertWorld(t, truce.AlertRule{Name: "above twice the baseline", Kind: truce.RuleBaselineRatio,
		AgreementID: "easter-truce-2025", Factor: 2})
	rule := rules[0].ID
	// The window opens 19 Apr 18:00 Moscow (15:00 UTC); the baseline is
	// 18 Apr 15:00 to 19 Apr 15:00 UTC.
	w.file(time.Date(2025, 4, 18, 20, 0, 0, 0, time.UTC), 49.99, 36.23, "RU")
	w.file(time.Date(2025, 4, 19, 9, 0, 0, 0, time.UTC), 46.63, 32.6, "RU")
	w.expectNone("the baseline's attacks")
	day := time.Date(2025, 4, 20, 3, 0, 0, 0, time.UTC) // 20 April, Moscow
	places := [][2]float64{{47.84, 35.14}, {50.9, 34.8}, {48.45, 35.05}, {46.97, 31.99}, {51.5, 31.3}}
	var ids []int64
	for i, p := range places[:4] {
		ids = append(ids, w.file(day.Add(time.Duration(i)*time.Hour), p[0], p[1], "RU").ID)
		w.expectNone("violation " + itoa(int64(i+1)) + " of 20 April")
	}
	inc := w.file(day.Add(5*time.Hour), places[4][0], places[4][1], "RU")
	ids = append(ids, inc.ID)
	// The crossing leaf: the finding of the fifth incident against the
	// truce.
	var leaf int64 = -1
	for _, e := range w.entries() {
		if e.Kind == ledger.KindFinding {
			rec, err := w.db.Record(w.ctx, e.Kind, e.RecordID)
			if err != nil {
				t.Fatal(err)
			}
			if f := rec.(truce.Finding); f.SubjectID == inc.ID && f.AgreementID == "easter-truce-2025" {
				leaf = e.Index
			}
		}
	}
	a := w.expect("violation 5 of 20 April", rule, truce.AlertOpened, leaf, ids)
	if a.Key != "day:2025-04-20" {
		t.Errorf("key %q, want day:2025-04-20", a.Key)
	}
	leafR := w.move(ids[0], truce.IncidentRejected)
	w.expect("a violation rejected", rule, truce.AlertCleared, leafR, nil)
}

func itoa(n int64) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int64) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// TestRunAlerts runs the worker the server runs: it wakes when records
// arrive (store.DB.WaitLog), not on a timer, and logs the alert.
func TestRunAlerts(t *testing.T) { forEachStore(t, testRunAlerts) }

func testRunAlerts(t *testing.T, dialect string) {
	w, rules := newAlertWorldOn(t, dialect, truce.AlertRule{Name: "energy strike in the moratorium", Kind: truce.RuleVerifiedTarget,
		AgreementID: "energy-moratorium-2025", Target: truce.TargetEnergy})
	ctx, cancel := context.WithCancel(w.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		compliance.RunAlerts(ctx, w.db, w.g, nil)
	}()
	defer func() { cancel(); <-done }()
	inc := w.file(time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC), 49.99, 36.23, "RU", "energy")
	w.move(inc.ID, truce.IncidentVerified)
	// The crossing leaf is the verification's, read from the log: the
	// running worker may already have appended its alert after it, so the
	// log's size says nothing here.
	var leaf int64 = -1
	for _, e := range w.entries() {
		if e.Kind == ledger.KindTransition {
			leaf = e.Index
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		views, err := w.db.Alerts(w.ctx, store.AlertFilter{RuleID: rules[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(views) > 0 {
			if len(views) != 1 || views[0].LogSize != leaf+1 || !slices.Equal(views[0].Incidents, []int64{inc.ID}) {
				t.Errorf("alerts %+v, want one at log size %d naming incident %d", views, leaf+1, inc.ID)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no alert 30 s after the crossing record")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
