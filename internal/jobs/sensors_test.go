package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/jobs"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// TestPipelineSensors: an incident is grouped with no sensor support;
// then, while the pipeline runs, a FIRMS detection and an air-raid alert
// are imported far from it (another oblast, 200 km away): nothing about
// it changes; then a detection 1 km from it and an alert over its oblast
// during it: the pipeline corroborates it again, its breakdown shows
// both and its score rises from 0 to 0.4 in a new version. The log
// verifies at the end.
func TestPipelineSensors(t *testing.T) {
	for _, d := range []string{store.SQLite, store.Postgres} {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := openStore(t, d)
			for _, p := range []truce.Party{{Code: "UA", Name: "Ukraine"}, {Code: "RU", Name: "Russia"}} {
				if _, err := db.PutParty(ctx, p, "admin"); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := db.PutAgreement(ctx, truceOf("2025-05-11T00:00"), "admin"); err != nil {
				t.Fatal(err)
			}
			p := jobs.NewPipeline(db, grouper(t), slog.New(slog.NewTextHandler(tlog{t}, nil)))
			var seen steps
			p.Step = seen.add
			pctx, pcancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); p.Lead(pctx) }()
			defer func() { pcancel(); <-done }()

			// One monitor's account of shelling in Pokrovsk, 10:00-11:00
			// UTC on 9 May 2025.
			r := shelling("a", truce.SourceMonitor, "Mission patrol", 48.28, 37.18)
			if _, err := db.CreateReport(ctx, &r); err != nil {
				t.Fatal(err)
			}
			var inc store.IncidentDetail
			eventually(t, "the report grouped and judged", func() (bool, error) {
				got, err := db.Report(ctx, r.ID)
				if err != nil || got.IncidentID == nil {
					return false, err
				}
				fs, err := db.SubjectFindings(ctx, "incident", *got.IncidentID)
				if err != nil || len(fs) != 1 {
					return false, err
				}
				inc, err = db.IncidentDetail(ctx, *got.IncidentID)
				return err == nil, err
			})
			if inc.Corroboration.Fires != 0 || inc.Corroboration.Alerts != 0 || inc.Score != 0 || inc.Admin1 == "" {
				t.Fatalf("before any observation: %d fires, %d alerts, score %v, oblast %q", inc.Corroboration.Fires, inc.Corroboration.Alerts, inc.Score, inc.Admin1)
			}
			gz, err := gazetteer()
			if err != nil {
				t.Fatal(err)
			}
			farUnit, ok := gz.Admin1At(49.99, 36.23) // Kharkiv
			if !ok || farUnit == inc.Admin1 {
				t.Fatalf("Kharkiv's oblast %q, %v; the incident's %q", farUnit, ok, inc.Admin1)
			}
			at := time.Date(2025, 5, 9, 10, 30, 0, 0, time.UTC)
			fire := func(id string, lat, lon float64) truce.Observation {
				return truce.Observation{Kind: truce.ObservationFire, Source: "FIRMS VIIRS_SNPP_NRT", ExternalID: id,
					From: at, Lat: &lat, Lon: &lon, RadiusKm: 0.375}
			}
			alert := func(id, unit string) truce.Observation {
				return truce.Observation{Kind: truce.ObservationAlert, Source: "alerts official", ExternalID: id,
					From: at.Add(-90 * time.Minute), To: at.Add(time.Hour), Admin1: unit}
			}
			// importAndWait imports obs and waits for the pipeline step that
			// read their leaf.
			importAndWait := func(obs ...truce.Observation) jobs.Step {
				t.Helper()
				if _, _, err := db.ImportObservations(ctx, obs); err != nil {
					t.Fatal(err)
				}
				// The step must have read the observations' leaf (the
				// pipeline may have written more since: its own).
				n, err := db.LogSize(ctx)
				if err != nil {
					t.Fatal(err)
				}
				es, err := db.LogEntries(ctx, 0, n)
				if err != nil {
					t.Fatal(err)
				}
				size := int64(-1)
				for _, e := range es {
					if e.Kind == store.KindObservationBatch {
						size = e.Index + 1 // the last batch: this one
					}
				}
				var last jobs.Step
				eventually(t, "a step past the observations", func() (bool, error) {
					seen.mu.Lock()
					defer seen.mu.Unlock()
					i := slices.IndexFunc(seen.all, func(s jobs.Step) bool { return s.Through >= size })
					if i < 0 {
						return false, nil
					}
					last = seen.all[i]
					return true, nil
				})
				return last
			}

			// Far: 200 km away, and another oblast.
			step := importAndWait(fire("far-1", 49.99, 36.23), alert("far-2", farUnit))
			if len(step.Sensors.Changed) != 0 {
				t.Errorf("far observations changed incidents %v", step.Sensors.Changed)
			}
			after, err := db.IncidentDetail(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Version != inc.Version || after.Corroboration.Fires != 0 || after.Corroboration.Alerts != 0 || after.Score != 0 {
				t.Errorf("far observations: version %d → %d, %d fires, %d alerts, score %v",
					inc.Version, after.Version, after.Corroboration.Fires, after.Corroboration.Alerts, after.Score)
			}

			// Near: 1 km north, and an alert over its oblast during it.
			step = importAndWait(fire("near-1", 48.28+1/111.19508, 37.18), alert("near-2", inc.Admin1))
			if !slices.Equal(step.Sensors.Changed, []int64{inc.ID}) || step.Judged != 1 {
				t.Errorf("near observations: step %+v, want incident %d changed and judged", step, inc.ID)
			}
			after, err = db.IncidentDetail(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			c := after.Corroboration
			if c.Fires != 1 || c.Alerts != 1 || len(c.FireIDs) != 1 || len(c.AlertIDs) != 1 || c.Score != 0.4 || after.Score != 0.4 || after.Version != inc.Version+1 {
				t.Errorf("near observations: version %d (was %d), score %v, breakdown %+v", after.Version, inc.Version, after.Score, c)
			}
			near, err := db.Observations(ctx, store.ObservationFilter{Source: "FIRMS VIIRS_SNPP_NRT"})
			if err != nil {
				t.Fatal(err)
			}
			if i := slices.IndexFunc(near, func(o truce.Observation) bool { return o.ExternalID == "near-1" }); i < 0 || len(c.FireIDs) != 1 || c.FireIDs[0] != near[i].ID {
				t.Errorf("fire ids %v, stored %+v", c.FireIDs, near)
			}
			fs, err := db.SubjectFindings(ctx, "incident", inc.ID)
			if err != nil || len(fs) != 1 || fs[0].Verdict != truce.VerdictViolation {
				t.Errorf("findings after corroboration: %+v, %v", fs, err)
			}

			// The pipeline's writes keep the log verifiable.
			pcancel()
			<-done
			key, err := ledger.OpenKey(filepath.Join(t.TempDir(), "log.key"), "truce.test/log")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ledger.NewLog(db, key.Signer, nil).Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			rep, err := ledger.Verify(ctx, db, key.Verifier)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || !rep.RecordsChecked {
				t.Errorf("log verify: %s", fmt.Sprint(rep.Problems))
			}
		})
	}
}

// TestPipelineFirstRunSensors: an incident grouped before the pipeline
// kept a cursor (here by GroupNew directly), and a detection 1 km from it
// imported after: the first leader, with no cursor to resume from,
// corroborates it again.
func TestPipelineFirstRunSensors(t *testing.T) {
	for _, d := range []string{store.SQLite, store.Postgres} {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := openStore(t, d)
			r := shelling("a", truce.SourceMonitor, "Mission patrol", 48.28, 37.18)
			if _, err := db.CreateReport(ctx, &r); err != nil {
				t.Fatal(err)
			}
			sum, err := db.GroupNew(ctx, grouper(t))
			if err != nil || len(sum.Created) != 1 {
				t.Fatalf("GroupNew = %+v, %v", sum, err)
			}
			id := sum.Created[0]
			lat, lon := 48.28+1/111.19508, 37.18
			fire := truce.Observation{Kind: truce.ObservationFire, Source: "FIRMS VIIRS_SNPP_NRT", ExternalID: "near-1",
				From: time.Date(2025, 5, 9, 10, 30, 0, 0, time.UTC), Lat: &lat, Lon: &lon, RadiusKm: 0.375}
			if _, _, err := db.ImportObservations(ctx, []truce.Observation{fire}); err != nil {
				t.Fatal(err)
			}
			if d, err := db.IncidentDetail(ctx, id); err != nil || d.Corroboration.Fires != 0 {
				t.Fatalf("before the pipeline: %+v, %v", d.Corroboration, err)
			}
			p := jobs.NewPipeline(db, grouper(t), nil)
			pctx, pcancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); p.Lead(pctx) }()
			defer func() { pcancel(); <-done }()
			eventually(t, "the incident corroborated by the detection", func() (bool, error) {
				d, err := db.IncidentDetail(ctx, id)
				if err != nil {
					return false, err
				}
				return d.Corroboration.Fires == 1 && d.Score == 0.2, fmt.Errorf("corroboration %+v", d.Corroboration)
			})
		})
	}
}

// tlog writes the pipeline's log to the test's.
type tlog struct{ t *testing.T }

func (w tlog) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }
