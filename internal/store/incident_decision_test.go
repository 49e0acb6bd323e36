package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// north returns the latitude km kilometres north of lat (111.195 km a
// degree on geo's sphere).
func north(lat, km float64) float64 { return lat + km/111.19508 }

// TestSplitMergeSurvive splits a report off, merges two incidents, and
// checks that new reports and full regroups keep what the monitors
// decided.
func TestSplitMergeSurvive(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		g := grouper(t)
		at := func(km float64, src string) account {
			return account{kind: truce.SourceMedia, name: src, lat: north(pokLat, km), lon: pokLon, r: 2, from: may9, hours: 1}
		}
		// A–B–C a chain (A and C 16 km apart, too far to link), D far away.
		ids := create(t, db, at(0, "A"), at(8, "B"), at(16, "C"), at(200, "D"))
		a, b, c, d := ids[0], ids[1], ids[2], ids[3]
		groupNew(t, db, g)
		if got, want := partition(t, db), [][]int64{{a, b, c}, {d}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("grouped %v, want %v", got, want)
		}
		i1 := incidentOf(t, db, a).ID

		for _, bad := range []struct {
			report     int64
			by, reason string
			code       string
		}{
			{c, "", "why", truce.EINVALID},
			{c, "anna", " ", truce.EINVALID},
			{d, "anna", "alone", truce.EINVALID},
			{99, "anna", "unknown", truce.ENOTFOUND},
		} {
			if _, err := db.SplitReport(ctx, g, bad.report, bad.by, bad.reason); truce.ErrorCode(err) != bad.code {
				t.Errorf("SplitReport(%d, %q, %q): %v, want %s", bad.report, bad.by, bad.reason, err, bad.code)
			}
		}

		s, err := db.SplitReport(ctx, g, c, "anna", "C is a different strike")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Groupings) != 1 || len(s.Created) != 1 {
			t.Fatalf("split: %+v", s)
		}
		if got, want := partition(t, db), [][]int64{{a, b}, {c}, {d}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("after the split %v, want %v", got, want)
		}
		if incidentOf(t, db, a).ID != i1 {
			t.Errorf("the incident anchored by %d changed its id", a)
		}
		det, err := db.IncidentDetail(ctx, incidentOf(t, db, c).ID)
		if err != nil {
			t.Fatal(err)
		}
		if m := det.Members[0]; m.Role != incident.RoleAlone || !strings.Contains(m.Why, "split off by anna") || !reflect.DeepEqual(m.Decisions, s.Groupings) {
			t.Errorf("split report explained as %+v", m)
		}

		// A new report 3 km from C is grouped with C: a split report
		// still attaches, just not to what it was split from.
		e := create(t, db, at(19, "E"))[0]
		groupNew(t, db, g)
		if got, want := partition(t, db), [][]int64{{a, b}, {c, e}, {d}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("after a new report %v, want %v", got, want)
		}
		if s, err := db.Regroup(ctx, g); err != nil || len(s.Changed) > 0 {
			t.Fatalf("Regroup after the split: %+v, %v", s, err)
		}

		// Merge A's incident with D's.
		i4 := incidentOf(t, db, d).ID
		for _, bad := range []struct {
			a, b int64
			code string
		}{{i1, i1, truce.EINVALID}, {i1, 99, truce.ENOTFOUND}} {
			if _, err := db.MergeIncidents(ctx, g, bad.a, bad.b, "ben", "same"); truce.ErrorCode(err) != bad.code {
				t.Errorf("MergeIncidents(%d, %d): %v, want %s", bad.a, bad.b, err, bad.code)
			}
		}
		s, err = db.MergeIncidents(ctx, g, i4, i1, "ben", "one salvo, two towns")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(s.Merged, []int64{i4}) {
			t.Errorf("merge: %+v, want %d merged into %d", s, i4, i1)
		}
		if got, want := partition(t, db), [][]int64{{a, b, d}, {c, e}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("after the merge %v, want %v", got, want)
		}
		det, err = db.IncidentDetail(ctx, i4)
		if err != nil || det.MergedInto != i1 || len(det.ReportIDs) != 0 {
			t.Fatalf("merged incident: %+v, %v", det, err)
		}
		if _, err := db.MergeIncidents(ctx, g, i4, incidentOf(t, db, c).ID, "ben", "again"); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("merging a merged incident: %v", err)
		}
		if _, err := db.Transition(ctx, truce.Transition{IncidentID: i4, To: truce.IncidentVerified, Reason: "seen", By: "ben"}, det.Version); truce.ErrorCode(err) != truce.ECONFLICT {
			t.Errorf("a step on a merged incident: %v", err)
		}
		if err := db.AddReply(ctx, &truce.Reply{IncidentID: i4, Party: "RU", Body: "not us", By: "liaison"}); truce.ErrorCode(err) != truce.ECONFLICT {
			t.Errorf("a reply to a merged incident: %v", err)
		}
		for _, run := range []string{"GroupNew", "Regroup"} {
			var s store.GroupSummary
			var err error
			if run == "GroupNew" {
				s, err = db.GroupNew(ctx, g)
			} else {
				s, err = db.Regroup(ctx, g)
			}
			if err != nil || len(s.Changed) > 0 {
				t.Fatalf("%s after the merge: %+v, %v", run, s, err)
			}
		}
		if got := partition(t, db); !reflect.DeepEqual(got, [][]int64{{a, b, d}, {c, e}}) {
			t.Fatalf("the decisions did not survive: %v", got)
		}
		// The history of A's incident: created, split, merged.
		states, err := db.IncidentStates(ctx, i1)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]int64
		for _, st := range states {
			got = append(got, st.ReportIDs)
		}
		if want := [][]int64{{a, b, c}, {a, b}, {a, b, d}}; !reflect.DeepEqual(got, want) {
			t.Errorf("states of incident %d: %v, want %v", i1, got, want)
		}
		checkLog(t, db, logSize(t, db))
	})
}
