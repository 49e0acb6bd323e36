package main

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/store"
)

// negotiationUIServer serves the demo mission without background jobs:
// the negotiation page needs no incidents.
func negotiationUIServer(t *testing.T) *server {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:0", DB: tempDB(t), ShutdownTimeout: 5 * time.Second}
	s, err := openServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(context.Background(), s.db, s.gz, nil); err != nil {
		s.Close()
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return s
}

// TestUINegotiation opens the demo's negotiation page: today there is no
// deadlock (both preconditions ended with the talks of 16 May); one click
// shows it as it stood on 11 May 2025, the day of the article: the
// position matrix shows Ukraine making talks conditional and Russia
// offering them, and the graph highlights the deadlock between Ukraine's
// precondition (#1: talks only after the ceasefire) and Russia's (#2: the
// ceasefire only out of talks).
// Expected values are read off internal/demo/data/negotiation-2025.json.
func TestUINegotiation(t *testing.T) {
	s := negotiationUIServer(t)
	b := newBrowser(t, s.URL())
	// Today both preconditions have ended (the talks of 16 May): no deadlock.
	b.open("/negotiation")
	b.waitFor("the graph", `!!document.querySelector('[data-testid=graph-svg]')`)
	if n := eval[int](b, `document.querySelectorAll('[data-testid=graph-svg] g.edge.cycle').length`); n != 0 {
		t.Errorf("today %d cycle edges, want none", n)
	}
	if d := b.text(`[data-testid=deadlocks]`); !strings.HasPrefix(d, "No deadlock") {
		t.Errorf("today: %q, want no deadlock", d)
	}
	// The day of the article is one click away in the timeline's dates.
	b.do("jump to 11 May 2025", chromedp.Click(chromedp.CSS(`#neg-dates a[data-date="2025-05-11"]`)))
	b.waitFor("the view of 11 May", `location.search === '?at=2025-05-11' && !!document.querySelector('[data-testid=graph-svg] g.edge.cycle')`)
	b.waitFor("the position matrix", `!!document.querySelector('[data-testid=matrix] button.cell')`)

	stance := func(party, issue string) string {
		return eval[string](b, `(document.querySelector('[data-testid=matrix] button[data-party=`+party+`][data-issue=`+issue+`]') || {dataset: {}}).dataset.stance || ''`)
	}
	for _, c := range []struct{ party, issue, want string }{
		{"UA", "direct_talks", "conditions"},
		{"RU", "direct_talks", "offers"},
		{"RU", "ceasefire", "conditions"},
		{"UA", "ceasefire", "demands"},
		{"RU", "nato_membership", "demands"},
		{"US", "ceasefire", "demands"},
	} {
		if got := stance(c.party, c.issue); got != c.want {
			t.Errorf("matrix %s × %s = %q, want %q", c.party, c.issue, got, c.want)
		}
	}
	if n := eval[int](b, `document.querySelectorAll('[data-testid=matrix] tbody tr').length`); n != 7 {
		t.Errorf("matrix has %d party rows, want 7 (RU, UA, FR, DE, PL, GB, US)", n)
	}

	cycle := eval[[]int](b, `[...document.querySelectorAll('[data-testid=graph-svg] g.edge.cycle')].map((g) => +g.dataset.id).sort()`)
	if !reflect.DeepEqual(cycle, []int{1, 2}) {
		t.Errorf("highlighted cycle edges = %v, want [1 2]", cycle)
	}
	nodes := eval[[]string](b, `[...document.querySelectorAll('[data-testid=graph-svg] g.node.cycle')].map((g) => g.dataset.key).sort()`)
	if want := []string{"action:UA:direct_talks", "agreement:ceasefire-proposal-30-day-2025"}; !reflect.DeepEqual(nodes, want) {
		t.Errorf("highlighted cycle nodes = %v, want %v", nodes, want)
	}
	// Highlighted means drawn in the cycle colour, not only classed.
	if stroke := eval[string](b, `getComputedStyle(document.querySelector('g.edge.cycle path')).stroke`); stroke != "rgb(198, 40, 40)" {
		t.Errorf("cycle edge stroke = %q, want the cycle red rgb(198, 40, 40)", stroke)
	}
	inactive := eval[[]int](b, `[...document.querySelectorAll('[data-testid=graph-svg] g.edge.inactive')].map((g) => +g.dataset.id).sort()`)
	if !reflect.DeepEqual(inactive, []int{3, 4}) {
		t.Errorf("inactive edges = %v, want Russia's June 2024 conditions [3 4]", inactive)
	}
	unblock := b.text(`[data-testid=unblocking]`)
	if !strings.Contains(unblock, "#1 (Ukraine)") || !strings.Contains(unblock, "#2 (Russian Federation)") {
		t.Errorf("unblocking = %q, want either #1 (Ukraine) or #2 (Russian Federation)", unblock)
	}

	// A cell's history is one click away: Russia made three statements on
	// direct talks by 11 May.
	b.do("open Russia's direct-talks history", chromedp.Click(chromedp.CSS(`[data-testid=matrix] button[data-party="RU"][data-issue="direct_talks"]`)))
	b.waitFor("the history", `!document.querySelector('[data-testid=position-history]').hidden`)
	if n := eval[int](b, `document.querySelectorAll('[data-testid=position-history] li[data-statement]').length`); n != 3 {
		t.Errorf("history shows %d statements, want 3", n)
	}
	if h := b.text(`[data-testid=position-history]`); !strings.Contains(h, "Russia is ready to negotiate without any prerequisites.") {
		t.Errorf("history lacks the quote: %q", h)
	}
	b.screenshot("negotiation-2025-05-11")
}

// TestUINegotiationRecord signs in as a monitor and records Ukraine's
// acceptance of talks through the page's form: the matrix then shows it
// as Ukraine's latest stance on direct talks. The public sees no form.
func TestUINegotiationRecord(t *testing.T) {
	s := negotiationUIServer(t)
	hash, err := auth.HashPassword("a monitor's long password", auth.Params{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	u := truce.User{Name: "mon", Role: truce.RoleMonitor}
	if err := s.db.CreateUser(context.Background(), &u, hash, "test"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s.URL())
	b.open("/negotiation")
	b.waitFor("the page", `!!document.querySelector('[data-testid=matrix]')`)
	if n := eval[int](b, `document.querySelectorAll('[data-testid=statement-form]').length`); n != 0 {
		t.Errorf("the public sees %d recording forms", n)
	}

	b.open("/login?next=/negotiation")
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS(`#login-user`), "mon"),
		chromedp.SendKeys(chromedp.CSS(`#login-pass`), "a monitor's long password"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitFor("the form", `!!document.querySelector('[data-testid=statement-form]')`)
	b.do("fill in the statement",
		chromedp.SetValue(chromedp.CSS(`#neg-st-party`), "UA"),
		chromedp.SetValue(chromedp.CSS(`#neg-st-issue`), "direct_talks"),
		chromedp.SetValue(chromedp.CSS(`#neg-st-stance`), "accepts"),
		chromedp.SetValue(chromedp.CSS(`#neg-st-date`), "2025-05-16"),
		chromedp.SendKeys(chromedp.CSS(`#neg-st-quote`), "Ukraine's delegation is in Istanbul."),
		chromedp.SendKeys(chromedp.CSS(`#neg-st-title`), "Test source"),
		chromedp.Click(chromedp.CSS(`[data-testid=statement-form] button[type=submit]`)))
	b.waitFor("the new stance", `(document.querySelector('[data-testid=matrix] button[data-party=UA][data-issue=direct_talks]') || {dataset: {}}).dataset.stance === 'accepts'`)
	// A new issue joins the taxonomy.
	b.do("add an issue",
		chromedp.SendKeys(chromedp.CSS(`#neg-is-code`), "humanitarian_corridors"),
		chromedp.SendKeys(chromedp.CSS(`#neg-is-name`), "Humanitarian corridors"),
		chromedp.Click(chromedp.CSS(`[data-testid=issue-form] button[type=submit]`)))
	b.waitFor("the new issue", `[...document.querySelectorAll('#neg-st-issue option')].some((o) => o.value === 'humanitarian_corridors')`)
	if is, err := s.db.NegotiationIssue(context.Background(), "humanitarian_corridors"); err != nil || is.Name != "Humanitarian corridors" || is.Version != 1 {
		t.Errorf("stored issue = %+v, %v", is, err)
	}
	ss, err := s.db.Statements(context.Background(), store.StatementFilter{Party: "UA", Issue: "direct_talks"})
	if err != nil {
		t.Fatal(err)
	}
	last := ss[len(ss)-1]
	if last.Stance != truce.StanceAccepts || last.RecordedBy != "mon" || last.QuoteKind != truce.QuoteDirect || last.Date != "2025-05-16" {
		t.Errorf("stored statement = %+v", last)
	}
}
