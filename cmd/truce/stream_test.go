package main

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/httpapi"
)

// TestServeClosesStreams: shutting down with an event stream open ends
// the stream instead of waiting out the shutdown timeout, which Close
// would report as an error.
func TestServeClosesStreams(t *testing.T) {
	s := startServer(t, tempDB(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", s.URL()+"api/v1/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || line != "retry: 3000\n" {
		t.Fatalf("stream opened with %q, %v", line, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close with a stream open: %v", err)
	}
}

// TestServeStreamLimits: TRUCE_STREAM_MAX reaches the server, which
// refuses a stream beyond it with 503 and Retry-After; the limits take
// only positive numbers.
func TestServeStreamLimits(t *testing.T) {
	t.Setenv(envStreamMax, "1")
	cfg := serverFlags(newFlagSet("serve", "serve", nilWriter{}), envDB, defaultDB)
	if cfg.envErr != nil || cfg.Streams != (httpapi.StreamLimits{PerServer: 1, PerClient: 16}) {
		t.Fatalf("%s=1: %+v, %v", envStreamMax, cfg.Streams, cfg.envErr)
	}
	cfg.Addr, cfg.DB, cfg.ShutdownTimeout = "127.0.0.1:0", tempDB(t), 5*time.Second
	s, err := openServer(context.Background(), *cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var status []int
	var retry string
	for range 2 {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"api/v1/stream", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		status = append(status, resp.StatusCode)
		retry = resp.Header.Get("Retry-After")
	}
	if status[0] != 200 || status[1] != 503 || retry == "" {
		t.Errorf("two streams: %v, Retry-After %q; want 200 then 503 with Retry-After", status, retry)
	}

	for env, bad := range map[string]string{envStreamMax: "0", envStreamMaxClient: "many"} {
		t.Setenv(env, bad)
		if cfg := serverFlags(newFlagSet("serve", "serve", nilWriter{}), envDB, defaultDB); truce.ErrorCode(cfg.envErr) != truce.EINVALID {
			t.Errorf("%s=%s: %v, want EINVALID", env, bad, cfg.envErr)
		}
		t.Setenv(env, "")
	}
}
