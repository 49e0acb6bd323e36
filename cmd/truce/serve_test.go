package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServer runs a server on a free port of 127.0.0.1 over the database
// dsn, as `truce serve` would, and closes it when the test ends.
func startServer(t *testing.T, dsn string) *server {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:0", DB: dsn, ShutdownTimeout: 5 * time.Second}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := openServer(context.Background(), cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return s
}

// get fetches url and decodes its JSON body into v, checking the status
// and content type.
func get(t *testing.T, url string, wantStatus int, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d\n%s", url, resp.StatusCode, wantStatus, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("GET %s: Content-Type %q, want JSON", url, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, body)
	}
}

// apiWindow is the window of an agreement as the API shows it.
type apiWindow struct {
	Start    string  `json:"start"`
	End      *string `json:"end"`
	TZ       string  `json:"tz"`
	StartUTC *string `json:"start_utc"`
	EndUTC   *string `json:"end_utc"`
}

type apiAgreement struct {
	ID            string           `json:"id"`
	Version       int              `json:"version"`
	Status        string           `json:"status"`
	Bound         []string         `json:"bound"`
	Window        apiWindow        `json:"window"`
	Versions      []apiAgreement   `json:"versions"`
	StatusHistory []map[string]any `json:"status_history"`
}

type apiError struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Field   *string `json:"field"`
}

func str(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

// TestServeAgreements imports the test terms and reads them back over
// HTTP, windows resolved to UTC. The expected instants are worked out by
// hand: Moscow is UTC+3 all year; Kyiv is UTC+2 until clocks go forward on
// 30 March 2025, UTC+3 after.
func TestServeAgreements(t *testing.T) {
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	s := startServer(t, dsn)
	base := s.URL()

	var health map[string]string
	get(t, base+"healthz", http.StatusOK, &health)
	if health["status"] != "ok" {
		t.Errorf("healthz = %v, want status ok", health)
	}

	var list struct{ Agreements []apiAgreement }
	get(t, base+"api/v1/agreements", http.StatusOK, &list)
	want := []struct {
		id, start, end, tz, startUTC, endUTC string
	}{
		{"easter-truce-2025", "2025-04-19T18:00", "2025-04-21T00:00", "Europe/Moscow", "2025-04-19T15:00:00Z", "2025-04-20T21:00:00Z"},
		{"victory-day-truce-2025", "2025-05-08T00:00", "2025-05-11T00:00", "Europe/Moscow", "2025-05-07T21:00:00Z", "2025-05-10T21:00:00Z"},
		{"energy-moratorium-2025", "2025-03-18T00:00", "2025-04-17T00:00", "Europe/Kyiv", "2025-03-17T22:00:00Z", "2025-04-16T21:00:00Z"},
	}
	if len(list.Agreements) != len(want) {
		t.Fatalf("got %d agreements, want %d", len(list.Agreements), len(want))
	}
	for i, w := range want {
		a := list.Agreements[i]
		got := []string{a.ID, a.Window.Start, str(a.Window.End), a.Window.TZ, str(a.Window.StartUTC), str(a.Window.EndUTC)}
		exp := []string{w.id, w.start, w.end, w.tz, w.startUTC, w.endUTC}
		if strings.Join(got, " ") != strings.Join(exp, " ") {
			t.Errorf("agreement %d:\n got %q\nwant %q", i, got, exp)
		}
	}

	var parties struct{ Parties []struct{ Code, Name string } }
	get(t, base+"api/v1/parties", http.StatusOK, &parties)
	var codes []string
	for _, p := range parties.Parties {
		codes = append(codes, p.Code)
	}
	if got := strings.Join(codes, ","); got != "RU,UA,US" {
		t.Errorf("parties %s, want RU,UA,US", got)
	}
	var ua struct{ Code, Name string }
	get(t, base+"api/v1/parties/UA", http.StatusOK, &ua)
	if ua.Name != "Ukraine" {
		t.Errorf("party UA = %+v", ua)
	}

	// The log API is mounted: its checkpoint covers the whole log, and its
	// note is signed by the key the server serves.
	var cp struct {
		Size int64
		Note string
	}
	get(t, base+"api/v1/log/checkpoint", http.StatusOK, &cp)
	size, err := s.db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size != size || size == 0 {
		t.Errorf("checkpoint size %d, log size %d", cp.Size, size)
	}
	resp, err := http.Get(base + "api/v1/log/key")
	if err != nil {
		t.Fatal(err)
	}
	key, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	origin, _, _ := strings.Cut(string(key), "+")
	if resp.StatusCode != 200 || origin == "" || !strings.HasPrefix(cp.Note, origin+"\n") {
		t.Errorf("log key %d %q does not name the checkpoint's origin:\n%s", resp.StatusCode, key, cp.Note)
	}
}

// TestServeAgreementVersions changes an agreement and reads its history.
func TestServeAgreementVersions(t *testing.T) {
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	path := editTerms(t, easterCollapsed()...)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, path); code != 0 {
		t.Fatalf("terms import: exit %d: %s", code, errOut)
	}
	s := startServer(t, dsn)

	var a apiAgreement
	get(t, s.URL()+"api/v1/agreements/easter-truce-2025", http.StatusOK, &a)
	if a.Version != 2 || a.Status != "collapsed" || str(a.Window.EndUTC) != "2025-04-20T15:00:00Z" {
		t.Errorf("latest = v%d %s end_utc %s, want v2 collapsed 2025-04-20T15:00:00Z", a.Version, a.Status, str(a.Window.EndUTC))
	}
	if len(a.Versions) != 2 {
		t.Fatalf("%d versions, want 2", len(a.Versions))
	}
	if v := a.Versions[0]; v.Version != 1 || v.Status != "in_force" || str(v.Window.EndUTC) != "2025-04-20T21:00:00Z" {
		t.Errorf("version 1 = v%d %s end_utc %s, want v1 in_force 2025-04-20T21:00:00Z", v.Version, v.Status, str(v.Window.EndUTC))
	}
	var statuses []string
	for _, h := range a.StatusHistory {
		statuses = append(statuses, h["status"].(string))
	}
	if got := strings.Join(statuses, ","); got != "in_force,collapsed" {
		t.Errorf("status history %s, want in_force,collapsed", got)
	}

	var v struct{ Versions []apiAgreement }
	get(t, s.URL()+"api/v1/agreements/victory-day-truce-2025", http.StatusOK, &v)
	if len(v.Versions) != 1 {
		t.Errorf("victory day: %d versions, want 1", len(v.Versions))
	}
}

// TestServeErrors checks that every failure is JSON with the right status.
func TestServeErrors(t *testing.T) {
	s := startServer(t, tempDB(t))
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "api/v1/agreements/no-such-truce", 404, "not_found"},
		{"GET", "api/v1/parties/XX", 404, "not_found"},
		{"GET", "api/v1/nothing-here", 404, "not_found"},
		{"GET", "api/v2/agreements", 404, "not_found"}, // other GETs are the web UI
		{"PUT", "api/v1/agreements", 405, "method_not_allowed"},
		{"DELETE", "healthz", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, s.URL()+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			var e apiError
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatal(err)
			}
			if e.Code != tt.code || e.Message == "" || e.Field == nil {
				t.Errorf("error body %+v, want code %s, a message and a field", e, tt.code)
			}
			if tt.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}

	// The empty store still serves empty lists, not null.
	var list struct {
		Agreements []any `json:"agreements"`
	}
	get(t, s.URL()+"api/v1/agreements", http.StatusOK, &list)
	if l := list.Agreements; l == nil || len(l) != 0 {
		t.Errorf("empty store: agreements = %v, want []", list)
	}

	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// GET / is the web UI's page (internal/web; ui_test.go drives it).
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(body, []byte(`src="/static/app.js"`)) {
		t.Errorf("GET /: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if bytes.Contains(body, []byte("http://")) || bytes.Contains(body, []byte("https://")) {
		t.Error("start page refers to an external resource")
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines to write
// while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// logLine returns the first JSON log record with message msg.
func logLine(logs, msg string) map[string]any {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			return rec
		}
	}
	return nil
}

// TestServeGracefulShutdown runs `truce serve` as main does, waits for it
// to serve, then cancels its context as SIGTERM would: it must stop
// listening and return 0.
func TestServeGracefulShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", tempDB(t), "--log-format", "json"}, strings.NewReader(""), &stdout, &stderr)
	}()

	var url string
	giveUp := time.After(time.Minute) // a hang guard, not a speed check
	for url == "" {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before serving: %s", code, stderr.String())
		case <-giveUp:
			t.Fatalf("serve did not start: %s", stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if rec := logLine(stderr.String(), "truce serving"); rec != nil {
			url, _ = rec["url"].(string)
		}
	}
	var health map[string]string
	get(t, url+"healthz", http.StatusOK, &health)

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d after shutdown, want 0: %s", code, stderr.String())
		}
	case <-time.After(time.Minute): // a hang guard, not a speed check
		t.Fatal("serve did not return after its context was cancelled")
	}
	if logLine(stderr.String(), "truce stopped") == nil {
		t.Errorf("no shutdown log line in %s", stderr.String())
	}
	if _, err := http.Get(url + "healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
	if logLine(stderr.String(), "request") == nil {
		t.Errorf("no request log line in %s", stderr.String())
	}
}
