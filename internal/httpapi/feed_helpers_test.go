package httpapi

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// feedAPI is a server over a store seeded with feedtest's mission.
type feedAPI struct {
	api    *Server
	srv    *httptest.Server
	db     *store.DB
	m      feedtest.Mission
	tokens map[truce.Role]string // by role; none for the public
}

func newFeedAPI(t *testing.T) *feedAPI {
	t.Helper()
	return newFeedAPIWith(t, func(*Config) {})
}

// newFeedAPIWithLog is newFeedAPI serving the log as the product does:
// each leaf's data withheld from whom LogWithhold says.
func newFeedAPIWithLog(t *testing.T) *feedAPI {
	t.Helper()
	return newFeedAPIWith(t, func(c *Config) {
		c.Log = ledger.Handler(c.DB, ledger.NewLog(c.DB, nil, nil), "", ledger.WithholdData(LogWithhold))
	})
}

// newFeedAPIWith is newFeedAPI with the server's Config adjusted by set.
func newFeedAPIWith(t *testing.T, set func(*Config)) *feedAPI {
	t.Helper()
	db := feedtest.Open(t)
	m := feedtest.Seed(t, db)
	gz, err := feedtest.Gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	tokens := feedtest.Tokens(t, db)
	cfg := Config{DB: db, Gazetteer: gz}
	set(&cfg)
	api := New(cfg)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return &feedAPI{api: api, srv: srv, db: db, m: m, tokens: tokens}
}

// auth returns the Authorization header of a role; none for the public.
func (a *feedAPI) auth(role truce.Role) http.Header {
	if tok, ok := a.tokens[role]; ok {
		return http.Header{"Authorization": {"Bearer " + tok}}
	}
	return http.Header{}
}

// do sends a request as a role and returns the status and body.
func (a *feedAPI) do(t *testing.T, role truce.Role, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = a.auth(role)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, feedBody(t, resp)
}

// sseEvent is one dispatched Server-Sent Event; Data is empty for an
// event that only moves the last event id.
type sseEvent struct {
	ID, Event, Data string
}

// sseReader reads events from a stream.
type sseReader struct {
	br       *bufio.Reader
	comments []string
}

// next returns the next event, reading comment lines on the way.
func (r *sseReader) next() (sseEvent, error) {
	var e sseEvent
	seen := false
	for {
		line, err := r.br.ReadString('\n')
		if err != nil {
			return e, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if seen {
				return e, nil
			}
			continue
		}
		if c, ok := strings.CutPrefix(line, ":"); ok {
			r.comments = append(r.comments, strings.TrimSpace(c))
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			e.ID, seen = value, true
		case "event":
			e.Event, seen = value, true
		case "data":
			e.Data, seen = e.Data+value, true
		}
	}
}

// openStream connects to the stream with the given query and headers
// and returns the reader and the response; the connection is closed when
// the test ends or cancel is called.
func openStream(t *testing.T, url string, header http.Header) (*sseReader, *http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return &sseReader{br: bufio.NewReader(resp.Body)}, resp, cancel
}

func feedBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// groupAll groups the store's new reports into incidents.
func groupAll(t *testing.T, db *store.DB) {
	t.Helper()
	gz, err := feedtest.Gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.GroupNew(context.Background(), g); err != nil {
		t.Fatal(err)
	}
}
