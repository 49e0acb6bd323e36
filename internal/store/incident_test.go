package store_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

// pokrovsk is a place and time the incident tests share.
var (
	pokLat, pokLon = 48.28, 37.18
	may9           = time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC)
)

func TestGroupNewCorroborates(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		g := grouper(t)
		ids := create(t, db,
			account{kind: truce.SourceParty, name: "General Staff", party: "UA", lat: pokLat, lon: pokLon, r: 5, from: may9, hours: 1, perps: []string{"RU"}},
			account{kind: truce.SourceParty, name: "Ministry of Defence", party: "UA", lat: pokLat + 0.05, lon: pokLon, r: 5, from: may9, hours: 2},
		)
		s := groupNew(t, db, g)
		if s.Reports != 2 || len(s.Created) != 1 || len(s.Corroborated) != 0 {
			t.Fatalf("first GroupNew = %+v", s)
		}
		inc := incidentOf(t, db, ids[0])
		if !reflect.DeepEqual(inc.ReportIDs, ids) || inc.Status != truce.IncidentAlleged || inc.Sources != 1 || inc.Version != 1 {
			t.Fatalf("incident = %+v", inc)
		}
		// A media report is a second, independent source.
		ids = append(ids, create(t, db, account{kind: truce.SourceMedia, name: "Suspilne", lat: pokLat, lon: pokLon + 0.05, r: 2, from: may9.Add(90 * time.Minute), hours: 0})...)
		s = groupNew(t, db, g)
		if s.Reports != 1 || len(s.Created) != 0 || !reflect.DeepEqual(s.Corroborated, []int64{inc.ID}) {
			t.Fatalf("second GroupNew = %+v", s)
		}
		d, err := db.IncidentDetail(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d.ReportIDs, ids) || d.Status != truce.IncidentCorroborated || d.Sources != 2 || d.Version != 3 {
			t.Fatalf("incident = %+v", d.Incident)
		}
		if len(d.History) != 1 || d.History[0].By != incident.SystemUser || d.History[0].From != truce.IncidentAlleged {
			t.Fatalf("history = %+v", d.History)
		}
		if want := "2 independent sources: media:suspilne (#3), party:UA (#1, #2)"; d.History[0].Reason != want {
			t.Errorf("reason %q, want %q", d.History[0].Reason, want)
		}
		for i, m := range d.Members {
			if m.ReportID != ids[i] || m.Role != incident.RoleLinked || m.Why == "" {
				t.Errorf("member %d: %+v", i, m)
			}
		}
		// 1 and 3 are 3.7 km apart, 1 and 2 5.6 km: each names its nearest.
		if vias := []int64{d.Members[0].Via, d.Members[1].Via, d.Members[2].Via}; !reflect.DeepEqual(vias, []int64{ids[2], ids[0], ids[0]}) {
			t.Errorf("members link via %v", vias)
		}
		if c := d.Corroboration; c.Score != 0.3 || len(c.Sources) != 2 || c.Sources[0].Key != "media:suspilne" || len(c.Terms) != 3 || d.Score != 0.3 {
			t.Errorf("corroboration %+v, score %v", c, d.Score)
		}
		// Nothing left to do.
		before := logSize(t, db)
		if s, err := db.Regroup(ctx, g); err != nil || len(s.Changed) != 0 {
			t.Fatalf("Regroup = %+v, %v", s, err)
		}
		checkLog(t, db, before)
	})
}

// TestIncidentFindings keeps an incident's findings current: judged when
// it forms, judged again when a report changes what it says.
func TestIncidentFindings(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		gz, err := gazetteer()
		if err != nil {
			t.Fatal(err)
		}
		b, err := demo.Open(demo.ScenarioTermsFile)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := terms.Parse(bytes.NewReader(b), gz)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ImportTerms(ctx, ts, "test"); err != nil {
			t.Fatal(err)
		}
		g := grouper(t)
		j := judge(t, db, g)
		// 9 May near Pokrovsk, by Russian forces: inside the Victory Day
		// truce, which bound Russia.
		ids := create(t, db, account{kind: truce.SourceParty, name: "General Staff", party: "UA", lat: pokLat, lon: pokLon, r: 5, from: may9, hours: 1,
			perps: []string{"Military Forces of Russia"}})
		s := groupNew(t, db, g)
		if _, err := db.RecomputeFindings(ctx, j, s.Live()); err != nil {
			t.Fatal(err)
		}
		verdict := func() truce.Finding {
			t.Helper()
			inc := incidentOf(t, db, ids[0])
			for _, f := range inc.Findings {
				if f.AgreementID == "victory-day-truce-2025" {
					return f
				}
			}
			t.Fatalf("incident %d has no finding for the Victory Day truce: %+v", inc.ID, inc.Findings)
			return truce.Finding{}
		}
		if f := verdict(); f.Verdict != truce.VerdictViolation || f.Party != "RU" || f.SubjectKind != store.SubjectIncident {
			t.Fatalf("finding %+v", f)
		}
		// Russia answers with its own account of the same shelling, by
		// Ukraine: the accounts conflict, and the engine cannot say who.
		create(t, db, account{kind: truce.SourceParty, name: "Ministry of Defence", party: "RU", lat: pokLat, lon: pokLon, r: 10, from: may9, hours: 2,
			perps: []string{"UA"}})
		s = groupNew(t, db, g)
		if n, err := db.RecomputeFindings(ctx, j, s.Live()); err != nil || n == 0 {
			t.Fatalf("RecomputeFindings = %d, %v", n, err)
		}
		if f := verdict(); f.Verdict != truce.VerdictUncertain || f.Party != "" {
			t.Errorf("after the second account: %+v", f)
		}
		if n, err := db.RecomputeFindings(ctx, j, nil); err != nil || n != 0 {
			t.Errorf("judging again changed %d findings, %v", n, err)
		}
		if incs, err := db.Incidents(ctx, store.IncidentFilter{AgreementID: "victory-day-truce-2025"}); err != nil || len(incs) != 1 {
			t.Errorf("incidents under the Victory Day truce: %+v, %v", incs, err)
		}
		if incs, err := db.Incidents(ctx, store.IncidentFilter{AgreementID: "easter-truce-2025"}); err != nil || len(incs) != 0 {
			t.Errorf("incidents under the Easter truce: %+v, %v", incs, err)
		}
		checkLog(t, db, logSize(t, db))
	})
}

func TestIncidentsFilter(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		if _, err := db.PutParty(ctx, truce.Party{Code: "RU", Name: "Russia", Aliases: []string{"Military Forces of Russia"}}, "test"); err != nil {
			t.Fatal(err)
		}
		ids := create(t, db,
			account{kind: truce.SourceMedia, name: "A", lat: pokLat, lon: pokLon, r: 1, from: may9, hours: 1, perps: []string{"Military Forces of Russia (2000-)"}},
			account{kind: truce.SourceMedia, name: "B", lat: 50.45, lon: 30.52, r: 1, from: may9.Add(48 * time.Hour), hours: 1, perps: []string{"UA"}},
			account{kind: truce.SourceMedia, name: "C", lat: 46.48, lon: 30.73, r: 1, from: may9.Add(96 * time.Hour), hours: 1},
		)
		groupNew(t, db, grouper(t))
		var incs []int64
		for _, id := range ids {
			incs = append(incs, incidentOf(t, db, id).ID)
		}
		second, err := db.Incident(ctx, incs[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Transition(ctx, truce.Transition{IncidentID: incs[1], To: truce.IncidentVerified, Reason: "seen", By: "mon"}, second.Version); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    store.IncidentFilter
			want []int64
		}{
			{"all", store.IncidentFilter{}, incs},
			{"status", store.IncidentFilter{Status: truce.IncidentVerified}, incs[1:2]},
			{"from", store.IncidentFilter{From: may9.Add(time.Hour)}, incs[1:]},
			{"to", store.IncidentFilter{To: may9.Add(48 * time.Hour)}, incs[:1]},
			{"bbox", store.IncidentFilter{BBox: &[4]float64{29, 46, 32, 51}}, incs[1:]},
			{"party by alias", store.IncidentFilter{Party: "RU"}, incs[:1]},
			{"party by code", store.IncidentFilter{Party: "UA"}, nil},
			{"after", store.IncidentFilter{AfterID: incs[0]}, incs[1:]},
			{"limit", store.IncidentFilter{Limit: 2}, incs[:2]},
		}
		for _, tc := range tests {
			got, err := db.Incidents(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []int64
			for _, inc := range got {
				gotIDs = append(gotIDs, inc.ID)
				if len(inc.ReportIDs) != 1 {
					t.Errorf("%s: incident %d reports %v", tc.name, inc.ID, inc.ReportIDs)
				}
			}
			if !reflect.DeepEqual(gotIDs, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, gotIDs, tc.want)
			}
		}
		if _, err := db.Incident(ctx, 99); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("Incident(99): %v", err)
		}
		if _, err := db.IncidentDetail(ctx, 99); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("IncidentDetail(99): %v", err)
		}
	})
}
