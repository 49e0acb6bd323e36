package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// TestUISensorLayers toggles the dashboard's FIRMS and air-raid alert
// layers on the demo mission, as the public: the layers draw what the
// store holds for the time slider's range, on the map's canvases, from
// the server under test only.
func TestUISensorLayers(t *testing.T) {
	s := uiServer(t)
	ctx := context.Background()
	// The public sees verified incidents, and the slider spans their days:
	// one of late January 2022 that the jobs found FIRMS detections near
	// (the demo's UCDP events and fires meet there) and one of May 2025,
	// so that the range holds most fires and every alert of the demo.
	jan, err := s.db.Incidents(ctx, store.IncidentFilter{Status: truce.IncidentAlleged,
		From: time.Date(2022, 1, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var early []truce.Incident
	var earlyFires int
	for _, inc := range jan {
		d, err := s.db.IncidentDetail(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Corroboration.Fires > 0 {
			early, earlyFires = []truce.Incident{inc}, d.Corroboration.Fires
			break
		}
	}
	if len(early) == 0 {
		t.Fatalf("none of the %d incidents of late January 2022 is corroborated by a FIRMS detection", len(jan))
	}
	late, err := s.db.Incidents(ctx, store.IncidentFilter{Status: truce.IncidentAlleged, From: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), Limit: 1})
	if err != nil || len(late) != 1 {
		t.Fatalf("an incident of May 2025: %v, %v", late, err)
	}
	for _, inc := range []truce.Incident{early[0], late[0]} {
		if _, err := s.db.Transition(ctx, truce.Transition{IncidentID: inc.ID, From: inc.Status, To: truce.IncidentVerified,
			Reason: "checked in the test", By: "test"}, inc.Version); err != nil {
			t.Fatal(err)
		}
	}
	// What the layers should show: the observations of the UTC days from
	// the first incident's to the day after the last's, read from the store.
	day := func(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }
	from, to := day(early[0].From), day(late[0].From).AddDate(0, 0, 1)
	fires, err := s.db.Observations(ctx, store.ObservationFilter{Kind: truce.ObservationFire, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := s.db.Observations(ctx, store.ObservationFilter{Kind: truce.ObservationAlert, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]bool{}
	for _, a := range alerts {
		units[a.Admin1] = true
	}
	if len(fires) == 0 || len(alerts) == 0 {
		t.Fatalf("set-up: %d fires and %d alerts from %s to %s; the demo should have both", len(fires), len(alerts), from, to)
	}
	t.Logf("range %s – %s: %d fires, %d alerts over %d oblasts", from.Format(time.DateOnly), to.Format(time.DateOnly), len(fires), len(alerts), len(units))

	b := newBrowser(t, s.URL())
	b.open("/")
	b.waitFor("the dashboard's incidents", `document.querySelector('#dash-map')?.dataset.ready === 'true'`)
	b.waitFor("the boundaries", `document.querySelector('#dash-map').dataset.boundaries > 0`)
	if eval[bool](b, `document.querySelector('#l-fire').disabled || document.querySelector('#l-alert').disabled`) {
		t.Fatal("the sensor layer toggles are disabled, though the server serves /api/v1/observations")
	}
	// Pixels of the fire colour (#e65100) and of the alerts' reds, over
	// all the map's canvases.
	const paint = `(() => {
		let fire = 0, red = 0;
		for (const c of document.querySelectorAll('#dash-map canvas')) {
			if (!c.width || !c.height) continue;
			const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
			for (let i = 0; i < d.length; i += 4) {
				if (d[i + 3] < 100) continue;
				if (d[i] > 200 && d[i + 1] > 50 && d[i + 1] < 120 && d[i + 2] < 50) fire++;
				else if (d[i] > 180 && d[i] - d[i + 1] > 25 && d[i] - d[i + 2] > 25) red++;
			}
		}
		return [fire, red];
	})()`
	before := eval[[]int](b, paint)

	b.do("toggle the FIRMS layer", chromedp.Click(chromedp.CSS(`#l-fire`)))
	b.waitFor("the fires drawn", `document.querySelector('#dash-map').dataset.fires !== undefined`)
	if got := eval[int](b, `+document.querySelector('#dash-map').dataset.fires`); got != len(fires) {
		t.Errorf("the FIRMS layer drew %d fires, want the store's %d in the range", got, len(fires))
	}
	if got := b.text(`#l-fire-count`); got != fmtThousands(len(fires))+" in the range" {
		t.Errorf("the FIRMS toggle says %q", got)
	}
	withFires := eval[[]int](b, paint)
	if withFires[0] <= before[0] {
		t.Errorf("no fire-coloured pixels appeared: %d before, %d after", before[0], withFires[0])
	}

	b.do("toggle the alert layer", chromedp.Click(chromedp.CSS(`#l-alert`)))
	b.waitFor("the alerts drawn", `document.querySelector('#dash-map').dataset.alertUnits !== undefined`)
	if got := eval[int](b, `+document.querySelector('#dash-map').dataset.alertUnits`); got != len(units) {
		t.Errorf("the alert layer shades %d oblasts, want the %d the store's alerts cover", got, len(units))
	}
	withAlerts := eval[[]int](b, paint)
	if withAlerts[1] <= withFires[1] {
		t.Errorf("no alert-red pixels appeared: %d before, %d after", withFires[1], withAlerts[1])
	}
	t.Logf("pixels (fire, red): before %v, fires %v, fires and alerts %v", before, withFires, withAlerts)
	b.screenshot("dashboard-sensors")
	b.checkAccessible("dashboard with the sensor layers")

	// Moving the slider's start past the fires (the extract ends on
	// 28 February 2022, and a detection covers its UTC day, up to the
	// next midnight) reads the layer again: none left in the range.
	march := time.Date(2022, 3, 2, 0, 0, 0, 0, time.UTC).Unix() / 86400 // the slider's unit: days since 1970
	b.do("move the slider", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const r = document.querySelector('#f-from'); r.value = '%d'; r.dispatchEvent(new Event('input')); })()`, march)))
	b.waitFor("the fires read again", `document.querySelector('#dash-map').dataset.fires === '0'`)

	// Off again: the layer goes.
	b.do("toggle the FIRMS layer off", chromedp.Click(chromedp.CSS(`#l-fire`)))
	b.waitFor("the fires gone", `document.querySelector('#dash-map').dataset.fires === undefined`)
	if got := b.text(`#l-fire-count`); got != "" {
		t.Errorf("the FIRMS toggle still says %q when off", got)
	}

	// The incident's page gives the fires in its corroboration breakdown.
	b.open(fmt.Sprintf("/incidents/%d", early[0].ID))
	corr := fmt.Sprintf("#corr-%d + p", early[0].ID)
	if got, want := b.text(corr), fmt.Sprintf("%d fire detection(s)", earlyFires); !strings.Contains(got, want) {
		t.Errorf("incident %d's corroboration says %q, want %q", early[0].ID, got, want)
	}
	if got := eval[string](b, `[...document.querySelectorAll('td')].map((td) => td.textContent).join('|')`); !strings.Contains(got, "FIRMS fire detections") {
		t.Errorf("incident %d's corroboration breakdown has no FIRMS term: %s", early[0].ID, got)
	}
	b.screenshot("incident-fires")
}
