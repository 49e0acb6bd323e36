package compliance

import (
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// TestVerifiedByPartyWindow checks the edge of "within N hours": three
// verified violations whose first and last began exactly 24 h apart are
// not within 24 h; a minute less is.
func TestVerifiedByPartyWindow(t *testing.T) {
	end := "2025-06-01T00:00"
	a := truce.Agreement{ID: "a", Version: 1, Status: truce.StatusInForce, Bound: []string{"RU"},
		Window: truce.Window{Start: "2025-05-01T00:00", End: &end, TZ: "UTC"}, Domains: []string{"land"}, Targets: []string{"any"}}
	rule := truce.AlertRule{ID: 1, Name: "r", Kind: truce.RuleVerifiedByParty, AgreementID: "a", Count: 3, WithinHours: 24}
	t0 := time.Date(2025, 5, 10, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		last time.Duration
		want bool
	}{{24 * time.Hour, false}, {24*time.Hour - time.Minute, true}} {
		e := newEngine(nil)
		e.agreements["a"] = a
		e.findings["a"] = map[int64]truce.Finding{}
		for i, at := range []time.Time{t0, t0.Add(12 * time.Hour), t0.Add(c.last)} {
			id := int64(i + 1)
			e.incidents[id] = &store.IncidentState{ID: id, Status: truce.IncidentVerified, ReportIDs: []int64{id}, From: at, To: at.Add(time.Hour)}
			e.findings["a"][id] = truce.Finding{AgreementID: "a", SubjectID: id, Verdict: truce.VerdictViolation, Party: "RU"}
		}
		ms := e.evaluate(rule)
		if _, ok := ms["party:RU"]; ok != c.want {
			t.Errorf("first and last %v apart: holds %v, want %v (%+v)", c.last, ok, c.want, ms)
		}
	}
}
