package feed_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
	"github.com/truce-monitor/truce/internal/ledger"
)

// TestEventsByAudience seeds a mission and checks, leaf by leaf, what
// staff and the public receive.
func TestEventsByAudience(t *testing.T) {
	ctx := context.Background()
	db := feedtest.Open(t)
	m := feedtest.Seed(t, db)
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.LogEntries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}

	staff, err := feed.Events(ctx, db, entries, feed.Staff, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Staff: 3 agreements with their first status, 3 reports, 1
	// grouping, 3 transitions (grouping corroborates the incident of two
	// independent sources, then the monitor's two steps), 3 findings, in
	// log order. Parties are not events.
	want := []string{"agreement", "agreement_status", "agreement", "agreement_status", "agreement", "agreement_status",
		"report", "report", "report", "incidents", "transition", "transition", "transition", "finding", "finding", "finding"}
	if got := kinds(staff); !slices.Equal(got, want) {
		t.Fatalf("staff kinds\n got %v\nwant %v", got, want)
	}
	for i := 1; i < len(staff); i++ {
		if staff[i].ID <= staff[i-1].ID {
			t.Errorf("events out of log order: %d after %d", staff[i].ID, staff[i-1].ID)
		}
	}
	var rep struct {
		Kind   string
		Record truce.Report
	}
	decode(t, staff[6], &rep)
	if rep.Record.ID != m.Reports[0] || rep.Record.SubmittedBy != feedtest.LiaisonUA {
		t.Errorf("staff report event = %+v, want report %d by %s", rep.Record, m.Reports[0], feedtest.LiaisonUA)
	}
	var grouping struct {
		Record struct {
			Kind      string
			Incidents []int64
		}
	}
	decode(t, staff[9], &grouping)
	if grouping.Record.Kind != "new" || !slices.Equal(grouping.Record.Incidents, []int64{m.Verified, m.Disputed}) {
		t.Errorf("incidents event = %+v, want new, [%d %d]", grouping.Record, m.Verified, m.Disputed)
	}

	public, err := feed.Events(ctx, db, entries, feed.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The public: the agreements, the transition to verified (with the
	// incident) and the one finding on the verified incident.
	want = []string{"agreement", "agreement_status", "agreement", "agreement_status", "agreement", "agreement_status", "transition", "finding"}
	if got := kinds(public); !slices.Equal(got, want) {
		t.Fatalf("public kinds\n got %v\nwant %v", got, want)
	}
	for _, e := range public {
		for _, secret := range []string{feedtest.LiaisonUA, feedtest.Monitor, "General Staff", "submitted_by"} {
			if strings.Contains(string(e.Data), secret) {
				t.Errorf("public event %d (%s) leaks %q: %s", e.ID, e.Kind, secret, e.Data)
			}
		}
	}
	var tr struct {
		Record   truce.Transition
		Incident *truce.Incident
	}
	decode(t, public[6], &tr)
	if tr.Record.IncidentID != m.Verified || tr.Record.To != truce.IncidentVerified || tr.Record.By != "" {
		t.Errorf("public transition = %+v", tr.Record)
	}
	if tr.Incident == nil || tr.Incident.ID != m.Verified || tr.Incident.Status != truce.IncidentVerified || len(tr.Incident.Findings) != 1 {
		t.Errorf("public transition's incident = %+v, want verified incident %d with its finding", tr.Incident, m.Verified)
	}
	var f struct{ Record truce.Finding }
	decode(t, public[7], &f)
	if f.Record.SubjectKind != "incident" || f.Record.SubjectID != m.Verified {
		t.Errorf("public finding = %+v, want the verified incident's", f.Record)
	}

	// Withdrawing the verified incident is news for the public too.
	feedtest.Move(t, db, m.Reports[0], truce.IncidentDisputed)
	later, err := db.LogEntries(ctx, size, size+10)
	if err != nil {
		t.Fatal(err)
	}
	public, err = feed.Events(ctx, db, later, feed.Public, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(public) != 1 {
		t.Fatalf("after withdrawal: %d public events, want 1", len(public))
	}
	tr.Incident = nil
	decode(t, public[0], &tr)
	if tr.Record.From != truce.IncidentVerified || tr.Record.To != truce.IncidentDisputed || tr.Incident != nil {
		t.Errorf("withdrawal = %+v incident %v", tr.Record, tr.Incident)
	}
	// And the incident's findings are no longer public.
	public, err = feed.Events(ctx, db, entries, feed.Public, feed.Filter{"finding"})
	if err != nil {
		t.Fatal(err)
	}
	if len(public) != 0 {
		t.Errorf("findings of a withdrawn incident still public: %d", len(public))
	}
}

func TestParseKinds(t *testing.T) {
	if _, err := feed.ParseKinds("kinds", []string{"report", "transition"}); err != nil {
		t.Errorf("known kinds: %v", err)
	}
	_, err := feed.ParseKinds("kinds", []string{"report", "reprot"})
	if e, ok := err.(*truce.Error); !ok || e.Field != "kinds" || !strings.Contains(e.Message, `"reprot"`) {
		t.Errorf("unknown kind: %v", err)
	}
}

// TestFollower reads a log in batches and waits for it to grow.
func TestFollower(t *testing.T) {
	ctx := context.Background()
	db := feedtest.Open(t)
	feedtest.Seed(t, db)
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := feed.NewFollower(db, 2)
	es, err := f.Read(ctx, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != int(size-2) || es[0].Index != 2 || f.Next() != size {
		t.Fatalf("read %d entries from %d, next %d; want %d from 2, next %d", len(es), es[0].Index, f.Next(), size-2, size)
	}
	// Nothing new: Read gives up after the wait.
	es, err = f.Read(ctx, 50*time.Millisecond)
	if err != nil || len(es) != 0 {
		t.Fatalf("quiet log: %d entries, %v", len(es), err)
	}
	// A write while waiting wakes the follower.
	done := make(chan []ledger.Entry, 1)
	go func() {
		es, err := f.Read(ctx, time.Minute)
		if err != nil {
			t.Error(err)
		}
		done <- es
	}()
	time.Sleep(20 * time.Millisecond)
	feedtest.Move(t, db, 1, truce.IncidentRejected)
	es = <-done
	if len(es) != 1 || es[0].Index != size || es[0].Kind != ledger.KindTransition {
		t.Fatalf("woken with %+v, want the transition at %d", es, size)
	}
	// A cancelled context ends the wait with its error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Read(cctx, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
}

func kinds(es []feed.Event) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Kind)
	}
	return out
}

func decode(t *testing.T, e feed.Event, v any) {
	t.Helper()
	if err := json.Unmarshal(e.Data, v); err != nil {
		t.Fatalf("event %d: %v\n%s", e.ID, err, e.Data)
	}
}

// TestEventsLiaison: a liaison receives the report events staff do, but
// the reporter (submitted_by) only of its own party's reports; the rest
// of the report is as staff get it.
func TestEventsLiaison(t *testing.T) {
	ctx := context.Background()
	db := feedtest.Open(t)
	m := feedtest.Seed(t, db)
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.LogEntries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := feed.Events(ctx, db, entries, feed.Staff, feed.Filter{"report"})
	if err != nil {
		t.Fatal(err)
	}
	// Seed: reports 0 and 2 by the UA liaison for party UA, report 1 by a
	// monitor's patrol (no party).
	for _, tt := range []struct {
		party string
		sees  []string // submitted_by of reports 0, 1, 2 as received
	}{
		{"UA", []string{feedtest.LiaisonUA, "", feedtest.LiaisonUA}},
		{"RU", []string{"", "", ""}},
	} {
		got, err := feed.Events(ctx, db, entries, feed.Liaison(tt.party), feed.Filter{"report"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || len(staff) != 3 {
			t.Fatalf("liaison %s: %d report events, staff %d; want 3", tt.party, len(got), len(staff))
		}
		for i, e := range got {
			var p, s struct{ Record truce.Report }
			decode(t, e, &p)
			decode(t, staff[i], &s)
			if p.Record.ID != m.Reports[i] || p.Record.SubmittedBy != tt.sees[i] {
				t.Errorf("liaison %s, report %d: id %d submitted_by %q; want id %d, %q", tt.party, i, p.Record.ID, p.Record.SubmittedBy, m.Reports[i], tt.sees[i])
			}
			if tt.sees[i] == "" && strings.Contains(string(e.Data), "submitted_by") {
				t.Errorf("liaison %s, report %d: %s", tt.party, i, e.Data)
			}
			// Everything else is as staff see it.
			s.Record.SubmittedBy = p.Record.SubmittedBy
			if sj, pj := mustJSON(t, s.Record), mustJSON(t, p.Record); sj != pj {
				t.Errorf("liaison %s, report %d differs from staff's beyond submitted_by:\n%s\n%s", tt.party, i, pj, sj)
			}
		}
	}
}

// TestAudienceOf maps callers to audiences.
func TestAudienceOf(t *testing.T) {
	ua := truce.Report{SubmittedBy: "x", Source: truce.ReportSource{Kind: "party", Party: "UA"}}
	other := truce.Report{SubmittedBy: "x", Source: truce.ReportSource{Kind: "party", Name: "UA"}} // a name is not a party
	for _, tt := range []struct {
		u             *truce.User
		aud           feed.Audience
		seesUA, seesO bool
	}{
		{nil, feed.Public, false, false},
		{&truce.User{Role: truce.RoleAdmin}, feed.Staff, true, true},
		{&truce.User{Role: truce.RoleMonitor}, feed.Staff, true, true},
		{&truce.User{Role: truce.RoleAnalyst}, feed.Staff, true, true},
		{&truce.User{Role: truce.RoleLiaison, Party: "UA"}, feed.Liaison("UA"), true, false},
		{&truce.User{Role: truce.RoleLiaison, Party: "RU"}, feed.Liaison("RU"), false, false},
		{&truce.User{Role: truce.RoleLiaison}, feed.Liaison(""), false, false},
	} {
		aud := feed.AudienceOf(tt.u)
		if aud != tt.aud || aud.SeesReporter(ua) != tt.seesUA || aud.SeesReporter(other) != tt.seesO {
			t.Errorf("%+v: audience %+v sees UA's %v, other %v; want %+v, %v, %v", tt.u, aud, aud.SeesReporter(ua), aud.SeesReporter(other), tt.aud, tt.seesUA, tt.seesO)
		}
		r := ua
		aud.Redact(&r)
		if (r.SubmittedBy != "") != tt.seesUA {
			t.Errorf("%+v: Redact left %q", tt.u, r.SubmittedBy)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
