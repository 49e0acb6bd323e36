package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
)

// readUntil reads events until the last event id reaches last, and
// returns the events that carry data.
func sseUntil(t *testing.T, r *sseReader, last int64) []sseEvent {
	t.Helper()
	var out []sseEvent
	for {
		e, err := r.next()
		if err != nil {
			t.Fatalf("stream ended before leaf %d: %v (got %v)", last, err, out)
		}
		if e.Data != "" {
			out = append(out, e)
		}
		if id, _ := strconv.ParseInt(e.ID, 10, 64); id >= last {
			return out
		}
	}
}

// TestStreamPublic replays the log to the public, checks that nothing
// unpublished is sent, receives a live event, then resumes with
// Last-Event-ID exactly after a given leaf.
func TestStreamPublic(t *testing.T) {
	a := newFeedAPI(t)
	ctx := context.Background()
	size, err := a.db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, resp, cancel := openStream(t, a.srv.URL+"/api/v1/stream?after=-1", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := sseUntil(t, r, size-1)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Event)
		for _, secret := range []string{feedtest.LiaisonUA, feedtest.Monitor, "submitted_by"} {
			if strings.Contains(e.Data, secret) {
				t.Errorf("public event %s %s leaks %q", e.ID, e.Event, secret)
			}
		}
	}
	want := []string{"agreement", "agreement_status", "agreement", "agreement_status", "agreement", "agreement_status", "transition", "finding"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("public events %v, want %v", kinds, want)
	}
	if len(r.comments) == 0 || !strings.HasPrefix(r.comments[0], "truce stream from leaf 0") {
		t.Errorf("comments %q", r.comments)
	}
	transitionID := events[6].ID

	// Live: a withdrawal while connected arrives as the next event.
	feedtest.Move(t, a.db, a.m.Reports[0], truce.IncidentDisputed)
	live := sseUntil(t, r, size)
	if len(live) != 1 || live[0].Event != "transition" || live[0].ID != strconv.FormatInt(size, 10) {
		t.Fatalf("live events %+v, want the transition at leaf %d", live, size)
	}
	var p struct {
		Record truce.Transition
	}
	if err := json.Unmarshal([]byte(live[0].Data), &p); err != nil {
		t.Fatal(err)
	}
	if p.Record.From != truce.IncidentVerified || p.Record.To != truce.IncidentDisputed {
		t.Errorf("live transition %+v", p.Record)
	}
	cancel()

	// Resuming after the transition to verified: the finding (now on a
	// disputed incident, so no longer published) is skipped, the
	// withdrawal comes next.
	r, _, _ = openStream(t, a.srv.URL+"/api/v1/stream", http.Header{"Last-Event-ID": {transitionID}})
	resumed := sseUntil(t, r, size)
	if len(resumed) != 1 || resumed[0].ID != strconv.FormatInt(size, 10) {
		t.Errorf("resumed with %+v, want only leaf %d", resumed, size)
	}
}

// TestStreamKinds filters by kind and rejects unknown kinds and ids.
func TestStreamKinds(t *testing.T) {
	a := newFeedAPI(t)
	size, err := a.db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, _, _ := openStream(t, a.srv.URL+"/api/v1/stream?after=-1&kinds=finding", nil)
	events := sseUntil(t, r, size-1)
	if len(events) != 1 || events[0].Event != "finding" {
		t.Errorf("kinds=finding gave %+v", events)
	}
	for _, tt := range []struct {
		query  string
		header http.Header
		field  string
	}{
		{"?kinds=finding,nope", nil, "kinds"},
		{"?after=x", nil, "after"},
		{"?after=-2", nil, "after"},
		{"", http.Header{"Last-Event-ID": {"12abc"}}, "Last-Event-ID"},
	} {
		_, resp, _ := openStream(t, a.srv.URL+"/api/v1/stream"+tt.query, tt.header)
		var body errorBody
		if err := json.Unmarshal([]byte(feedBody(t, resp)), &body); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 400 || body.Field != tt.field {
			t.Errorf("%s %v: %d %+v, want 400 naming %s", tt.query, tt.header, resp.StatusCode, body, tt.field)
		}
	}
}

// TestStreamStaff: a signed-in reader gets every event, reports with
// their reporters included.
func TestStreamStaff(t *testing.T) {
	a := newFeedAPI(t)
	size, err := a.db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, _, _ := openStream(t, a.srv.URL+"/api/v1/stream?after=-1&kinds=report,transition", a.auth(truce.RoleAnalyst))
	events := sseUntil(t, r, size-1)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Event)
	}
	if want := []string{"report", "report", "report", "transition", "transition", "transition"}; !slices.Equal(kinds, want) {
		t.Fatalf("analyst events %v, want %v", kinds, want)
	}
	if !strings.Contains(events[0].Data, `"submitted_by":"`+feedtest.LiaisonUA+`"`) {
		t.Errorf("report event without its reporter: %s", events[0].Data)
	}
	// A bad token is refused, not served as the public.
	_, resp, _ := openStream(t, a.srv.URL+"/api/v1/stream", http.Header{"Authorization": {"Bearer nope"}})
	if resp.StatusCode != 401 {
		t.Errorf("bad token: %d", resp.StatusCode)
	}
}

// TestStreamClose: CloseStreams ends open streams (for a graceful
// shutdown) and the ones opened after it.
func TestStreamClose(t *testing.T) {
	a := newFeedAPI(t)
	r, _, _ := openStream(t, a.srv.URL+"/api/v1/stream", nil)
	if _, err := r.br.ReadString('\n'); err != nil { // the stream is open
		t.Fatal(err)
	}
	a.api.CloseStreams()
	if _, err := io.ReadAll(r.br); err != nil {
		t.Errorf("stream ended with %v, want a clean end", err)
	}
	a.api.CloseStreams() // twice is fine
	// A stream asked for after it is refused: 503 with Retry-After, so
	// that clients go elsewhere or come back later rather than at once.
	_, resp, _ := openStream(t, a.srv.URL+"/api/v1/stream", nil)
	var e truce.Error
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 503 || e.Code != "unavailable" || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("stream after CloseStreams: %d %+v Retry-After %q (%v); want 503 unavailable, Retry-After 3", resp.StatusCode, e, resp.Header.Get("Retry-After"), err)
	}
}

// TestStreamLimits: a client past its own limit of open streams gets 429,
// any client past the server's gets 503, both with the JSON error body
// and Retry-After; a closed stream frees its place.
func TestStreamLimits(t *testing.T) {
	a := newFeedAPIWith(t, func(c *Config) {
		// Clients told apart by X-Forwarded-For from a trusted proxy.
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		c.StreamLimits = StreamLimits{PerServer: 3, PerClient: 2}
	})
	open := func(client string) (*http.Response, context.CancelFunc) {
		t.Helper()
		_, resp, cancel := openStream(t, a.srv.URL+"/api/v1/stream", http.Header{"X-Forwarded-For": {client}})
		return resp, cancel
	}
	refused := func(client string, status int, code string) {
		t.Helper()
		resp, _ := open(client)
		var e errorBody
		json.Unmarshal([]byte(feedBody(t, resp)), &e)
		if resp.StatusCode != status || e.Code != code || e.Message == "" || resp.Header.Get("Retry-After") != "10" {
			t.Errorf("stream from %s: %d %+v, Retry-After %q; want %d %s, Retry-After 10", client, resp.StatusCode, e, resp.Header.Get("Retry-After"), status, code)
		}
	}
	var first context.CancelFunc
	for i, client := range []string{"198.51.100.1", "198.51.100.1", "198.51.100.2"} {
		resp, cancel := open(client)
		if resp.StatusCode != 200 {
			t.Fatalf("stream %d from %s: %d", i+1, client, resp.StatusCode)
		}
		if i == 0 {
			first = cancel
		}
	}
	refused("198.51.100.1", 429, truce.ERATELIMIT) // its third
	refused("198.51.100.3", 503, codeUnavailable)  // the server's fourth

	// The first stream ends: its place is free once the handler returns.
	first()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, cancel := open("198.51.100.3")
		if resp.StatusCode == 200 {
			break
		}
		cancel()
		if time.Now().After(deadline) {
			t.Fatalf("after a stream closed, a new one still gets %d", resp.StatusCode)
		}
	}
}

// TestStreamCountsIPv6Subnet: one IPv6 host usually has a whole /64, so
// the per-client limit counts the /64; releasing twice counts once.
func TestStreamCountsIPv6Subnet(t *testing.T) {
	c := &streamCloser{limits: StreamLimits{PerServer: 10, PerClient: 2}}
	acquire := func(addr string) (func(), error) { return c.acquire(netip.MustParseAddr(addr)) }
	r1, err1 := acquire("2001:db8:1:2::1")
	_, err2 := acquire("2001:db8:1:2:ffff::2")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if _, err := acquire("2001:db8:1:2::3"); truce.ErrorCode(err) != truce.ERATELIMIT {
		t.Errorf("third stream from the same /64: %v, want rate_limited", err)
	}
	if _, err := acquire("2001:db8:1:3::1"); err != nil {
		t.Errorf("another /64: %v", err)
	}
	r1()
	r1()
	if _, err := acquire("2001:db8:1:2::3"); err != nil {
		t.Errorf("after a release: %v", err)
	}
	if _, err := acquire("2001:db8:1:2::4"); truce.ErrorCode(err) != truce.ERATELIMIT {
		t.Errorf("a double release counted twice: %v", err)
	}
}
