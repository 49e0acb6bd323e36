package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// workflow is the verification workflow of the issue, written out: from
// each status, where a monitor may take an incident.
var workflow = map[truce.IncidentStatus][]truce.IncidentStatus{
	truce.IncidentAlleged:      {truce.IncidentCorroborated, truce.IncidentVerified, truce.IncidentDisputed, truce.IncidentRejected},
	truce.IncidentCorroborated: {truce.IncidentVerified, truce.IncidentDisputed, truce.IncidentRejected},
	truce.IncidentVerified:     {truce.IncidentDisputed, truce.IncidentRejected},
	truce.IncidentDisputed:     {truce.IncidentVerified, truce.IncidentRejected, truce.IncidentCorroborated},
	truce.IncidentRejected:     {truce.IncidentAlleged, truce.IncidentDisputed},
}

const evidenceHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// incidents creates n incidents far apart, one report each, and returns
// their ids.
func incidents(t *testing.T, db *store.DB, n int) []int64 {
	t.Helper()
	var as []account
	for i := range n {
		as = append(as, account{kind: truce.SourceMonitor, name: "OSCE SMM", lat: 44 + float64(i)*0.5, lon: 30, r: 1, from: may9, hours: 1, perps: []string{"RU"}})
	}
	ids := create(t, db, as...)
	groupNew(t, db, grouper(t))
	out := make([]int64, n)
	for i, id := range ids {
		out[i] = incidentOf(t, db, id).ID
	}
	return out
}

// TestTransitions tries every step from every status as every role:
// only a monitor may move an incident (incident.MayTransition, which the
// API checks), and only along the workflow (which the store enforces).
func TestTransitions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		statuses := truce.IncidentStatuses
		ids := incidents(t, db, len(statuses)*len(statuses))
		k := 0
		for _, from := range statuses {
			for _, to := range statuses {
				id := ids[k]
				k++
				inc, err := db.Incident(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if from != truce.IncidentAlleged {
					if inc, err = db.Transition(ctx, truce.Transition{IncidentID: id, To: from, Reason: "set up", By: "mon"}, inc.Version); err != nil {
						t.Fatalf("set up %s: %v", from, err)
					}
				}
				allowed := slices.Contains(workflow[from], to)
				for _, role := range []truce.Role{truce.RoleAdmin, truce.RoleMonitor, truce.RoleLiaison, truce.RoleAnalyst, truce.RolePublic} {
					if may := incident.MayTransition(role, to); may != (role == truce.RoleMonitor) {
						t.Errorf("MayTransition(%s, %s) = %v", role, to, may)
					}
				}
				at := clk.peek()
				tr := truce.Transition{IncidentID: id, To: to, Reason: fmt.Sprintf("%s to %s", from, to), Evidence: []string{evidenceHash}, By: "mon"}
				got, err := db.Transition(ctx, tr, inc.Version)
				if !allowed {
					if truce.ErrorCode(err) != truce.EINVALID {
						t.Errorf("%s → %s: %v, want EINVALID", from, to, err)
					}
					if again, _ := db.Incident(ctx, id); again.Version != inc.Version || again.Status != from {
						t.Errorf("%s → %s refused, yet the incident is now %s v%d", from, to, again.Status, again.Version)
					}
					continue
				}
				if err != nil || got.Status != to || got.Version != inc.Version+1 || !got.UpdatedAt.Equal(at) {
					t.Errorf("%s → %s: %+v, %v", from, to, got, err)
					continue
				}
				h, err := db.IncidentHistory(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				last := h[len(h)-1]
				want := truce.Transition{ID: last.ID, IncidentID: id, From: from, To: to, Reason: tr.Reason, Evidence: tr.Evidence, By: "mon", At: at}
				if !reflectEqual(last, want) {
					t.Errorf("%s → %s: history %+v, want %+v", from, to, last, want)
				}
			}
		}
		checkLog(t, db, logSize(t, db))
	})
}

func reflectEqual(a, b truce.Transition) bool {
	return a.ID == b.ID && a.IncidentID == b.IncidentID && a.From == b.From && a.To == b.To && a.Reason == b.Reason &&
		slices.Equal(a.Evidence, b.Evidence) && a.By == b.By && a.At.Equal(b.At)
}

func TestTransitionErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		id := incidents(t, db, 1)[0]
		tests := []struct {
			name    string
			tr      truce.Transition
			version int
			code    string
		}{
			{"no reason", truce.Transition{IncidentID: id, To: truce.IncidentVerified, By: "mon"}, 1, truce.EINVALID},
			{"no author", truce.Transition{IncidentID: id, To: truce.IncidentVerified, Reason: "seen"}, 1, truce.EINVALID},
			{"bad evidence", truce.Transition{IncidentID: id, To: truce.IncidentVerified, Reason: "seen", By: "mon", Evidence: []string{"abc"}}, 1, truce.EINVALID},
			{"unknown status", truce.Transition{IncidentID: id, To: "merged", Reason: "seen", By: "mon"}, 1, truce.EINVALID},
			{"unknown incident", truce.Transition{IncidentID: 99, To: truce.IncidentVerified, Reason: "seen", By: "mon"}, 1, truce.ENOTFOUND},
			{"stale version", truce.Transition{IncidentID: id, To: truce.IncidentVerified, Reason: "seen", By: "mon"}, 0, truce.ECONFLICT},
			{"wrong from", truce.Transition{IncidentID: id, From: truce.IncidentDisputed, To: truce.IncidentVerified, Reason: "seen", By: "mon"}, 1, truce.ECONFLICT},
		}
		for _, tc := range tests {
			if _, err := db.Transition(ctx, tc.tr, tc.version); truce.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
	})
}

// TestTransitionConflict has two monitors act on one incident at once:
// one wins, the other gets ECONFLICT and nothing of theirs is written.
// A report grouped into the incident in between also moves its version.
func TestTransitionConflict(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		id := incidents(t, db, 1)[0]
		inc, err := db.Incident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, to := range []truce.IncidentStatus{truce.IncidentVerified, truce.IncidentRejected} {
			wg.Go(func() {
				_, errs[i] = db.Transition(ctx, truce.Transition{IncidentID: id, To: to, Reason: "my call", By: fmt.Sprintf("monitor-%d", i)}, inc.Version)
			})
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch truce.ErrorCode(err) {
			case "":
				won = i
			case truce.ECONFLICT:
			default:
				t.Errorf("monitor %d: %v", i, err)
			}
		}
		if won < 0 || errs[1-won] == nil {
			t.Fatalf("errors %v: want one success and one conflict", errs)
		}
		h, err := db.IncidentHistory(ctx, id)
		if err != nil || len(h) != 1 || h[0].By != fmt.Sprintf("monitor-%d", won) {
			t.Fatalf("history %+v, %v", h, err)
		}
		// A second report joins the incident: a step decided on what was
		// read before is stale.
		seen, _ := db.Incident(ctx, id)
		create(t, db, account{kind: truce.SourceMedia, name: "Suspilne", lat: 44, lon: 30, r: 1, from: may9, hours: 1})
		groupNew(t, db, grouper(t))
		if _, err := db.Transition(ctx, truce.Transition{IncidentID: id, To: truce.IncidentDisputed, Reason: "late", By: "mon"}, seen.Version); truce.ErrorCode(err) != truce.ECONFLICT {
			t.Errorf("after grouping: %v, want ECONFLICT", err)
		}
	})
}

func TestReplies(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		for _, p := range []truce.Party{
			{Code: "RU", Name: "Russia", Aliases: []string{"Military Forces of Russia"}},
			{Code: "UA", Name: "Ukraine"},
		} {
			if _, err := db.PutParty(ctx, p, "test"); err != nil {
				t.Fatal(err)
			}
		}
		ids := create(t, db, account{kind: truce.SourceParty, name: "General Staff", party: "UA", lat: 44, lon: 30, r: 1, from: may9, hours: 1,
			perps: []string{"Military Forces of Russia"}})
		groupNew(t, db, grouper(t))
		inc := incidentOf(t, db, ids[0])
		at := clk.peek()
		r := truce.Reply{IncidentID: inc.ID, Party: "RU", Body: "Our forces did not fire in this area.", By: "liaison-ru", Status: "accepted", ID: 7}
		if err := db.AddReply(ctx, &r); err != nil {
			t.Fatal(err)
		}
		want := truce.Reply{ID: 1, IncidentID: inc.ID, Party: "RU", Body: r.Body, Status: store.ReplyReceived, By: "liaison-ru", At: at}
		if r != want {
			t.Errorf("AddReply filled %+v, want %+v", r, want)
		}
		for _, bad := range []struct {
			r    truce.Reply
			code string
		}{
			{truce.Reply{IncidentID: inc.ID, Party: "UA", Body: "not us", By: "liaison-ua"}, truce.EINVALID},
			{truce.Reply{IncidentID: inc.ID, Party: "RU", Body: " ", By: "liaison-ru"}, truce.EINVALID},
			{truce.Reply{IncidentID: inc.ID, Party: "RU", Body: "no author"}, truce.EINVALID},
			{truce.Reply{IncidentID: 99, Party: "RU", Body: "where?", By: "liaison-ru"}, truce.ENOTFOUND},
		} {
			if err := db.AddReply(ctx, &bad.r); truce.ErrorCode(err) != bad.code {
				t.Errorf("AddReply(%+v): %v, want %s", bad.r, err, bad.code)
			}
		}
		// A reply changes nothing about the incident.
		after, err := db.Incident(ctx, inc.ID)
		if err != nil || after.Version != inc.Version || after.Status != inc.Status {
			t.Errorf("after a reply: %+v, %v", after, err)
		}
		rs, err := db.Replies(ctx, inc.ID)
		if err != nil || len(rs) != 1 || rs[0] != want {
			t.Errorf("Replies = %+v, %v", rs, err)
		}
		checkLog(t, db, logSize(t, db))
	})
}
