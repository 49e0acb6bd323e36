package main

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/store"
)

// mapFocus is the dashboard map's keyboard focus as the page exposes it:
// the focused mark ("incident 12", "cluster 34" or ""), where it is
// drawn, and what the live region says.
type mapFocus struct {
	Key       string  `json:"key"`
	X         float64 `json:"x"`
	Y         float64 `json:"y"`
	R         float64 `json:"r"`
	Announced string  `json:"announced"`
	Live      string  `json:"live"`
}

// mapFocusNow reads the map's focus once its announcement has caught up
// with its focused mark (points are described by the dashboard's worker,
// so the words come a moment after the ring).
func (b *browser) mapFocusNow() mapFocus {
	b.t.Helper()
	b.waitFor("the map's announcement of its focused mark", `(() => {
		const d = document.querySelector('#dash-map').dataset;
		if (!d.focused) return true;
		const [kind, id] = d.focused.split(' ');
		return kind === 'incident' ? (d.announced || '').startsWith('Incident ' + id + ':') : (d.announced || '').startsWith('Cluster of ');
	})()`)
	return eval[mapFocus](b, `(() => {
		const box = document.querySelector('#dash-map'), d = box.dataset;
		return { key: d.focused || '', x: +(d.focusX || 0), y: +(d.focusY || 0), r: +(d.focusR || 0), announced: d.announced || '',
			live: (box.querySelector('[role=status][aria-live]') || {}).textContent || '' };
	})()`)
}

// ringPixels counts the pixels of the focus colour (#ffbf47) on the
// incidents' canvas in the ring where the focus is drawn around a mark
// of radius r at x, y.
func (b *browser) ringPixels(x, y, r float64) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`(() => {
		const c = document.querySelector('#dash-map canvas.truce-incidents');
		const k = c.width / c.getBoundingClientRect().width;
		const ctx = c.getContext('2d');
		let n = 0;
		for (let a = 0; a < 360; a += 5) {
			const px = Math.round((%f + Math.cos(a * Math.PI / 180) * (%f + 6)) * k), py = Math.round((%f + Math.sin(a * Math.PI / 180) * (%f + 6)) * k);
			const d = ctx.getImageData(px, py, 1, 1).data;
			if (Math.abs(d[0] - 0xff) < 12 && Math.abs(d[1] - 0xbf) < 12 && Math.abs(d[2] - 0x47) < 12 && d[3] > 200) n++;
		}
		return n;
	})()`, x, r, y, r))
}

// wantIncidentSaid is what the map should say of an incident, from the
// store and the gazetteer: number, kind, start, place, status.
func wantIncidentSaid(inc truce.Incident, gz *geo.Gazetteer) string {
	kind := "unknown-domain incident"
	if len(inc.Domains) > 0 {
		kind = strings.Join(inc.Domains, " and ") + " incident"
	}
	if len(inc.Targets) > 0 {
		kind += " against " + strings.ReplaceAll(strings.Join(inc.Targets, " and "), "_", " ") + " targets"
	}
	place := wantPlace(inc, gz)
	if place == "" {
		place = "place unknown"
	}
	return fmt.Sprintf("Incident %d: %s, %s UTC, %s, %s. Enter opens it.", inc.ID, kind, inc.From.UTC().Format("2006-01-02 15:04"), place, inc.Status)
}

// verifyForMap verifies alleged incidents of the store in Ukraine and
// its neighbours (the dashboard's first view) for the public map: a
// stack of incidents at one spot (drawn as one cluster, and still as
// marks on one another once zoomed in) and n more, at least a degree from
// each other and from the stack, so that there are marks to move between
// every way. It returns the ids of all and of the stack.
func verifyForMap(t *testing.T, db *store.DB, n int) (all, stack []int64) {
	t.Helper()
	incs, err := db.Incidents(context.Background(), store.IncidentFilter{Status: truce.IncidentAlleged})
	if err != nil {
		t.Fatal(err)
	}
	inView := func(inc truce.Incident) bool { return inc.Lat > 45 && inc.Lat < 52 && inc.Lon > 23 && inc.Lon < 40 }
	verify := func(inc truce.Incident) {
		if _, err := db.Transition(context.Background(), truce.Transition{IncidentID: inc.ID, From: inc.Status, To: truce.IncidentVerified, Reason: "checked in the test", By: "test"}, inc.Version); err != nil {
			t.Fatal(err)
		}
		all = append(all, inc.ID)
	}
	spots := map[[2]float64][]truce.Incident{}
	var spot [2]float64
	for _, inc := range incs {
		p := [2]float64{inc.Lat, inc.Lon}
		if spots[p] = append(spots[p], inc); inView(inc) && len(spots[p]) == 4 && len(stack) == 0 {
			spot = p
			for _, s := range spots[p] {
				verify(s)
				stack = append(stack, s.ID)
			}
		}
	}
	if len(stack) == 0 {
		t.Fatal("set-up: no four alleged incidents at one spot")
	}
	at := [][2]float64{spot}
	for _, inc := range incs {
		if len(all) == len(stack)+n {
			break
		}
		if !inView(inc) || slices.ContainsFunc(at, func(p [2]float64) bool {
			return math.Abs(p[0]-inc.Lat) < 1 && math.Abs(p[1]-inc.Lon) < 1
		}) {
			continue
		}
		verify(inc)
		at = append(at, [2]float64{inc.Lat, inc.Lon})
	}
	if len(all) < len(stack)+4 {
		t.Fatalf("set-up: only %d alleged incidents a degree apart", len(all)-len(stack))
	}
	return all, stack
}

// wantPlace names where an incident is as the gazetteer has it: its
// admin-1 unit and country, or its country.
func wantPlace(inc truce.Incident, gz *geo.Gazetteer) string {
	if inc.Admin1 != "" {
		return gz.Admin1Name(inc.Admin1) + ", " + gz.CountryName(strings.SplitN(inc.Admin1, "-", 2)[0])
	}
	if cc, ok := gz.CountryAt(inc.Lat, inc.Lon); ok {
		return gz.CountryName(cc)
	}
	return ""
}

var inViewSuffix = regexp.MustCompile(` (\d+) of (\d+) in view\.$`)

// TestUIMapKeyboard works the dashboard's map with the keyboard only:
// Tab reaches it; the arrow keys, N and P, Home and End move a focus
// between the marks drawn on its canvas, ringed in the focus colour and named in a
// live region (an incident by number, kind, start, place and status as
// the store has them, never by its title or anyone's name; a cluster by
// its counts); Enter zooms into a cluster and opens an incident's popup
// with the focus on its link, and Enter there opens that incident;
// Escape closes the popup back to the mark and then leaves the marks.
func TestUIMapKeyboard(t *testing.T) {
	s := uiServer(t)
	ids, stack := verifyForMap(t, s.db, 10)
	incs := map[int64]truce.Incident{}
	for _, id := range ids {
		inc, err := s.db.Incident(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		incs[id] = inc
	}
	b := newBrowser(t, s.URL())
	b.open("/")
	b.waitFor("the map's marks", `document.querySelector('#dash-map')?.dataset.ready === 'true' && +document.querySelector('#dash-map').dataset.clusters > 0`)
	if got := eval[string](b, `document.querySelector('#dash-map').dataset.incidents`); got != strconv.Itoa(len(ids)) {
		t.Fatalf("the public map holds %s incidents, want the %d verified", got, len(ids))
	}

	// Tab to the map: one stop, an application named as a map, described
	// by its keys, saying what it holds.
	b.do("focus the top of the page", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	reached := false
	for range 40 {
		b.keys("tab", "\t")
		if eval[bool](b, `document.activeElement === document.querySelector('#dash-map')`) {
			reached = true
			break
		}
	}
	if !reached {
		t.Fatal("Tab never reaches the map")
	}
	if got := eval[[]string](b, `(() => { const m = document.querySelector('#dash-map'); return [m.getAttribute('role'), m.getAttribute('aria-label'), document.getElementById(m.getAttribute('aria-describedby'))?.textContent || '']; })()`); got[0] != "application" || got[1] == "" || !strings.Contains(got[2], "Arrow keys move between the incidents") {
		t.Errorf("the map as a screen reader finds it: role %q, name %q, description %q", got[0], got[1], got[2])
	}
	summary := regexp.MustCompile(`^(\d+) marks? in view for (\d+) incidents?\. Arrow keys`).FindStringSubmatch(b.mapFocusNow().Live)
	if summary == nil || b.mapFocusNow().Key != "" {
		t.Fatalf("on reaching the map: focused %q, live region %q; want no mark yet and a summary", b.mapFocusNow().Key, b.mapFocusNow().Live)
	}

	// The same marks as a list, for a screen reader's own list keys: as
	// many as the map said, each named from the store, adding up to the
	// incidents it said; Enter on one opens its popup, as on the map.
	b.do("focus the list's summary", chromedp.Focus(chromedp.CSS("#dash-map ~ details.map-list summary")))
	b.keys("open the list", "\r")
	b.waitFor("the list", `document.querySelectorAll('details.map-list[open] li button').length > 0`)
	type listItem struct {
		Mark string `json:"mark"`
		Text string `json:"text"`
	}
	items := eval[[]listItem](b, `[...document.querySelectorAll('details.map-list li button')].map((x) => ({ mark: x.dataset.mark, text: x.textContent }))`)
	if strconv.Itoa(len(items)) != summary[1] {
		t.Errorf("the list holds %d marks, the map said %s", len(items), summary[1])
	}
	listed, firstListed := 0, ""
	for _, it := range items {
		var id int64
		if _, err := fmt.Sscanf(it.Mark, "incident %d", &id); err == nil {
			inc, ok := incs[id]
			if want := fmt.Sprintf("Incident %d, verified, %s", id, wantPlace(inc, s.gz)); !ok || it.Text != want {
				t.Errorf("list item %q, want %q", it.Text, want)
			}
			listed++
			if firstListed == "" {
				firstListed = it.Mark
			}
			continue
		}
		m := regexp.MustCompile(`^Cluster of (\d+) incidents: (\d+) verified`).FindStringSubmatch(it.Text)
		if m == nil || m[1] != m[2] {
			t.Errorf("list item %q (%s), want a cluster's count, all verified", it.Text, it.Mark)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		listed += n
	}
	if strconv.Itoa(listed) != summary[2] {
		t.Errorf("the list's marks stand for %d incidents, the map said %s", listed, summary[2])
	}
	if firstListed == "" {
		t.Fatalf("no incident in the list %v", items)
	}
	b.checkAccessible("dashboard with the map's list open")
	b.do("focus "+firstListed+" in the list", chromedp.Focus(chromedp.CSS(`details.map-list button[data-mark="`+firstListed+`"]`)))
	b.keys("Enter on it", "\r")
	b.waitFor("its popup's link focused", `document.activeElement?.getAttribute('href') === `+strconv.Quote("/incidents/"+strings.TrimPrefix(firstListed, "incident ")))
	b.keys("Escape in the popup", kb.Escape)
	b.waitFor("the map focused on it", `document.activeElement === document.querySelector('#dash-map') && document.querySelector('#dash-map').dataset.focused === `+strconv.Quote(firstListed))
	b.keys("Escape on the map", kb.Escape)
	b.waitFor("the marks left", `!document.querySelector('#dash-map').dataset.focused`)

	// Home: the first mark in reading order, ringed and named.
	b.keys("Home", kb.Home)
	f := b.mapFocusNow()
	if f.Key == "" {
		t.Fatal("Home focused no mark")
	}
	if f.Live != f.Announced {
		t.Errorf("live region %q, announced %q", f.Live, f.Announced)
	}
	if m := inViewSuffix.FindStringSubmatch(f.Announced); m == nil || m[1] != "1" {
		t.Errorf("Home announced %q, want the first mark in view", f.Announced)
	}
	if n := b.ringPixels(f.X, f.Y, f.R); n < 20 {
		t.Errorf("the focus ring around %s at %.0f,%.0f: %d of 72 points in the focus colour", f.Key, f.X, f.Y, n)
	}

	// Into clusters with Enter until an incident holds the focus; each
	// cluster says how many incidents it holds and the statuses add up.
	clusterSaid := regexp.MustCompile(`^Cluster of (\d+) incidents: (\d+) verified(, around [^.]+)?\. Enter zooms in\.`)
	toIncident := func(f mapFocus) mapFocus {
		t.Helper()
		for i := 0; strings.HasPrefix(f.Key, "cluster "); i++ {
			m := clusterSaid.FindStringSubmatch(f.Announced)
			if m == nil || m[1] != m[2] {
				t.Fatalf("cluster announced %q, want its count, all verified", f.Announced)
			}
			if i == 6 {
				t.Fatalf("still on a cluster after %d Enters: %q", i, f.Announced)
			}
			before := f.Key
			b.keys("Enter on a cluster", "\r")
			b.waitFor("the cluster to open", `document.querySelector('#dash-map').dataset.focused !== `+strconv.Quote(before))
			f = b.mapFocusNow()
		}
		return f
	}
	f = toIncident(f)
	checkIncident := func(f mapFocus) truce.Incident {
		t.Helper()
		id, err := strconv.ParseInt(strings.TrimPrefix(f.Key, "incident "), 10, 64)
		if err != nil {
			t.Fatalf("focused mark %q: %v", f.Key, err)
		}
		inc, ok := incs[id]
		if !ok {
			t.Fatalf("the map focused incident %d, which is not among the verified %v", id, ids)
		}
		if want := wantIncidentSaid(inc, s.gz); !strings.HasPrefix(f.Announced, want) || !inViewSuffix.MatchString(f.Announced) {
			t.Errorf("incident %d announced\n%q\nwant\n%q and its place in view", id, f.Announced, want)
		}
		if inc.Title != "" && strings.Contains(f.Announced, inc.Title) {
			t.Errorf("incident %d announced with its title (free text that may name people): %q", id, f.Announced)
		}
		return inc
	}
	checkIncident(f)

	// The arrow keys move to the nearest mark that way: try each until
	// one moves, and check the mark moved to lies that way.
	var moved mapFocus
	back := ""
	for _, k := range []struct {
		name, key, back string
		dx, dy          float64
	}{{"right", kb.ArrowRight, kb.ArrowLeft, 1, 0}, {"left", kb.ArrowLeft, kb.ArrowRight, -1, 0}, {"down", kb.ArrowDown, kb.ArrowUp, 0, 1}, {"up", kb.ArrowUp, kb.ArrowDown, 0, -1}} {
		b.keys("arrow", k.key)
		g := b.mapFocusNow()
		if g.Key == f.Key {
			if !strings.HasPrefix(g.Live, "No incident further ") {
				t.Errorf("an arrow that found nothing said %q", g.Live)
			}
			continue
		}
		if (g.X-f.X)*k.dx+(g.Y-f.Y)*k.dy < 0 {
			t.Errorf("%s moved from %.0f,%.0f to %.0f,%.0f, the wrong way", k.name, f.X, f.Y, g.X, g.Y)
		}
		if strings.HasPrefix(g.Key, "incident ") {
			checkIncident(g)
		} else if !clusterSaid.MatchString(g.Announced) {
			t.Errorf("cluster announced %q", g.Announced)
		}
		if math.Hypot(g.X-f.X, g.Y-f.Y) < f.R+g.R {
			t.Errorf("%s moved from %.0f,%.0f to %.0f,%.0f, no further than the mark itself (the incidents verified are a degree apart)", k.name, f.X, f.Y, g.X, g.Y)
		}
		if n := b.ringPixels(f.X, f.Y, f.R); n > 0 {
			t.Errorf("the old mark at %.0f,%.0f still ringed (%d points); now on %s at %.0f,%.0f", f.X, f.Y, n, g.Key, g.X, g.Y)
		}
		t.Logf("%s moved the focus from %s at %.0f,%.0f to %s at %.0f,%.0f: %q", k.name, f.Key, f.X, f.Y, g.Key, g.X, g.Y, g.Announced)
		moved, back = g, k.back
		break
	}
	if moved.Key == "" {
		t.Fatalf("no arrow key moved the focus from %s (%q)", f.Key, f.Announced)
	}
	// On a cluster, the way back leads to an incident again.
	if !strings.HasPrefix(moved.Key, "incident ") {
		b.keys("arrow back", back)
		moved = toIncident(b.mapFocusNow())
	}
	f = moved
	first := checkIncident(f)

	// Enter opens the same popup as a click, the focus on its link.
	b.keys("Enter on an incident", "\r")
	href := fmt.Sprintf("/incidents/%d", first.ID)
	b.waitFor("the popup's link focused", `document.activeElement?.closest('.leaflet-popup-content') !== null && document.activeElement.getAttribute('href') === `+strconv.Quote(href))
	// (A popup closed a moment ago fades out before it leaves the page.)
	if got := eval[string](b, `document.activeElement.closest(".leaflet-popup-content").textContent`); first.Title != "" && !strings.Contains(got, first.Title) {
		t.Errorf("popup of incident %d says %q, want its title %q", first.ID, got, first.Title)
	}
	if n := b.ringPixels(f.X, f.Y, f.R); n == 0 {
		// The popup may pan the map; read where the mark is now.
		g := b.mapFocusNow()
		if n := b.ringPixels(g.X, g.Y, g.R); n == 0 {
			t.Errorf("the focus ring went while the popup of the focused incident is open")
		}
	}

	// Escape: the popup closes, the focus is back on the map and its mark.
	b.keys("Escape in the popup", kb.Escape)
	b.waitFor("the popup closed and the map focused", `document.querySelector('#dash-map .leaflet-popup') === null && document.activeElement === document.querySelector('#dash-map')`)
	if g := b.mapFocusNow(); g.Key != f.Key {
		t.Errorf("after closing the popup the focus is on %q, want %q", g.Key, f.Key)
	} else {
		checkIncident(g)
		f = g
	}

	// Escape again leaves the marks: no focused mark, no ring.
	b.keys("Escape on the map", kb.Escape)
	b.waitFor("the marks left", `!document.querySelector('#dash-map').dataset.focused`)
	if got := b.mapFocusNow().Live; !strings.HasPrefix(got, "Left the incidents on the map.") {
		t.Errorf("leaving the marks said %q", got)
	}
	if n := b.ringPixels(f.X, f.Y, f.R); n > 0 {
		t.Errorf("the focus ring is still drawn (%d points) after Escape", n)
	}

	// N walks every mark in reading order: to the stack's cluster, which
	// says what it holds and where; Enter opens it onto its incidents, one
	// on another, which N walks in turn.
	b.do("focus the map", chromedp.Focus(chromedp.CSS("#dash-map")))
	var cluster mapFocus
	for range len(ids) + 1 {
		b.keys("N", "n")
		if g := b.mapFocusNow(); strings.HasPrefix(g.Key, "cluster ") {
			cluster = g
			break
		}
	}
	stackInc := incs[stack[0]]
	if want := fmt.Sprintf("Cluster of %d incidents: %d verified, around %s. Enter zooms in.", len(stack), len(stack), wantPlace(stackInc, s.gz)); !strings.HasPrefix(cluster.Announced, want) {
		t.Fatalf("N reached the cluster saying %q, want %q", cluster.Announced, want)
	}
	t.Logf("N reached %s: %q", cluster.Key, cluster.Announced)
	b.screenshot("map-keyboard-cluster")
	b.keys("Enter on the cluster", "\r")
	b.waitFor("the cluster opened", `(document.querySelector('#dash-map').dataset.focused || '').startsWith('incident ')`)
	var walked []int64
	var target truce.Incident
	for i := range stack {
		if i > 0 {
			b.keys("N", "n")
		}
		g := b.mapFocusNow()
		target = checkIncident(g)
		if want := fmt.Sprintf(" One of %d marks at this spot.", len(stack)); !strings.Contains(g.Announced, want) {
			t.Errorf("incident %d of the stack announced %q, want it to say%s", target.ID, g.Announced, want)
		}
		walked = append(walked, target.ID)
	}
	slices.Sort(walked)
	if !slices.Equal(walked, stack) {
		t.Errorf("N walked the stack's incidents %v, want %v", walked, stack)
	}

	// Enter twice on the last: its own page opens.
	b.keys("Enter on the incident", "\r")
	b.waitFor("the popup's link focused", `document.activeElement?.getAttribute('href') === `+strconv.Quote(fmt.Sprintf("/incidents/%d", target.ID)))
	b.keys("Enter on its link", "\r")
	b.waitFor("the incident's page", `location.pathname === `+strconv.Quote(fmt.Sprintf("/incidents/%d", target.ID))+` && document.querySelector('#main h1') !== null`)
	if got, want := b.text("#main h1"), target.Title; want != "" && !strings.HasPrefix(got, want) {
		t.Errorf("Enter opened a page titled %q, want incident %d's %q", got, target.ID, want)
	}
	b.checkAccessible("incident from the map")
}

// TestUIMapClusterCounts checks what the map says of its clusters: at
// every zoom, each cluster's incidents per status add up to its count,
// and the marks of the whole world add up to the incidents per status put
// in (nested clusters once counted into their children's arrays too).
func TestUIMapClusterCounts(t *testing.T) {
	s := startServer(t, tempDB(t))
	b := newBrowser(t, s.URL())
	b.open("/agreements")
	// 5,000 incidents, status i%5 for incident i: 1,000 of each.
	got := eval[[]string](b, `(async () => {
		`+mapBoxJS(900, 600)+`
		const m = new TruceMap(box, { label: 'counts test' });
		await m.ready;
		`+seededStatusesJS(7)+`
		await m.setIncidents(Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, lat: 46 + rnd() * 5, lon: 26 + rnd() * 12, status: st[i % 5] })));
		const bad = [];
		for (const z of [2, 4, 6, 8]) {
			m.map.setView([48.5, 32], z, { animate: false });
			await m.drawn;
			for (const k of m.marks) {
				const n = k.cluster === undefined ? 1 : k.n.reduce((a, x) => a + x, 0);
				if (n !== k.count) bad.push('zoom ' + z + ': cluster of ' + k.count + ' counts ' + n + ' by status');
			}
		}
		m.map.setView([30, 30], 2, { animate: false });
		await m.drawn;
		const by = {};
		for (const k of m.marks) {
			if (k.cluster === undefined) by[k.key] = (by[k.key] || 0) + 1;
			else k.n.forEach((x, j) => { by[m.keys[j]] = (by[m.keys[j]] || 0) + x; });
		}
		return bad.concat(st.map((s) => s + ' ' + (by[s] || 0)));
	})()`)
	want := []string{"alleged 1000", "corroborated 1000", "verified 1000", "disputed 1000", "rejected 1000"}
	if len(got) != len(want) || !slices.Equal(got[len(got)-len(want):], want) {
		t.Errorf("cluster counts by status: %v, want every cluster adding up and %v", got, want)
	}
}
