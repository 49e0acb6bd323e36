package store_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// TestCorroborateObservations groups an incident 1 km from a real FIRMS
// detection, during a real air-raid alert over its oblast, before any
// observation is stored, then imports the real rows around it: first the
// detections far from it (its corroboration must not change and nothing
// is logged), then those near it (its breakdown must count what a
// brute-force reading of the stored rows counts, its score rise by the
// fires' 0.2 in a new logged version); then the week's alerts over other
// oblasts (no change), then over its own (the alerts' 0.2). The log
// verifies throughout.
func TestCorroborateObservations(t *testing.T) {
	fires := readShared(t, ingest.FormatFIRMS, "firms/viirs-snpp-nrt-ukraine-2023.csv").obs
	alerts := readShared(t, ingest.FormatAlerts, "alerts/official_data_en_2022-03-15_2024-04-22.csv").obs
	gz, err := gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	// A detection with an alert over its oblast 45 minutes before it.
	var fire truce.Observation
	unit := ""
	for _, f := range fires {
		if f.Lat == nil {
			continue
		}
		u, ok := gz.Admin1At(*f.Lat, *f.Lon)
		if !ok {
			continue
		}
		at := f.From.Add(-45 * time.Minute)
		if slices.ContainsFunc(alerts, func(a truce.Observation) bool { return a.Admin1 == u && !a.From.After(at) && !a.To.Before(at) }) {
			fire, unit = f, u
			break
		}
	}
	if fire.Lat == nil {
		t.Fatal("no FIRMS detection during an alert over its oblast")
	}
	var alertsHere, alertsElsewhere []truce.Observation
	for _, a := range alerts {
		if d := a.From.Sub(fire.From); d <= -7*24*time.Hour || d >= 7*24*time.Hour {
			continue
		}
		if a.Admin1 == unit {
			alertsHere = append(alertsHere, a)
		} else {
			alertsElsewhere = append(alertsElsewhere, a)
		}
	}
	// The day's detections around it: near ones within 30 km, far ones
	// beyond 100 km.
	var near, far []truce.Observation
	for _, f := range fires {
		if d := f.From.Sub(fire.From); d <= -48*time.Hour || d >= 48*time.Hour || f.Lat == nil {
			continue
		}
		switch km := geo.DistanceKm(*fire.Lat, *fire.Lon, *f.Lat, *f.Lon); {
		case km <= 30:
			near = append(near, f)
		case km > 100:
			far = append(far, f)
		}
	}
	if len(far) == 0 {
		t.Fatal("no detection far from the chosen one")
	}
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		g := grouper(t)
		key, err := ledger.OpenKey(filepath.Join(t.TempDir(), "log.key"), "truce.test/log")
		if err != nil {
			t.Fatal(err)
		}
		lg := ledger.NewLog(db, key.Signer, nil)
		verify := func(when string) {
			t.Helper()
			if _, err := lg.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			rep, err := ledger.Verify(ctx, db, key.Verifier)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || !rep.RecordsChecked {
				t.Fatalf("%s: log verify: %+v", when, rep)
			}
		}
		acc := account{kind: truce.SourceMonitor, name: "OSCE SMM", lat: north(*fire.Lat, 1), lon: *fire.Lon, r: 2,
			from: fire.From.Add(-time.Hour), hours: 0.5, domains: []string{"air", "land"}}
		rid := create(t, db, acc)[0]
		groupNew(t, db, g)
		before := incidentOf(t, db, rid)
		d0, err := db.IncidentDetail(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d0.Corroboration.Fires != 0 || d0.Score != 0 {
			t.Fatalf("before any detection: %d fires, score %v", d0.Corroboration.Fires, d0.Score)
		}

		// importBatch stores obs and returns the ids its leaf logs.
		importBatch := func(obs []truce.Observation) (first, last int64) {
			t.Helper()
			if _, _, err := db.ImportObservations(ctx, obs); err != nil {
				t.Fatal(err)
			}
			n := logSize(t, db)
			es, err := db.LogEntries(ctx, n-1, n)
			if err != nil || len(es) != 1 {
				t.Fatalf("last leaf: %v, %v", es, err)
			}
			first, last, ok := store.ObservationRange(es[0].Kind, es[0].RecordID)
			if !ok || last-first+1 != int64(len(obs)) {
				t.Fatalf("leaf %s %s: range %d–%d, ok %v; %d observations imported", es[0].Kind, es[0].RecordID, first, last, ok, len(obs))
			}
			return first, last
		}

		// Far detections: nothing changes, nothing is logged.
		first, last := importBatch(far)
		size := logSize(t, db)
		sum, err := db.CorroborateObservations(ctx, g, first, last)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Changed) != 0 || len(sum.Groupings) != 0 || logSize(t, db) != size {
			t.Errorf("far detections: %+v, log %d → %d", sum, size, logSize(t, db))
		}
		d1, err := db.IncidentDetail(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d1.Version != d0.Version || d1.Corroboration.Fires != 0 || d1.Score != 0 {
			t.Errorf("far detections changed the incident: version %d → %d, %d fires, score %v", d0.Version, d1.Version, d1.Corroboration.Fires, d1.Score)
		}
		verify("after far detections")

		// Near detections: the breakdown shows them, in a logged version.
		first, last = importBatch(near)
		sum, err = db.CorroborateObservations(ctx, g, first, last)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Changed) != 1 || sum.Changed[0] != before.ID || len(sum.Groupings) != 1 || len(sum.Live()) != 1 {
			t.Fatalf("near detections: %+v, want incident %d changed in one grouping", sum, before.ID)
		}
		stored, err := db.Observations(ctx, store.ObservationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		d2, err := db.IncidentDetail(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantFires, _ := bruteForce(stored, d2.Incident, d2.RadiusKm)
		c := d2.Corroboration
		if wantFires == 0 || c.Fires != wantFires || len(c.FireIDs) != min(10, wantFires) {
			t.Errorf("near detections: %d fires (%d ids), brute force %d", c.Fires, len(c.FireIDs), wantFires)
		}
		if d2.Version != d0.Version+1 || d2.Score != 0.2 || c.Score != 0.2 || c.Terms[1].Points != 0.2 {
			t.Errorf("near detections: version %d (was %d), score %v, breakdown %+v", d2.Version, d0.Version, d2.Score, c.Terms)
		}
		rec, err := db.Record(ctx, store.KindIncidentGrouping, strconv.FormatInt(sum.Groupings[0], 10))
		if err != nil {
			t.Fatal(err)
		}
		gr, ok := rec.(store.GroupingRecord)
		if !ok || gr.Kind != store.GroupingSensors || len(gr.States) != 1 || gr.States[0].ID != before.ID {
			b, _ := json.Marshal(rec)
			t.Errorf("grouping record %s", b)
		}
		verify("after near detections")

		// Alerts over other oblasts: no change.
		first, last = importBatch(alertsElsewhere)
		size = logSize(t, db)
		if sum, err := db.CorroborateObservations(ctx, g, first, last); err != nil || len(sum.Changed) != 0 || logSize(t, db) != size {
			t.Errorf("alerts elsewhere: %+v, %v, log %d → %d", sum, err, size, logSize(t, db))
		}
		if d, err := db.IncidentDetail(ctx, before.ID); err != nil || d.Version != d2.Version || d.Corroboration.Alerts != 0 {
			t.Errorf("alerts elsewhere changed the incident: %+v, %v", d.Corroboration, err)
		}
		// Alerts over its oblast: the alerts' term.
		first, last = importBatch(alertsHere)
		if sum, err := db.CorroborateObservations(ctx, g, first, last); err != nil || !slices.Equal(sum.Changed, []int64{before.ID}) {
			t.Errorf("alerts here: %+v, %v", sum, err)
		}
		if stored, err = db.Observations(ctx, store.ObservationFilter{}); err != nil {
			t.Fatal(err)
		}
		d3, err := db.IncidentDetail(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, wantAlerts := bruteForce(stored, d3.Incident, d3.RadiusKm)
		if wantAlerts == 0 || d3.Corroboration.Alerts != wantAlerts || d3.Score != 0.4 || d3.Version != d2.Version+1 || d3.Corroboration.Fires != c.Fires {
			t.Errorf("alerts here: %d alerts (brute force %d), %d fires, score %v, version %d (was %d)",
				d3.Corroboration.Alerts, wantAlerts, d3.Corroboration.Fires, d3.Score, d3.Version, d2.Version)
		}
		verify("after alerts")

		// The same observations again: nothing more to change.
		size = logSize(t, db)
		if sum, err := db.CorroborateObservations(ctx, g, first, last); err != nil || len(sum.Changed) != 0 || logSize(t, db) != size {
			t.Errorf("again: %+v, %v, log %d → %d", sum, err, size, logSize(t, db))
		}
		if _, err := db.CorroborateObservations(ctx, g, 5, 4); err == nil {
			t.Error("a reversed id range was accepted")
		}
	})
}

// BenchmarkCorroborateObservations groups the real UCDP events of
// 2014-2022 with their made-up media reports (see withMedia), then
// imports NASA FIRMS' 2022 detections over Ukraine (about 134,000, a
// late import onto a live mission) and times CorroborateObservations for
// them, on SQLite. It reports how many incidents got a new version (their
// score moved) on the first run; later runs change nothing.
func BenchmarkCorroborateObservations(b *testing.B) {
	ctx := context.Background()
	g := grouper(b)
	db := mustOpen(b, "sqlite", newClock())
	rs := withMedia(b)
	for i := 0; i < len(rs); i += 5000 {
		if _, _, err := db.ImportReports(ctx, rs[i:min(i+5000, len(rs))]); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.GroupNew(ctx, g); err != nil {
		b.Fatal(err)
	}
	fires := readShared(b, ingest.FormatFIRMS, "firms/ukraine-2022-trimmed.csv").obs
	for i := 0; i < len(fires); i += 20000 {
		if _, _, err := db.ImportObservations(ctx, fires[i:min(i+20000, len(fires))]); err != nil {
			b.Fatal(err)
		}
	}
	stored, err := db.Observations(ctx, store.ObservationFilter{Limit: 1})
	if err != nil || len(stored) == 0 {
		b.Fatal(stored, err)
	}
	first, last := stored[0].ID, stored[0].ID+int64(len(fires))-1
	changed := 0
	for b.Loop() {
		sum, err := db.CorroborateObservations(ctx, g, first, last)
		if err != nil {
			b.Fatal(err)
		}
		changed = max(changed, len(sum.Changed))
	}
	b.ReportMetric(float64(len(rs)), "reports")
	b.ReportMetric(float64(len(fires)), "fires")
	b.ReportMetric(float64(changed), "changed")
}
