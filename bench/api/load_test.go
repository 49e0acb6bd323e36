package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/httpapi"
)

// TestLoad runs every target briefly against the real API on a seeded
// store and checks that each got answers and no errors: a load generator
// that measured error pages would report nonsense.
func TestLoad(t *testing.T) {
	db := feedtest.Open(t)
	feedtest.Seed(t, db)
	tokens := feedtest.Tokens(t, db)
	gz, err := feedtest.Gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{DB: db, Gazetteer: gz}).Handler())
	defer srv.Close()
	var out bytes.Buffer
	err = run(context.Background(), []string{"load", "--url", srv.URL, "--token", tokens[truce.RoleMonitor], "--duration", "300ms", "--c", "2"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(out.String(), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 8 || !strings.Contains(cells[1], "/") {
			continue
		}
		rows++
		name, requests, errors := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[3]), strings.TrimSpace(cells[4])
		if requests == "0" || errors != "0" {
			t.Errorf("%s: %s requests, %s errors\n%s", name, requests, errors, out.String())
		}
	}
	if rows != 5 {
		t.Errorf("%d rows, want 5:\n%s", rows, out.String())
	}
	if strings.Contains(out.String(), "first error") {
		t.Errorf("errors:\n%s", out.String())
	}
}
