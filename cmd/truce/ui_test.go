package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/store"
)

// TestUIPublic browses as the public: the dashboard shows the verified
// incidents and no other, the map draws the boundaries, an agreement
// shows its window in its own zone and in UTC, the dashboard follows the
// event stream, and the other pages render.
func TestUIPublic(t *testing.T) {
	s := uiServer(t)
	verifySome(t, s.db, 3)
	if n := countStatus(t, s.db, truce.IncidentVerified); n != 3 {
		t.Fatalf("set-up: %d verified incidents, want 3", n)
	}
	b := newBrowser(t, s.URL())

	b.open("/")
	b.waitFor("the dashboard's incidents", `document.querySelector('#dash-map')?.dataset.ready === 'true'`)
	if fcp, err := b.firstPaint(); err != nil {
		t.Error(err)
	} else {
		ready := eval[float64](b, `Math.round(performance.getEntriesByName('truce:dashboard')[0].startTime)`)
		t.Logf("dashboard, public: first contentful paint %v ms; incidents counted and on the map %v ms", fcp, ready)
	}
	// The incidents arrive in one streamed export, not page after page;
	// the dashboard's worker reads it.
	exports, pages := 0, 0
	for _, u := range b.workerRequests("/static/dashboard-worker.js") {
		if strings.Contains(u, "/api/v1/export/incidents.ndjson") {
			exports++
		}
		if strings.Contains(u, "/api/v1/incidents?") {
			pages++
		}
	}
	if exports != 1 || pages != 0 {
		t.Errorf("dashboard's worker loaded incidents with %d exports and %d list pages, want 1 and 0", exports, pages)
	}
	if got := b.text(`[data-testid=count-shown]`); got != "3" {
		t.Errorf("public dashboard shows %s incidents, want the 3 verified", got)
	}
	if got := eval[[]string](b, `[...document.querySelectorAll('#by-status tbody th')].map((th) => th.textContent)`); len(got) != 1 || got[0] != "verified" {
		t.Errorf("public dashboard counts statuses %v, want only verified", got)
	}
	if got := eval[string](b, `document.querySelector('#dash-map').dataset.incidents`); got != "3" {
		t.Errorf("public map holds %s incidents, want 3", got)
	}

	// The basemap: every country and Ukraine's 27 admin-1 units, painted.
	b.waitFor("the boundaries", `document.querySelector('#dash-map').dataset.boundaries > 0`)
	if got := eval[int](b, `+document.querySelector('#dash-map').dataset.admin1`); got != 27 {
		t.Errorf("map drew %d admin-1 units, want 27", got)
	}
	if got := eval[int](b, `+document.querySelector('#dash-map').dataset.boundaries`); got < 200 {
		t.Errorf("map drew %d boundaries, want the world's countries and more", got)
	}
	// Every agreement's area is outlined: the moratorium's UA and RU, the
	// Donbas measures' Donetsk and Luhansk oblasts (the other demo
	// agreements apply everywhere).
	b.waitFor("the agreements' areas", `document.querySelector('#dash-map').dataset.areaFeatures === '4'`)
	// Pixels of the land colour (#f4f1ea) and of boundary lines (greys
	// darker than the land) on the basemap's canvas.
	land := eval[[]int](b, `(() => {
		const c = document.querySelector('.leaflet-truce-base-pane canvas');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let land = 0, line = 0;
		for (let i = 0; i < d.length; i += 4 * 7) {
			if (d[i] === 0xf4 && d[i + 1] === 0xf1 && d[i + 2] === 0xea) land++;
			else if (d[i + 3] > 0 && d[i] < 0xd0 && Math.abs(d[i] - d[i + 2]) < 40) line++;
		}
		return [land, line];
	})()`)
	if land[0] < 1000 || land[1] < 100 {
		t.Errorf("basemap canvas: %d land pixels and %d boundary pixels sampled, want a drawn map", land[0], land[1])
	}
	b.screenshot("dashboard-public")
	b.checkAccessible("dashboard-public")

	// A tablet held upright: the counts fall below the map, nothing
	// overflows sideways.
	b.do("tablet viewport", chromedp.EmulateViewport(820, 1180, chromedp.EmulateTouch))
	b.open("/")
	b.waitFor("the dashboard's incidents", `document.querySelector('#dash-map')?.dataset.ready === 'true'`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 820 {
		t.Errorf("dashboard at tablet width is %d px wide, overflowing 820", w)
	}
	b.screenshot("dashboard-tablet")
	b.checkAccessible("dashboard-tablet")
	b.do("laptop viewport", chromedp.EmulateViewport(1366, 768))

	// Live: an incident verified elsewhere reaches the open dashboard over
	// the event stream, without a reload.
	verifySome(t, s.db, 1)
	b.waitFor("the stream's update", `document.querySelector('[data-testid=count-shown]')?.textContent === '4'`)

	// An unverified incident is not published.
	unverified, err := s.db.Incidents(context.Background(), store.IncidentFilter{Status: truce.IncidentAlleged, Limit: 1})
	if err != nil || len(unverified) == 0 {
		t.Fatalf("no alleged incident to look for: %v", err)
	}
	b.open(fmt.Sprintf("/incidents/%d", unverified[0].ID))
	if got := b.text("#main .error"); !strings.Contains(got, "Could not load the incident") {
		t.Errorf("public view of an alleged incident: %q, want it refused", got)
	}

	// The Donbas measures start in Kyiv summer time (UTC+3) and end in its
	// winter time (UTC+2): worked out by hand from the terms.
	b.open("/agreements/donbas-ceasefire-measures-2020")
	if got, want := b.text("[data-testid=window-local]"), "2020-07-27 00:01 (UTC+03:00) → 2022-02-24 00:00 (UTC+02:00)"; got != want {
		t.Errorf("Donbas window, local: %q, want %q", got, want)
	}
	if got, want := b.text("[data-testid=window-utc]"), "2020-07-26 21:01 UTC → 2022-02-23 22:00 UTC"; got != want {
		t.Errorf("Donbas window, UTC: %q, want %q", got, want)
	}
	b.open("/agreements/victory-day-truce-2025")
	if got, want := b.text("[data-testid=window-local]"), "2025-05-08 00:00 (UTC+03:00) → 2025-05-11 00:00 (UTC+03:00)"; got != want {
		t.Errorf("Victory Day window, local: %q, want %q", got, want)
	}
	if got, want := b.text("[data-testid=window-utc]"), "2025-05-07 21:00 UTC → 2025-05-10 21:00 UTC"; got != want {
		t.Errorf("Victory Day window, UTC: %q, want %q", got, want)
	}
	if got := b.text("[data-testid=countdown]"); !strings.HasPrefix(got, "Ended ") || !strings.Contains(got, "lasted 3 d 0 h 0 min") {
		t.Errorf("Victory Day countdown: %q, want it ended after 3 days", got)
	}
	b.screenshot("agreement")
	b.checkAccessible("agreement")

	b.open("/agreements")
	if n := eval[int](b, `document.querySelectorAll('#main tbody tr').length`); n != 5 {
		t.Errorf("agreements list: %d rows, want the demo's 5", n)
	}
	b.screenshot("agreements")
	b.checkAccessible("agreements")

	b.open("/claims")
	b.waitFor("the claims' bars", `document.querySelectorAll('.bar.claimed').length > 0`)
	// Russia's claim of 524 aerial drones in the Victory Day truce, as the
	// demo's claims file records it.
	if got := eval[[]string](b, `[...document.querySelectorAll('[data-testid=claimed]')].map((e) => e.textContent)`); !slices.Contains(got, "524") {
		t.Errorf("claimed counts on the claims page %v, want the 524 aerial drones among them", got)
	}
	b.screenshot("claims")
	b.checkAccessible("claims")

	b.open("/log")
	var cp struct{ Size int64 }
	get(t, s.URL()+"api/v1/log/checkpoint", http.StatusOK, &cp)
	if got := b.text("[data-testid=tree-size]"); !strings.HasPrefix(strings.ReplaceAll(got, ",", ""), strconv.FormatInt(cp.Size, 10)) {
		t.Errorf("log page tree size %q, want %d", got, cp.Size)
	}
	b.screenshot("log")
	b.checkAccessible("log")
}

// TestUIMonitorQueue signs in as a monitor, verifies an incident from the
// review queue with the keyboard, and sees the dashboard count change.
func TestUIMonitorQueue(t *testing.T) {
	s := uiServer(t)
	hash, err := auth.HashPassword("correct horse battery", auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.CreateUser(context.Background(), &truce.User{Name: "mona", Role: truce.RoleMonitor}, hash, "test"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, s.URL())

	b.open("/login")
	b.screenshot("login")
	b.checkAccessible("login")
	b.do("sign in with a wrong password",
		chromedp.SendKeys(chromedp.CSS("#login-user"), "mona"),
		chromedp.SendKeys(chromedp.CSS("#login-pass"), "wrong horse"),
		chromedp.Click(chromedp.CSS(`#main form button[type=submit]`)))
	if got := b.text("#main .error"); !strings.Contains(got, "wrong user name or password") {
		t.Errorf("sign-in with a wrong password: %q", got)
	}
	b.do("clear the form", chromedp.Evaluate[chromedp.Void](`document.querySelector('#login-user').value = ''; document.querySelector('#login-pass').value = ''`))
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#login-user"), "mona"),
		chromedp.SendKeys(chromedp.CSS("#login-pass"), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`#main form button[type=submit]`)))
	b.waitFor("the review queue", `location.pathname === '/queue' && document.querySelector('#q-open') !== null`)
	if got := b.text("#who"); !strings.Contains(got, "mona") || !strings.Contains(got, "monitor") {
		t.Errorf("header after sign-in: %q", got)
	}

	b.open("/")
	b.waitFor("the dashboard's incidents", `document.querySelector('#dash-map')?.dataset.ready === 'true'`)
	if fcp, err := b.firstPaint(); err != nil {
		t.Error(err)
	} else {
		ready := eval[float64](b, `Math.round(performance.getEntriesByName('truce:dashboard')[0].startTime)`)
		t.Logf("dashboard, monitor (every demo incident): first contentful paint %v ms; incidents counted and on the map %v ms", fcp, ready)
	}
	before := countStatus(t, s.db, truce.IncidentVerified)
	if got := b.text("[data-testid=count-verified]"); got != strconv.Itoa(before) {
		t.Fatalf("dashboard shows %s verified, the store holds %d", got, before)
	}
	if shown, all := b.text("[data-testid=count-shown]"), countAll(t, s.db); shown != fmtThousands(all) {
		t.Errorf("monitor's dashboard shows %s incidents, the store holds %d", shown, all)
	}
	b.screenshot("dashboard-monitor")
	b.checkAccessible("dashboard-monitor")

	// The filters agree with the store's own filters: an agreement keeps
	// the incidents judged a violation of it or uncertain, a party the
	// incidents whose reports name it among the perpetrators.
	b.waitFor("the findings", `performance.getEntriesByName('truce:findings').length > 0`)
	choose := func(sel, value string) {
		b.do("choose "+value, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector(`+strconv.Quote(sel)+`); s.value = `+strconv.Quote(value)+`; s.dispatchEvent(new Event('change')); })()`))
		// The counts come from the dashboard's worker: busy until it answers.
		b.waitFor("the counts for "+value, `document.querySelector('#counts').getAttribute('aria-busy') === 'false'`)
	}
	for _, c := range []struct {
		sel, value string
		filter     store.IncidentFilter
	}{
		{"#f-agreement", "donbas-ceasefire-measures-2020", store.IncidentFilter{AgreementID: "donbas-ceasefire-measures-2020"}},
		{"#f-agreement", "", store.IncidentFilter{}},
		{"#f-party", "RU", store.IncidentFilter{Party: "RU"}},
		{"#f-party", "DPR", store.IncidentFilter{Party: "DPR"}},
	} {
		choose(c.sel, c.value)
		incs, err := s.db.Incidents(context.Background(), c.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.text("[data-testid=count-shown]"); got != fmtThousands(len(incs)) {
			t.Errorf("filter %s=%q: dashboard shows %s incidents, the store's filter %d", c.sel, c.value, got, len(incs))
		}
	}
	choose("#f-party", "")

	// The time slider: from the last day on, only that day's incidents.
	all, err := s.db.Incidents(context.Background(), store.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	lastDay, onLast := "", 0
	for _, inc := range all {
		switch d := inc.From.UTC().Format("2006-01-02"); {
		case d > lastDay:
			lastDay, onLast = d, 1
		case d == lastDay:
			onLast++
		}
	}
	b.do("slide to the last day", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.querySelector('#f-from'); r.value = r.max; r.dispatchEvent(new Event('input')); })()`))
	b.waitFor("the slider's range", `document.querySelector('#f-range').textContent === `+strconv.Quote(lastDay+" – "+lastDay))
	b.waitFor("the last day's incidents", `document.querySelector('[data-testid=count-shown]').textContent === `+strconv.Quote(fmtThousands(onLast)))
	b.do("slide back", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.querySelector('#f-from'); r.value = r.min; r.dispatchEvent(new Event('input')); })()`))
	b.waitFor("every incident again", `document.querySelector('[data-testid=count-shown]').textContent === `+strconv.Quote(fmtThousands(len(all))))
	if n := eval[int](b, `document.querySelectorAll('#chart canvas').length`); n == 0 {
		t.Error("no chart over time on the dashboard")
	}
	b.do("scroll to the chart", chromedp.Evaluate[chromedp.Void](`document.querySelector('#chart').scrollIntoView()`))
	b.screenshot("dashboard-chart")

	b.do("open the queue", chromedp.Click(chromedp.CSS(`#nav a[href="/queue"]`)))
	b.waitFor("the queue's first incident", `document.querySelector('#q-open') !== null`)
	first := b.text("#q-pos")
	b.keys("next", "j")
	b.waitFor("the second incident", `document.querySelector('#q-pos').textContent.startsWith('2 of')`)
	b.keys("previous", "k")
	b.waitFor("the first incident again", `document.querySelector('#q-pos').textContent.startsWith('1 of')`)
	href := eval[string](b, `document.querySelector('#q-open').getAttribute('href')`)
	id, err := strconv.ParseInt(strings.TrimPrefix(href, "/incidents/"), 10, 64)
	if err != nil {
		t.Fatalf("queue links %q", href)
	}
	b.screenshot("queue")
	b.checkAccessible("queue")

	// v asks for a reason, Enter applies it.
	b.keys("verify", "v")
	b.waitFor("the reason field", `document.activeElement && document.activeElement.id === 'q-reason'`)
	b.keys("type the reason", "Two independent sources and a FIRMS detection agree.")
	b.keys("apply", "\r")
	left := "1 of " + fmtThousands(mustAtoi(t, strings.Fields(first)[2])-1)
	b.waitFor("the queue to move on", `document.querySelector('#q-pos').textContent === `+strconv.Quote(left))
	inc, err := s.db.Incident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != truce.IncidentVerified {
		t.Fatalf("incident %d is %s after verifying in the queue", id, inc.Status)
	}

	// e to write the reason first, Esc to leave the field, r rejects at once.
	href2 := eval[string](b, `document.querySelector('#q-open').getAttribute('href')`)
	id2, err := strconv.ParseInt(strings.TrimPrefix(href2, "/incidents/"), 10, 64)
	if err != nil {
		t.Fatalf("queue links %q", href2)
	}
	b.keys("edit the reason", "e")
	b.waitFor("the reason field", `document.activeElement && document.activeElement.id === 'q-reason'`)
	b.keys("type the reason", "A duplicate of an event already recorded.")
	b.keys("leave the field", "\x1b")
	b.waitFor("the page to have the keys", `document.activeElement && document.activeElement.id !== 'q-reason'`)
	b.keys("reject", "r")
	left2 := "1 of " + fmtThousands(mustAtoi(t, strings.Fields(left)[2])-1)
	b.waitFor("the queue to move on again", `document.querySelector('#q-pos').textContent === `+strconv.Quote(left2))
	if inc, err := s.db.Incident(context.Background(), id2); err != nil || inc.Status != truce.IncidentRejected {
		t.Fatalf("incident %d after rejecting in the queue: %v %v", id2, inc.Status, err)
	}

	b.do("back to the dashboard", chromedp.Click(chromedp.CSS(`#nav a[href="/"]`)))
	b.waitFor("the dashboard's incidents", `document.querySelector('#dash-map')?.dataset.ready === 'true'`)
	if got, want := b.text("[data-testid=count-verified]"), strconv.Itoa(before+1); got != want {
		t.Errorf("dashboard verified count after verifying: %s, want %s", got, want)
	}

	b.open(href)
	b.waitFor("the incident's history", `document.body.textContent.includes('Two independent sources')`)
	b.screenshot("incident")
	b.checkAccessible("incident")

	b.do("sign out", chromedp.Click(chromedp.CSS("#who button")))
	b.waitFor("the public view", `document.querySelector('#who').textContent.includes('Public view')`)
}

// countAll counts every incident in the store.
func countAll(t *testing.T, db *store.DB) int {
	t.Helper()
	incs, err := db.Incidents(context.Background(), store.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(incs)
}

// fmtThousands writes n as the UI does (en-GB grouping: 3,088).
func fmtThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mapLoad is what TestUIMap100k measures in the page.
type mapLoad struct {
	Points   int       `json:"points"`
	IndexMs  float64   `json:"index_ms"`
	FrameMs  []float64 `json:"frame_ms"`
	Clusters []int     `json:"clusters"`
	MarksMs  []float64 `json:"marks_ms"`
	Painted  bool      `json:"painted"`
	// Marked is how many incidents the marks of the world view stand for.
	Marked int `json:"marked"`
	// MainSupercluster says whether the page's main thread has the
	// clustering library (it should not: the worker clusters).
	MainSupercluster bool `json:"main_supercluster"`
}

// TestUIMap100k puts 100,000 incidents on the dashboard's map and moves
// through the zoom levels. It checks that every incident is indexed (by
// the cluster worker: the page itself has no supercluster), that each view
// draws a bounded number of marks (the clusters), which is what keeps the
// map smooth, and that the world view's marks add up to every incident;
// the timings are logged, not asserted.
func TestUIMap100k(t *testing.T) {
	s := startServer(t, tempDB(t))
	b := newBrowser(t, s.URL())
	b.open("/agreements")
	res := eval[mapLoad](b, `(async () => {
		`+mapBoxJS(1200, 700)+`
		const m = new TruceMap(box, { label: '100k test' });
		await m.ready;
		`+seededStatusesJS(42)+`
		const incs = Array.from({ length: 100000 }, (_, i) => ({ id: i + 1, lat: 44.5 + rnd() * 8, lon: 22.5 + rnd() * 17.5, status: st[i % 5], from: '2025-05-08T00:00:00Z', domains: ['land'] }));
		let t0 = performance.now();
		await m.setIncidents(incs);
		const index = performance.now() - t0;
		const frames = [], clusters = [], marks = [];
		for (const [z, lat, lon] of [[5, 48.5, 31], [6, 48.5, 31], [7, 48, 33], [8, 48, 37], [9, 48, 37.5], [10, 48, 37.6], [11, 48, 37.7], [7, 49, 28], [6, 47, 35]]) {
			t0 = performance.now();
			m.map.setView([lat, lon], z, { animate: false });
			await m.drawn;
			frames.push(Math.round((performance.now() - t0) * 10) / 10);
			clusters.push(+box.dataset.clusters);
			marks.push(Math.round(m.lastRenderMs * 10) / 10);
		}
		// The whole world in view: the marks stand for every incident.
		m.map.setView([30, 30], 2, { animate: false });
		await m.drawn;
		const marked = +box.dataset.marked;
		const c = box.querySelector('canvas.truce-incidents');
		const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let painted = false;
		for (let i = 3; i < px.length; i += 4 * 97) if (px[i] > 0) { painted = true; break; }
		return { points: +box.dataset.incidents, index_ms: Math.round(index), frame_ms: frames, clusters, marks_ms: marks, painted, marked, main_supercluster: typeof window.Supercluster !== 'undefined' };
	})()`)
	if res.Points != 100000 {
		t.Errorf("indexed %d incidents, want 100000", res.Points)
	}
	if res.Marked != 100000 {
		t.Errorf("the world view's marks stand for %d incidents, want 100000", res.Marked)
	}
	if res.MainSupercluster {
		t.Error("supercluster is loaded on the page's main thread; the cluster worker should index")
	}
	for i, n := range res.Clusters {
		if n < 1 || n > 6000 {
			t.Errorf("view %d drew %d marks, want between 1 and 6000", i, n)
		}
	}
	if !res.Painted {
		t.Error("the incidents' canvas is blank")
	}
	t.Logf("100k incidents: index %v ms; per view (zoom 5..11, pans): frame %v ms, of which clustering and painting the marks %v ms; marks drawn %v", res.IndexMs, res.FrameMs, res.MarksMs, res.Clusters)
	b.screenshot("map-100k")
}

// TestUIAccessibilityCheck makes sure the accessibility check finds what
// it looks for: a low-contrast paragraph, an unlabelled input and an image
// without alt text put into a page that passes it.
func TestUIAccessibilityCheck(t *testing.T) {
	s := startServer(t, tempDB(t))
	b := newBrowser(t, s.URL())
	b.open("/login")
	if got := b.accessibilityProblems(); len(got) != 0 {
		t.Fatalf("the sign-in page fails the check: %v", got)
	}
	b.do("spoil the page", chromedp.Evaluate[chromedp.Void](`document.getElementById('main').insertAdjacentHTML('beforeend',
		'<p style="color:#bbb;background:#fff">faint</p><input id="nameless"><img src="/static/favicon.svg" width="10" height="10">')`))
	got := strings.Join(b.accessibilityProblems(), "\n")
	for _, want := range []string{`"faint"`, `id="nameless"`, "image without alt"} {
		if !strings.Contains(got, want) {
			t.Errorf("the check missed %s; it found:\n%s", want, got)
		}
	}
}

// mapBoxJS is the start of a page script that puts an empty w×h box in
// the page's main element and imports the map's class, for a test to
// make a TruceMap in the box.
func mapBoxJS(w, h int) string {
	return fmt.Sprintf(`const { TruceMap } = await import('/static/map.js');
		const box = document.createElement('div');
		box.style.cssText = 'width:%dpx;height:%dpx';
		document.getElementById('main').replaceChildren(box);`, w, h)
}

// seededStatusesJS declares, for a page script, rnd (a pseudo-random
// number in (0, 1) from a generator seeded with seed, the same numbers on
// every run) and st (the incident statuses).
func seededStatusesJS(seed int) string {
	return fmt.Sprintf(`let seed = %d;
		const rnd = () => (seed = (seed * 16807) %% 2147483647) / 2147483647;
		const st = ['alleged', 'corroborated', 'verified', 'disputed', 'rejected'];`, seed)
}
