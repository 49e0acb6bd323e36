package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/webhook"
)

func TestRefused(t *testing.T) {
	for addr, want := range map[string]bool{
		"169.254.169.254":        true, // cloud metadata
		"100.100.100.200":        true, // another cloud's metadata (CGNAT range)
		"127.0.0.1":              true,
		"127.8.9.10":             true,
		"10.1.2.3":               true,
		"172.16.0.1":             true,
		"172.31.255.255":         true,
		"192.168.1.1":            true,
		"0.0.0.0":                true, // connects to the host itself on Linux
		"0.1.2.3":                true,
		"224.0.0.1":              true,
		"255.255.255.255":        true,
		"198.18.0.1":             true,
		"::1":                    true,
		"::":                     true,
		"fe80::1":                true,
		"fc00::1":                true,
		"fd00:ec2::254":          true, // AWS metadata over IPv6
		"::ffff:127.0.0.1":       true, // IPv4-mapped
		"::ffff:169.254.169.254": true,
		"64:ff9b::a9fe:a9fe":     true, // NAT64 of 169.254.169.254
		"2002:7f00:1::1":         true, // 6to4 of 127.0.0.1
		"ff02::1":                true,
		"8.8.8.8":                false,
		"93.184.215.14":          false,
		"172.32.0.1":             false, // just past 172.16.0.0/12
		"2606:4700:4700::1111":   false,
		"64:ff9b::808:808":       false, // NAT64 of 8.8.8.8
	} {
		if got := webhook.Refused(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Refused(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestCheckURL: URLs that name or resolve to a refused address are
// EINVALID naming url, unless private addresses are allowed; the other
// checks hold either way.
func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"http://169.254.169.254/latest/meta-data/", false, false},
		{"http://127.0.0.1:5432", false, false},
		{"http://[::1]:8080/hook", false, false},
		{"http://[::ffff:10.0.0.1]/", false, false},
		{"http://10.0.0.7/admin", false, false},
		{"http://0.0.0.0:8080/", false, false},
		{"http://localhost:8080/hook", false, false}, // resolves to loopback
		{"https://8.8.8.8/hook", false, true},
		// A name that does not resolve (the test machine has no public
		// DNS): let through, the connection is checked again.
		{"https://receiver.invalid/hook", false, true},
		{"http://127.0.0.1:5432", true, true},
		{"http://localhost:8080/hook", true, true},
		{"ftp://8.8.8.8/", true, false},
		{"file:///etc/passwd", true, false},
	} {
		err := webhook.CheckURL(ctx, tt.url, tt.allowPrivate)
		if tt.ok {
			if err != nil {
				t.Errorf("CheckURL(%s, allow private %v) = %v, want nil", tt.url, tt.allowPrivate, err)
			}
			continue
		}
		var e *truce.Error
		if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != "url" {
			t.Errorf("CheckURL(%s, allow private %v) = %v, want EINVALID naming url", tt.url, tt.allowPrivate, err)
		}
	}
}

// TestTransportRefusesPrivate: the delivery transport refuses to connect
// to a loopback receiver, whether named by address or by a name that
// resolves to it, and connects when private addresses are allowed.
func TestTransportRefusesPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	byName := "http://localhost:" + u.Port()
	for _, target := range []string{srv.URL, byName} {
		c := &http.Client{Transport: webhook.Transport(false), Timeout: 5 * time.Second}
		resp, err := c.Get(target)
		if err == nil {
			resp.Body.Close()
			t.Errorf("GET %s: connected, want refused", target)
		} else if !strings.Contains(err.Error(), "webhooks reach only public addresses") {
			t.Errorf("GET %s: %v, want the address refused", target, err)
		}
		c = &http.Client{Transport: webhook.Transport(true), Timeout: 5 * time.Second}
		resp, err = c.Get(target)
		if err != nil {
			t.Errorf("GET %s with private addresses allowed: %v", target, err)
			continue
		}
		resp.Body.Close()
	}
}

// TestDeliveryRefusesPrivate: a webhook stored with a loopback URL (as
// one registered before the check, or whose name now resolves there)
// gets no request from a worker with the default settings; each attempt
// is recorded as refused.
func TestDeliveryRefusesPrivate(t *testing.T) {
	ctx := context.Background()
	db := feedtest.Open(t)
	m := feedtest.Seed(t, db)
	rc, srv := newReceiver(t, 204)
	h := store.Webhook{URL: srv.URL + "/hook", Secret: secret, Kinds: []string{"transition"}, CreatedBy: "admin"}
	if err := db.CreateWebhook(ctx, &h); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w := webhook.New(webhook.Config{DB: db, Backoff: 5 * time.Millisecond, Attempts: 2, Reload: 20 * time.Millisecond})
	go func() { w.Run(wctx); close(done) }()
	defer func() { cancel(); <-done }()

	feedtest.Move(t, db, m.Reports[0], truce.IncidentDisputed)
	var ds []store.Delivery
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(ds) < 2; time.Sleep(10 * time.Millisecond) {
		var err error
		if ds, err = db.Deliveries(ctx, h.ID, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if len(ds) != 2 {
		t.Fatalf("%d attempts recorded, want 2", len(ds))
	}
	for _, d := range ds {
		if d.OK || d.StatusCode != 0 || !strings.Contains(d.Error, "webhooks reach only public addresses") {
			t.Errorf("attempt recorded as %+v, want refused", d)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.got) != 0 {
		t.Errorf("the loopback receiver got %d requests, want none", len(rc.got))
	}
}
