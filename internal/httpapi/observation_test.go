package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

func init() {
	addMatrixSamples(map[string]sample{
		"GET /api/v1/observations": {path: "/api/v1/observations?kind=fire&limit=10", ok: 200},
	})
}

// observationEnv is a test server with three fires near Donetsk on
// 13 May 2025 (10:00, 11:00, 12:00), one fire in Lviv on 14 May and an
// air-raid alert over Donetsk oblast from 09:00 to 13:00 on 13 May.
func observationEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t, Config{})
	f := func(x float64) *float64 { return &x }
	at := func(d, h int) time.Time { return time.Date(2025, 5, d, h, 0, 0, 0, time.UTC) }
	var obs []truce.Observation
	for i, h := range []int{10, 11, 12} {
		obs = append(obs, truce.Observation{Kind: truce.ObservationFire, Source: "FIRMS test", ExternalID: fmt.Sprint("d", i),
			From: at(13, h), Lat: f(48.0 + float64(i)/100), Lon: f(37.8), Confidence: "n"})
	}
	obs = append(obs,
		truce.Observation{Kind: truce.ObservationFire, Source: "FIRMS test", ExternalID: "lviv", From: at(14, 3), Lat: f(49.84), Lon: f(24.03)},
		truce.Observation{Kind: truce.ObservationAlert, Source: "alerts test", ExternalID: "a1", From: at(13, 9), To: at(13, 13),
			Admin1: "UA-14", Region: "Донецька область"})
	if _, _, err := e.db.ImportObservations(context.Background(), obs); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestObservationsFilters(t *testing.T) {
	e := observationEnv(t)
	for _, tc := range []struct {
		name, query string
		want        []string // external ids, in order
	}{
		{"all", "", []string{"d0", "d1", "d2", "lviv", "a1"}},
		{"fires", "kind=fire", []string{"d0", "d1", "d2", "lviv"}},
		{"alerts", "kind=alert", []string{"a1"}},
		{"bbox Donbas", "bbox=37,47,39,49", []string{"d0", "d1", "d2"}},
		{"window", "from=2025-05-13T10:30:00Z&to=2025-05-13T12:00:00Z", []string{"d1", "a1"}},
		{"alert overlapping the window's start", "kind=alert&from=2025-05-13T12:59:00Z", []string{"a1"}},
		{"after the alert", "kind=alert&from=2025-05-13T13:00:01Z", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := decode[observationsJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/observations?"+tc.query, ""), http.StatusOK)
			ids := []string{}
			for _, o := range got.Observations {
				ids = append(ids, o.ExternalID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", ids, tc.want)
			}
			if got.NextCursor != "" {
				t.Errorf("next_cursor %q on a last page", got.NextCursor)
			}
		})
	}
}

func TestObservationsPages(t *testing.T) {
	e := observationEnv(t)
	var ids []string
	path := "/api/v1/observations?kind=fire&limit=3"
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("pages never end")
		}
		got := decode[observationsJSON](t, e.do(truce.RolePublic, "GET", path, ""), http.StatusOK)
		if len(got.Observations) > 3 {
			t.Fatalf("%d observations on a page of 3", len(got.Observations))
		}
		for _, o := range got.Observations {
			ids = append(ids, o.ExternalID)
		}
		if got.NextCursor == "" {
			break
		}
		path = "/api/v1/observations?kind=fire&limit=3&cursor=" + url.QueryEscape(got.NextCursor)
	}
	if fmt.Sprint(ids) != "[d0 d1 d2 lviv]" {
		t.Errorf("paged through %v", ids)
	}
}

func TestObservationsBadParameters(t *testing.T) {
	e := observationEnv(t)
	for _, tc := range []struct{ query, field string }{
		{"kind=smoke", "kind"},
		{"from=yesterday", "from"},
		{"to=2025-13-01T00:00:00Z", "to"},
		{"from=2025-05-14T00:00:00Z&to=2025-05-13T00:00:00Z", "to"},
		{"bbox=1,2,3", "bbox"},
		{"bbox=37,49,39,47", "bbox"},
		{"limit=0", "limit"},
		{"limit=1001", "limit"},
		{"cursor=nonsense", "cursor"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := decode[truce.Error](t, e.do(truce.RolePublic, "GET", "/api/v1/observations?"+tc.query, ""), http.StatusBadRequest)
			if got.Field != tc.field || got.Code != truce.EINVALID {
				t.Errorf("got %+v, want EINVALID on %s", got, tc.field)
			}
		})
	}
}
