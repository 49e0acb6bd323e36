package main

// Helpers of the browser tests of the web UI (ui_test.go and each page's
// own tests): the real server on 127.0.0.1:0, driven in headless Chromium
// with chromedp. A browser test fails when Chromium is missing unless
// TRUCE_SKIP_BROWSER=1 says to skip it, and fails on any request to a host
// other than the server under test and on any script error. Screenshots go
// to $TRUCE_ARTIFACTS/ui (default ./artifacts/ui at the repository root,
// gitignored).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/store"
)

// chromiumPath finds the browser: $TRUCE_CHROMIUM, then the usual names.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TRUCE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TRUCE_SKIP_BROWSER") == "1" {
		t.Skip("Chromium not found and TRUCE_SKIP_BROWSER=1: browser test skipped")
	}
	t.Fatal("Chromium not found (install the Debian package chromium, set TRUCE_CHROMIUM, or TRUCE_SKIP_BROWSER=1 to skip browser tests)")
	return ""
}

// artifactsDir is where screenshots go.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TRUCE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	dir = filepath.Join(dir, "ui")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// uiServer loads the demo mission into a fresh database, starts the server
// with its background jobs, and waits until the jobs have grouped the
// reports into incidents and judged them.
func uiServer(t *testing.T) *server {
	t.Helper()
	dsn := tempDB(t)
	cfg := Config{Addr: "127.0.0.1:0", DB: dsn, Jobs: true, ShutdownTimeout: 5 * time.Second}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := openServer(context.Background(), cfg, logger)
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
	deadline := time.Now().Add(90 * time.Second)
	for {
		incs, err := s.db.Incidents(context.Background(), store.IncidentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		// The list leaves findings out; the last incident's own read has them.
		judged := 0
		if len(incs) > 0 {
			last, err := s.db.Incident(context.Background(), incs[len(incs)-1].ID)
			if err != nil {
				t.Fatal(err)
			}
			judged = len(last.Findings)
		}
		if len(incs) > 100 && judged > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the jobs did not group and judge the demo reports in time: %d incidents, the last with %d findings", len(incs), judged)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return s
}

// browser is one headless Chromium tab on the server under test. It
// records requests to other hosts, script exceptions and console errors,
// and fails the test with them when the test ends.
type browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	mu      sync.Mutex
	foreign []string
	errs    []string
	// requests are the URLs the page asked for (its workers' are theirs:
	// see workerRequests).
	requests []string
	// workers are the page's worker targets by script URL.
	workers map[string]target.ID
	shots   string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	exe := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	b := &browser{t: t, ctx: ctx, base: base, shots: artifactsDir(t), workers: map[string]target.ID{}}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.mu.Lock()
			b.requests = append(b.requests, ev.Request.URL)
			b.mu.Unlock()
			r, err := url.Parse(ev.Request.URL)
			if err != nil || (r.Scheme != "data" && r.Scheme != "blob" && r.Host != u.Host) {
				b.mu.Lock()
				b.foreign = append(b.foreign, ev.Request.URL)
				b.mu.Unlock()
			}
		case *target.EventAttachedToTarget:
			if ev.TargetInfo.Type == "worker" {
				b.mu.Lock()
				b.workers[ev.TargetInfo.URL] = ev.TargetInfo.TargetID
				b.mu.Unlock()
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.mu.Lock()
			b.errs = append(b.errs, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
			b.mu.Unlock()
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
				}
				b.mu.Lock()
				b.errs = append(b.errs, "console.error: "+strings.Join(parts, " "))
				b.mu.Unlock()
			}
		}
	})
	if err != nil {
		cancelC()
		cancelA()
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	t.Cleanup(func() {
		cancelC()
		cancelA()
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.foreign) > 0 {
			t.Errorf("the UI requested other hosts than %s: %v", u.Host, b.foreign)
		}
		if len(b.errs) > 0 {
			t.Errorf("script errors in the UI:\n%s", strings.Join(b.errs, "\n"))
		}
	})
	return b
}

// requested counts the requests so far of the page whose URL contains
// part.
func (b *browser) requested(part string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, u := range b.requests {
		if strings.Contains(u, part) {
			n++
		}
	}
	return n
}

// workerRequests returns the URLs that the page's worker whose script URL
// ends in script has requested, from the worker's own resource timings.
func (b *browser) workerRequests(script string) []string {
	b.t.Helper()
	var id target.ID
	b.mu.Lock()
	for u, tid := range b.workers {
		if strings.HasSuffix(u, script) {
			id = tid
		}
	}
	b.mu.Unlock()
	if id == "" {
		b.t.Fatalf("no worker %s started", script)
	}
	wctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
	defer cancel()
	ctx, cancelT := context.WithTimeout(wctx, 45*time.Second)
	defer cancelT()
	urls, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType('resource').map((e) => e.name)`))
	if err != nil {
		b.t.Fatalf("read the requests of worker %s: %v", script, err)
	}
	return urls
}

// timed returns a context for one step, derived from the browser's.
func (b *browser) timed() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, 45*time.Second)
}

// do runs actions in order, failing the test with what.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.timed()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open loads path and waits until the UI has rendered its page.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(strings.TrimSuffix(b.base, "/")+path), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
}

// text returns the text of the first element matching sel, waiting for
// it. It reads in the page, in one step, because pages re-render parts of
// themselves as data arrives and a node found a moment ago may be gone.
func (b *browser) text(sel string) string {
	b.t.Helper()
	q := strconv.Quote(sel)
	b.waitFor(sel, `document.querySelector(`+q+`) !== null`)
	return strings.TrimSpace(eval[string](b, `(document.querySelector(`+q+`) || {textContent: ''}).textContent`))
}

// eval evaluates a script expression (awaiting a promise) into a T.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := b.timed()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a script condition until it is true.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	ctx, cancel := b.timed()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		b.t.Fatalf("wait for %s: %v", what, err)
	}
}

// keys types keys into the focused element (or the page).
func (b *browser) keys(what, keys string) {
	b.t.Helper()
	b.do(what, chromedp.KeyEvent(keys))
}

// screenshot saves the viewport as name.png among the artefacts. (A
// capture beyond the viewport draws the map canvases unclipped.)
func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := b.timed()
	defer cancel()
	time.Sleep(300 * time.Millisecond) // let the last canvas frame land
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}

// countStatus counts the store's incidents in status st, straight from the
// database rather than through the UI or the API.
func countStatus(t *testing.T, db *store.DB, st truce.IncidentStatus) int {
	t.Helper()
	incs, err := db.Incidents(context.Background(), store.IncidentFilter{Status: st})
	if err != nil {
		t.Fatal(err)
	}
	return len(incs)
}

// verifySome moves the first n alleged incidents of the store to
// verified, as a monitor would, so that the public has something to see.
func verifySome(t *testing.T, db *store.DB, n int) []int64 {
	t.Helper()
	incs, err := db.Incidents(context.Background(), store.IncidentFilter{Status: truce.IncidentAlleged, Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, inc := range incs {
		_, err := db.Transition(context.Background(), truce.Transition{IncidentID: inc.ID, From: inc.Status, To: truce.IncidentVerified, Reason: "checked in the test", By: "test"}, inc.Version)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inc.ID)
	}
	return ids
}

// firstPaint reads the first contentful paint of the page just loaded, in
// ms since navigation started.
func (b *browser) firstPaint() (float64, error) {
	v := eval[float64](b, `(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: -1}).startTime`)
	if v < 0 {
		return 0, errors.New("no first-contentful-paint entry")
	}
	return math.Round(v), nil
}

// checkAccessible fails the test for what a screen reader or a reader with
// low vision would trip on in the page as shown: a document without a
// language, form controls and links without an accessible name, images
// without alt text, and text whose contrast with its background is under
// 4.5:1 (WCAG AA for normal text).
func (b *browser) checkAccessible(page string) {
	b.t.Helper()
	for _, p := range b.accessibilityProblems() {
		b.t.Errorf("%s: %s", page, p)
	}
}

// accessibilityProblems lists what checkAccessible fails on.
func (b *browser) accessibilityProblems() []string {
	b.t.Helper()
	return eval[[]string](b, `(() => {
		const bad = [];
		if (!document.documentElement.lang) bad.push('<html> without lang');
		const named = (e) => (e.labels && [...e.labels].map((l) => l.textContent).join(' ').trim()) ||
			e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby') && (document.getElementById(e.getAttribute('aria-labelledby')) || {}).textContent) ||
			((e.tagName === 'BUTTON' || e.tagName === 'A') && e.textContent.trim()) || e.title;
		for (const e of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')) {
			if (e.offsetParent !== null && !named(e)) bad.push('no accessible name: ' + e.outerHTML.slice(0, 100));
		}
		for (const img of document.querySelectorAll('img:not([alt])')) if (img.offsetParent !== null) bad.push('image without alt: ' + img.outerHTML.slice(0, 100));
		const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
		const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
		const background = (e) => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3); } return [255, 255, 255]; };
		const seen = new Set();
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const e = n.parentElement;
			if (!n.textContent.trim() || !e || e.offsetParent === null || seen.has(e) || e.closest('.leaflet-container, .uplot, [aria-hidden=true]')) continue;
			seen.add(e);
			const st = getComputedStyle(e);
			if (st.visibility === 'hidden' || +st.opacity === 0) continue;
			const l1 = lum(rgb(st.color).slice(0, 3)), l2 = lum(background(e));
			const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
			if (ratio < 4.5 && !(e.closest('button:disabled'))) bad.push('contrast ' + ratio.toFixed(2) + ': ' + e.tagName.toLowerCase() + '.' + e.className + ' "' + n.textContent.trim().slice(0, 40) + '"');
		}
		return bad;
	})()`)
}
