package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// TestStatsRollup builds a random record (incidents over two months,
// transitions, findings changed twice, a merge and a split) and checks
// that Stats, which counts from incident_rollup and the window's edge
// days, gives exactly what counting the incidents themselves gives, for
// every grouping, with and without the agreement, status filters and
// windows at midnight, at odd hours, one-sided and empty; then again
// after the rollup is filled afresh by migration 0009's backfill.
func TestStatsRollup(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withTerms(t, db)
		rng := rand.New(rand.NewPCG(6, 9))
		base := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
		perps := [][]string{nil, {"RU"}, {"UA"}, {"RU", "UA"}, {"Military Forces of Russia"}, {"someone else"}}
		domains := [][]string{{"land"}, {"air"}, {"sea", "air"}}
		places := [][2]float64{{48.28, 37.18}, {49.99, 36.23}, {46.48, 30.73}, {47.1, 37.55}, {50.45, 30.52}}
		var accounts []account
		for i := range 60 {
			p := places[rng.IntN(len(places))]
			accounts = append(accounts, account{kind: "media", name: fmt.Sprintf("outlet-%d", i%7),
				lat: p[0] + rng.Float64()*0.02, lon: p[1] + rng.Float64()*0.02, r: 2,
				from:    base.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))),
				hours:   []float64{0, 1, 5, 30, 80}[rng.IntN(5)],
				domains: domains[rng.IntN(len(domains))], perps: perps[rng.IntN(len(perps))]})
		}
		reports := create(t, db, accounts...)
		g := grouper(t)
		groupNew(t, db, g)

		agreement := fullAgreement().ID
		verdicts := []string{truce.VerdictViolation, truce.VerdictUncertain, truce.VerdictOutside}
		judge := func(round int) {
			incs, err := db.Incidents(ctx, store.IncidentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var fs []truce.Finding
			for _, inc := range incs {
				if rng.IntN(4) == 0 {
					continue // no finding, or last round's
				}
				fs = append(fs, truce.Finding{AgreementID: agreement, AgreementVersion: 1, SubjectKind: "incident", SubjectID: inc.ID,
					Verdict: verdicts[rng.IntN(len(verdicts))], Party: []string{"", "RU", "UA"}[rng.IntN(3)],
					Reason: fmt.Sprintf("round %d", round), ComputedAt: base.AddDate(0, 3, round)})
			}
			if _, err := db.PutFindings(ctx, fs); err != nil {
				t.Fatal(err)
			}
		}
		judge(1)
		incs, err := db.Incidents(ctx, store.IncidentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, inc := range incs {
			to := []truce.IncidentStatus{"", truce.IncidentVerified, truce.IncidentDisputed, truce.IncidentRejected}[rng.IntN(4)]
			if to == "" {
				continue
			}
			if _, err := db.Transition(ctx, truce.Transition{IncidentID: inc.ID, To: to, Reason: "checked", By: "mona"}, inc.Version); err != nil {
				t.Fatal(err)
			}
		}
		if len(incs) > 3 {
			if _, err := db.MergeIncidents(ctx, g, incs[0].ID, incs[3].ID, "mona", "one strike"); err != nil {
				t.Fatal(err)
			}
		}
		split := false
		for _, rid := range reports {
			if inc := incidentOf(t, db, rid); len(inc.ReportIDs) > 1 {
				if _, err := db.SplitReport(ctx, g, rid, "mona", "another place"); err != nil {
					t.Fatal(err)
				}
				split = true
				break
			}
		}
		if !split {
			t.Fatal("no incident of several reports to split")
		}
		judge(2)

		day := func(d int) time.Time { return base.AddDate(0, 0, d) }
		windows := [][2]time.Time{{}, {day(10), time.Time{}}, {time.Time{}, day(20)}, {day(5), day(35)},
			{day(5).Add(7 * time.Hour), day(35).Add(13 * time.Hour)}, {day(12).Add(3 * time.Hour), day(12).Add(20 * time.Hour)},
			{day(40), day(40)}, {day(-5), day(100)}}
		for range 12 {
			from := base.Add(time.Duration(rng.Int64N(int64(62 * 24 * time.Hour))))
			windows = append(windows, [2]time.Time{from, from.Add(time.Duration(rng.Int64N(int64(10 * 24 * time.Hour))))})
		}
		statuses := [][]truce.IncidentStatus{nil, {truce.IncidentVerified}, {truce.IncidentAlleged, truce.IncidentDisputed}}
		compare := func(t *testing.T) {
			t.Helper()
			checked := 0
			for _, group := range store.StatsGroups {
				for _, a := range []string{"", agreement} {
					for _, w := range windows {
						for _, st := range statuses {
							f := store.StatsFilter{Group: group, AgreementID: a, From: w[0], To: w[1], Statuses: st}
							got, err := db.Stats(ctx, f)
							if err != nil {
								t.Fatal(err)
							}
							want, err := db.StatsDirect(ctx, f)
							if err != nil {
								t.Fatal(err)
							}
							if !reflect.DeepEqual(got, want) {
								t.Fatalf("%+v:\nrollup %+v\ndirect %+v", f, got, want)
							}
							checked += want.Total.Incidents
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("every count was zero: the comparison proves nothing")
			}
		}
		t.Run("kept", compare)
		if err := db.RebackfillRollup(ctx); err != nil {
			t.Fatal(err)
		}
		t.Run("backfilled", compare)
	})
}

// TestStatsEdgePlan checks that SQLite counts each edge day of a window
// from one range of a covering index (0011_incident_edges), never from
// the incidents' rows, and the rollup's rows of the window's days only
// (0011_rollup_window) (EXPLAIN QUERY PLAN, not timing).
func TestStatsEdgePlan(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	withTerms(t, db)
	from := time.Date(2025, 5, 1, 7, 0, 0, 0, time.UTC)
	for _, group := range store.StatsGroups {
		for _, a := range []string{"", fullAgreement().ID} {
			for _, st := range [][]truce.IncidentStatus{nil, {truce.IncidentVerified}} {
				f := store.StatsFilter{Group: group, AgreementID: a, From: from, To: from.AddDate(0, 0, 30), Statuses: st}
				plans, err := db.StatsEdgePlans(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				rollup, err := db.StatsRollupPlan(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if w := "SEARCH incident_rollup USING COVERING INDEX incident_rollup_window (agreement_id=? AND grp=? AND from_day>? AND from_day<?)"; !strings.Contains(rollup, w) {
					t.Errorf("%+v: rollup plan lacks %q:\n%s", f, w, rollup)
				}
				want := []string{"SEARCH i USING COVERING INDEX incidents_starts (from_us>? AND from_us<?)",
					"SEARCH i USING COVERING INDEX incidents_ends (to_us>? AND to_us<?)"}
				if len(plans) != len(want) {
					t.Fatalf("%+v: %d edge queries, want %d", f, len(plans), len(want))
				}
				for i, p := range plans {
					if !strings.Contains(p, want[i]) {
						t.Errorf("%+v: edge %d plan lacks %q:\n%s", f, i, want[i], p)
					}
				}
			}
		}
	}
}
