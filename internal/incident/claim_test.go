package incident_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/terms"
)

func TestClaimEvidence(t *testing.T) {
	g := grouper(t)
	parties := []truce.Party{
		{Code: "RU", Name: "Russia", Aliases: []string{"Military Forces of Russia"}},
		{Code: "UA", Name: "Ukraine", Aliases: []string{"Armed Forces of Ukraine"}},
	}
	c := truce.Claim{ID: 1, Claimant: "RU", Accused: "UA", AgreementID: "victory-day",
		From: t0.Add(-24 * time.Hour), To: t0.Add(48 * time.Hour), Means: []truce.Means{{Kind: "aerial_drone", Count: 524}}}
	area := &truce.Area{Countries: []string{"RU"}}
	const lat, lon = 50.6, 36.59 // Belgorod
	drones := func(n int) []truce.Means { return []truce.Means{{Kind: "aerial_drone", Count: n}} }
	reps := map[int64]rep{
		1: {id: 1, lat: lat, lon: lon, r: 5, hours: 1, perps: []string{"UA"}, means: drones(10)},
		2: {id: 2, lat: lat, lon: lon, r: 5, hours: 1, perps: []string{"Armed Forces of Ukraine"}},
		3: {id: 3, lat: lat, lon: lon, r: 5, hours: 1, perps: []string{"UA"}, means: []truce.Means{{Kind: "artillery", Count: 5}}},
		4: {id: 4, lat: lat, lon: lon, r: 5, hours: 1, perps: []string{"RU"}, means: drones(7)},
		5: {id: 5, lat: lat, lon: lon, r: 5, at: -30, hours: 1, perps: []string{"UA"}, means: drones(7)},
		6: {id: 6, lat: 50.45, lon: 30.52, r: 5, hours: 1, perps: []string{"UA"}, means: drones(7)}, // Kyiv: outside RU
		7: {id: 7, lat: lat, lon: lon, r: 5, hours: 2, perps: []string{"UA"}, means: []truce.Means{{Kind: "aerial_drone", Count: 12}, {Kind: "missile", Count: 1}}},
		8: {id: 8, lat: lat, lon: lon, r: 5, at: 30, hours: 1, perps: []string{"UA"}, means: drones(3)},
	}
	var reports []truce.Report
	for id := int64(1); id <= 8; id++ {
		reports = append(reports, reps[id].report())
	}
	inc := func(id int64, status truce.IncidentStatus, verdict string, ids ...int64) incident.ClaimIncident {
		var ms []truce.Report
		var perps []string
		for _, rid := range ids {
			ms = append(ms, reps[rid].report())
			perps = append(perps, reps[rid].perps...)
		}
		from, _, _ := ms[0].Occurred.Interval()
		ci := incident.ClaimIncident{Incident: truce.Incident{ID: id, Status: status, From: from, To: from.Add(time.Hour), Perpetrators: perps}, Members: ms}
		if verdict != "" {
			ci.Incident.Findings = []truce.Finding{{AgreementID: "other", Verdict: "violation", Party: "UA"}, {AgreementID: "victory-day", Verdict: verdict, Party: "UA"}}
		}
		return ci
	}
	incidents := []incident.ClaimIncident{
		inc(101, truce.IncidentVerified, "violation", 1, 7),
		inc(102, truce.IncidentAlleged, "uncertain", 2),
		inc(103, truce.IncidentCorroborated, "violation", 3), // artillery only
		inc(104, truce.IncidentRejected, "", 8),
		inc(105, truce.IncidentVerified, "violation", 4), // accuses RU
	}
	ev, err := g.ClaimEvidence(c, area, parties, reports, incidents)
	if err != nil {
		t.Fatal(err)
	}
	dr := func(n int) []truce.Means { return []truce.Means{{Kind: "aerial_drone", Count: n}} }
	// Incident 101 counts its largest account: 12 drones, not 10 + 12.
	want := incident.ClaimEvidence{
		ClaimID: 1, Claimant: "RU", Accused: "UA", From: c.From, To: c.To, AgreementID: "victory-day",
		Area:         "the area of victory-day: countries RU",
		Claimed:      c.Means,
		Reports:      incident.Tally{Count: 4, Means: dr(25), MeansUnknown: 1, IDs: []int64{1, 2, 7, 8}},
		Alleged:      incident.Tally{Count: 2, Means: dr(12), MeansUnknown: 1, IDs: []int64{101, 102}},
		Corroborated: incident.Tally{Count: 1, Means: dr(12), IDs: []int64{101}},
		Verified:     incident.Tally{Count: 1, Means: dr(12), IDs: []int64{101}},
		ByStatus:     map[truce.IncidentStatus]int{truce.IncidentVerified: 1, truce.IncidentAlleged: 1, truce.IncidentRejected: 1},
		Verdicts:     map[string]int{"violation": 1, "uncertain": 1, "not_judged": 1},
		Notes:        ev.Notes,
	}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("ClaimEvidence =\n%+v\nwant\n%+v", ev, want)
	}
	// Without means, an agreement or an area, every account counts.
	c.Means, c.AgreementID = nil, ""
	ev, err = g.ClaimEvidence(c, nil, parties, reports, incidents)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Reports.Count != 6 || ev.Alleged.Count != 3 || ev.Verdicts != nil || ev.Area != "everywhere" {
		t.Errorf("no means: reports %+v, alleged %+v, verdicts %v, area %q", ev.Reports, ev.Alleged, ev.Verdicts, ev.Area)
	}
}

func TestJudge(t *testing.T) {
	g := grouper(t)
	b, err := demo.Open(demo.ScenarioTermsFile)
	if err != nil {
		t.Fatal(err)
	}
	gz, _ := gazetteer()
	ts, err := terms.Parse(bytes.NewReader(b), gz)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ts.Agreements {
		ts.Agreements[i].Version = 2
	}
	j, err := incident.NewJudge(ts, g)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC)
	// 9 May, 10:00-11:00 UTC, near Pokrovsk, by Russia: inside the
	// Victory Day truce (8-11 May, Moscow time), which binds Russia.
	inc := truce.Incident{ID: 7, From: t0, To: t0.Add(time.Hour), Lat: 48.28, Lon: 37.18, RadiusKm: 3, Admin1: "UA-14",
		Domains: []string{"land"}, Perpetrators: []string{"Military Forces of Russia"}}
	fs := j.Findings(inc, true, false, now)
	byAgreement := map[string]truce.Finding{}
	for _, f := range fs {
		if f.SubjectKind != "incident" || f.SubjectID != 7 || f.AgreementVersion != 2 || !f.ComputedAt.Equal(now) {
			t.Errorf("finding %+v", f)
		}
		byAgreement[f.AgreementID] = f
	}
	// Three agreements took effect; the 30-day proposal did not.
	if len(fs) != 3 {
		t.Fatalf("%d findings: %+v", len(fs), fs)
	}
	if f := byAgreement["victory-day-truce-2025"]; f.Verdict != truce.VerdictViolation || f.Party != "RU" {
		t.Errorf("victory day: %+v", f)
	}
	if f := byAgreement["easter-truce-2025"]; f.Verdict != truce.VerdictOutside {
		t.Errorf("easter: %+v", f)
	}
	// Not a hostile act: outside everything.
	for _, f := range j.Findings(inc, false, false, now) {
		if f.Verdict != truce.VerdictOutside {
			t.Errorf("not hostile: %+v", f)
		}
	}
	if got := incident.Accused([]string{"Military Forces of Russia", "UA", "DPR"}, ts.Parties); !reflect.DeepEqual(got, []string{"RU", "UA"}) {
		t.Errorf("Accused = %v", got)
	}
}
