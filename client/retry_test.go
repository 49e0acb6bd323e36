package client_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/client"
	"github.com/truce-monitor/truce/internal/httpapi"
)

// TestRetryAfter reads the wait of a 429 or 503: seconds or an HTTP
// date, at least a second, at most five minutes.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		status int
		header string
		want   time.Duration
		ok     bool
	}{
		{429, "10", 10 * time.Second, true},
		{503, "120", 2 * time.Minute, true},
		{503, " 7 ", 7 * time.Second, true},
		{429, "", time.Second, true},     // none named: the floor
		{429, "0", time.Second, true},    // not at once
		{429, "-5", time.Second, true},   // unreadable
		{503, "soon", time.Second, true}, // unreadable
		{503, "300", 5 * time.Minute, true},
		{503, "301", 5 * time.Minute, true},
		{503, "86400", 5 * time.Minute, true},
		{503, "99999999999999999999999", 5 * time.Minute, true}, // past uint64
		{429, now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{429, now.Add(-time.Hour).Format(http.TimeFormat), time.Second, true},
		{503, now.Add(48 * time.Hour).Format(http.TimeFormat), 5 * time.Minute, true},
		{500, "10", 0, false},
		{400, "10", 0, false},
	} {
		resp := &http.Response{StatusCode: tt.status, Header: http.Header{}}
		if tt.header != "" {
			resp.Header.Set("Retry-After", tt.header)
		}
		if got, ok := client.RetryAfter(resp, now); got != tt.want || ok != tt.ok {
			t.Errorf("%d Retry-After %q: %v %v, want %v %v", tt.status, tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

// waits records a client's waits instead of taking them; then, if set,
// calls after.
type waits struct {
	mu    sync.Mutex
	got   []time.Duration
	after func()
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.got = append(w.got, d)
	after := w.after
	w.mu.Unlock()
	if after != nil {
		after()
	}
	return ctx.Err()
}

func (w *waits) list() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.got...)
}

// TestStreamWaitsRetryAfter: a stream refused for the server's limits
// (429 past the client's own, 503 past the server's) is asked for again
// only after the Retry-After the server sent (10 s), not at once and not
// given up; once a place is free it streams.
func TestStreamWaitsRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name   string
		limits httpapi.StreamLimits
	}{
		{"per client 429", httpapi.StreamLimits{PerServer: 10, PerClient: 1}},
		{"per server 503", httpapi.StreamLimits{PerServer: 1, PerClient: 5}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url, _, _, _ := serverWith(t, func(c *httpapi.Config) { c.StreamLimits = tt.limits },
				func(h http.Handler) http.Handler { return h })
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// The first stream takes the one place.
			holdCtx, release := context.WithCancel(ctx)
			defer release()
			holding := make(chan struct{})
			held := make(chan error, 1)
			go func() {
				var once sync.Once
				held <- mustClient(t, url, "").Stream(holdCtx, -1, nil, func(client.Event) error {
					once.Do(func() { close(holding) })
					return nil
				})
			}()
			select {
			case <-holding:
			case err := <-held:
				t.Fatalf("first stream: %v", err)
			}

			// The second is refused until the first lets go, which it
			// does when the second first waits.
			w := &waits{after: func() { release(); time.Sleep(20 * time.Millisecond) }}
			c := mustClient(t, url, "")
			client.SetWait(c, w.wait)
			done := errors.New("done")
			err := c.Stream(ctx, -1, nil, func(client.Event) error { return done })
			if err != done {
				t.Fatalf("second stream: %v, want it to stream once a place is free", err)
			}
			got := w.list()
			if len(got) == 0 {
				t.Fatal("the refused stream was asked for again without waiting")
			}
			for _, d := range got {
				if d != 10*time.Second {
					t.Errorf("waits %v, want each the server's Retry-After of 10s", got)
					break
				}
			}
			if err := <-held; !errors.Is(err, context.Canceled) {
				t.Errorf("first stream ended with %v", err)
			}
		})
	}
}

// TestGetWaitsRetryAfter: a GET answered 429 or 503 is sent again after
// the server's Retry-After (bounded to 5 minutes), at most three times;
// a POST is never sent again, so that a report is not filed twice.
func TestGetWaitsRetryAfter(t *testing.T) {
	now := time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	// The refusals still to give per path, each as status and
	// Retry-After; then the real API answers.
	refuse := map[string][][2]string{
		"/api/v1/parties": {{"503", "120"}, {"429", now.Add(90 * time.Second).Format(http.TimeFormat)}, {"503", "86400"}},
		"/api/v1/claims":  {{"503", "1"}, {"503", "2"}, {"503", "3"}, {"503", "4"}, {"503", "5"}},
		"/api/v1/reports": {{"503", "30"}},
	}
	var passed atomic.Int64 // requests that reached the API
	url, _, _, tokens := serverWith(t, func(*httpapi.Config) {}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			rs := refuse[r.URL.Path]
			if len(rs) > 0 {
				refuse[r.URL.Path] = rs[1:]
			}
			mu.Unlock()
			if len(rs) > 0 {
				w.Header().Set("Retry-After", rs[0][1])
				w.Header().Set("Content-Type", "application/json")
				code := 503
				if rs[0][0] == "429" {
					code = 429
				}
				w.WriteHeader(code)
				w.Write([]byte(`{"code":"unavailable","message":"busy, try later"}`))
				return
			}
			passed.Add(1)
			h.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()

	w := &waits{}
	c := mustClient(t, url, "")
	client.SetWait(c, w.wait)
	client.SetNow(c, func() time.Time { return now })
	parties, err := c.Parties(ctx)
	if err != nil || len(parties) != 3 {
		t.Fatalf("parties after three refusals: %d, %v", len(parties), err)
	}
	if got, want := w.list(), []time.Duration{2 * time.Minute, 90 * time.Second, 5 * time.Minute}; !equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}

	// Refused more often than the client tries: the server's error, after
	// three waits.
	w = &waits{}
	client.SetWait(c, w.wait)
	_, err = c.Claims(ctx)
	if e, ok := err.(*truce.Error); !ok || e.Code != "unavailable" || !strings.Contains(e.Message, "busy") {
		t.Errorf("claims refused four times: %#v, want the server's error", err)
	}
	if got, want := w.list(), []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}; !equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}

	// A POST: the refusal is returned at once, nothing sent again.
	w = &waits{}
	lc := mustClient(t, url, tokens[truce.RoleMonitor])
	client.SetWait(lc, w.wait)
	before := passed.Load()
	_, _, err = lc.CreateReportJSON(ctx, []byte(`{"source":{"kind":"monitor","name":"Patrol 7"}}`))
	if truce.ErrorCode(err) != "unavailable" || len(w.list()) != 0 || passed.Load() != before {
		t.Errorf("refused POST: %v, waits %v, %d requests passed; want the error, no wait, none sent again", err, w.list(), passed.Load()-before)
	}

	// The context ends a real wait (60 s asked, the context lasts 50 ms).
	mu.Lock()
	refuse["/api/v1/parties"] = [][2]string{{"503", "60"}}
	mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := mustClient(t, url, "").Parties(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait cut by the context: %v", err)
	}
	mu.Lock()
	left := len(refuse["/api/v1/parties"])
	mu.Unlock()
	if left != 0 {
		t.Errorf("the refusal was not reached: %d left", left)
	}
}

func equal(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
