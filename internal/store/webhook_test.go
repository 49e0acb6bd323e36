package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

func TestCheckWebhookURL(t *testing.T) {
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://hooks.example.org/truce", true},
		{"http://127.0.0.1:8080/in", true},
		{"ftp://example.org/x", false},
		{"file:///etc/passwd", false},
		{"javascript:alert(1)", false},
		{"https://", false},
		{"/relative/path", false},
		{"https://user:pw@example.org/", false},
		{"https://example.org/" + string(make([]byte, 2000)), false},
	} {
		err := store.CheckWebhookURL(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("CheckWebhookURL(%.40q) = %v, want ok %v", tt.url, err, tt.ok)
		}
		if err != nil && truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("CheckWebhookURL(%.40q): code %s", tt.url, truce.ErrorCode(err))
		}
	}
}

func TestWebhooks(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		if _, err := db.PutParty(ctx, truce.Party{Code: "UA", Name: "Ukraine"}, "test"); err != nil {
			t.Fatal(err)
		}
		size, err := db.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateWebhook(ctx, &store.Webhook{URL: "gopher://x", Secret: "0123456789abcdef", CreatedBy: "admin"}); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("gopher URL: %v", err)
		}
		if err := db.CreateWebhook(ctx, &store.Webhook{URL: "https://x.org", Secret: "short", CreatedBy: "admin"}); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("short secret: %v", err)
		}
		w := store.Webhook{URL: "https://hooks.example.org/a", Secret: "0123456789abcdef", Kinds: []string{"transition"}, CreatedBy: "admin"}
		if err := db.CreateWebhook(ctx, &w); err != nil {
			t.Fatal(err)
		}
		if w.ID != 1 || !w.Active || w.NextIndex != size {
			t.Errorf("created %+v, want id 1, active, next %d", w, size)
		}
		if after, _ := db.LogSize(ctx); after != size {
			t.Errorf("creating a webhook logged %d leaves", after-size)
		}
		w2 := store.Webhook{URL: "http://127.0.0.1/b", Secret: "fedcba9876543210", CreatedBy: "admin"}
		if err := db.CreateWebhook(ctx, &w2); err != nil {
			t.Fatal(err)
		}
		got, err := db.Webhooks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Secret != w.Secret || got[0].Kinds[0] != "transition" || len(got[1].Kinds) != 0 {
			t.Fatalf("webhooks %+v", got)
		}

		if err := db.SetWebhookNext(ctx, w.ID, size+5); err != nil {
			t.Fatal(err)
		}
		if err := db.SetWebhookNext(ctx, w.ID, size+2); err != nil {
			t.Fatal(err)
		}
		if g, _ := db.Webhook(ctx, w.ID); g.NextIndex != size+5 {
			t.Errorf("next %d, want %d: the position never moves back", g.NextIndex, size+5)
		}
		if err := db.DeactivateWebhook(ctx, w2.ID); err != nil {
			t.Fatal(err)
		}
		if g, _ := db.Webhook(ctx, w2.ID); g.Active {
			t.Error("still active")
		}
		if err := db.DeactivateWebhook(ctx, 99); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("deactivate 99: %v", err)
		}

		at := time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC)
		for i, d := range []store.Delivery{
			{WebhookID: w.ID, EventID: 7, Kind: "transition", Attempt: 1, StatusCode: 500, Error: "status 500", At: at, Duration: 3 * time.Millisecond},
			{WebhookID: w.ID, EventID: 7, Kind: "transition", Attempt: 2, StatusCode: 204, OK: true, At: at.Add(time.Second), Duration: time.Millisecond},
			{WebhookID: w2.ID, EventID: 8, Kind: "report", Attempt: 1, At: at, Error: "connection refused"},
		} {
			if err := db.AddDelivery(ctx, &d); err != nil {
				t.Fatal(err)
			}
			if d.ID != int64(i+1) {
				t.Errorf("delivery id %d, want %d", d.ID, i+1)
			}
		}
		ds, err := db.Deliveries(ctx, w.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds[0].Attempt != 1 || ds[0].OK || ds[0].StatusCode != 500 || !ds[1].OK || !ds[1].At.Equal(at.Add(time.Second)) || ds[0].Duration != 3*time.Millisecond {
			t.Errorf("deliveries %+v", ds)
		}
		if ds, _ := db.Deliveries(ctx, w.ID, 1, 10); len(ds) != 1 || ds[0].ID != 2 {
			t.Errorf("deliveries after 1: %+v", ds)
		}
		if _, err := db.Deliveries(ctx, 99, 0, 0); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("deliveries of 99: %v", err)
		}
	})
}

// TestPruneDeliveries: attempts older than the cut-off go, and of each
// webhook all but its latest N; the rest stay, whatever the webhook.
func TestPruneDeliveries(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		a := store.Webhook{URL: "https://hooks.example.org/a", Secret: "0123456789abcdef", CreatedBy: "admin"}
		b := store.Webhook{URL: "https://hooks.example.org/b", Secret: "0123456789abcdef", CreatedBy: "admin"}
		for _, w := range []*store.Webhook{&a, &b} {
			if err := db.CreateWebhook(ctx, w); err != nil {
				t.Fatal(err)
			}
		}
		day0 := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
		// Webhook a: one attempt a day on days 0-5 (ids 1-6); b: days 0
		// and 5 (ids 7, 8).
		add := func(w store.Webhook, day int) {
			d := store.Delivery{WebhookID: w.ID, EventID: int64(day), Kind: "report", Attempt: 1, OK: true, StatusCode: 204, At: day0.AddDate(0, 0, day)}
			if err := db.AddDelivery(ctx, &d); err != nil {
				t.Fatal(err)
			}
		}
		for day := range 6 {
			add(a, day)
		}
		add(b, 0)
		add(b, 5)
		ids := func(w store.Webhook) []int64 {
			ds, err := db.Deliveries(ctx, w.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, d := range ds {
				out = append(out, d.ID)
			}
			return out
		}

		// Nothing to do: nothing goes.
		if n, err := db.PruneDeliveries(ctx, time.Time{}, 0); err != nil || n != 0 {
			t.Fatalf("prune nothing: %d, %v", n, err)
		}
		// Older than day 2 (days 0 and 1 of a, day 0 of b): 3 go.
		if n, err := db.PruneDeliveries(ctx, day0.AddDate(0, 0, 2), 0); err != nil || n != 3 {
			t.Fatalf("prune before day 2: %d, %v; want 3", n, err)
		}
		if got := ids(a); !slices.Equal(got, []int64{3, 4, 5, 6}) {
			t.Errorf("webhook a keeps %v, want [3 4 5 6]", got)
		}
		if got := ids(b); !slices.Equal(got, []int64{8}) {
			t.Errorf("webhook b keeps %v, want [8]", got)
		}
		// The latest 2 of each: a loses 3 and 4; b, with one, loses none.
		if n, err := db.PruneDeliveries(ctx, time.Time{}, 2); err != nil || n != 2 {
			t.Fatalf("prune to 2: %d, %v; want 2", n, err)
		}
		if got := ids(a); !slices.Equal(got, []int64{5, 6}) {
			t.Errorf("webhook a keeps %v, want [5 6]", got)
		}
		if got := ids(b); !slices.Equal(got, []int64{8}) {
			t.Errorf("webhook b keeps %v, want [8]", got)
		}
		// New attempts get new ids: none is reused.
		add(a, 6)
		if got := ids(a); !slices.Equal(got, []int64{5, 6, 9}) {
			t.Errorf("after a new attempt: %v, want [5 6 9]", got)
		}
	})
}
