package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/store"
)

// TestUICompliance opens the compliance page of the demo's Victory Day
// truce for 9 May 2025 as a monitor. The jobs group and judge the demo's
// reports; a monitor verifies the Kharkiv shelling of 9 May (demo report
// ua-04), which trips a rule "one verified violation by a party within
// 24 h" in the server's alerts worker. Expected values are read off
// internal/demo/data/reports-2025.json: on 9 May the Ukrainian side
// accuses Russia twice (Zaporizhzhia and Kharkiv oblasts), and Russia
// alone is bound by this truce.
func TestUICompliance(t *testing.T) {
	ctx := context.Background()
	s := uiServer(t)
	rule := truce.AlertRule{Name: "any verified violation", Kind: truce.RuleVerifiedByParty, AgreementID: "victory-day-truce-2025", Count: 1, WithinHours: 24}
	if err := s.db.CreateAlertRule(ctx, &rule); err != nil {
		t.Fatal(err)
	}
	rs, err := s.db.Reports(ctx, store.ReportFilter{SubmittedBy: demo.SubmittedBy})
	if err != nil {
		t.Fatal(err)
	}
	var kharkiv int64
	for _, r := range rs {
		if r.ExternalID == "demo-2025-05-ua-04" && r.IncidentID != nil {
			kharkiv = *r.IncidentID
		}
	}
	inc, err := s.db.Incident(ctx, kharkiv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Transition(ctx, truce.Transition{IncidentID: kharkiv, To: truce.IncidentVerified, Reason: "patrol report", By: "mona"}, inc.Version); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		views, err := s.db.Alerts(ctx, store.AlertFilter{RuleID: rule.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(views) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server's alerts worker did not trip the rule")
		}
		time.Sleep(100 * time.Millisecond)
	}
	hash, err := auth.HashPassword("correct horse battery", auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.CreateUser(ctx, &truce.User{Name: "mona", Role: truce.RoleMonitor}, hash, "test"); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, s.URL())
	b.open("/login")
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#login-user"), "mona"),
		chromedp.SendKeys(chromedp.CSS("#login-pass"), "correct horse battery"),
		// A click, not a form.submit(), which would skip the page's handler.
		chromedp.Click(chromedp.CSS(`#main form button[type=submit]`)))
	b.waitFor("the signed-in shell", `location.pathname !== '/login'`)

	b.open("/compliance?agreement=victory-day-truce-2025&date=2025-05-09")
	const doc = `document.querySelector('[data-testid=report-frame]').contentDocument`
	b.waitFor("the report in its frame", `!!`+doc+`?.querySelector('article.compliance-report')`)
	b.screenshot("compliance")
	if got := eval[string](b, doc+`.querySelector('#summary tbody tr td:nth-child(2)').textContent`); got != "2" {
		t.Errorf("violations on 9 May = %q, want 2", got)
	}
	if got := eval[string](b, doc+`.querySelector('#notable tbody')?.textContent || ''`); !strings.Contains(got, "Kharkiv") || !strings.Contains(got, "RU") {
		t.Errorf("notable incidents %q, want the verified Kharkiv shelling by RU", got)
	}
	if n := eval[int](b, doc+`.querySelectorAll('svg.map path').length`); n < 10 {
		t.Errorf("the map has %d boundaries, want Ukraine's units and its neighbours", n)
	}
	if n := eval[int](b, doc+`.querySelectorAll('svg.chart rect').length`); n < 3 {
		t.Errorf("the chart has %d bars and swatches", n)
	}
	size, _ := strconv.ParseInt(eval[string](b, doc+`.querySelector('#log-size').textContent`), 10, 64)
	if n, err := s.db.LogSize(ctx); err != nil || size < 1 || size > n {
		t.Errorf("the report's log size %d, the log's %d (%v): want a size the log has reached", size, n, err)
	}
	if got := eval[int](b, `document.querySelectorAll('[data-testid=downloads] a').length`); got != 5 {
		t.Errorf("%d download links, want html, json, csv, md, pdf", got)
	}

	b.waitFor("the open alert", `!!document.querySelector('[data-testid=alerts] li[data-state=opened]')`)
	b.do("acknowledge", chromedp.Click(chromedp.CSS(`[data-testid=alerts] li[data-state=opened] button`)))
	b.waitFor("the acknowledged alert", `!!document.querySelector('[data-testid=alerts] li[data-state=acknowledged]')`)
	views, err := s.db.Alerts(ctx, store.AlertFilter{RuleID: rule.ID})
	if err != nil || len(views) != 1 || views[0].State != truce.AlertAcknowledged || views[0].Steps[0].By != "mona" {
		t.Errorf("alerts after the click: %+v, %v; want one acknowledged by mona", views, err)
	}
}
