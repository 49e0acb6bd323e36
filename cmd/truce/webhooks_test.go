package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/client"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/webhook"
)

// TestServeDeliversWebhooks: a server with its jobs on delivers, signed,
// the report a liaison files to the webhook an admin registered.
func TestServeDeliversWebhooks(t *testing.T) {
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tokens := feedtest.Tokens(t, db)

	type delivery struct {
		event string
		ok    bool
		body  string
	}
	got := make(chan delivery, 10)
	const secret = "a-secret-of-some-length"
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Get(webhook.HeaderEvent),
			webhook.Verify(secret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, time.Now(), time.Minute),
			string(body)}
	}))
	defer recv.Close()

	// The receiver is on 127.0.0.1, which the server must be told to
	// allow, as TRUCE_WEBHOOK_ALLOW_PRIVATE=1 does.
	t.Setenv(envWebhookAllowPrivate, "1")
	cfg := serverFlags(newFlagSet("serve", "serve", nilWriter{}), envDB, defaultDB)
	if cfg.envErr != nil || !cfg.Webhooks.AllowPrivate {
		t.Fatalf("%s=1: allow private %v, %v", envWebhookAllowPrivate, cfg.Webhooks.AllowPrivate, cfg.envErr)
	}
	cfg.Addr, cfg.DB, cfg.LogKey, cfg.Jobs, cfg.ShutdownTimeout = "127.0.0.1:0", dsn, filepath.Join(t.TempDir(), "log.key"), true, 5*time.Second
	s, err := openServer(context.Background(), *cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if status, out := postWebhook(t, s, tokens[truce.RoleAdmin], `{"url":"`+recv.URL+`","secret":"`+secret+`","kinds":["report"]}`); status != 201 {
		t.Fatalf("create webhook: %d %s", status, out)
	}

	liaison, err := client.New(s.URL(), tokens[truce.RoleLiaison])
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := liaison.CreateReportJSON(ctx, body)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-got:
		if d.event != "report" || !d.ok || !strings.Contains(d.body, `"record_id":"`+strconv.FormatInt(r.ID, 10)+`"`) {
			t.Errorf("delivery %+v, want report %d signed", d, r.ID)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery")
	}
}

// TestServeRefusesPrivateWebhooks: by default the server refuses a
// webhook on a loopback or metadata address (400 naming url); the
// setting takes only true or false.
func TestServeRefusesPrivateWebhooks(t *testing.T) {
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tokens := feedtest.Tokens(t, db)
	db.Close()
	s := startJobServer(t, dsn, filepath.Join(t.TempDir(), "log.key"), &syncBuffer{})
	for _, u := range []string{"http://127.0.0.1:5432", "http://169.254.169.254/latest/meta-data/"} {
		status, out := postWebhook(t, s, tokens[truce.RoleAdmin], `{"url":"`+u+`"}`)
		var e struct{ Code, Field string }
		json.Unmarshal([]byte(out), &e)
		if status != 400 || e.Code != truce.EINVALID || e.Field != "url" {
			t.Errorf("%s: %d %s, want 400 naming url", u, status, out)
		}
	}
	t.Setenv(envWebhookAllowPrivate, "perhaps")
	if cfg := serverFlags(newFlagSet("serve", "serve", nilWriter{}), envDB, defaultDB); truce.ErrorCode(cfg.envErr) != truce.EINVALID {
		t.Errorf("%s=perhaps: %v, want EINVALID", envWebhookAllowPrivate, cfg.envErr)
	}
	t.Setenv(envWebhookAllowPrivate, "")
	if cfg := serverFlags(newFlagSet("serve", "serve", nilWriter{}), envDB, defaultDB); cfg.Webhooks.AllowPrivate {
		t.Error("private webhook addresses allowed by default")
	}
}

// postWebhook registers a webhook as the holder of token and returns the
// status and body.
func postWebhook(t *testing.T, s *server, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL()+"api/v1/webhooks", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestWebhookRetentionFlags: the retention of delivery attempts defaults
// to 30 days and 10,000 per webhook, is set from the environment or
// flags, and 0 (keep all) reaches the worker as no limit.
func TestWebhookRetentionFlags(t *testing.T) {
	parse := func(args ...string) *Config {
		t.Helper()
		fs := newFlagSet("serve", "serve", nilWriter{})
		cfg := serverFlags(fs, envDB, defaultDB)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	if c := parse().Webhooks; c.Keep != 30*24*time.Hour || c.KeepLast != 10000 {
		t.Errorf("defaults: keep %v, last %d; want 720h, 10000", c.Keep, c.KeepLast)
	}
	t.Setenv(envWebhookKeep, "48h")
	t.Setenv(envWebhookKeepLast, "50")
	if c := parse().Webhooks; c.Keep != 48*time.Hour || c.KeepLast != 50 {
		t.Errorf("from the environment: keep %v, last %d; want 48h, 50", c.Keep, c.KeepLast)
	}
	if c := parse("--webhook-keep", "0", "--webhook-keep-last", "0").Webhooks; c.Keep != 0 || c.KeepLast != 0 || unlimited(c.Keep) >= 0 || unlimited(c.KeepLast) >= 0 {
		t.Errorf("0 from flags: keep %v, last %d, to the worker %v, %d; want 0 and no limit", c.Keep, c.KeepLast, unlimited(c.Keep), unlimited(c.KeepLast))
	}
	for env, bad := range map[string]string{envWebhookKeep: "a month", envWebhookKeepLast: "-5"} {
		t.Setenv(env, bad)
		if cfg := parse(); truce.ErrorCode(cfg.envErr) != truce.EINVALID {
			t.Errorf("%s=%s: %v, want EINVALID", env, bad, cfg.envErr)
		}
		t.Setenv(env, "1")
	}
}
