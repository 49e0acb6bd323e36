package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// TestOptimizePlans fills a SQLite store with the real UCDP record of
// Ukraine, grouped, and gathers the planner's statistics (optimize.go),
// with Optimize and by opening it again. Each time the report list in a
// wide box walks the ids instead of sorting the box (the plan that made
// it 50 times faster at 1.1M reports), a narrow box still uses the place
// index, and the plans
// pinned by TestIncidentWindowPlan and TestStatsEdgePlan are the same
// with statistics as without (EXPLAIN QUERY PLAN, not timing).
func TestOptimizePlans(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "truce.db")
	clk := newClock()
	db, err := store.Open(ctx, path, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	withTerms(t, db)
	// Four copies, three days apart, as BenchmarkStores' mission: at a
	// quarter of it the planner still sorts a wide box.
	var rs []truce.Report
	for k, base := 0, ucdpReports(t); k < 4; k++ {
		shift := time.Duration(k) * 72 * time.Hour
		for _, r := range base {
			r.ExternalID = fmt.Sprintf("%s-c%d", r.ExternalID, k)
			from, to := r.Occurred.From.Add(shift), r.Occurred.To.Add(shift)
			r.Occurred.From, r.Occurred.To = &from, &to
			rs = append(rs, r)
		}
	}
	for i := 0; i < len(rs); i += 5000 {
		if _, _, err := db.ImportReports(ctx, rs[i:min(len(rs), i+5000)]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.GroupNew(ctx, grouper(t)); err != nil {
		t.Fatal(err)
	}
	// Opening analyzed the tables that had rows then, not the reports.
	if tables, err := db.StatTables(ctx); err != nil || slices.Contains(tables, "reports") {
		t.Fatalf("statistics before the store was opened again: %v %v", tables, err)
	}
	// As an importer would after a large load: the open store's readers
	// plan with the new statistics at once.
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	checkPlans(t, db, "after Optimize")
	// A store opened on the database has them from the start.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(ctx, path, store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkPlans(t, db, "opened again")
}

// checkPlans checks the plans of TestOptimizePlans.
func checkPlans(t *testing.T, db *store.DB, when string) {
	t.Helper()
	ctx := context.Background()
	tables, err := db.StatTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"reports", "incidents", "report_perpetrators"} {
		if !slices.Contains(tables, want) {
			t.Errorf("%s: no statistics for %s: %v", when, want, tables)
		}
	}

	for _, tt := range []struct {
		name      string
		box       [4]float64
		want, not string
	}{
		// Donbas, where most events are: reading by id finds 100 soon.
		{"wide box", [4]float64{37, 47.5, 39, 48.5}, "SEARCH reports USING INTEGER PRIMARY KEY (rowid>?)", "TEMP B-TREE"},
		{"the world", [4]float64{-180, -90, 180, 90}, "SEARCH reports USING INTEGER PRIMARY KEY (rowid>?)", "TEMP B-TREE"},
		// A few streets of Kyiv: the index finds the handful at once.
		{"narrow box", [4]float64{30.5, 50.4, 30.52, 50.42}, "USING INDEX reports_place", ""},
	} {
		plan, err := db.ReportsBoxPlan(ctx, tt.box, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, tt.want) || (tt.not != "" && strings.Contains(plan, tt.not)) {
			t.Errorf("%s, %s: report list plan\n%s\nwant %q, not %q", when, tt.name, plan, tt.want, tt.not)
		}
	}

	// The pinned plans (incident_window_test.go, stats_rollup_test.go).
	at := time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC)
	box := &[4]float64{36, 47, 39, 49}
	for _, tt := range []struct {
		f    store.IncidentFilter
		want []string
	}{
		{store.IncidentFilter{BBox: box, From: at, To: at.AddDate(1, 0, 0)}, []string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D7B6D5B4D3B2"}},
		{store.IncidentFilter{From: at, To: at.AddDate(0, 1, 0)}, []string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D7B6"}},
		{store.IncidentFilter{BBox: box}, []string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D5B4D3B2"}},
		{store.IncidentFilter{BBox: box, From: at, Status: truce.IncidentVerified},
			[]string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D7D5B4D3B2", "\nSEARCH i USING COVERING INDEX incidents_status (status=? AND id=?)"}},
	} {
		plan, err := db.IncidentWindowPlan(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.HasPrefix(plan, "SCAN r VIRTUAL TABLE INDEX 2:") || !strings.Contains(plan, w) {
				t.Errorf("%s, incident list %+v: plan lacks %q:\n%s", when, tt.f, w, plan)
			}
		}
	}
	for _, group := range store.StatsGroups {
		for _, a := range []string{"", fullAgreement().ID} {
			f := store.StatsFilter{Group: group, AgreementID: a, From: at, To: at.AddDate(0, 0, 30)}
			plans, err := db.StatsEdgePlans(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"SEARCH i USING COVERING INDEX incidents_starts (from_us>? AND from_us<?)",
				"SEARCH i USING COVERING INDEX incidents_ends (to_us>? AND to_us<?)"}
			if len(plans) != len(want) {
				t.Fatalf("%+v: %d edge queries, want %d", f, len(plans), len(want))
			}
			for i, p := range plans {
				if !strings.Contains(p, want[i]) {
					t.Errorf("%s, %+v: edge %d plan lacks %q:\n%s", when, f, i, want[i], p)
				}
			}
			rollup, err := db.StatsRollupPlan(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if w := "SEARCH incident_rollup USING COVERING INDEX incident_rollup_window (agreement_id=? AND grp=? AND from_day>? AND from_day<?)"; !strings.Contains(rollup, w) {
				t.Errorf("%s, %+v: rollup plan lacks %q:\n%s", when, f, w, rollup)
			}
		}
	}
}

// TestOptimize: Optimize runs on both databases (nothing to do on
// PostgreSQL) and again on a store that has its statistics.
func TestOptimize(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, _ *clock) {
		ctx := context.Background()
		for range 2 {
			if err := db.Optimize(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}
