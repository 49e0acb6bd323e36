package demo

import (
	"context"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// The extracts' row counts, read off the files (zcat | wc -l, less the
// header; every row is a distinct detection or alert): 829 FIRMS
// detections, 2,281 alerts.
const (
	wantFires  = 829
	wantAlerts = 2281
)

func TestLoadSensors(t *testing.T) {
	gz := mustGazetteer(t)
	for backend, dsn := range stores(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2025, 5, 12, 8, 0, 0, 0, time.UTC)
			db, err := store.Open(ctx, dsn, store.Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			first, err := Load(ctx, db, gz, nil)
			if err != nil {
				t.Fatal(err)
			}
			if first.SensorsAdded != wantFires+wantAlerts || first.SensorsPresent != 0 || first.SensorsRejected != 0 {
				t.Errorf("first load: sensors %d added, %d present, %d rejected; want %d, 0, 0",
					first.SensorsAdded, first.SensorsPresent, first.SensorsRejected, wantFires+wantAlerts)
			}
			count := func(kind string) int {
				obs, err := db.Observations(ctx, store.ObservationFilter{Kind: kind})
				if err != nil {
					t.Fatal(err)
				}
				return len(obs)
			}
			if n := count(truce.ObservationFire); n != wantFires {
				t.Errorf("%d fires stored, want %d", n, wantFires)
			}
			if n := count(truce.ObservationAlert); n != wantAlerts {
				t.Errorf("%d alerts stored, want %d", n, wantAlerts)
			}

			second, err := Load(ctx, db, gz, nil)
			if err != nil {
				t.Fatal(err)
			}
			if second.SensorsAdded != 0 || second.SensorsPresent != wantFires+wantAlerts {
				t.Errorf("second load: sensors %d added, %d present; want 0, %d", second.SensorsAdded, second.SensorsPresent, wantFires+wantAlerts)
			}
			if n := count(""); n != wantFires+wantAlerts {
				t.Errorf("%d observations after the second load, want %d", n, wantFires+wantAlerts)
			}
		})
	}
}

// TestSensorsCorroborate groups the demo's reports and checks that FIRMS
// detections corroborate the UCDP event of 21 February 2022 at
// 48.41955 N 38.032433 E in Donetsk oblast (where_prec 1, the exact
// place): the extract has two detections that day 0.6 and 1.1 km away
// (measured on the CSV files).
func TestSensorsCorroborate(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, stores(t)["sqlite"], store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := Load(ctx, db, mustGazetteer(t), nil); err != nil {
		t.Fatal(err)
	}
	g, err := incident.NewGrouper(mustGazetteer(t), incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.GroupNew(ctx, g); err != nil {
		t.Fatal(err)
	}
	incs, err := db.Incidents(ctx, store.IncidentFilter{
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var withFires, withAlerts int
	var event *store.IncidentDetail
	noon21 := time.Date(2022, 2, 21, 12, 0, 0, 0, time.UTC) // the event's day, whichever time zone it is counted in
	for _, inc := range incs {
		d, err := db.IncidentDetail(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Corroboration.Fires > 0 {
			withFires++
		}
		if d.Corroboration.Alerts > 0 {
			withAlerts++
		}
		if d.Lat > 48.41 && d.Lat < 48.43 && d.Lon > 38.02 && d.Lon < 38.04 && d.From.Before(noon21) && d.To.After(noon21) {
			event = &d
		}
		t.Logf("incident %d %s %v,%v r%.0f km: %d fires, %d alerts, score %.2f", d.ID, d.From.Format(time.DateOnly),
			d.Lat, d.Lon, d.RadiusKm, d.Corroboration.Fires, d.Corroboration.Alerts, d.Corroboration.Score)
	}
	t.Logf("%d incidents in Jan-Feb 2022: %d with fires, %d with alerts", len(incs), withFires, withAlerts)
	// The alert record starts on 25 February 2022, after UCDP's last
	// events (the first Donbas alert is on 27 February): alerts are a map
	// layer in the demo, not corroboration.
	if withAlerts != 0 {
		t.Errorf("%d incidents corroborated by alerts, but no alert of the extract overlaps an incident", withAlerts)
	}
	if event == nil {
		t.Fatal("no incident for the UCDP event of 21 February 2022 at 48.41955 N 38.032433 E")
	}
	if event.Corroboration.Fires < 2 {
		t.Errorf("incident %d: %d fires, want at least the 2 detections within 1.1 km", event.ID, event.Corroboration.Fires)
	}
	found := false
	for _, term := range event.Corroboration.Terms {
		if term.Name == "FIRMS fire detections" && term.Points > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("incident %d: the FIRMS term scores nothing: %+v", event.ID, event.Corroboration.Terms)
	}
}
