package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/store"
)

// TestSensorCorroboration places incidents near a real FIRMS detection
// during a real air-raid alert over its oblast, and far from it, with
// the day's real detections and the week's real alerts in the store; the
// counts must be what a brute-force reading of the same rows gives.
func TestSensorCorroboration(t *testing.T) {
	fires := readShared(t, ingest.FormatFIRMS, "firms/viirs-snpp-nrt-ukraine-2023.csv").obs
	alerts := readShared(t, ingest.FormatAlerts, "alerts/official_data_en_2022-03-15_2024-04-22.csv").obs
	gz, err := gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	// A detection with an alert over its oblast 45 minutes before it.
	var fire, alert truce.Observation
	for _, f := range fires {
		unit, ok := gz.Admin1At(*f.Lat, *f.Lon)
		if !ok {
			continue
		}
		at := f.From.Add(-45 * time.Minute)
		i := slices.IndexFunc(alerts, func(a truce.Observation) bool {
			return a.Admin1 == unit && !a.From.After(at) && !a.To.Before(at)
		})
		if i >= 0 {
			fire, alert = f, alerts[i]
			break
		}
	}
	if fire.Lat == nil {
		t.Fatal("no FIRMS detection during an alert over its oblast")
	}
	t.Logf("fire %s at %.4f, %.4f, %s; alert %s over %s", fire.ExternalID, *fire.Lat, *fire.Lon, fire.From, alert.ExternalID, alert.Admin1)
	var obs []truce.Observation
	for _, f := range fires {
		if d := f.From.Sub(fire.From); d > -48*time.Hour && d < 48*time.Hour {
			obs = append(obs, f)
		}
	}
	for _, a := range alerts {
		if d := a.From.Sub(fire.From); d > -7*24*time.Hour && d < 7*24*time.Hour {
			obs = append(obs, a)
		}
	}
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		g := grouper(t)
		if _, _, err := db.ImportObservations(ctx, obs); err != nil {
			t.Fatal(err)
		}
		stored, err := db.Observations(ctx, store.ObservationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		from := fire.From.Add(-time.Hour)
		near := account{kind: truce.SourceMonitor, name: "OSCE SMM", lat: north(*fire.Lat, 1), lon: *fire.Lon, r: 2, from: from, hours: 0.5, domains: []string{"air", "land"}}
		// Far: 40 km away, two days later.
		far := account{kind: truce.SourceMonitor, name: "OSCE SMM", lat: north(*fire.Lat, 40), lon: *fire.Lon, r: 2, from: from.Add(48 * time.Hour), hours: 0.5, domains: []string{"air", "land"}}
		ids := create(t, db, near, far)
		groupNew(t, db, g)
		for i, id := range ids {
			d, err := db.IncidentDetail(ctx, incidentOf(t, db, id).ID)
			if err != nil {
				t.Fatal(err)
			}
			wantFires, wantAlerts := bruteForce(stored, d.Incident, d.RadiusKm)
			c := d.Corroboration
			if c.Fires != wantFires || c.Alerts != wantAlerts {
				t.Errorf("incident %d: %d fires, %d alerts; brute force %d, %d", d.ID, c.Fires, c.Alerts, wantFires, wantAlerts)
			}
			wantScore := 0.0
			if wantFires > 0 {
				wantScore += 0.2
			}
			if wantAlerts > 0 {
				wantScore += 0.2
			}
			if c.Score != wantScore || d.Score != wantScore {
				t.Errorf("incident %d: score %v (row %v), want %v: %+v", d.ID, c.Score, d.Score, wantScore, c.Terms)
			}
			switch i {
			case 0:
				if wantFires == 0 || wantAlerts == 0 || !slices.Contains(c.AlertIDs, alertID(stored, alert)) || !strings.Contains(c.Terms[1].Why, "detection") {
					t.Errorf("near: %+v", c)
				}
			case 1:
				if wantFires != 0 {
					t.Errorf("far: %d fires", wantFires)
				}
			}
		}
	})
}

// bruteForce counts the fires whose pixel reaches within radius km of the
// incident's centre within 6 h of its interval, and the alerts over its
// oblast on during it, by checking every observation.
func bruteForce(obs []truce.Observation, inc truce.Incident, radius float64) (fires, alerts int) {
	lo, hi := inc.From.Add(-6*time.Hour), inc.To.Add(6*time.Hour)
	for _, o := range obs {
		switch o.Kind {
		case truce.ObservationFire:
			if !o.To.Before(lo) && !o.From.After(hi) && geo.DistanceKm(inc.Lat, inc.Lon, *o.Lat, *o.Lon) <= radius+o.RadiusKm {
				fires++
			}
		case truce.ObservationAlert:
			if o.Admin1 == inc.Admin1 && o.From.Before(inc.To) && !o.To.Before(inc.From) {
				alerts++
			}
		}
	}
	return fires, alerts
}

func alertID(obs []truce.Observation, a truce.Observation) int64 {
	for _, o := range obs {
		if o.Source == a.Source && o.ExternalID == a.ExternalID {
			return o.ID
		}
	}
	return 0
}
