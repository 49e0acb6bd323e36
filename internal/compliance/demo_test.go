package compliance_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/compliance"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

const victoryDay = "victory-day-truce-2025"

func loadDemoB(t testing.TB) (*store.DB, *incident.Grouper) { return loadDemo(t, store.SQLite) }

func loadDemo(t testing.TB, dialect string) (*store.DB, *incident.Grouper) {
	t.Helper()
	db, g := openStore(t, dialect), grouper(t)
	if _, err := demo.Load(context.Background(), db, g.Gazetteer(), nil); err != nil {
		t.Fatal(err)
	}
	process(t, db, g)
	return db, g
}

// incidentOfDemo returns the incident of an illustrative demo report.
func incidentOfDemo(t *testing.T, db *store.DB, externalID string) truce.Incident {
	t.Helper()
	ctx := context.Background()
	rs, err := db.Reports(ctx, store.ReportFilter{SubmittedBy: demo.SubmittedBy})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ExternalID == externalID && r.IncidentID != nil {
			inc, err := db.Incident(ctx, *r.IncidentID)
			if err != nil {
				t.Fatal(err)
			}
			return inc
		}
	}
	t.Fatalf("demo report %s is in no incident", externalID)
	return truce.Incident{}
}

// TestDemoDays reports on the three days of the Victory Day truce of May
// 2025 (8-10 May, Moscow time, binding Russia alone).
//
// Expected values, read off internal/demo/data/reports-2025.json: the six
// Russian-side reports accuse Ukraine, which this truce does not bind, so
// their incidents are outside it and never counted. The six Ukrainian-side
// reports accuse Russia, each a violation: on 8 May ua-01 (Donetsk oblast
// as a whole) and ua-02 (near Pokrovsk, in that oblast, the same day and
// domain) are one incident; on 9 May ua-03 (Zaporizhzhia oblast) and ua-04
// (Kharkiv oblast) are two; on 10 May ua-05 (Sumy oblast, air) and ua-06
// (Kherson oblast, land) are two. Each is one party's account, so alleged.
// Nothing is reported on 7 May, the day before the truce (the baseline).
// Claims: two of the four demo claims name this truce (Russia's 524 drones,
// Ukraine's accusation), and both cover every day of it.
func TestDemoDays(t *testing.T) { forEachStore(t, testDemoDays) }

func testDemoDays(t *testing.T, dialect string) {
	ctx := context.Background()
	db, g := loadDemo(t, dialect)
	// A monitor verifies the Kharkiv shelling of 9 May.
	kharkiv := incidentOfDemo(t, db, "demo-2025-05-ua-04")
	verify(t, db, kharkiv)
	lat, lon := 49.99, 36.23
	if err := db.CreateAccessRestriction(ctx, &truce.AccessRestriction{AgreementID: victoryDay, Place: "Road checkpoint north of Kharkiv (illustrative)",
		Lat: &lat, Lon: &lon, At: time.Date(2025, 5, 9, 7, 15, 0, 0, time.UTC), DeniedBy: "RU", Reason: "patrol turned back: shelling in progress", RecordedBy: "monitor1"}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		date             string
		day, prev, total compliance.Counts
		regions          []string
		notable          []int64
		access           int
	}{
		{"2025-05-08", compliance.Counts{Violation: 1, Alleged: 1}, compliance.Counts{}, compliance.Counts{Violation: 1, Alleged: 1}, []string{"UA-14"}, nil, 0},
		{"2025-05-09", compliance.Counts{Violation: 2, Alleged: 1, Verified: 1, Low: 1, High: 1}, compliance.Counts{Violation: 1, Alleged: 1},
			compliance.Counts{Violation: 3, Alleged: 2, Verified: 1, Low: 1, High: 1}, []string{"UA-23", "UA-63"}, []int64{kharkiv.ID}, 1},
		{"2025-05-10", compliance.Counts{Violation: 2, Alleged: 2}, compliance.Counts{Violation: 2, Alleged: 1, Verified: 1, Low: 1, High: 1},
			compliance.Counts{Violation: 5, Alleged: 4, Verified: 1, Low: 1, High: 1}, []string{"UA-59", "UA-65"}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.date, func(t *testing.T) {
			rep, err := compliance.Daily(ctx, db, g, victoryDay, c.date, -1)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Summary.Day != c.day || rep.Summary.Previous != c.prev || rep.Summary.Total != c.total {
				t.Errorf("summary day %+v previous %+v total %+v;\nwant %+v, %+v, %+v", rep.Summary.Day, rep.Summary.Previous, rep.Summary.Total, c.day, c.prev, c.total)
			}
			if rep.Summary.Baseline != (compliance.Counts{}) {
				t.Errorf("baseline %+v, want nothing on 7 May", rep.Summary.Baseline)
			}
			var regions []string
			for _, r := range rep.ByRegion {
				if r.Day.Violation > 0 {
					regions = append(regions, r.Key)
				}
			}
			if strings.Join(regions, ",") != strings.Join(c.regions, ",") {
				t.Errorf("regions with violations %v, want %v", regions, c.regions)
			}
			if len(rep.ByParty) != 1 || rep.ByParty[0].Key != "RU" {
				t.Errorf("by party %+v, want Russia alone", rep.ByParty)
			}
			var notable []int64
			for _, n := range rep.Notable {
				notable = append(notable, n.ID)
				if n.Party != "RU" || !strings.Contains(n.Place, "Kharkiv") || len(n.Sources) != 1 || !strings.HasPrefix(n.Sources[0], "party: Ukrainian side") {
					t.Errorf("notable %+v, want Russia's, in Kharkiv oblast, told by the Ukrainian side", n)
				}
			}
			if len(notable) != len(c.notable) || (len(notable) > 0 && notable[0] != c.notable[0]) {
				t.Errorf("notable %v, want %v", notable, c.notable)
			}
			if len(rep.Access) != c.access {
				t.Errorf("access restrictions %+v, want %d", rep.Access, c.access)
			}
			if len(rep.Claims) != 2 {
				t.Fatalf("claims %+v, want the two that name this truce", rep.Claims)
			}
			ru, ua := rep.Claims[0].Evidence, rep.Claims[1].Evidence
			if ru.Accused != "UA" || ru.Verdicts["outside"] != 6 || ua.Accused != "RU" || ua.Verdicts["violation"] != 5 || ua.Verified.Count != 1 {
				t.Errorf("claims: Russia's %+v; Ukraine's %+v; want 6 incidents outside against Ukraine, 5 violations (1 verified) against Russia", ru, ua)
			}
			if c.date == "2025-05-09" {
				// The PDF golden file was checked with pdfinfo (2 A4
				// pages) and pdftotext, which reads the tables back.
				for _, f := range compliance.Formats {
					golden(t, "demo-victory-day-2025-05-09."+f, render(t, rep, f))
				}
			}
		})
	}
}

// TestAsOfReproducible rebuilds a report from an earlier log size after
// new records (a verification, an access restriction, new reports grouped
// and judged, a new agreement version) and gets the same bytes, in every
// format; the report of the current size differs.
func TestAsOfReproducible(t *testing.T) { forEachStore(t, testAsOfReproducible) }

func testAsOfReproducible(t *testing.T, dialect string) {
	ctx := context.Background()
	db, g := loadDemo(t, dialect)
	at, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, err := compliance.Daily(ctx, db, g, victoryDay, "2025-05-09", -1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Checkpoint.Size != at {
		t.Fatalf("report computed at size %d, want the log's %d", first.Checkpoint.Size, at)
	}
	before := map[string][]byte{}
	for _, f := range compliance.Formats {
		before[f] = render(t, first, f)
	}

	verify(t, db, incidentOfDemo(t, db, "demo-2025-05-ua-03"))
	if err := db.CreateAccessRestriction(ctx, &truce.AccessRestriction{AgreementID: victoryDay, Place: "Bridge at Kupiansk (illustrative)",
		At: time.Date(2025, 5, 9, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2025, 5, 9, 6, 0, 0, 0, time.UTC), time.Date(2025, 5, 9, 7, 0, 0, 0, time.UTC)
	r := truce.Report{Source: truce.ReportSource{Kind: truce.SourceMonitor, Name: "Mission patrol 7"}, SubmittedBy: "monitor1",
		Occurred: truce.Occurrence{From: &from, To: &to}, Place: truce.Point(47.84, 35.14, 5), Domains: []string{"land"},
		Perpetrators: []string{"RU"}, Means: []truce.Means{{Kind: "artillery", Count: 12}}, Description: "Shelling observed by the patrol (test)"}
	if _, err := db.CreateReport(ctx, &r); err != nil {
		t.Fatal(err)
	}
	process(t, db, g)
	a, err := db.Agreement(ctx, victoryDay)
	if err != nil {
		t.Fatal(err)
	}
	a.Title = "Victory Day truce 2025, renamed"
	if _, _, err := db.PutAgreement(ctx, a, "admin"); err != nil {
		t.Fatal(err)
	}
	now, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if now <= at {
		t.Fatalf("log did not grow: %d → %d", at, now)
	}

	again, err := compliance.Daily(ctx, db, g, victoryDay, "2025-05-09", at)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range compliance.Formats {
		if got := render(t, again, f); !bytes.Equal(got, before[f]) {
			t.Errorf("%s report at size %d changed after the log grew to %d", f, at, now)
		}
	}
	cur, err := compliance.Daily(ctx, db, g, victoryDay, "2025-05-09", -1)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(render(t, cur, "json"), before["json"]) {
		t.Error("the report of the current log is the same as before the new records")
	}
	if cur.Summary.Day.Verified != 1 || len(cur.Access) != 1 || cur.Agreement.Title != a.Title {
		t.Errorf("current report: day %+v, access %+v, title %q; want the new records", cur.Summary.Day, cur.Access, cur.Agreement.Title)
	}
	// The patrol's report counts 12 artillery pieces: one incident with
	// means, 12 weapons (the earlier reports count none).
	if len(cur.ByMeans) != 1 || cur.ByMeans[0].Key != "artillery" || cur.ByMeans[0].Day.Violation != 1 || cur.ByMeans[0].Day.Weapons != 12 {
		t.Errorf("current report by means %+v, want artillery: 1 violation, 12 weapons", cur.ByMeans)
	}
	if len(again.ByMeans) != 0 {
		t.Errorf("report at size %d by means %+v, want none", at, again.ByMeans)
	}
	if _, err := compliance.Daily(ctx, db, g, victoryDay, "2025-05-09", now+1); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("a size beyond the log: %v, want EINVALID", err)
	}
}
