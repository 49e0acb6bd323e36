package main

import (
	"context"
	"io"
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

	s := startJobServer(t, dsn, filepath.Join(t.TempDir(), "log.key"), &syncBuffer{})
	ctx := context.Background()
	req, _ := http.NewRequest("POST", s.URL()+"api/v1/webhooks",
		strings.NewReader(`{"url":"`+recv.URL+`","secret":"`+secret+`","kinds":["report"]}`))
	req.Header.Set("Authorization", "Bearer "+tokens[truce.RoleAdmin])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create webhook: %d", resp.StatusCode)
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
