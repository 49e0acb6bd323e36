package store_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/adjudicate"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

// loadDemo loads the demo mission, groups it and judges its incidents.
func loadDemo(t *testing.T, db *store.DB) (*incident.Grouper, *incident.Judge) {
	t.Helper()
	ctx := context.Background()
	gz, err := gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, db, gz, nil); err != nil {
		t.Fatal(err)
	}
	g := grouper(t)
	groupNew(t, db, g)
	j := judge(t, db, g)
	if _, err := db.RecomputeFindings(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	return g, j
}

// judge builds a Judge from the stored terms.
func judge(t *testing.T, db *store.DB, g *incident.Grouper) *incident.Judge {
	t.Helper()
	ctx := context.Background()
	parties, err := db.Parties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agreements, err := db.Agreements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	j, err := incident.NewJudge(truce.Terms{Parties: parties, Agreements: agreements}, g)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestClaimEvidenceDemo sets the May 2025 claims of the demo against its
// record. Russia's 524 aerial and 45 sea drones rest on six illustrative
// allegations by Russia itself, none counting a drone, none corroborated,
// and outside the Victory Day truce, which bound Russia alone. A
// monitor's account of one of them corroborates it, and a monitor
// verifies it: the claim then has one verified incident behind it.
func TestClaimEvidenceDemo(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		g, j := loadDemo(t, db)
		claims, err := db.Claims(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(claims, func(c truce.Claim) bool { return c.Claimant == "RU" && len(c.Means) > 0 })
		if i < 0 {
			t.Fatal("no claim with means")
		}
		claim := claims[i]
		// The Russian side's six illustrative reports, by external id.
		rs, err := db.Reports(ctx, store.ReportFilter{SubmittedBy: demo.SubmittedBy})
		if err != nil {
			t.Fatal(err)
		}
		var ru []int64
		for n := 1; n <= 6; n++ {
			for _, r := range rs {
				if r.ExternalID == fmt.Sprintf("demo-2025-05-ru-%02d", n) {
					ru = append(ru, r.ID)
				}
			}
		}
		var incs []int64
		for _, id := range ru {
			incs = append(incs, incidentOf(t, db, id).ID)
		}
		slices.Sort(incs)
		incs = slices.Compact(incs)

		ev, err := db.ClaimEvidence(ctx, g, claim.ID)
		if err != nil {
			t.Fatal(err)
		}
		none := incident.Tally{IDs: nil}
		check := func(name string, got, want incident.Tally) {
			t.Helper()
			if got.Count != want.Count || got.MeansUnknown != want.MeansUnknown || !slices.Equal(got.IDs, want.IDs) || len(got.Means) != len(want.Means) {
				t.Errorf("%s: %+v, want %+v", name, got, want)
			}
		}
		if !slices.Equal(ev.Claimed, []truce.Means{{Kind: "aerial_drone", Count: 524}, {Kind: "sea_drone", Count: 45}}) || ev.Area != "everywhere" {
			t.Errorf("claimed %+v in %q", ev.Claimed, ev.Area)
		}
		check("reports", ev.Reports, incident.Tally{Count: 6, MeansUnknown: 6, IDs: ru})
		check("alleged", ev.Alleged, incident.Tally{Count: len(incs), MeansUnknown: len(incs), IDs: incs})
		check("corroborated", ev.Corroborated, none)
		check("verified", ev.Verified, none)
		if !reflect.DeepEqual(ev.Verdicts, map[string]int{"outside": len(incs)}) {
			t.Errorf("verdicts %v: the truce bound Russia alone", ev.Verdicts)
		}

		// A monitor reports the Belgorod attack of 10 May (ru-03) too.
		belgorod := incidentOf(t, db, ru[2])
		seen := create(t, db, account{kind: truce.SourceMonitor, name: "Mission team 4", lat: belgorod.Lat, lon: belgorod.Lon, r: 5,
			from: belgorod.From.Add(8 * time.Hour), hours: 2, domains: []string{"air"}, perps: []string{"UA"}})
		s := groupNew(t, db, g)
		if !slices.Equal(s.Corroborated, []int64{belgorod.ID}) {
			t.Fatalf("the monitor's account did not corroborate incident %d: %+v", belgorod.ID, s)
		}
		if _, err := db.RecomputeFindings(ctx, j, s.Live()); err != nil {
			t.Fatal(err)
		}
		inc, err := db.Incident(ctx, belgorod.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Transition(ctx, truce.Transition{IncidentID: inc.ID, To: truce.IncidentVerified, Reason: "debris photographed", By: "monitor-anna", Evidence: []string{evidenceHash}}, inc.Version); err != nil {
			t.Fatal(err)
		}
		ev, err = db.ClaimEvidence(ctx, g, claim.ID)
		if err != nil {
			t.Fatal(err)
		}
		check("reports", ev.Reports, incident.Tally{Count: 7, MeansUnknown: 7, IDs: append(slices.Clone(ru), seen...)})
		check("alleged", ev.Alleged, incident.Tally{Count: len(incs), MeansUnknown: len(incs), IDs: incs})
		check("corroborated", ev.Corroborated, incident.Tally{Count: 1, MeansUnknown: 1, IDs: []int64{inc.ID}})
		check("verified", ev.Verified, incident.Tally{Count: 1, MeansUnknown: 1, IDs: []int64{inc.ID}})
		if ev.ByStatus[truce.IncidentVerified] != 1 || ev.ByStatus[truce.IncidentAlleged] != len(incs)-1 {
			t.Errorf("by status %v", ev.ByStatus)
		}

		// Ukraine's claim against Russia: six illustrative reports make
		// five incidents (one only names Donetsk oblast, and attaches to
		// the report placed at Pokrovsk that day), and the engine finds
		// Russia in violation of its own truce in each.
		i = slices.IndexFunc(claims, func(c truce.Claim) bool { return c.Claimant == "UA" })
		ev, err = db.ClaimEvidence(ctx, g, claims[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Reports.Count != 6 || ev.Alleged.Count != 5 || !reflect.DeepEqual(ev.Verdicts, map[string]int{"violation": 5}) {
			t.Errorf("UA claim: reports %+v, alleged %+v, verdicts %v", ev.Reports, ev.Alleged, ev.Verdicts)
		}
		checkLog(t, db, logSize(t, db))
	})
}

// TestClaimEvidenceUCDP makes a claim about real data: Ukraine accuses the
// DPR of breaking the July 2020 ceasefire measures in their first year.
// The record's support is counted again here straight from the UCDP GED
// file: the events with the DPR as a side whose days meet the year and
// whose disk reaches Donetsk or Luhansk oblast; each is an incident of its
// own (rows of one dataset never group), and each incident's verdict is
// the engine's on the event itself.
func TestClaimEvidenceUCDP(t *testing.T) {
	from := time.Date(2020, 7, 26, 21, 1, 0, 0, time.UTC) // 27 July 00:01 Kyiv
	to := from.AddDate(1, 0, 0)
	gz, err := gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	area, err := gz.NewArea(nil, []string{"UA-14", "UA-09"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string // external ids
	verdicts := map[string]int{}
	b, err := demo.Open(demo.DonbasTermsFile)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := terms.Parse(bytes.NewReader(b), gz)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := adjudicate.New(ts, gz)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range readShared(t, ingest.FormatUCDP, "ucdp/ged-ukraine-2014-2022.csv").reports {
		if !slices.Contains(r.Perpetrators, "DPR") || !r.Occurred.From.Before(to) || !r.Occurred.To.After(from) ||
			area.Disk(*r.Place.Lat, *r.Place.Lon, *r.Place.RadiusKm) == geo.Outside {
			continue
		}
		want = append(want, r.ExternalID)
		ev, err := adjudicate.EventFromReport(r, gz)
		if err != nil {
			t.Fatal(err)
		}
		eng.Judge(&ev, true, func(_ int, v adjudicate.Verdict) {
			switch {
			case v.Verdict == truce.VerdictOutside:
				verdicts["outside"]++
			case v.Party == "":
				verdicts["unattributed"]++
			case v.Party != "DPR":
				verdicts["other_party"]++
			default:
				verdicts[v.Verdict]++
			}
		})
	}
	if len(want) < 5 {
		t.Fatalf("only %d events: the test needs a claim the data speaks to", len(want))
	}
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		g, _ := loadDemo(t, db)
		c := truce.Claim{Claimant: "UA", Accused: "DPR", AgreementID: "donbas-ceasefire-measures-2020", From: from, To: to,
			Summary:    "Ukraine accuses the DPR of breaking the ceasefire measures in their first year (a claim made for this test).",
			Source:     truce.Source{Quote: "illustrative claim, not a statement of the parties"},
			RecordedBy: "test"}
		if _, err := db.CreateClaim(ctx, &c); err != nil {
			t.Fatal(err)
		}
		ev, err := db.ClaimEvidence(ctx, g, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := db.Reports(ctx, store.ReportFilter{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		ext := map[int64]string{}
		for _, r := range rs {
			ext[r.ID] = r.ExternalID
		}
		var got []string
		for _, id := range ev.Reports.IDs {
			got = append(got, ext[id])
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("reports %v\nwant %v", got, want)
		}
		if ev.Alleged.Count != len(want) || ev.Corroborated.Count != 0 || ev.ByStatus[truce.IncidentAlleged] != len(want) {
			t.Errorf("alleged %+v, corroborated %+v, by status %v; want %d alleged", ev.Alleged, ev.Corroborated, ev.ByStatus, len(want))
		}
		if !reflect.DeepEqual(ev.Verdicts, verdicts) {
			t.Errorf("verdicts %v, want %v (the engine on each event)", ev.Verdicts, verdicts)
		}
		if ev.Area != "the area of donbas-ceasefire-measures-2020: admin-1 units UA-14, UA-09" {
			t.Errorf("area %q", ev.Area)
		}
		t.Logf("%d events, verdicts %v", len(want), verdicts)
	})
}
