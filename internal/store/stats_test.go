package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// TestStats counts three incidents, far apart, by each grouping; the
// expected rows are worked out by hand from the accounts below.
func TestStats(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withTerms(t, db)
		may := func(d, h int) time.Time { return time.Date(2025, 5, d, h, 0, 0, 0, time.UTC) }
		ids := create(t, db,
			// Pokrovsk, 9 May, Russia by an alias, land.
			account{kind: "media", name: "a", lat: 48.28, lon: 37.18, r: 2, from: may(9, 10), hours: 1, perps: []string{"Military Forces of Russia"}},
			// Kharkiv, 10 May, Ukraine, air.
			account{kind: "media", name: "b", lat: 49.99, lon: 36.23, r: 2, from: may(10, 0), hours: 1, domains: []string{"air"}, perps: []string{"UA"}},
			// Odesa, 11 May, both, air and sea.
			account{kind: "media", name: "c", lat: 46.48, lon: 30.73, r: 2, from: may(11, 5), hours: 1, domains: []string{"sea", "air"}, perps: []string{"RU", "UA"}},
		)
		groupNew(t, db, grouper(t))
		incs := make([]truce.Incident, 3)
		for i, id := range ids {
			incs[i] = incidentOf(t, db, id)
		}
		if _, err := db.Transition(ctx, truce.Transition{IncidentID: incs[1].ID, To: truce.IncidentVerified, Reason: "seen", By: "mona"}, incs[1].Version); err != nil {
			t.Fatal(err)
		}
		agreement := fullAgreement().ID
		computed := may(12, 0)
		if _, err := db.PutFindings(ctx, []truce.Finding{
			{AgreementID: agreement, AgreementVersion: 1, SubjectKind: "incident", SubjectID: incs[0].ID, Verdict: truce.VerdictViolation, Party: "RU", Reason: "r", ComputedAt: computed},
			{AgreementID: agreement, AgreementVersion: 1, SubjectKind: "incident", SubjectID: incs[1].ID, Verdict: truce.VerdictOutside, Reason: "r", ComputedAt: computed},
			{AgreementID: agreement, AgreementVersion: 1, SubjectKind: "incident", SubjectID: incs[2].ID, Verdict: truce.VerdictUncertain, Reason: "r", ComputedAt: computed},
		}); err != nil {
			t.Fatal(err)
		}
		row := func(key string, n int, byStatus map[string]int, verdicts map[string]int) store.StatRow {
			return store.StatRow{Key: key, Incidents: n, ByStatus: byStatus, Verdicts: verdicts}
		}
		al := func(n int) map[string]int { return map[string]int{"alleged": n} }
		tests := []struct {
			name  string
			f     store.StatsFilter
			rows  []store.StatRow
			total store.StatRow
		}{
			{"by party", store.StatsFilter{Group: store.GroupParty},
				[]store.StatRow{row("RU", 2, al(2), nil), row("UA", 2, map[string]int{"alleged": 1, "verified": 1}, nil)},
				row("total", 3, map[string]int{"alleged": 2, "verified": 1}, nil)},
			{"by domain", store.StatsFilter{Group: store.GroupDomain},
				[]store.StatRow{row("air", 2, map[string]int{"alleged": 1, "verified": 1}, nil), row("land", 1, al(1), nil), row("sea", 1, al(1), nil)},
				row("total", 3, map[string]int{"alleged": 2, "verified": 1}, nil)},
			{"by day, from 10 May", store.StatsFilter{Group: store.GroupDay, From: may(10, 0)},
				[]store.StatRow{row("2025-05-10", 1, map[string]int{"verified": 1}, nil), row("2025-05-11", 1, al(1), nil)},
				row("total", 2, map[string]int{"alleged": 1, "verified": 1}, nil)},
			{"verified only", store.StatsFilter{Group: store.GroupDay, Statuses: []truce.IncidentStatus{truce.IncidentVerified}},
				[]store.StatRow{row("2025-05-10", 1, map[string]int{"verified": 1}, nil)},
				row("total", 1, map[string]int{"verified": 1}, nil)},
			{"against the agreement, by responsible party", store.StatsFilter{Group: store.GroupParty, AgreementID: agreement},
				[]store.StatRow{row("RU", 1, al(1), map[string]int{"violation": 1}), row("unattributed", 1, al(1), map[string]int{"uncertain": 1})},
				row("total", 2, al(2), map[string]int{"violation": 1, "uncertain": 1})},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Stats(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Rows, tt.rows) || !reflect.DeepEqual(got.Total, tt.total) {
					t.Errorf("got %+v total %+v\nwant %+v total %+v", got.Rows, got.Total, tt.rows, tt.total)
				}
			})
		}
		// By admin-1: one row per incident's unit.
		got, err := db.Stats(ctx, store.StatsFilter{Group: store.GroupAdmin1})
		if err != nil || len(got.Rows) != 3 {
			t.Fatalf("by admin1: %+v, %v", got, err)
		}
		for _, r := range got.Rows {
			if r.Key == "" || r.Incidents != 1 {
				t.Errorf("admin1 row %+v", r)
			}
		}
		if _, err := db.Stats(ctx, store.StatsFilter{Group: "week"}); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("unknown group: %v", err)
		}
		if _, err := db.Stats(ctx, store.StatsFilter{Group: "day", AgreementID: "nope"}); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("unknown agreement: %v", err)
		}
	})
}
