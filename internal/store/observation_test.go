package store_test

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

func testObservations() []truce.Observation {
	return []truce.Observation{
		{Kind: truce.ObservationFire, Source: "FIRMS VIIRS_SNPP_NRT", ExternalID: "47.62075,35.71787,2023-02-24T11:06",
			From: time.Date(2023, 2, 24, 11, 6, 0, 0, time.UTC), To: time.Date(2023, 2, 24, 11, 6, 0, 0, time.UTC),
			Lat: ptr(47.62075), Lon: ptr(35.71787), RadiusKm: 0.375, Admin1: "UA-23", Confidence: "n",
			Attributes: `{"brightness":344.94,"frp":7.75,"daynight":"D"}`},
		{Kind: truce.ObservationAlert, Source: "alerts official", ExternalID: "Kharkivska oblast 2022-03-15T01:02:03Z",
			From: time.Date(2022, 3, 15, 1, 2, 3, 0, time.UTC), To: time.Date(2022, 3, 15, 2, 30, 0, 0, time.UTC),
			Admin1: "UA-63", Region: "Kharkivska oblast"},
	}
}

func TestObservations(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		in := testObservations()
		// Not in normal form: a zone, nanoseconds, no To for the fire.
		in[0].From = in[0].From.In(time.FixedZone("EET", 2*3600)).Add(999)
		in[0].To = time.Time{}
		added, present, err := db.ImportObservations(ctx, in)
		if err != nil || added != 2 || present != 0 {
			t.Fatalf("ImportObservations = %d, %d, %v", added, present, err)
		}
		want := testObservations()
		want[0].ID, want[1].ID = 1, 2
		got, err := db.Observations(ctx, store.ObservationFilter{})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Observations =\n%+v, %v\nwant\n%+v", got, err, want)
		}
		rec, err := db.Record(ctx, ledger.KindObservation, "2")
		if err != nil || !reflect.DeepEqual(rec, want[1]) {
			t.Errorf("Record(observation 2) = %+v, %v", rec, err)
		}

		// Dedupe on (source, external id): the same id from another source is new.
		again := testObservations()
		again[1].Source = "alerts volunteer"
		added, present, err = db.ImportObservations(ctx, again)
		if err != nil || added != 1 || present != 1 {
			t.Fatalf("second ImportObservations = %d, %d, %v; want 1, 1", added, present, err)
		}

		cases := []struct {
			name string
			f    store.ObservationFilter
			want []int64
		}{
			{"kind", store.ObservationFilter{Kind: truce.ObservationAlert}, []int64{2, 3}},
			{"source", store.ObservationFilter{Source: "alerts volunteer"}, []int64{3}},
			{"admin1", store.ObservationFilter{Admin1: "UA-23"}, []int64{1}},
			{"bbox", store.ObservationFilter{BBox: &[4]float64{35, 47, 36, 48}}, []int64{1}},
			{"the fire's instant", store.ObservationFilter{From: time.Date(2023, 2, 24, 11, 6, 0, 0, time.UTC), To: time.Date(2023, 2, 24, 11, 7, 0, 0, time.UTC)}, []int64{1}},
			{"during the alert", store.ObservationFilter{From: time.Date(2022, 3, 15, 2, 0, 0, 0, time.UTC), To: time.Date(2022, 3, 15, 2, 1, 0, 0, time.UTC)}, []int64{2, 3}},
			{"after the alert", store.ObservationFilter{From: time.Date(2022, 3, 15, 2, 30, 1, 0, time.UTC), To: time.Date(2022, 3, 16, 0, 0, 0, 0, time.UTC)}, nil},
			{"page", store.ObservationFilter{AfterID: 1, Limit: 1}, []int64{2}},
		}
		for _, c := range cases {
			got, err := db.Observations(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, o := range got {
				ids = append(ids, o.ID)
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("%s: ids %v, want %v", c.name, ids, c.want)
			}
		}
		entries := checkLog(t, db, 2)
		if entries[0].Kind != store.KindObservationBatch || entries[0].RecordID != "1-2" || entries[1].RecordID != "3-3" {
			t.Errorf("leaves %s %s, %s", entries[0].Kind, entries[0].RecordID, entries[1].RecordID)
		}
	})
}

func TestObservationValidation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		cases := []struct {
			edit  func(*truce.Observation)
			field string
		}{
			{func(o *truce.Observation) { o.Kind = "quake" }, "kind"},
			{func(o *truce.Observation) { o.Source = " " }, "source"},
			{func(o *truce.Observation) { o.ExternalID = "" }, "external_id"},
			{func(o *truce.Observation) { o.From = time.Time{} }, "from"},
			{func(o *truce.Observation) { o.To = o.From.Add(-time.Second) }, "to"},
			{func(o *truce.Observation) { o.Lon = nil }, "lat"},
			{func(o *truce.Observation) { o.Lat = ptr(-91.0) }, "lat"},
			{func(o *truce.Observation) { o.RadiusKm = 1e6 }, "radius_km"},
			{func(o *truce.Observation) { o.Attributes = "\xff" }, "attributes"},
		}
		for _, c := range cases {
			obs := testObservations()
			c.edit(&obs[0])
			_, _, err := db.ImportObservations(ctx, append(obs[1:], obs[0]))
			var e *truce.Error
			if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != "observations[1]."+c.field {
				t.Errorf("ImportObservations: %v, want EINVALID on observations[1].%s", err, c.field)
			}
		}
		if got, err := db.Observations(ctx, store.ObservationFilter{}); err != nil || len(got) != 0 {
			t.Errorf("%d observations stored from failed batches, %v", len(got), err)
		}
		checkLog(t, db, 0)
	})
}

// firms reads the first n real FIRMS detections as observations, with
// the external id an importer would give them.
func firms(tb testing.TB, n int) []truce.Observation {
	f, err := os.Open(filepath.Join("..", "..", "..", "shared", "data", "firms", "viirs-snpp-nrt-ukraine-2023.csv"))
	if err != nil {
		tb.Fatalf("FIRMS data: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		tb.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var obs []truce.Observation
	for len(obs) < n {
		row, err := r.Read()
		if err != nil {
			tb.Fatal(err)
		}
		get := func(k string) string { return row[col[k]] }
		lat, _ := strconv.ParseFloat(get("latitude"), 64)
		lon, _ := strconv.ParseFloat(get("longitude"), 64)
		at, err := time.Parse("2006-01-02 1504", get("acq_date")+" "+get("acq_time"))
		if err != nil {
			tb.Fatalf("FIRMS row %v: %v", row, err)
		}
		obs = append(obs, truce.Observation{
			Kind: truce.ObservationFire, Source: "FIRMS VIIRS_SNPP_NRT",
			ExternalID: strings.Join([]string{get("latitude"), get("longitude"), get("acq_date"), get("acq_time"), get("satellite")}, ","),
			From:       at, To: at, Lat: &lat, Lon: &lon, RadiusKm: 0.375, Confidence: get("confidence"),
		})
	}
	return obs
}

func TestImportFIRMS(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		obs := firms(t, 3000)
		distinct := map[string]bool{}
		for _, o := range obs {
			distinct[o.ExternalID] = true
		}
		added, present, err := db.ImportObservations(ctx, obs[:2000])
		if err != nil {
			t.Fatal(err)
		}
		added2, present2, err := db.ImportObservations(ctx, obs)
		if err != nil {
			t.Fatal(err)
		}
		if added+added2 != len(distinct) || added+present+added2+present2 != 5000 {
			t.Errorf("added %d+%d present %d+%d; want %d distinct of 5000", added, added2, present, present2, len(distinct))
		}
		got, err := db.Observations(ctx, store.ObservationFilter{Limit: 5})
		if err != nil || len(got) != 5 || got[0].ExternalID != obs[0].ExternalID || *got[0].Lat != *obs[0].Lat {
			t.Errorf("Observations(limit 5) = %+v, %v", got, err)
		}
		checkLog(t, db, 2)
	})
}
