package compliance_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/compliance"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

const donbas = "donbas-ceasefire-measures-2020"

// loadUCDP stores the July 2020 Donbas measures (the demo's terms file)
// and the real UCDP GED events for Ukraine, grouped and judged.
func loadUCDP(t *testing.T) (*store.DB, *incident.Grouper) { return loadUCDPB(t) }

func loadUCDPB(t testing.TB) (*store.DB, *incident.Grouper) {
	t.Helper()
	ctx := context.Background()
	db, g := openDB(t), grouper(t)
	b, err := demo.Open(demo.DonbasTermsFile)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := terms.Parse(bytes.NewReader(b), g.Gazetteer())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportTerms(ctx, tm, "test"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "..", "shared", "data", "ucdp", "ged-ukraine-2014-2022.csv")
	if _, err := ingest.Run(ctx, db, ingest.Options{Format: ingest.FormatUCDP}, path); err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	process(t, db, g)
	return db, g
}

// incidentOfEvent returns the incident that holds a UCDP event's report.
func incidentOfEvent(t *testing.T, db *store.DB, eventID string) truce.Incident {
	t.Helper()
	ctx := context.Background()
	rs, err := db.Reports(ctx, store.ReportFilter{SourceKind: truce.SourceDataset})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ExternalID == eventID && r.IncidentID != nil {
			inc, err := db.Incident(ctx, *r.IncidentID)
			if err != nil {
				t.Fatal(err)
			}
			return inc
		}
	}
	t.Fatalf("UCDP event %s is in no incident", eventID)
	return truce.Incident{}
}

func verify(t *testing.T, db *store.DB, inc truce.Incident) {
	t.Helper()
	_, err := db.Transition(context.Background(), truce.Transition{IncidentID: inc.ID, To: truce.IncidentVerified,
		Reason: "confirmed by the mission's patrol", By: "monitor1"}, inc.Version)
	if err != nil {
		t.Fatalf("verify incident %d: %v", inc.ID, err)
	}
}

// TestUCDPDonbas reports on real UCDP GED events against the July 2020
// Donbas ceasefire measures (window 2020-07-27 00:01 to 2022-02-24 00:00
// Kyiv time, area Donetsk UA-14 and Luhansk UA-09, bound UA, DPR, LPR).
//
// The expected counts were worked out by hand from the raw CSV
// (../shared/data/ucdp/ged-ukraine-2014-2022.csv), listing the rows whose
// date_start..date_end covers the day and applying the contract's tests;
// the place verdicts of the 50 km disks near the Russian border were then
// checked with `truce adjudicate --terms internal/demo/data/donbas-2020.json
// --events ged-ukraine-2014-2022.csv`, which reads the CSV itself rather
// than the store (a first count by hand had taken 48.92, 39.02 ±50 km to
// lie inside Luhansk oblast; the border with Rostov oblast is within 50 km).
//
// 2021-02-23: eight rows cover the day, every one "Government of Ukraine"
// against DPR or LPR (both sides bound, so never attributed):
//   - 385040 (near Svitodarsk, where_prec 2, 15 km), 385047 (Khutir Vilny,
//     prec 2), 385254 (Shchastia, prec 2): that day only, inside → violation;
//   - 402783 (Donetsk oblast, prec 4, 50 km around 48.14, 37.74, all of
//     February) and 414478 (the same place, 20-26 February): the interval
//     and the disk inside → violation;
//   - 402782 (February) and 425443 (2021-01-01 to 2021-12-29), both 50 km
//     around 48.92, 39.02 in Luhansk oblast: the disk reaches Russia →
//     uncertain; 385255 ("Donbas Conflict Zone", prec 5, 150 km around
//     48.15, 38.65) reaches Russia and Zaporizhzhia oblast → uncertain.
//
// So 5 violations and 3 uncertain, all alleged (one dataset is one
// source, so nothing is corroborated), 4 in Donetsk oblast (385040,
// 385255, 402783, 414478 by their coordinates) and 4 in Luhansk oblast.
//
// The pre-truce baseline (2020-07-26 00:01 to 2020-07-27 00:01) is covered
// by two rows, 349584 (Donetsk) and 350715 (Luhansk), both spanning all of
// July 2020: moved onto the baseline hours the window does not hold the
// month → 2 uncertain, 0 violations.
//
// 2021-07-13: 409457 (prec 1, Prychepylivka) → violation; 408916 (prec 5,
// 150 km, "in Donbas"), 409455 (prec 4 at 48.92, 39.02) and the year-long
// 425443 → uncertain: 1 violation, 3 uncertain.
func TestUCDPDonbas(t *testing.T) {
	ctx := context.Background()
	db, g := loadUCDP(t)
	// A monitor verifies the Prychepylivka clash of 13 July 2021, so that
	// the day has a notable incident and a lower bound above zero.
	verify(t, db, incidentOfEvent(t, db, "409457"))

	rep, err := compliance.Daily(ctx, db, g, donbas, "2021-02-23", -1)
	if err != nil {
		t.Fatal(err)
	}
	want := compliance.Counts{Violation: 5, Uncertain: 3, Alleged: 8}
	if rep.Summary.Day != want {
		t.Errorf("2021-02-23: day = %+v, want %+v", rep.Summary.Day, want)
	}
	if want := (compliance.Counts{Uncertain: 2, Alleged: 2}); rep.Summary.Baseline != want {
		t.Errorf("2021-02-23: baseline = %+v, want %+v", rep.Summary.Baseline, want)
	}
	regions := map[string]int{}
	for _, r := range rep.ByRegion {
		regions[r.Key] = r.Day.Violation + r.Day.Uncertain
	}
	if regions["UA-14"] != 4 || regions["UA-09"] != 4 {
		t.Errorf("2021-02-23: by region %v, want UA-14 4 and UA-09 4", regions)
	}
	if len(rep.ByParty) != 1 || rep.ByParty[0].Key != "unattributed" || rep.ByParty[0].Day.Violation != 5 {
		t.Errorf("2021-02-23: by party %+v, want only unattributed, 5 violations", rep.ByParty)
	}
	if len(rep.Notable) != 0 {
		t.Errorf("2021-02-23: notable %+v, want none (nothing verified)", rep.Notable)
	}
	for _, f := range []string{"json", "md", "csv"} {
		golden(t, "ucdp-donbas-2021-02-23."+f, render(t, rep, f))
	}

	rep, err = compliance.Daily(ctx, db, g, donbas, "2021-07-13", -1)
	if err != nil {
		t.Fatal(err)
	}
	want = compliance.Counts{Violation: 1, Uncertain: 3, Alleged: 3, Verified: 1, Low: 1, High: 1}
	if rep.Summary.Day != want {
		t.Errorf("2021-07-13: day = %+v, want %+v", rep.Summary.Day, want)
	}
	inc := incidentOfEvent(t, db, "409457")
	if len(rep.Notable) != 1 || rep.Notable[0].ID != inc.ID || rep.Notable[0].Party != "unattributed" ||
		len(rep.Notable[0].Sources) != 1 || rep.Notable[0].Sources[0] != "dataset: UCDP GED" || rep.Notable[0].Reason == "" {
		t.Errorf("2021-07-13: notable %+v, want incident %d from the UCDP GED dataset with its reason", rep.Notable, inc.ID)
	}
	golden(t, "ucdp-donbas-2021-07-13.html", render(t, rep, "html"))
}
