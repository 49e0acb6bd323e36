package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// TestIncidentNames checks who reads the names on an incident's review
// steps (the monitor who verified or disputed it: transitions' by) and on
// its replies (the accused party's liaison who wrote it: replies' by), over
// real HTTP, in GET /incidents/{id}, the stream, the exports and the log.
// Staff read every name; a liaison of the replying party (RU) reads its own
// replier's name but no monitor's; a liaison of the other party (UA)
// reads neither; the public reads neither. feedtest's seed: the verified
// incident's review step is by feedtest.Monitor; RU's liaison replies to it.
func TestIncidentNames(t *testing.T) {
	a := newFeedAPIWithLog(t)
	ruToken := liaisonToken(t, a, "RU")
	const replier = "test-liaison-ru" // liaisonToken's name for RU's liaison
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/incidents/%d/replies", a.srv.URL, a.m.Verified), strings.NewReader(`{"body":"not our unit"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = bearer(ruToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var reply truce.Reply
	if err := json.NewDecoder(resp.Body).Decode(&reply); resp.StatusCode != 201 || err != nil || reply.By != replier {
		t.Fatalf("POST reply = %d %+v %v, want 201 by %s", resp.StatusCode, reply, err, replier)
	}
	resp.Body.Close()
	ctx := context.Background()
	size, err := a.db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Every review step as stored, by id: the monitor's, and those the
	// store took by itself (incident.SystemUser), which name no one.
	stored := map[int64]string{}
	for _, id := range []int64{a.m.Verified, a.m.Disputed} {
		d, err := a.db.IncidentDetail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range d.History {
			stored[st.ID] = st.By
		}
	}
	if len(stored) != 3 {
		t.Fatalf("set-up: %d review steps stored, want 3 (corroborated by the system, verified, disputed)", len(stored))
	}
	// wantBy is the name a reader who reads monitor (the monitor's name or
	// "") reads on step id.
	wantBy := func(id int64, monitor string) string {
		if by := stored[id]; by != feedtest.Monitor {
			return by
		}
		return monitor
	}

	for _, tt := range []struct {
		name          string
		h             http.Header
		monitor, repl string // the names read on the review steps and the reply
		public        bool
	}{
		{"public", a.auth(truce.RolePublic), "", "", true},
		{"liaison UA", a.auth(truce.RoleLiaison), "", "", false},
		{"liaison RU", bearer(ruToken), "", replier, false},
		{"analyst", a.auth(truce.RoleAnalyst), feedtest.Monitor, replier, false},
		{"monitor", a.auth(truce.RoleMonitor), feedtest.Monitor, replier, false},
		{"admin", a.auth(truce.RoleAdmin), feedtest.Monitor, replier, false},
	} {
		// The incident.
		var d store.IncidentDetail
		if code := getJSON(t, fmt.Sprintf("%s/api/v1/incidents/%d", a.srv.URL, a.m.Verified), tt.h, &d); code != 200 || len(d.History) == 0 || len(d.Replies) != 1 {
			t.Fatalf("%s: GET /incidents/%d = %d, %d steps, %d replies", tt.name, a.m.Verified, code, len(d.History), len(d.Replies))
		}
		for _, st := range d.History {
			if want := wantBy(st.ID, tt.monitor); st.By != want {
				t.Errorf("%s: step %s -> %s by %q, want %q", tt.name, st.From, st.To, st.By, want)
			}
		}
		if tt.public {
			// Non-party sources' names (a field team's: feedtest's "Patrol
			// 7") are withheld from the public, in the store's own
			// corroboration step's reason too, which keeps their kind. (A
			// monitor's reason is free text and read as written.)
			for _, st := range d.History {
				if st.By == "system" && (strings.Contains(strings.ToLower(st.Reason), "patrol 7") || !strings.Contains(st.Reason, "monitor (")) {
					t.Errorf("public: step %s -> %s names a non-party source: %q", st.From, st.To, st.Reason)
				}
			}
		}
		if r := d.Replies[0]; r.By != tt.repl || r.Party != "RU" || r.Body != "not our unit" {
			t.Errorf("%s: reply %+v, want RU's by %q", tt.name, r, tt.repl)
		}

		// The stream: review steps and replies from the start.
		sr, resp, cancel := openStream(t, a.srv.URL+"/api/v1/stream?after=-1&kinds=transition,reply", tt.h)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: stream %d", tt.name, resp.StatusCode)
		}
		var events []sseEvent
		if tt.public {
			// The public receives the step to verified, not the reply (it
			// reads replies on the verified incident's page): read up to
			// that step, the first event sent.
			e, err := sr.next()
			if err != nil {
				t.Fatal(err)
			}
			events = []sseEvent{e}
		} else {
			events = sseUntil(t, sr, size-1)
		}
		cancel()
		var steps, replies int
		for _, e := range events {
			var p struct {
				Record struct {
					ID int64
					By string
				}
			}
			if err := json.Unmarshal([]byte(e.Data), &p); err != nil {
				t.Fatal(err)
			}
			switch e.Event {
			case "transition":
				steps++
				if want := wantBy(p.Record.ID, tt.monitor); p.Record.By != want {
					t.Errorf("%s: stream step by %q, want %q: %s", tt.name, p.Record.By, want, e.Data)
				}
			case "reply":
				replies++
				if p.Record.By != tt.repl {
					t.Errorf("%s: stream reply by %q, want %q: %s", tt.name, p.Record.By, tt.repl, e.Data)
				}
			}
			if tt.monitor == "" && strings.Contains(e.Data, feedtest.Monitor) || tt.repl == "" && strings.Contains(e.Data, replier) {
				t.Errorf("%s: stream event names a person it may not read: %s", tt.name, e.Data)
			}
		}
		if wantSteps, wantReplies := len(stored), 1; tt.public && steps != 1 || !tt.public && (steps != wantSteps || replies != wantReplies) {
			t.Errorf("%s: %d step and %d reply events", tt.name, steps, replies)
		}

		// The exports carry no names; checked for those who may read none.
		if tt.monitor == "" {
			for _, ext := range []string{"csv", "geojson", "ndjson"} {
				req, _ := http.NewRequest("GET", a.srv.URL+"/api/v1/export/incidents."+ext, nil)
				req.Header = tt.h
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body := feedBody(t, resp)
				if resp.StatusCode != 200 || !strings.Contains(body, fmt.Sprint(a.m.Verified)) {
					t.Fatalf("%s: export %s = %d %s", tt.name, ext, resp.StatusCode, body)
				}
				if strings.Contains(body, feedtest.Monitor) || strings.Contains(body, replier) {
					t.Errorf("%s: export %s names a monitor or replier: %s", tt.name, ext, body)
				}
			}
		}

		// The log: step and reply leaves hold the names and are withheld
		// from everyone but staff.
		var page struct{ Entries []logEntry }
		if code := getJSON(t, a.srv.URL+"/api/v1/log/entries?start=0", tt.h, &page); code != 200 {
			t.Fatalf("%s: log entries %d", tt.name, code)
		}
		var seen int
		for _, le := range page.Entries {
			if le.Kind != ledger.KindTransition && le.Kind != ledger.KindReply {
				continue
			}
			seen++
			if staff := tt.monitor != ""; le.Withheld == staff {
				t.Errorf("%s: log entry %d (%s) withheld %v", tt.name, le.Index, le.Kind, le.Withheld)
			}
		}
		if seen != len(stored)+1 {
			t.Errorf("%s: %d step and reply leaves, want %d", tt.name, seen, len(stored)+1)
		}
	}
}
