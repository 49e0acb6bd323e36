package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/client"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/httpapi"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// server runs the real API, log included, on a seeded store, and returns
// its URL and a token per role.
func server(t *testing.T) (string, *store.DB, feedtest.Mission, map[truce.Role]string) {
	t.Helper()
	return serverWith(t, func(*httpapi.Config) {}, func(h http.Handler) http.Handler { return h })
}

// serverWith is server with the API's Config adjusted by set and its
// handler wrapped by wrap.
func serverWith(t *testing.T, set func(*httpapi.Config), wrap func(http.Handler) http.Handler) (string, *store.DB, feedtest.Mission, map[truce.Role]string) {
	t.Helper()
	db := feedtest.Open(t)
	m := feedtest.Seed(t, db)
	tokens := feedtest.Tokens(t, db)
	gz, err := feedtest.Gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.OpenKey(filepath.Join(t.TempDir(), "log.key"), "test.truce/log")
	if err != nil {
		t.Fatal(err)
	}
	cfg := httpapi.Config{DB: db, Gazetteer: gz,
		Log: ledger.Handler(db, ledger.NewLog(db, key.Signer, nil), key.VerifierKey)}
	set(&cfg)
	api := httpapi.New(cfg)
	srv := httptest.NewServer(wrap(api.Handler()))
	t.Cleanup(srv.Close)
	return srv.URL, db, m, tokens
}

func mustClient(t *testing.T, url, token string) *client.Client {
	t.Helper()
	c, err := client.New(url, token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNew(t *testing.T) {
	for _, bad := range []string{"", "localhost:8080", "ftp://x", "http://"} {
		if _, err := client.New(bad, ""); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("New(%q) = %v, want EINVALID", bad, err)
		}
	}
}

// TestReadPublic reads the mission as the public.
func TestReadPublic(t *testing.T) {
	url, _, m, _ := server(t)
	ctx := context.Background()
	c := mustClient(t, url, "")

	parties, err := c.Parties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(parties) != 3 || parties[0].Code != "RU" || parties[1].Code != "UA" {
		t.Errorf("parties %+v", parties)
	}
	if p, err := c.Party(ctx, "UA"); err != nil || p.Name != "Ukraine" {
		t.Errorf("party UA: %+v %v", p, err)
	}
	as, err := c.Agreements(ctx)
	if err != nil || len(as) != 3 {
		t.Fatalf("agreements: %d %v", len(as), err)
	}
	a, err := c.Agreement(ctx, "easter-truce-2025")
	if err != nil || a.Title != "Easter truce" || len(a.Versions) != 1 || a.Window.TZ != "Europe/Moscow" {
		t.Errorf("agreement: %+v %v", a, err)
	}
	incs, next, err := c.Incidents(ctx, client.IncidentQuery{})
	if err != nil || next != "" || len(incs) != 1 || incs[0].ID != m.Verified {
		t.Errorf("public incidents: %+v %q %v", incs, next, err)
	}
	d, err := c.Incident(ctx, m.Verified)
	if err != nil || d.Status != truce.IncidentVerified || len(d.History) != 2 || d.History[1].By != "" {
		t.Errorf("public incident detail: %+v %v", d, err)
	}
	fs, err := c.Findings(ctx, "easter-truce-2025")
	if err != nil || len(fs) != 1 || fs[0].SubjectID != m.Verified {
		t.Errorf("public findings: %+v %v", fs, err)
	}
	st, err := c.Stats(ctx, client.StatsQuery{Group: "party"})
	if err != nil || st.Total.Incidents != 1 || st.Group != "party" {
		t.Errorf("public stats: %+v %v", st, err)
	}
	cp, err := c.Checkpoint(ctx)
	if err != nil || cp.Size == 0 || !strings.HasPrefix(cp.Note, "test.truce/log\n") {
		t.Errorf("checkpoint: %+v %v", cp, err)
	}
	if cs, err := c.Claims(ctx); err != nil || len(cs) != 0 {
		t.Errorf("claims: %+v %v", cs, err)
	}
}

// TestErrors: the server's errors come back as *truce.Error with their
// code and field.
func TestErrors(t *testing.T) {
	url, _, m, tokens := server(t)
	ctx := context.Background()
	public := mustClient(t, url, "")

	if _, err := public.Incident(ctx, m.Disputed); truce.ErrorCode(err) != truce.ENOTFOUND {
		t.Errorf("public, disputed incident: %v", err)
	}
	if _, _, err := public.Reports(ctx, client.ReportQuery{}); truce.ErrorCode(err) != truce.EUNAUTHORIZED {
		t.Errorf("public reports: %v", err)
	}
	_, _, err := public.Incidents(ctx, client.IncidentQuery{Status: truce.IncidentDisputed})
	if e, ok := err.(*truce.Error); !ok || e.Code != truce.EFORBIDDEN || e.Field != "status" {
		t.Errorf("public, disputed list: %#v", err)
	}
	if _, _, err := mustClient(t, url, "not-a-token").Incidents(ctx, client.IncidentQuery{}); truce.ErrorCode(err) != truce.EUNAUTHORIZED {
		t.Errorf("bad token: %v", err)
	}
	analyst := mustClient(t, url, tokens[truce.RoleAnalyst])
	if _, _, err := analyst.CreateReport(ctx, truce.Report{}); truce.ErrorCode(err) != truce.EFORBIDDEN {
		t.Errorf("analyst files a report: %v", err)
	}
	monitor := mustClient(t, url, tokens[truce.RoleMonitor])
	_, _, err = monitor.CreateReportJSON(ctx, []byte(`{"source":{"kind":"monitor","name":"x"},"sauce":1}`))
	if e, ok := err.(*truce.Error); !ok || e.Code != truce.EINVALID || e.Field != "sauce" {
		t.Errorf("unknown field: %#v", err)
	}
}

// TestWorkflow files a report, lists it, moves its incident and replies,
// as the roles that may.
func TestWorkflow(t *testing.T) {
	url, db, m, tokens := server(t)
	ctx := context.Background()
	monitor := mustClient(t, url, tokens[truce.RoleMonitor])
	liaison := mustClient(t, url, tokens[truce.RoleLiaison])
	analyst := mustClient(t, url, tokens[truce.RoleAnalyst])

	from := time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC)
	to := from.Add(time.Hour)
	r := truce.Report{
		ExternalID: "ua-2025-05-09-0142", Source: truce.ReportSource{Kind: "party", Name: "General Staff"},
		Occurred: truce.Occurrence{From: &from, To: &to}, Place: truce.Point(48.28, 37.18, 5),
		Domains: []string{"land"}, Perpetrators: []string{"RU"}, Description: "Artillery fire near Pokrovsk.",
		SubmittedBy: "ignored", ID: 999,
	}
	got, created, err := liaison.CreateReport(ctx, r)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if got.ID != int64(len(m.Reports)+1) || got.SubmittedBy != "test-liaison" || got.Source.Party != "UA" {
		t.Errorf("created %+v", got)
	}
	again, created, err := liaison.CreateReport(ctx, r)
	if err != nil || created || again.ID != got.ID {
		t.Errorf("again: %d %v %v", again.ID, created, err)
	}
	page, next, err := analyst.Reports(ctx, client.ReportQuery{Page: client.Page{Limit: 2}})
	if err != nil || len(page) != 2 || next == "" {
		t.Fatalf("page 1: %d %q %v", len(page), next, err)
	}
	page, next, err = analyst.Reports(ctx, client.ReportQuery{Page: client.Page{Cursor: next, Limit: 2}})
	if err != nil || len(page) != 2 || next != "" || page[1].ID != got.ID {
		t.Errorf("page 2: %+v %q %v", page, next, err)
	}
	if rs, _, err := analyst.Reports(ctx, client.ReportQuery{Text: "pokrovsk"}); err != nil || len(rs) != 1 {
		t.Errorf("text search: %d %v", len(rs), err)
	}

	inc, err := db.Incident(ctx, m.Disputed)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := monitor.Transition(ctx, m.Disputed, client.TransitionRequest{To: truce.IncidentVerified, Reason: "footage checked", Version: inc.Version})
	if err != nil || moved.Status != truce.IncidentVerified || moved.Version != inc.Version+1 {
		t.Fatalf("transition: %+v %v", moved, err)
	}
	_, err = monitor.Transition(ctx, m.Disputed, client.TransitionRequest{To: truce.IncidentRejected, Reason: "stale", Version: inc.Version})
	if truce.ErrorCode(err) != truce.ECONFLICT {
		t.Errorf("stale version: %v", err)
	}
	if _, err := liaison.Reply(ctx, m.Disputed, "We deny it."); truce.ErrorCode(err) != truce.EFORBIDDEN {
		t.Errorf("UA replies to an accusation of RU: %v", err)
	}
	d, err := analyst.Incident(ctx, m.Disputed)
	if err != nil || d.History[len(d.History)-1].By != "test-monitor" {
		t.Errorf("detail after transition: %+v %v", d.History, err)
	}
}
