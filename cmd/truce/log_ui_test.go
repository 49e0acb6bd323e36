package main

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// logRow is one row of the log page's entries table.
type logRow struct {
	Index    int64  `json:"index"`
	Kind     string `json:"kind"`
	Hash     string `json:"hash"`
	Withheld bool   `json:"withheld"`
	Badge    bool   `json:"badge"`
	Content  string `json:"content"`
}

// readLogRows reads the entries table as shown.
func (b *browser) readLogRows() []logRow {
	b.t.Helper()
	b.waitFor("the entries", `document.querySelector('#entries-table') !== null && document.querySelector('#entries .scroll').getAttribute('aria-busy') === 'false'`)
	return eval[[]logRow](b, `[...document.querySelectorAll('#entries-table tbody tr')].map((tr) => ({
		index: +tr.querySelector('th').textContent,
		kind: tr.cells[1].firstChild.textContent,
		hash: tr.cells[3].textContent,
		withheld: tr.dataset.withheld === 'true',
		badge: !!tr.querySelector('.badge.withheld'),
		content: (tr.querySelector('details pre') || { textContent: '' }).textContent,
	}))`)
}

// TestUILogWithheld browses the log page's entries as the public, a signed-in
// monitor and a party liaison, against the store's own log. The public sees the
// newest page of entries with index, kind and leaf hash, the content of
// parties and agreements only, every other entry marked withheld
// with no content, and a note that says what withheld means (not public,
// still covered by the signed tree, read in full when signed in, checked
// by content with log verify --token). The monitor sees every entry in
// full; a party liaison every entry but those that name people. Paging goes
// by keyboard.
func TestUILogWithheld(t *testing.T) {
	dsn := demoDB(t)
	ctx := context.Background()
	{
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		hash, err := auth.HashPassword("correct horse battery", auth.DefaultParams)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []truce.User{{Name: "mona", Role: truce.RoleMonitor}, {Name: "lia", Role: truce.RoleLiaison, Party: "UA"}} {
			if err := db.CreateUser(ctx, &u, hash, "test"); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
	}
	s := startServer(t, dsn)
	var cp struct{ Size int64 }
	get(t, s.URL()+"api/v1/log/checkpoint", http.StatusOK, &cp)
	es, err := s.db.LogEntries(ctx, 0, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size < 60 {
		t.Fatalf("set-up: the checkpoint signs %d entries, want several pages", cp.Size)
	}
	// The public reads these kinds' content (issue #6); the rest is withheld.
	public := []string{ledger.KindParty, ledger.KindAgreementVersion, ledger.KindAgreementStatus}
	// Who is served which kinds' content (internal/httpapi LogWithhold).
	forPublic := func(kind string) bool { return !slices.Contains(public, kind) }
	// A liaison reads the kinds that name no person (feed.Audience.SeesName).
	liaison := append(slices.Clone(public), ledger.KindObservation, store.KindObservationBatch, ledger.KindFinding,
		store.KindIncidentState, store.KindNegotiationIssue, store.KindPrecondition, store.KindNegotiationEvent, store.KindDraft)
	forLiaison := func(kind string) bool { return !slices.Contains(liaison, kind) }
	forStaff := func(string) bool { return false }
	// check compares rows with the store's entries from index hi down.
	check := func(who string, rows []logRow, hi int64, withheldFor func(kind string) bool) {
		t.Helper()
		if len(rows) != 25 {
			t.Fatalf("%s: %d rows, want a page of 25", who, len(rows))
		}
		for i, r := range rows {
			e := es[hi-int64(i)]
			withheld := withheldFor(e.Kind)
			if r.Index != e.Index || strings.ReplaceAll(r.Kind, " ", "_") != e.Kind || r.Hash != e.Hash().String() {
				t.Errorf("%s: row %d shows index %d kind %q hash %s, the log has %d %q %s", who, i, r.Index, r.Kind, r.Hash, e.Index, e.Kind, e.Hash())
			}
			if r.Withheld != withheld || r.Badge != withheld {
				t.Errorf("%s: entry %d (%s) shown withheld=%v badge=%v, want %v", who, e.Index, e.Kind, r.Withheld, r.Badge, withheld)
			}
			if withheld && r.Content != "" {
				t.Errorf("%s: withheld entry %d shows content %q", who, e.Index, r.Content)
			}
			if !withheld && (r.Content == "" || !strings.Contains(compactJSON(r.Content), compactJSON(string(e.Data)))) {
				t.Errorf("%s: entry %d (%s) shows content %q, want its leaf %s", who, e.Index, e.Kind, r.Content, e.Data)
			}
		}
	}
	kinds := func(rows []logRow) (withheld, full int) {
		for _, r := range rows {
			if r.Withheld {
				withheld++
			} else {
				full++
			}
		}
		return
	}

	b := newBrowser(t, s.URL())
	b.open("/log")
	newest := b.readLogRows()
	check("public, newest page", newest, cp.Size-1, forPublic)
	if w, _ := kinds(newest); w == 0 {
		t.Fatalf("the newest page holds no withheld entry; the demo's log ends with reports and reviews")
	}
	note := b.text("#withheld-note")
	for _, want := range []string{"withheld from the public", "still covered by the signed tree", "cannot be changed, removed or back-dated", "Signed-in users see every entry in full (party liaisons all but those that name people)", "API token of an admin, monitor or analyst", "truce log verify --server " + strings.TrimSuffix(s.URL(), "/") + " --token TOKEN"} {
		if !strings.Contains(note, want) {
			t.Errorf("the public's note on withheld entries lacks %q:\n%s", want, note)
		}
	}
	if got := b.text("#entries-range"); !strings.Contains(got, "of the "+fmtThousands(int(cp.Size))+" the checkpoint signs") || !strings.Contains(got, "withheld") {
		t.Errorf("entries range: %q", got)
	}
	b.do("scroll to the entries", chromedp.Evaluate[chromedp.Void](`document.querySelector('#entries').scrollIntoView()`))
	b.screenshot("log-public")
	b.checkAccessible("log-public")

	// By keyboard: the first page, where the parties and agreements are.
	b.do("go to entry 0",
		chromedp.Focus(chromedp.CSS("#entries-at")),
		chromedp.KeyEvent("0"),
		chromedp.KeyEvent("\r"))
	b.waitFor("the first page", `document.querySelector('#entries-table tbody tr:last-child th')?.textContent === '0'`)
	first := b.readLogRows()
	check("public, first page", first, 24, forPublic)
	if _, full := kinds(first); full == 0 {
		t.Errorf("the first page shows no entry in full; the demo's log starts with parties and agreements")
	}
	b.do("newer entries", chromedp.Focus(chromedp.CSS("#entries-newer")), chromedp.KeyEvent("\r"))
	b.waitFor("the second page", `document.querySelector('#entries-table tbody tr:last-child th')?.textContent === '25'`)
	check("public, second page", b.readLogRows(), 49, forPublic)

	b.signIn("mona", "correct horse battery")
	b.open("/log")
	rows := b.readLogRows()
	check("monitor, newest page", rows, cp.Size-1, forStaff)
	if w, _ := kinds(rows); w != 0 {
		t.Errorf("the monitor sees %d withheld entries, want every entry in full", w)
	}
	if got := b.text("#withheld-note"); !strings.Contains(got, "You are signed in (monitor): every entry is shown in full") {
		t.Errorf("the monitor's note: %q", got)
	}
	b.do("scroll to the entries", chromedp.Evaluate[chromedp.Void](`document.querySelector('#entries').scrollIntoView()`))
	b.screenshot("log-monitor")
	b.checkAccessible("log-monitor")
	if n := eval[int](b, `document.querySelectorAll('#entries-table details').length`); n != 25 {
		t.Errorf("the monitor's page has %d entries with content, want 25", n)
	}

	// A party liaison reads no kind that names people (reports name their
	// reporters, review steps their monitors): the page of the first report
	// shows them withheld, and findings in full.
	firstReport := slices.IndexFunc(es, func(e ledger.Entry) bool { return e.Kind == ledger.KindReport })
	if firstReport < 0 || firstReport+25 > len(es) {
		t.Fatalf("set-up: the first report entry is at %d of %d", firstReport, len(es))
	}
	lb := newBrowser(t, s.URL())
	lb.signIn("lia", "correct horse battery")
	lb.open("/log")
	lb.readLogRows()
	lb.do("go to the first report",
		chromedp.Focus(chromedp.CSS("#entries-at")),
		chromedp.KeyEvent(strconv.Itoa(firstReport)),
		chromedp.KeyEvent("\r"))
	lb.waitFor("the first report's page", `document.querySelector('#entries-table tbody tr:last-child th')?.textContent === `+strconv.Quote(strconv.Itoa(firstReport)))
	lrows := lb.readLogRows()
	check("liaison, reports' page", lrows, int64(firstReport)+24, forLiaison)
	if w, full := kinds(lrows); w == 0 || full == 0 {
		t.Errorf("the liaison's page shows %d withheld and %d full entries, want both", w, full)
	}
	if got := lb.text("#withheld-note"); !strings.Contains(got, "party liaison") || !strings.Contains(got, "except those that name people") || !strings.Contains(got, "still covered by the signed tree") {
		t.Errorf("the liaison's note: %q", got)
	}
	lb.checkAccessible("log-liaison")
}

// compactJSON drops the white space between JSON tokens (and any), so
// that an entry's data and the page's indented rendering compare.
func compactJSON(s string) string {
	return strings.Join(strings.Fields(s), "")
}
