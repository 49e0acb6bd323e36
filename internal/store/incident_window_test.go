package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// TestIncidentWindow builds a random record (clusters of reports that
// group into incidents of one and several reports, spans from an instant
// to weeks, places on both sides of the antimeridian), then changes it
// (new reports that widen incidents, transitions, findings, a merge, a
// split, a regroup) and after each step lists incidents by random boxes,
// windows, statuses, parties and agreements, a page of 1 to 7 at a time,
// and compares with the live incidents filtered here one by one. On
// SQLite the list reads the incidents' R*Tree (0011_incident_rtree),
// which must hold exactly the live incidents, as triggers and the
// migration's backfill write it.
func TestIncidentWindow(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withTerms(t, db)
		rng := rand.New(rand.NewPCG(11, 6))
		base := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
		places := [][2]float64{{48.28, 37.18}, {48.01, 37.8}, {46.48, 30.73}, {47.1, 37.55}, {-16.5, 179.9}, {-16.6, -179.95}}
		perps := [][]string{nil, {"RU"}, {"UA"}, {"Military Forces of Russia"}}
		accounts := func(n int) []account {
			var as []account
			for i := range n {
				p := places[rng.IntN(len(places))]
				as = append(as, account{kind: "media", name: fmt.Sprintf("outlet-%d", i%5),
					lat: p[0] + rng.Float64()*0.3, lon: p[1] + rng.Float64()*0.08, r: 2,
					from:  base.Add(time.Duration(rng.Int64N(int64(50 * 24 * time.Hour)))),
					hours: []float64{0, 1, 6, 30, 200, 700}[rng.IntN(6)], perps: perps[rng.IntN(len(perps))]})
			}
			return as
		}
		reports := create(t, db, accounts(120)...)
		g := grouper(t)
		groupNew(t, db, g)

		agreement := fullAgreement().ID
		compare := func(t *testing.T) {
			t.Helper()
			all, err := db.Incidents(ctx, store.IncidentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			several := 0
			for _, inc := range all {
				if len(inc.ReportIDs) > 1 {
					several++
				}
			}
			if several == 0 || several == len(all) {
				t.Fatalf("%d of %d incidents have several reports: the record is too plain", several, len(all))
			}
			if db.Dialect() == store.SQLite {
				checkTree(t, db, all)
			}
			matched := 0
			for i := range 150 {
				f := randomWindow(rng, base, places)
				switch i % 10 {
				case 7:
					f.Status = truce.IncidentVerified
				case 8:
					f.Party = "RU"
				case 9:
					f.AgreementID = agreement
				}
				// The reference: the list without box or window (the
				// incidents table), filtered here.
				ref, err := db.Incidents(ctx, store.IncidentFilter{Status: f.Status, Party: f.Party, AgreementID: f.AgreementID})
				if err != nil {
					t.Fatal(err)
				}
				var want []int64
				for _, inc := range ref {
					if inWindow(inc, f) {
						want = append(want, inc.ID)
					}
				}
				got := listAll(t, db, f, []int{0, 1, 2, 3, 7}[i%5])
				if !slices.Equal(got, want) {
					t.Fatalf("%s:\n got %v\nwant %v", describe(f), got, want)
				}
				matched += len(want)
			}
			if matched == 0 {
				t.Fatal("no filter matched anything: the comparison proves nothing")
			}
		}
		t.Run("grouped", compare)

		// Reports that join and widen existing incidents, or make new ones.
		create(t, db, accounts(40)...)
		groupNew(t, db, g)
		t.Run("grown", compare)

		incs, err := db.Incidents(ctx, store.IncidentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var fs []truce.Finding
		for _, inc := range incs {
			if to := []truce.IncidentStatus{"", truce.IncidentVerified, truce.IncidentDisputed}[rng.IntN(3)]; to != "" {
				if _, err := db.Transition(ctx, truce.Transition{IncidentID: inc.ID, To: to, Reason: "checked", By: "mona"}, inc.Version); err != nil {
					t.Fatal(err)
				}
			}
			if rng.IntN(2) == 0 {
				fs = append(fs, truce.Finding{AgreementID: agreement, AgreementVersion: 1, SubjectKind: "incident", SubjectID: inc.ID,
					Verdict: []string{truce.VerdictViolation, truce.VerdictOutside}[rng.IntN(2)], Party: "RU",
					Reason: "judged", ComputedAt: base.AddDate(0, 3, 0)})
			}
		}
		if _, err := db.PutFindings(ctx, fs); err != nil {
			t.Fatal(err)
		}
		t.Run("judged", compare)

		// A merge of two incidents far apart: the one merged away must
		// leave the tree, the other spans both.
		var far [2]int64
		for _, inc := range incs {
			switch {
			case inc.Lon > 179 && far[0] == 0:
				far[0] = inc.ID
			case inc.Lon < 31 && inc.Lon > 0 && far[1] == 0:
				far[1] = inc.ID
			}
		}
		if far[0] == 0 || far[1] == 0 {
			t.Fatalf("no incidents to merge: %v", far)
		}
		if _, err := db.MergeIncidents(ctx, g, far[0], far[1], "mona", "one strike"); err != nil {
			t.Fatal(err)
		}
		t.Run("merged", compare)

		split := false
		for _, rid := range reports {
			if inc := incidentOf(t, db, rid); len(inc.ReportIDs) > 2 {
				if _, err := db.SplitReport(ctx, g, rid, "mona", "another place"); err != nil {
					t.Fatal(err)
				}
				split = true
				break
			}
		}
		if !split {
			t.Fatal("no incident of three reports to split")
		}
		t.Run("split", compare)

		if _, err := db.Regroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		t.Run("regrouped", compare)

		if db.Dialect() == store.SQLite {
			if err := db.RebackfillIncidentTree(ctx); err != nil {
				t.Fatal(err)
			}
			t.Run("backfilled", compare)
		}
	})
}

// checkTree compares the R*Tree's entries with the live incidents.
func checkTree(t *testing.T, db *store.DB, live []truce.Incident) {
	t.Helper()
	got, err := db.IncidentTree(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, inc := range live {
		want = append(want, fmt.Sprintf("%d %d %d %g %g", inc.ID, inc.From.UnixMicro(), inc.To.UnixMicro(), inc.Lat, inc.Lon))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the incidents' tree holds\n%s\nthe live incidents are\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// randomWindow is a filter by box, window or both: boxes small and large,
// some across the antimeridian, windows open on either side.
func randomWindow(rng *rand.Rand, base time.Time, places [][2]float64) store.IncidentFilter {
	var f store.IncidentFilter
	kind := rng.IntN(6)
	if kind != 0 {
		p := places[rng.IntN(len(places))]
		size := []float64{0.05, 0.2, 1, 5}[rng.IntN(4)]
		w, s := p[1]-rng.Float64()*size, p[0]-rng.Float64()*size
		b := [4]float64{w, s, min(w+size, 180), min(s+size, 90)}
		if p[1] > 179 || p[1] < -179 {
			b[0], b[2] = 179.5+rng.Float64()*0.3, -180+rng.Float64()*0.2 // across
		}
		f.BBox = &b
	}
	if kind != 1 {
		from := base.Add(time.Duration(rng.Int64N(int64(55 * 24 * time.Hour))))
		to := from.Add(time.Duration(rng.Int64N(int64(15 * 24 * time.Hour))))
		switch rng.IntN(4) {
		case 0:
			f.From = from
		case 1:
			f.To = to
		default:
			f.From, f.To = from, to
		}
	}
	return f
}

// inWindow is the list's filter by box and window, one incident at a time.
func inWindow(inc truce.Incident, f store.IncidentFilter) bool {
	if !f.From.IsZero() && !inc.To.After(f.From) && inc.From.Before(f.From) {
		return false
	}
	if !f.To.IsZero() && !inc.From.Before(f.To) {
		return false
	}
	if b := f.BBox; b != nil {
		if inc.Lat < b[1] || inc.Lat > b[3] {
			return false
		}
		if b[0] <= b[2] && (inc.Lon < b[0] || inc.Lon > b[2]) {
			return false
		}
		if b[0] > b[2] && inc.Lon < b[0] && inc.Lon > b[2] {
			return false
		}
	}
	return true
}

// listAll reads every page of f, limit incidents at a time (all at once
// when 0), and returns their ids.
func listAll(t *testing.T, db *store.DB, f store.IncidentFilter, limit int) []int64 {
	t.Helper()
	f.Limit = limit
	var ids []int64
	for {
		page, err := db.Incidents(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, inc := range page {
			ids = append(ids, inc.ID)
		}
		if limit == 0 || len(page) < limit {
			return ids
		}
		f.AfterID = page[len(page)-1].ID
	}
}

func describe(f store.IncidentFilter) string {
	s := fmt.Sprintf("from %s to %s status %q party %q agreement %q limit %d", f.From.Format(time.RFC3339), f.To.Format(time.RFC3339),
		f.Status, f.Party, f.AgreementID, f.Limit)
	if f.BBox != nil {
		s += fmt.Sprintf(" box %v", *f.BBox)
	}
	return s
}

// TestIncidentWindowPlan checks that SQLite reads the list's page by box
// and window from the R*Tree with every bound of the probe: id range,
// box and window (EXPLAIN QUERY PLAN, not timing), and that the extra
// filters join the incidents by primary key.
func TestIncidentWindowPlan(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	box := &[4]float64{36, 47, 37, 48}
	tests := []struct {
		name string
		f    store.IncidentFilter
		want []string
	}{
		// The R*Tree's index string names each constraint: an operator
		// (D >=, B <=) and a coordinate (0-1 id, 2-3 lon, 4-5 lat, 6-7
		// time).
		{"box and window", store.IncidentFilter{BBox: box, From: at, To: at.AddDate(0, 1, 0)}, []string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D7B6D5B4D3B2"}},
		{"window", store.IncidentFilter{From: at, To: at.AddDate(0, 1, 0)}, []string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D7B6"}},
		{"box", store.IncidentFilter{BBox: box}, []string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D5B4D3B2"}},
		{"verified", store.IncidentFilter{BBox: box, From: at, Status: truce.IncidentVerified},
			[]string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D7D5B4D3B2", "\nSEARCH i USING COVERING INDEX incidents_status (status=? AND id=?)"}},
		{"across the antimeridian", store.IncidentFilter{BBox: &[4]float64{179, -20, -179, -10}}, []string{"SCAN r VIRTUAL TABLE INDEX 2:D1B0D5B4"}},
	}
	for _, tt := range tests {
		plan, err := db.IncidentWindowPlan(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(plan, "SCAN r VIRTUAL TABLE INDEX 2:") {
			t.Errorf("%s: the plan does not start from the tree:\n%s", tt.name, plan)
		}
		for _, w := range tt.want {
			if !strings.Contains(plan, w) {
				t.Errorf("%s: plan lacks %q:\n%s", tt.name, w, plan)
			}
		}
	}
}
