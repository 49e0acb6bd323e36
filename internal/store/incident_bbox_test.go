package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// TestIncidentsBBoxTime lists incidents by boxes on cell edges, across
// the antimeridian and too large to be read by cell, with and without a
// time window (the list reads 1° cells on SQLite: the answers must not
// depend on it).
func TestIncidentsBBoxTime(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		at := time.Date(2025, 5, 10, 10, 0, 0, 0, time.UTC)
		places := [][2]float64{{48.0, 37.0}, {47.999, 36.999}, {48.5, 37.5}, {-33.9, 179.5}, {-33.9, -179.5}, {10, 0}}
		var reports []int64
		for i, p := range places {
			reports = append(reports, create(t, db, account{kind: "media", name: "outlet", lat: p[0], lon: p[1], r: 1,
				from: at.AddDate(0, 0, 3*i), hours: 1})...)
		}
		groupNew(t, db, grouper(t))
		inc := make([]int64, len(reports))
		for i, r := range reports {
			inc[i] = incidentOf(t, db, r).ID
		}
		tests := []struct {
			name string
			f    store.IncidentFilter
			want []int64
		}{
			{"cell edge", store.IncidentFilter{BBox: &[4]float64{37, 48, 37.6, 48.6}}, []int64{inc[0], inc[2]}},
			{"below the edge", store.IncidentFilter{BBox: &[4]float64{36.5, 47.5, 37, 48}}, []int64{inc[0], inc[1]}},
			{"across the antimeridian", store.IncidentFilter{BBox: &[4]float64{179, -34, -179, -33}}, []int64{inc[3], inc[4]}},
			{"the world", store.IncidentFilter{BBox: &[4]float64{-180, -90, 180, 90}}, inc},
			{"box and window", store.IncidentFilter{BBox: &[4]float64{36, 47, 38, 49}, From: at.AddDate(0, 0, 2), To: at.AddDate(0, 0, 7)},
				[]int64{inc[1], inc[2]}},
		}
		for _, tt := range tests {
			got, err := db.Incidents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, i := range got {
				ids = append(ids, i.ID)
			}
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(ids, want) {
				t.Errorf("%s: got %v, want %v", tt.name, ids, want)
			}
		}
	})
}
