package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/webhook"
)

// TestWebhooksAPI registers a webhook over the API, lets the worker
// deliver to an httptest receiver that fails once, and reads the
// attempts back; secrets never appear in reads.
func TestWebhooksAPI(t *testing.T) {
	// The receiver is an httptest server on 127.0.0.1.
	a := newFeedAPIWith(t, func(c *Config) { c.WebhookAllowPrivate = true })
	const secret = "a-secret-of-some-length"
	verified := make(chan bool, 10)
	var calls atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verified <- webhook.Verify(secret, r.Header.Get("X-Truce-Signature"), r.Header.Get("X-Truce-Timestamp"), body, time.Now(), time.Minute)
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer recv.Close()

	// Who may: admins only.
	body := `{"url":"` + recv.URL + `","secret":"` + secret + `","kinds":["transition"]}`
	for role, want := range map[truce.Role]int{truce.RolePublic: 401, truce.RoleMonitor: 403, truce.RoleAnalyst: 403, truce.RoleLiaison: 403} {
		if status, _ := a.do(t, role, "POST", "/api/v1/webhooks", body); status != want {
			t.Errorf("%s: POST /webhooks = %d, want %d", role, status, want)
		}
		if status, _ := a.do(t, role, "GET", "/api/v1/webhooks", ""); status != want {
			t.Errorf("%s: GET /webhooks = %d, want %d", role, status, want)
		}
	}
	// Bad input names the field.
	for _, tt := range []struct{ body, field string }{
		{`{"url":"ftp://example.org/x"}`, "url"},
		{`{"url":"file:///etc/passwd"}`, "url"},
		{`{"url":"https://example.org","kinds":["reports","gossip"]}`, "kinds"},
		{`{"url":"https://example.org","secret":"short"}`, "secret"},
		{`{"url":"https://example.org","sekret":"x"}`, "sekret"},
	} {
		status, out := a.do(t, truce.RoleAdmin, "POST", "/api/v1/webhooks", tt.body)
		var e errorBody
		json.Unmarshal([]byte(out), &e)
		if status != 400 || e.Field != tt.field {
			t.Errorf("%s: %d %s, want 400 naming %s", tt.body, status, out, tt.field)
		}
	}

	status, out := a.do(t, truce.RoleAdmin, "POST", "/api/v1/webhooks", body)
	var created struct {
		ID     int64
		Secret string
		Kinds  []string
		Active bool
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || status != 201 {
		t.Fatalf("create: %d %s", status, out)
	}
	if created.Secret != secret || !created.Active || len(created.Kinds) != 1 {
		t.Errorf("created %s", out)
	}
	// A webhook without a secret gets a random one, shown once.
	_, out = a.do(t, truce.RoleAdmin, "POST", "/api/v1/webhooks", `{"url":"https://example.org/other"}`)
	var other struct {
		ID     int64
		Secret string
	}
	json.Unmarshal([]byte(out), &other)
	if len(other.Secret) != 64 {
		t.Errorf("generated secret %q", other.Secret)
	}
	for _, path := range []string{"/api/v1/webhooks", "/api/v1/webhooks/1", "/api/v1/webhooks/2"} {
		status, out := a.do(t, truce.RoleAdmin, "GET", path, "")
		if status != 200 || strings.Contains(out, secret) || strings.Contains(out, other.Secret) || strings.Contains(out, `"secret"`) {
			t.Errorf("GET %s: %d, leaks a secret: %s", path, status, out)
		}
	}
	if status, _ := a.do(t, truce.RoleAdmin, "DELETE", "/api/v1/webhooks/2", ""); status != 204 {
		t.Errorf("DELETE: %d", status)
	}
	if _, out := a.do(t, truce.RoleAdmin, "GET", "/api/v1/webhooks/2", ""); !strings.Contains(out, `"active": false`) {
		t.Errorf("after DELETE: %s", out)
	}
	if status, _ := a.do(t, truce.RoleAdmin, "GET", "/api/v1/webhooks/99/deliveries", ""); status != 404 {
		t.Errorf("deliveries of 99: %d", status)
	}

	// The worker delivers a transition: a 500, then a retry that succeeds.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		webhook.New(webhook.Config{DB: a.db, Backoff: 5 * time.Millisecond, Reload: 10 * time.Millisecond, AllowPrivate: true}).Run(ctx)
		close(done)
	}()
	defer func() { cancel(); <-done }()
	feedtest.Move(t, a.db, a.m.Reports[0], truce.IncidentDisputed)
	for i := 0; i < 2; i++ {
		select {
		case ok := <-verified:
			if !ok {
				t.Errorf("delivery %d: the signature does not verify", i+1)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("delivery %d never came", i+1)
		}
	}
	var list struct {
		Deliveries []struct {
			Attempt    int
			StatusCode int `json:"status_code"`
			OK         bool
			Kind       string
		}
		NextCursor string `json:"next_cursor"`
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(list.Deliveries) < 2; time.Sleep(10 * time.Millisecond) {
		_, out = a.do(t, truce.RoleAdmin, "GET", "/api/v1/webhooks/1/deliveries", "")
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatal(err)
		}
	}
	if len(list.Deliveries) != 2 {
		t.Fatalf("deliveries: %s", out)
	}
	if d := list.Deliveries[0]; d.Attempt != 1 || d.StatusCode != 500 || d.OK || d.Kind != "transition" {
		t.Errorf("attempt 1: %+v", d)
	}
	if d := list.Deliveries[1]; d.Attempt != 2 || d.StatusCode != 200 || !d.OK {
		t.Errorf("attempt 2: %+v", d)
	}
	// Paged by cursor.
	_, out = a.do(t, truce.RoleAdmin, "GET", "/api/v1/webhooks/1/deliveries?limit=1", "")
	json.Unmarshal([]byte(out), &list)
	if len(list.Deliveries) != 1 || list.NextCursor == "" {
		t.Fatalf("page 1: %s", out)
	}
	_, out = a.do(t, truce.RoleAdmin, "GET", "/api/v1/webhooks/1/deliveries?limit=1&cursor="+list.NextCursor, "")
	json.Unmarshal([]byte(out), &list)
	if len(list.Deliveries) != 1 || list.Deliveries[0].Attempt != 2 {
		t.Errorf("page 2: %s", out)
	}
}

// TestWebhookPrivateURL: by default an admin cannot register a webhook
// on a private, loopback or link-local address (the cloud's metadata
// service, a local database): 400 naming url, and nothing stored. A
// server configured to allow them accepts the same URLs.
func TestWebhookPrivateURL(t *testing.T) {
	urls := []string{
		"http://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"http://127.0.0.1:5432",
		"http://[::1]:6379/",
		"http://10.0.0.5/admin",
		"http://192.168.1.1/",
		"http://localhost:9200/_search", // a name that resolves to loopback
	}
	a := newFeedAPI(t)
	for _, u := range urls {
		status, out := a.do(t, truce.RoleAdmin, "POST", "/api/v1/webhooks", `{"url":"`+u+`"}`)
		var e errorBody
		json.Unmarshal([]byte(out), &e)
		if status != 400 || e.Code != truce.EINVALID || e.Field != "url" || !strings.Contains(e.Message, "public addresses") {
			t.Errorf("%s: %d %s, want 400 naming url", u, status, out)
		}
	}
	if hooks, err := a.db.Webhooks(context.Background()); err != nil || len(hooks) != 0 {
		t.Errorf("%d webhooks stored (%v), want none", len(hooks), err)
	}

	allowed := newFeedAPIWith(t, func(c *Config) { c.WebhookAllowPrivate = true })
	for _, u := range urls {
		if status, out := allowed.do(t, truce.RoleAdmin, "POST", "/api/v1/webhooks", `{"url":"`+u+`"}`); status != 201 {
			t.Errorf("private addresses allowed: %s: %d %s, want 201", u, status, out)
		}
	}
}
