package main

import (
	"bufio"
	"context"
	"net/http"
	"testing"
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
