package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// focusStop is the focused element after a Tab: what it is, its
// accessible name, and whether its focus shows.
type focusStop struct {
	ID      string `json:"id"`
	Tag     string `json:"tag"`
	Name    string `json:"name"`
	Outline bool   `json:"outline"`
}

// tabThrough presses Tab up to max times from the top of the page and
// returns where the focus went, until it leaves the document.
func (b *browser) tabThrough(max int) []focusStop {
	b.t.Helper()
	b.do("focus the top of the page", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	var stops []focusStop
	for range max {
		b.keys("tab", "\t")
		s := eval[focusStop](b, `(() => {
			const e = document.activeElement;
			if (!e || e === document.body) return { id: '', tag: 'body', name: '', outline: false };
			const name = (e.labels && [...e.labels].map((l) => l.textContent).join(' ').trim()) || e.getAttribute('aria-label') ||
				(e.getAttribute('aria-labelledby') && (document.getElementById(e.getAttribute('aria-labelledby')) || {}).textContent) ||
				e.textContent.trim() || e.title || '';
			const st = getComputedStyle(e);
			const outline = (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== 'none';
			return { id: e.id, tag: e.tagName.toLowerCase(), name: name.slice(0, 60), outline };
		})()`)
		if s.Tag == "body" {
			break
		}
		stops = append(stops, s)
	}
	return stops
}

// TestUIKeyboard works the dashboard and the log page with the keyboard
// only: every control is reached by Tab in a sensible order, is named and
// shows its focus; the skip link moves the focus to the content without
// reloading the page; the time slider moves with the arrow keys and the
// counts follow the store, announced in one status line; the log's pages
// turn with Enter and the focus never falls off a button that becomes
// disabled.
func TestUIKeyboard(t *testing.T) {
	s := uiServer(t)
	verifySome(t, s.db, 5)
	b := newBrowser(t, s.URL())

	b.open("/")
	b.waitFor("the dashboard's incidents", `document.querySelector('#dash-map')?.dataset.ready === 'true'`)
	stops := b.tabThrough(60)
	if len(stops) == 0 || stops[0].Name != "Skip to content" {
		t.Fatalf("the first Tab stop is %+v, want the skip link", stops)
	}
	var ids []string
	for _, st := range stops {
		if st.Name == "" {
			t.Errorf("Tab stop without a name: %+v", st)
		}
		if !st.Outline {
			t.Errorf("Tab stop without a visible focus: %+v", st)
		}
		if st.ID != "" {
			ids = append(ids, st.ID)
		}
	}
	want := []string{"f-agreement", "f-party", "f-domain", "f-color", "l-fire", "l-alert", "f-from", "f-to"}
	var order []string
	for _, id := range ids {
		if slices.Contains(want, id) {
			order = append(order, id)
		}
	}
	if !slices.Equal(order, want) {
		t.Errorf("the dashboard's controls are reached in the order %v, want %v", order, want)
	}
	if !slices.ContainsFunc(stops, func(st focusStop) bool {
		return st.Tag == "a" && strings.HasPrefix(st.Name, "") && st.ID == "" && st.Name != "Skip to content"
	}) {
		t.Errorf("no link reached by Tab: %+v", stops)
	}

	// The skip link: Enter puts the focus on the content, without a reload
	// of the page (the dashboard's worker would read everything again).
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`document.querySelector('#dash-map').dataset.mark = 'kept'`))
	b.do("back to the top", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	b.keys("tab to the skip link", "\t")
	b.keys("follow it", "\r")
	b.waitFor("the focus on the content", `document.activeElement === document.querySelector('#main')`)
	if got := eval[string](b, `(document.querySelector('#dash-map') || {dataset: {}}).dataset.mark || ''`); got != "kept" {
		t.Errorf("the skip link re-rendered the page (mark %q)", got)
	}

	// The slider by keyboard: one day later, the incidents of the public
	// (verified) from that day on, as the store has them.
	incs, err := s.db.Incidents(context.Background(), store.IncidentFilter{Status: truce.IncidentVerified})
	if err != nil {
		t.Fatal(err)
	}
	firstDay := ""
	for _, inc := range incs {
		if d := inc.From.UTC().Format("2006-01-02"); firstDay == "" || d < firstDay {
			firstDay = d
		}
	}
	day, err := time.Parse("2006-01-02", firstDay)
	if err != nil {
		t.Fatal(err)
	}
	next := day.AddDate(0, 0, 1).Format("2006-01-02")
	later := 0
	for _, inc := range incs {
		if inc.From.UTC().Format("2006-01-02") >= next {
			later++
		}
	}
	if later == len(incs) {
		t.Fatalf("set-up: every verified incident starts after %s", firstDay)
	}
	b.do("focus the slider", chromedp.Focus(chromedp.CSS("#f-from")))
	b.keys("one day later", kb.ArrowRight)
	b.waitFor("the range from the next day", `document.querySelector('#f-range').textContent.startsWith(`+strconv.Quote(next+" – ")+`)`)
	b.waitFor("the counts", `document.querySelector('#counts').getAttribute('aria-busy') === 'false' && document.querySelector('[data-testid=count-shown]').textContent === `+strconv.Quote(strconv.Itoa(later)))
	if got := eval[string](b, `document.querySelector('#f-from').getAttribute('aria-valuetext')`); got != next {
		t.Errorf("the slider says %q to a screen reader, want %s", got, next)
	}
	// A screen reader hears one line about the change, not the panel.
	if got, want := b.text("#dash-status"), fmt.Sprintf("%d incidents shown, %d verified, from %s to ", later, later, next); !strings.HasPrefix(got, want) {
		t.Errorf("the dashboard's status line %q, want it to start %q", got, want)
	}
	if n := eval[int](b, `document.querySelectorAll('#counts[aria-live], #counts [aria-live]').length`); n != 0 {
		t.Errorf("the counts panel has %d live regions; its status line speaks for it", n)
	}

	// The log: Tab reaches its controls, named and visibly focused; Enter
	// turns the pages; at the oldest page "Older entries" is disabled and
	// the focus moves to "Newer entries" rather than off the page.
	b.open("/log")
	b.waitFor("the entries", `document.querySelector('#entries-table') !== null`)
	logStops := b.tabThrough(40)
	var logIDs []string
	for _, st := range logStops {
		if st.Name == "" || !st.Outline {
			t.Errorf("log page: Tab stop %+v without a name or a visible focus", st)
		}
		if st.ID != "" {
			logIDs = append(logIDs, st.ID)
		}
	}
	for _, id := range []string{"entries-older", "entries-at"} {
		if !slices.Contains(logIDs, id) {
			t.Errorf("log page: Tab never reaches #%s (stops %v)", id, logIDs)
		}
	}
	b.do("go to entry 30",
		chromedp.Focus(chromedp.CSS("#entries-at")),
		chromedp.KeyEvent("30"),
		chromedp.KeyEvent("\r"))
	b.waitFor("the page of entry 30", `document.querySelector('#entries-table tbody tr:last-child th')?.textContent === '30'`)
	b.do("focus older", chromedp.Focus(chromedp.CSS("#entries-older")))
	for i := 0; i < 5 && !eval[bool](b, `document.querySelector('#entries-older').disabled`); i++ {
		before := eval[string](b, `document.querySelector('#entries-range').textContent`)
		b.keys("older entries", "\r")
		b.waitFor("the older page", `document.querySelector('#entries-range').textContent !== `+strconv.Quote(before))
	}
	if got := b.text("#entries-table tbody tr:last-child th"); got != "0" {
		t.Errorf("the oldest page ends at entry %s, want 0", got)
	}
	if got := eval[string](b, `document.activeElement.id`); got != "entries-newer" {
		t.Errorf("at the oldest page the focus is on %q, want the newer entries button", got)
	}
}
