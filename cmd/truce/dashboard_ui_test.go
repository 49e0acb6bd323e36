package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/store"
)

// largeMission builds a database of n generated ACLED reports (the import
// benchmark's generator), grouped into incidents as the server's jobs
// would, with a user of role who signs in with password.
func largeMission(t *testing.T, n int, name string, role truce.Role, password string) string {
	t.Helper()
	var csv bytes.Buffer
	if err := ingest.GenerateACLED(&csv, n, 7); err != nil {
		t.Fatal(err)
	}
	// In date order, as a feed delivers them: grouping reads every report
	// in a batch's time span (see scripts/bench-api.sh). event_date is the
	// second column and the first never holds a comma.
	lines := strings.Split(strings.TrimSuffix(csv.String(), "\n"), "\n")
	date := func(l string) string { return strings.SplitN(l, ",", 3)[1] }
	rows := lines[1:]
	slices.SortStableFunc(rows, func(a, b string) int { return strings.Compare(date(a), date(b)) })
	file := filepath.Join(t.TempDir(), "acled.csv")
	if err := os.WriteFile(file, []byte(lines[0]+"\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "import", file, "--db", dsn, "--log-level", "warn"); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gz, err := geo.Default()
	if err != nil {
		t.Fatal(err)
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.GroupNew(ctx, g); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(password, auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(ctx, &truce.User{Name: name, Role: role}, hash, "test"); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// signIn signs in through the sign-in page.
func (b *browser) signIn(name, password string) {
	b.t.Helper()
	b.open("/login")
	b.do("sign in as "+name,
		chromedp.SendKeys(chromedp.CSS("#login-user"), name),
		chromedp.SendKeys(chromedp.CSS("#login-pass"), password),
		chromedp.Click(chromedp.CSS(`#main form button[type=submit]`)))
	b.waitFor("the signed-in header", `document.querySelector('#who').textContent.includes(`+strconv.Quote(name)+`)`)
}

// watchLongTasks records, in every page loaded from now on, the main
// thread's long tasks (over 50 ms: what makes a page miss clicks and
// frames) in window.__longTasks, from before the page's own scripts run.
func (b *browser) watchLongTasks() {
	b.t.Helper()
	b.do("watch long tasks", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.__longTasks = [];
			new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration }); }).observe({ type: 'longtask', buffered: true });`})
		return err
	}))
}

// longestTask is the longest main-thread task recorded since since (ms
// after navigation), rounded to the millisecond.
func (b *browser) longestTask(since float64) float64 {
	b.t.Helper()
	return eval[float64](b, `Math.round(Math.max(0, ...window.__longTasks.filter((e) => e.start >= `+strconv.FormatFloat(since, 'f', -1, 64)+`).map((e) => e.ms)))`)
}

// TestUIDashboardLargeMission opens the dashboard of a mission of 40,000
// generated reports as an analyst (who sees every incident). It checks
// that the incidents are held, counted and clustered in the dashboard's
// workers, not on the page's main thread (the page has no clustering
// library; the map's count of indexed points is the cluster worker's
// answer; the export is read once, by the worker), and that what the page
// shows is the store's record, counted here from the store: the incidents
// shown, per status and per domain, the newest eight, and a domain filter.
// Colouring by verdict re-indexes the map; the page must answer a click
// meanwhile. The longest main-thread tasks are logged (never asserted:
// the machine may be loaded).
func TestUIDashboardLargeMission(t *testing.T) {
	const n = 40000
	dsn := largeMission(t, n, "ana", truce.RoleAnalyst, "correct horse battery")
	s := startServer(t, dsn)
	all, err := s.db.Incidents(context.Background(), store.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < n/2 {
		t.Fatalf("set-up: %d incidents from %d reports", len(all), n)
	}
	byStatus, byDomain := map[string]int{}, map[string]int{}
	var starts []time.Time
	for _, inc := range all {
		byStatus[string(inc.Status)]++
		for _, d := range inc.Domains {
			byDomain[d]++
		}
		starts = append(starts, inc.From)
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return b.Compare(a) })
	var newest []string
	for _, st := range starts[:8] {
		newest = append(newest, st.UTC().Format("2006-01-02 15:04 UTC"))
	}
	total := strconv.Itoa(len(all))

	b := newBrowser(t, s.URL())
	b.watchLongTasks()
	b.signIn("ana", "correct horse battery")
	b.open("/")
	b.waitFor("the dashboard's incidents", `document.querySelector('#dash-map')?.dataset.ready === 'true'`)
	t.Logf("%d incidents: longest main-thread task while loading %v ms (load %s)", len(all), b.longestTask(0), loadAverage())

	if got := eval[string](b, `document.querySelector('#dash-map').dataset.incidents`); got != total {
		t.Errorf("the cluster worker indexed %s points, want the store's %s incidents", got, total)
	}
	if eval[bool](b, `typeof window.Supercluster !== 'undefined'`) {
		t.Error("supercluster is loaded on the page's main thread; only the cluster worker should have it")
	}
	exports := 0
	for _, u := range b.workerRequests("/static/dashboard-worker.js") {
		if strings.Contains(u, "/api/v1/export/incidents.ndjson") {
			exports++
		}
	}
	if page := b.requested("/api/v1/export/incidents.ndjson"); exports != 1 || page != 0 {
		t.Errorf("the export was requested %d times by the dashboard's worker and %d by the page, want once by the worker", exports, page)
	}
	if got := b.text("[data-testid=count-shown]"); got != fmtThousands(len(all)) {
		t.Errorf("dashboard shows %s incidents, the store holds %d", got, len(all))
	}
	table := func(id string) map[string]int {
		rows := eval[[][]string](b, `[...document.querySelectorAll('#`+id+` tbody tr')].map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent])`)
		m := map[string]int{}
		for _, r := range rows {
			m[strings.ReplaceAll(r[0], " ", "_")] = mustAtoi(t, r[1])
		}
		return m
	}
	if got := table("by-status"); !maps.Equal(got, byStatus) {
		t.Errorf("counts by status %v, the store's %v", got, byStatus)
	}
	if got := table("by-domain"); !maps.Equal(got, byDomain) {
		t.Errorf("counts by domain %v, the store's %v", got, byDomain)
	}
	if got := eval[[]string](b, `[...document.querySelectorAll('#latest li .muted')].map((e) => e.textContent.trim())`); !slices.Equal(got, newest) {
		t.Errorf("newest incidents start at %v, the store's newest at %v", got, newest)
	}

	// A filter is answered by the worker too.
	b.do("choose the air domain", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-domain'); s.value = 'air'; s.dispatchEvent(new Event('change')); })()`))
	b.waitFor("the air incidents", `document.querySelector('#counts').getAttribute('aria-busy') === 'false'`)
	if got := b.text("[data-testid=count-shown]"); got != fmtThousands(byDomain["air"]) {
		t.Errorf("domain air: dashboard shows %s incidents, the store has %d", got, byDomain["air"])
	}
	b.do("every domain", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-domain'); s.value = ''; s.dispatchEvent(new Event('change')); })()`))
	b.waitFor("every incident again", `document.querySelector('#counts').getAttribute('aria-busy') === 'false' && document.querySelector('#dash-map').dataset.indexing === undefined`)

	// Colour by verdict: the map is indexed again, in the worker. A click
	// on the page while it indexes is answered at once: the click's
	// handler runs before the worker's answer arrives.
	since := eval[float64](b, `performance.now()`)
	order := eval[[]string](b, `new Promise((done) => {
		const seen = [];
		const box = document.querySelector('#dash-map');
		const s = document.querySelector('#f-color');
		s.value = 'verdict';
		s.dispatchEvent(new Event('change'));
		const btn = document.createElement('button');
		btn.textContent = 'probe';
		btn.onclick = () => seen.push(box.dataset.indexing === 'true' || document.querySelector('#counts').getAttribute('aria-busy') === 'true' ? 'click while indexing' : 'click after indexing');
		document.querySelector('#main').append(btn);
		setTimeout(() => btn.click(), 0);
		const poll = () => (box.dataset.indexing === undefined && document.querySelector('#counts').getAttribute('aria-busy') === 'false' ? (btn.remove(), done(seen)) : setTimeout(poll, 20));
		setTimeout(poll, 20);
	})`)
	t.Logf("re-index of %d incidents by verdict: longest main-thread task %v ms (load %s)", len(all), b.longestTask(since), loadAverage())
	if !slices.Equal(order, []string{"click while indexing"}) {
		t.Errorf("a click during the re-index: %v, want it answered while the workers count and index", order)
	}
	if got := eval[string](b, `document.querySelector('#dash-map').dataset.incidents`); got != total {
		t.Errorf("after colouring by verdict the cluster worker indexed %s points, want %s", got, total)
	}
	if got := eval[[]string](b, `[...document.querySelectorAll('.legend span')].map((e) => e.textContent)`); !slices.Equal(got, []string{"violation", "uncertain", "outside", "not judged"}) {
		t.Errorf("legend after colouring by verdict: %v", got)
	}
	if got := b.text("[data-testid=count-shown]"); got != fmtThousands(len(all)) {
		t.Errorf("after colouring by verdict the dashboard shows %s incidents, want %d", got, len(all))
	}
	b.screenshot("dashboard-large")

	// What the map's popup asks the dashboard's worker for: an incident's
	// summary by id, as the store has it.
	inc := all[len(all)/2]
	got := eval[[]string](b, `(async () => {
		const { startWorker } = await import('/static/worker-client.js');
		const w = startWorker('/static/dashboard-worker.js');
		await w.call('load', { parties: [], publicView: false });
		const { incident } = await w.call('incident', { incident: `+strconv.FormatInt(inc.ID, 10)+` });
		w.terminate();
		return [incident.title, incident.status, incident.from];
	})()`)
	if from, err := time.Parse(time.RFC3339, got[2]); err != nil || got[0] != inc.Title || got[1] != string(inc.Status) || !from.Equal(inc.From) {
		t.Errorf("the worker describes incident %d as %q, want %q %s %s", inc.ID, got, inc.Title, inc.Status, inc.From)
	}
}

// loadAverage is the machine's load over the last minute, for the logs.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

// TestUIMapPopup clicks the map's marks: a point opens the popup of the
// incident the cluster worker names (through describe, as the dashboard
// asks its worker), and a cluster zooms in to where it falls apart.
func TestUIMapPopup(t *testing.T) {
	s := startServer(t, tempDB(t))
	b := newBrowser(t, s.URL())
	b.open("/agreements")
	got := eval[[]string](b, `(async () => {
		`+mapBoxJS(800, 500)+`
		const asked = [];
		const m = new TruceMap(box, { label: 'popup test', describe: async (id) => { asked.push(id); return { id, title: 'Shelling of incident ' + id, status: 'verified', domains: ['land'], from: '2025-05-08T00:00:00Z' }; } });
		await m.ready;
		const incs = [{ id: 41, lat: 48.0, lon: 37.8, status: 'verified' }];
		for (let i = 0; i < 5; i++) incs.push({ id: 100 + i, lat: 50.45 + i * 0.001, lon: 30.52, status: 'alleged' });
		await m.setIncidents(incs);
		m.map.setView([48.0, 37.8], 8, { animate: false });
		await m.drawn;
		const click = (lat, lon) => { const p = m.map.latLngToContainerPoint([lat, lon]); m.map.fire('click', { containerPoint: p, latlng: m.map.containerPointToLatLng(p) }); };
		click(48.0, 37.8);
		const popup = await new Promise((done) => { const poll = () => { const e = box.querySelector('.leaflet-popup-content'); e ? done(e.textContent) : setTimeout(poll, 20); }; poll(); });
		m.map.closePopup();
		m.map.setView([50.45, 30.52], 6, { animate: false });
		await m.drawn;
		const before = m.map.getZoom();
		click(50.452, 30.52);
		await new Promise((done) => { const poll = () => (m.map.getZoom() > before ? done() : setTimeout(poll, 20)); poll(); });
		return [popup, asked.join(','), String(before), String(m.map.getZoom())];
	})()`)
	if !strings.Contains(got[0], "Shelling of incident 41") || got[1] != "41" {
		t.Errorf("point popup %q after describing ids %q, want incident 41's", got[0], got[1])
	}
	if before, after := mustFloat(t, got[2]), mustFloat(t, got[3]); after <= before {
		t.Errorf("a click on the cluster kept zoom %s (now %s), want it to zoom in", got[2], got[3])
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
