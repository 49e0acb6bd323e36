package httpapi

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
)

// complianceEnv is a test server whose store holds one truce in force.
func complianceEnv(t *testing.T) *testEnv {
	t.Helper()
	gz, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t, Config{Gazetteer: gz})
	end := "2025-05-11T00:00"
	a := truce.Agreement{ID: "truce-a", Title: "A truce", Status: truce.StatusInForce, Bound: []string{"RU", "UA"},
		Window:  truce.Window{Start: "2025-05-08T00:00", End: &end, TZ: "Europe/Moscow"},
		Domains: []string{"land", "air", "sea"}, Targets: []string{"any"}}
	if _, _, err := e.db.PutAgreement(context.Background(), a, "test"); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestComplianceRoles(t *testing.T) {
	e := complianceEnv(t)
	rule := `{"name":"three a day","kind":"verified_by_party","agreement_id":"truce-a","count":3,"within_hours":24}`
	access := `{"agreement_id":"truce-a","place":"Checkpoint 4","at":"2025-05-09T07:00:00Z","denied_by":"RU","reason":"refused"}`
	for _, c := range []struct {
		role         truce.Role
		method, path string
		body         string
		want         int
	}{
		{truce.RolePublic, "GET", "/api/v1/compliance/daily?agreement=truce-a&date=2025-05-09", "", 200},
		{truce.RoleLiaison, "GET", "/api/v1/compliance/daily?agreement=truce-a&date=2025-05-09", "", 200},
		{truce.RolePublic, "POST", "/api/v1/alert-rules", rule, 401},
		{truce.RoleMonitor, "POST", "/api/v1/alert-rules", rule, 403},
		{truce.RoleAnalyst, "GET", "/api/v1/alert-rules", "", 403},
		{truce.RoleAdmin, "POST", "/api/v1/alert-rules", rule, 201},
		{truce.RoleAdmin, "GET", "/api/v1/alert-rules", "", 200},
		{truce.RolePublic, "GET", "/api/v1/alerts", "", 401},
		{truce.RoleAnalyst, "GET", "/api/v1/alerts", "", 200},
		{truce.RoleAnalyst, "POST", "/api/v1/alerts/1/acknowledge", `{"note":"x"}`, 403},
		{truce.RoleLiaison, "POST", "/api/v1/access-restrictions", access, 403},
		{truce.RolePublic, "POST", "/api/v1/access-restrictions", access, 401},
		{truce.RoleMonitor, "POST", "/api/v1/access-restrictions", access, 201},
		{truce.RolePublic, "GET", "/api/v1/access-restrictions", "", 200},
	} {
		w := e.do(c.role, c.method, c.path, c.body)
		if w.Code != c.want {
			t.Errorf("%s %s %s: %d, want %d: %s", c.role, c.method, c.path, w.Code, c.want, w.Body)
		}
	}
	rules := decode[alertRulesJSON](t, e.do(truce.RoleAdmin, "GET", "/api/v1/alert-rules", ""), 200).AlertRules
	if len(rules) != 1 || rules[0].CreatedBy != "admin-user" || rules[0].Count != 3 {
		t.Errorf("rules %+v, want the admin's", rules)
	}
	wantError(t, e.do(truce.RoleAdmin, "POST", "/api/v1/alert-rules", `{"name":"x","kind":"verified_target","agreement_id":"truce-a","target":"ships"}`), 400, truce.EINVALID, "target")
	wantError(t, e.do(truce.RoleAdmin, "POST", "/api/v1/alert-rules", `{"name":"x","kind":"baseline_ratio","agreement_id":"truce-a","factr":2}`), 400, truce.EINVALID, "factr")
	got := decode[accessRestrictionsJSON](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/access-restrictions", ""), 200).AccessRestrictions
	if len(got) != 1 || got[0].RecordedBy != "monitor-user" || got[0].Place != "Checkpoint 4" {
		t.Errorf("access restrictions %+v", got)
	}
	// The public reads them without the monitor (TestRecordersHiddenFromPublic).
	got = decode[accessRestrictionsJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/access-restrictions", ""), 200).AccessRestrictions
	if len(got) != 1 || got[0].RecordedBy != "" || got[0].Place != "Checkpoint 4" {
		t.Errorf("the public's access restrictions %+v", got)
	}

	// The lists page like every other: a second restriction, one a page.
	if w := e.do(truce.RoleMonitor, "POST", "/api/v1/access-restrictions", strings.Replace(access, "Checkpoint 4", "Checkpoint 5", 1)); w.Code != 201 {
		t.Fatalf("second restriction: %d %s", w.Code, w.Body)
	}
	first := decode[accessRestrictionsJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/access-restrictions?limit=1", ""), 200)
	if len(first.AccessRestrictions) != 1 || first.AccessRestrictions[0].Place != "Checkpoint 4" || first.NextCursor == "" {
		t.Fatalf("first page %+v", first)
	}
	second := decode[accessRestrictionsJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/access-restrictions?limit=1&cursor="+url.QueryEscape(first.NextCursor), ""), 200)
	if len(second.AccessRestrictions) != 1 || second.AccessRestrictions[0].Place != "Checkpoint 5" || second.NextCursor != "" {
		t.Errorf("second page %+v", second)
	}
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/access-restrictions?limit=0", ""), 400, truce.EINVALID, "limit")
}

func TestAlertAcknowledge(t *testing.T) {
	e := complianceEnv(t)
	ctx := context.Background()
	rule := truce.AlertRule{Name: "r", Kind: truce.RuleVerifiedTarget, AgreementID: "truce-a", Target: "energy"}
	if err := e.db.CreateAlertRule(ctx, &rule); err != nil {
		t.Fatal(err)
	}
	open := truce.Alert{RuleID: rule.ID, Key: "incident:7", Event: truce.AlertOpened, Incidents: []int64{7}, Summary: "r: incident 7", LogSize: 5, By: "alerts"}
	if err := e.db.AddAlert(ctx, &open); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/alerts/%d/acknowledge", open.ID)
	ack := decode[truce.Alert](t, e.do(truce.RoleMonitor, "POST", path, `{"note":"guarantors told"}`), 201)
	if ack.Event != truce.AlertAcknowledged || ack.OpenedID != open.ID || ack.By != "monitor-user" || ack.Note != "guarantors told" {
		t.Errorf("acknowledgement %+v", ack)
	}
	wantError(t, e.do(truce.RoleAdmin, "POST", path, `{"note":"again"}`), 409, truce.ECONFLICT, "")
	wantError(t, e.do(truce.RoleMonitor, "POST", "/api/v1/alerts/99/acknowledge", `{}`), 404, truce.ENOTFOUND, "")
	views := decode[alertsJSON](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/alerts?open=true", ""), 200).Alerts
	if len(views) != 1 || views[0].State != truce.AlertAcknowledged || len(views[0].Steps) != 1 {
		t.Errorf("open alerts %+v, want one acknowledged", views)
	}
	wantError(t, e.do(truce.RoleAnalyst, "GET", "/api/v1/alerts?open=maybe", ""), 400, truce.EINVALID, "open")
}

func TestComplianceDailyFormats(t *testing.T) {
	e := complianceEnv(t)
	ctx := context.Background()
	for _, c := range []struct{ format, ctype, has string }{
		{"json", "application/json", `"date": "2025-05-09"`},
		{"html", "text/html; charset=utf-8", "<svg"},
		{"csv", "text/csv; charset=utf-8", "section,key,label,measure"},
		{"md", "text/markdown; charset=utf-8", "# Daily compliance report: A truce"},
		{"pdf", "application/pdf", "%PDF-1.4"},
	} {
		w := e.do(truce.RolePublic, "GET", "/api/v1/compliance/daily?agreement=truce-a&date=2025-05-09&format="+c.format, "")
		if w.Code != 200 || w.Header().Get("Content-Type") != c.ctype || !strings.Contains(w.Body.String(), c.has) {
			t.Errorf("%s: %d %q, want 200 %q containing %q: %.300s", c.format, w.Code, w.Header().Get("Content-Type"), c.ctype, c.has, w.Body)
		}
	}
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/compliance/daily?agreement=truce-a&date=2025-13-01", ""), 400, truce.EINVALID, "date")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/compliance/daily?date=2025-05-09", ""), 400, truce.EINVALID, "agreement")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/compliance/daily?agreement=truce-a&date=2025-05-09&format=docx", ""), 400, truce.EINVALID, "format")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/compliance/daily?agreement=nope&date=2025-05-09", ""), 404, truce.ENOTFOUND, "")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/compliance/daily?agreement=truce-a&date=2025-05-09&as_of=x", ""), 400, truce.EINVALID, "as_of")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/compliance/daily?agreement=truce-a&date=2025-05-09&as_of=100000", ""), 400, truce.EINVALID, "as_of")

	// as_of: the report of an earlier size comes back byte for byte after
	// a new record.
	n, err := e.db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("/api/v1/compliance/daily?agreement=truce-a&date=2025-05-09&format=csv&as_of=%d", n)
	before := e.do(truce.RolePublic, "GET", url, "").Body.String()
	a := truce.AccessRestriction{AgreementID: "truce-a", Place: "=cmd|' /C calc'!A0", At: time.Date(2025, 5, 9, 7, 0, 0, 0, time.UTC)}
	if err := e.db.CreateAccessRestriction(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if after := e.do(truce.RolePublic, "GET", url, "").Body.String(); after != before {
		t.Errorf("report at size %d changed after a new record:\n%s\n%s", n, before, after)
	}
	cur := e.do(truce.RolePublic, "GET", "/api/v1/compliance/daily?agreement=truce-a&date=2025-05-09&format=csv", "").Body.String()
	if !strings.Contains(cur, `access_restriction,1,'=cmd|' /C calc'!A0,denied`) {
		t.Errorf("current CSV does not list the restriction with its formula defused:\n%s", cur)
	}
}

// The authorization matrix's samples of the compliance routes. The
// acknowledgement's alert is made (and acknowledged) on first use, so
// that every role the policy lets in reaches the handler and gets its
// 409; TestAlertAcknowledge covers the success.
func init() {
	ackedAlert := func(e *testEnv, _ truce.Role) string {
		ctx := context.Background()
		rules, err := e.db.AlertRules(ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if slices.ContainsFunc(rules, func(r truce.AlertRule) bool { return r.Name == "matrix" }) {
			return `{"note":"seen"}`
		}
		rule := truce.AlertRule{Name: "matrix", Kind: truce.RuleVerifiedTarget, AgreementID: "cf30", Target: "energy"}
		if err := e.db.CreateAlertRule(ctx, &rule); err != nil {
			e.t.Fatal(err)
		}
		open := truce.Alert{RuleID: rule.ID, Key: "incident:1", Event: truce.AlertOpened, Summary: "matrix", By: "alerts"}
		if err := e.db.AddAlert(ctx, &open); err != nil {
			e.t.Fatal(err)
		}
		if err := e.db.AddAlert(ctx, &truce.Alert{Event: truce.AlertAcknowledged, OpenedID: open.ID, By: "test"}); err != nil {
			e.t.Fatal(err)
		}
		return `{"note":"seen"}`
	}
	addMatrixSamples(map[string]sample{
		"GET /api/v1/compliance/daily": {path: "/api/v1/compliance/daily?agreement=cf30&date=2025-05-13&format=md", ok: 200},
		"GET /api/v1/alert-rules":      {path: "/api/v1/alert-rules", ok: 200},
		"POST /api/v1/alert-rules": {path: "/api/v1/alert-rules", ok: 201,
			body: static(`{"name":"three a day","kind":"verified_by_party","agreement_id":"cf30","count":3,"within_hours":24}`)},
		"GET /api/v1/alerts":                   {path: "/api/v1/alerts?open=true", ok: 200},
		"POST /api/v1/alerts/{id}/acknowledge": {path: "/api/v1/alerts/1/acknowledge", ok: 409, body: ackedAlert},
		"GET /api/v1/access-restrictions":      {path: "/api/v1/access-restrictions", ok: 200},
		"POST /api/v1/access-restrictions": {path: "/api/v1/access-restrictions", ok: 201,
			body: static(`{"agreement_id":"cf30","place":"Checkpoint 4","at":"2025-05-13T07:00:00Z","denied_by":"RU"}`)},
	})
}
