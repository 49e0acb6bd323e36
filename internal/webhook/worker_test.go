package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/webhook"
)

const secret = "s3cret-s3cret-s3cret"

// received is one request the test receiver got.
type received struct {
	event, delivery string
	validSignature  bool
	body            []byte
}

// receiver is an httptest server that answers with the statuses given,
// in turn (the last one repeated), and records what it got.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []received
	arrived  chan struct{}
}

func newReceiver(t *testing.T, statuses ...int) (*receiver, *httptest.Server) {
	rc := &receiver{statuses: statuses, arrived: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ok := webhook.Verify(secret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, time.Now(), 5*time.Minute)
		rc.mu.Lock()
		status := rc.statuses[min(len(rc.got), len(rc.statuses)-1)]
		rc.got = append(rc.got, received{r.Header.Get(webhook.HeaderEvent), r.Header.Get(webhook.HeaderDelivery), ok, body})
		rc.mu.Unlock()
		w.WriteHeader(status)
		rc.arrived <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	return rc, srv
}

func (rc *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		rc.mu.Lock()
		if len(rc.got) >= n {
			out := append([]received(nil), rc.got...)
			rc.mu.Unlock()
			return out
		}
		rc.mu.Unlock()
		select {
		case <-rc.arrived:
		case <-timeout:
			t.Fatalf("waited for %d deliveries, got %d", n, len(rc.got))
		}
	}
}

func runWorker(t *testing.T, db *store.DB, attempts int) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	// The receivers are httptest servers on 127.0.0.1.
	w := webhook.New(webhook.Config{DB: db, Backoff: 5 * time.Millisecond, Attempts: attempts, Reload: 20 * time.Millisecond, AllowPrivate: true})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestDelivery: a webhook for transitions gets each one signed, in log
// order; the first attempt fails with a 500 and is retried; every attempt
// is recorded.
func TestDelivery(t *testing.T) {
	ctx := context.Background()
	db := feedtest.Open(t)
	m := feedtest.Seed(t, db)
	rc, srv := newReceiver(t, 500, 204)
	h := store.Webhook{URL: srv.URL + "/hook", Secret: secret, Kinds: []string{"transition"}, CreatedBy: "admin"}
	if err := db.CreateWebhook(ctx, &h); err != nil {
		t.Fatal(err)
	}
	runWorker(t, db, 5)

	// Only what is logged after the webhook was made is delivered.
	feedtest.Move(t, db, m.Reports[0], truce.IncidentDisputed)
	feedtest.Move(t, db, m.Reports[2], truce.IncidentRejected)
	got := rc.wait(t, 3)
	first := h.NextIndex // the first transition's leaf: nothing else was logged in between
	want := []struct {
		delivery string
		status   truce.IncidentStatus
	}{{itoa(first), truce.IncidentDisputed}, {itoa(first), truce.IncidentDisputed}, {itoa(first + 1), truce.IncidentRejected}}
	for i, w := range want {
		g := got[i]
		var p struct {
			Index  int64
			Record truce.Transition
		}
		if err := json.Unmarshal(g.body, &p); err != nil {
			t.Fatal(err)
		}
		if g.event != "transition" || g.delivery != w.delivery || !g.validSignature || p.Record.To != w.status || itoa(p.Index) != w.delivery {
			t.Errorf("delivery %d: event %s id %s signature ok %v to %s, want transition %s to %s", i, g.event, g.delivery, g.validSignature, p.Record.To, w.delivery, w.status)
		}
	}

	// The attempts, as recorded: a 500, then the two successes.
	var ds []store.Delivery
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var err error
		if ds, err = db.Deliveries(ctx, h.ID, 0, 0); err != nil {
			t.Fatal(err)
		}
		if len(ds) == 3 {
			break
		}
	}
	if len(ds) != 3 {
		t.Fatalf("%d deliveries recorded, want 3", len(ds))
	}
	for i, w := range []struct {
		event   int64
		attempt int
		status  int
		ok      bool
	}{{first, 1, 500, false}, {first, 2, 204, true}, {first + 1, 1, 204, true}} {
		d := ds[i]
		if d.EventID != w.event || d.Attempt != w.attempt || d.StatusCode != w.status || d.OK != w.ok || d.Kind != "transition" {
			t.Errorf("delivery %d recorded as %+v, want event %d attempt %d status %d ok %v", i, d, w.event, w.attempt, w.status, w.ok)
		}
	}
	if ds[0].Error != "status 500" {
		t.Errorf("error %q", ds[0].Error)
	}
	// The webhook's position is past both.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if g, _ := db.Webhook(ctx, h.ID); g.NextIndex == first+2 {
			return
		}
	}
	g, _ := db.Webhook(ctx, h.ID)
	t.Errorf("position %d, want %d", g.NextIndex, first+2)
}

// TestDeliveryGivesUp: a receiver that always fails gets the configured
// number of attempts, then the webhook moves on to the next event; a
// receiver that cannot be reached is recorded without a status.
func TestDeliveryGivesUp(t *testing.T) {
	ctx := context.Background()
	db := feedtest.Open(t)
	m := feedtest.Seed(t, db)
	rc, srv := newReceiver(t, 503)
	h := store.Webhook{URL: srv.URL, Secret: secret, CreatedBy: "admin"}
	if err := db.CreateWebhook(ctx, &h); err != nil {
		t.Fatal(err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // nothing listens there any more
	h2 := store.Webhook{URL: dead.URL, Secret: secret, Kinds: []string{"transition"}, CreatedBy: "admin"}
	if err := db.CreateWebhook(ctx, &h2); err != nil {
		t.Fatal(err)
	}
	runWorker(t, db, 3)
	feedtest.Move(t, db, m.Reports[0], truce.IncidentDisputed)
	feedtest.Move(t, db, m.Reports[2], truce.IncidentRejected)
	got := rc.wait(t, 6)
	for i, g := range got[:6] {
		want := itoa(h.NextIndex + int64(i/3))
		if g.delivery != want {
			t.Errorf("request %d for event %s, want %s", i, g.delivery, want)
		}
	}
	var ds []store.Delivery
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ds, _ = db.Deliveries(ctx, h2.ID, 0, 0)
		if len(ds) == 6 {
			break
		}
	}
	if len(ds) != 6 {
		t.Fatalf("unreachable receiver: %d attempts recorded, want 6", len(ds))
	}
	for _, d := range ds {
		if d.OK || d.StatusCode != 0 || d.Error == "" {
			t.Errorf("unreachable attempt recorded as %+v", d)
		}
	}
}

func TestVerify(t *testing.T) {
	at := time.Unix(1747130400, 0)
	body := []byte(`{"index":1}`)
	sig := webhook.Sign("key-key-key-key-1", at, body)
	// Worked out independently: printf '1747130400.{"index":1}' | openssl dgst -sha256 -hmac key-key-key-key-1
	if sig != "sha256=6653dea5d73a8d5a36bca55cd66a15dca886c4fad4af2dbeea57d6ee196944b5" {
		t.Errorf("Sign = %s", sig)
	}
	for _, tt := range []struct {
		name               string
		secret, sig, stamp string
		body               []byte
		now                time.Time
		want               bool
	}{
		{"valid", "key-key-key-key-1", sig, "1747130400", body, at.Add(time.Minute), true},
		{"other secret", "key-key-key-key-2", sig, "1747130400", body, at, false},
		{"body changed", "key-key-key-key-1", sig, "1747130400", []byte(`{"index":2}`), at, false},
		{"timestamp changed", "key-key-key-key-1", sig, "1747130401", body, at, false},
		{"too old", "key-key-key-key-1", sig, "1747130400", body, at.Add(time.Hour), false},
		{"no prefix", "key-key-key-key-1", sig[7:], "1747130400", body, at, false},
		{"not hex", "key-key-key-key-1", "sha256=zz", "1747130400", body, at, false},
	} {
		if got := webhook.Verify(tt.secret, tt.sig, tt.stamp, tt.body, tt.now, 5*time.Minute); got != tt.want {
			t.Errorf("%s: Verify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestDeliveriesPruned: the worker keeps the record of attempts within
// its limits, on start and from then on: attempts older than KeepFor go,
// and all but the KeepLast latest of each webhook.
func TestDeliveriesPruned(t *testing.T) {
	ctx := context.Background()
	db := feedtest.Open(t)
	m := feedtest.Seed(t, db)
	_, srv := newReceiver(t, 204)
	h := store.Webhook{URL: srv.URL, Secret: secret, Kinds: []string{"transition"}, CreatedBy: "admin"}
	if err := db.CreateWebhook(ctx, &h); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, at := range []time.Time{
		now.AddDate(0, 0, -40), now.AddDate(0, 0, -31), // ids 1, 2: past 30 days
		now.Add(-4 * time.Hour), now.Add(-3 * time.Hour), now.Add(-2 * time.Hour), now.Add(-time.Hour), // 3-6
	} {
		d := store.Delivery{WebhookID: h.ID, EventID: 1, Kind: "transition", Attempt: 1, OK: true, StatusCode: 204, At: at}
		if err := db.AddDelivery(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	ids := func() []int64 {
		ds, err := db.Deliveries(ctx, h.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	waitFor := func(want []int64) {
		t.Helper()
		var got []int64
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if got = ids(); slices.Equal(got, want) {
				return
			}
		}
		t.Fatalf("deliveries %v, want %v", got, want)
	}

	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w := webhook.New(webhook.Config{DB: db, Reload: 10 * time.Millisecond, AllowPrivate: true,
		Now: func() time.Time { return now }, KeepFor: 30 * 24 * time.Hour, KeepLast: 3, PruneEvery: 20 * time.Millisecond})
	go func() { w.Run(wctx); close(done) }()
	defer func() { cancel(); <-done }()
	// On start: 1 and 2 are too old, 3 beyond the latest 3.
	waitFor([]int64{4, 5, 6})
	// A new delivery (7) pushes 4 out at the next prune.
	feedtest.Move(t, db, m.Reports[0], truce.IncidentDisputed)
	waitFor([]int64{5, 6, 7})
}
