package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
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
		t.Logf("reason: %s", d.History[0].Reason)
		t.Logf("members: %+v", d.Members)
		t.Logf("corroboration: %+v", d.Corroboration)
		// Nothing left to do.
		before := logSize(t, db)
		if s, err := db.Regroup(ctx, g); err != nil || len(s.Changed) != 0 {
			t.Fatalf("Regroup = %+v, %v", s, err)
		}
		checkLog(t, db, before)
	})
}
