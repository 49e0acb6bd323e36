package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

func mustGazetteer(t *testing.T) *geo.Gazetteer {
	t.Helper()
	gz, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	return gz
}

// TestTermsParse runs the embedded terms through the parser users' terms
// files go through, gazetteer checks included.
func TestTermsParse(t *testing.T) {
	gz := mustGazetteer(t)
	for _, name := range TermsFiles() {
		t.Run(name, func(t *testing.T) {
			b, err := Open(name)
			if err != nil {
				t.Fatal(err)
			}
			tm, err := terms.Parse(bytes.NewReader(b), gz)
			if err != nil {
				t.Fatal(err)
			}
			want := mustTermsJSON(t, name)
			if len(tm.Parties) != len(want.Parties) || len(tm.Agreements) != len(want.Agreements) {
				t.Fatalf("parsed %d parties, %d agreements; the file has %d, %d",
					len(tm.Parties), len(tm.Agreements), len(want.Parties), len(want.Agreements))
			}
			for i, a := range tm.Agreements {
				if a.ID != want.Agreements[i].ID || a.Status != want.Agreements[i].Status {
					t.Errorf("agreement %d = %s (%s), want %s (%s)", i, a.ID, a.Status, want.Agreements[i].ID, want.Agreements[i].Status)
				}
			}
		})
	}
}

// stores returns the stores to run against: SQLite always, PostgreSQL in
// a schema of its own when TRUCE_TEST_POSTGRES holds a connection URL.
func stores(t *testing.T) map[string]string {
	t.Helper()
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "demo.db")}
	pg := os.Getenv("TRUCE_TEST_POSTGRES")
	if pg == "" {
		return dsns
	}
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := "demo_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dsns["postgres"] = u.String()
	return dsns
}

// The counts below are read off the data files by hand: 8 parties in the
// scenario and 5 in the Donbas file, UA and RU in both; 4 + 1 agreements; 4
// claims; 3,077 UCDP events (the published row count); 12 illustrative
// reports.
func TestLoadTwice(t *testing.T) {
	gz := mustGazetteer(t)
	for backend, dsn := range stores(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2025, 5, 12, 8, 0, 0, 0, time.UTC)
			db, err := store.Open(ctx, dsn, store.Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			first, err := Load(ctx, db, gz, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !first.Changed() {
				t.Fatal("first load changed nothing")
			}
			wantTerms := []store.TermsSummary{
				{PartiesAdded: 8, AgreementsAdded: 4},
				{PartiesAdded: 3, PartiesUnchanged: 2, AgreementsAdded: 1},
			}
			checkTerms(t, first, wantTerms)
			if first.ClaimsAdded != 4 || first.DatasetAdded != 3077 || first.DatasetRejected != 0 || first.ReportsAdded != 12 {
				t.Errorf("first load: %+v", first)
			}
			before := contents(t, db)
			if before.parties != 11 || before.claims != 4 || before.reports != 3077+12 {
				t.Errorf("store after the first load: %+v", before)
			}
			wantIDs := []string{"energy-moratorium-2025", "easter-truce-2025", "victory-day-truce-2025",
				"ceasefire-proposal-30-day-2025", "donbas-ceasefire-measures-2020"}
			if !slices.Equal(before.agreements, wantIDs) {
				t.Errorf("agreements = %v, want %v", before.agreements, wantIDs)
			}

			easter, err := db.Agreement(ctx, "easter-truce-2025")
			if err != nil {
				t.Fatal(err)
			}
			start, end, err := easter.Window.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			if !start.Equal(utc("2025-04-19T15:00:00Z")) || !end.Equal(utc("2025-04-20T21:00:00Z")) {
				t.Errorf("stored Easter truce window %s – %s", start, end)
			}
			prop, err := db.Agreement(ctx, "ceasefire-proposal-30-day-2025")
			if err != nil {
				t.Fatal(err)
			}
			if prop.Status != truce.StatusProposed || prop.Monitoring == nil || !slices.Equal(prop.Monitoring.Lead, []string{"US"}) {
				t.Errorf("stored proposal: status %s, monitoring %+v", prop.Status, prop.Monitoring)
			}

			checkReports(t, db)

			second, err := Load(ctx, db, gz, nil)
			if err != nil {
				t.Fatal(err)
			}
			if second.Changed() {
				t.Errorf("second load changed something: %+v", second)
			}
			if !strings.Contains(second.String(), "already loaded") {
				t.Errorf("second summary does not say so: %q", second.String())
			}
			checkTerms(t, second, []store.TermsSummary{
				{PartiesUnchanged: 8, AgreementsUnchanged: 4},
				{PartiesUnchanged: 5, AgreementsUnchanged: 1},
			})
			if second.ClaimsPresent != 4 || second.DatasetPresent != 3077 || second.ReportsPresent != 12 {
				t.Errorf("second load: %+v", second)
			}
			after := contents(t, db)
			if fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("the second load changed the store:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

func checkTerms(t *testing.T, s Summary, want []store.TermsSummary) {
	t.Helper()
	if len(s.Terms) != len(want) {
		t.Fatalf("%d terms files loaded, want %d", len(s.Terms), len(want))
	}
	for i, w := range want {
		if s.Terms[i].TermsSummary != w {
			t.Errorf("%s: %+v, want %+v", s.Terms[i].File, s.Terms[i].TermsSummary, w)
		}
	}
}

type storeContents struct {
	parties, claims int
	reports, log    int64
	agreements      []string
}

func contents(t *testing.T, db *store.DB) storeContents {
	t.Helper()
	ctx := context.Background()
	var c storeContents
	ps, err := db.Parties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.parties = len(ps)
	as, err := db.Agreements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		c.agreements = append(c.agreements, a.ID)
	}
	cs, err := db.Claims(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.claims = len(cs)
	if c.reports, err = db.CountReports(ctx); err != nil {
		t.Fatal(err)
	}
	if c.log, err = db.LogSize(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// The illustrative reports are stored as submitted by "demo" and still
// marked; the UCDP events arrive as dataset reports from the importer.
func checkReports(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	demo, err := db.Reports(ctx, store.ReportFilter{SubmittedBy: SubmittedBy})
	if err != nil {
		t.Fatal(err)
	}
	if len(demo) != 12 {
		t.Fatalf("%d reports submitted by %q, want 12", len(demo), SubmittedBy)
	}
	for _, r := range demo {
		if !r.Illustrative || !strings.HasPrefix(r.Description, "Illustrative") || r.ExternalID == "" {
			t.Errorf("report %d (%s) lost its illustrative marking or its external id", r.ID, r.ExternalID)
		}
	}
	ds, err := db.Reports(ctx, store.ReportFilter{SourceKind: truce.SourceDataset})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3077 {
		t.Fatalf("%d dataset reports, want 3077", len(ds))
	}
	// UCDP event 147997, the first row: Kiev, 22 January 2014.
	i := slices.IndexFunc(ds, func(r truce.Report) bool { return r.ExternalID == "147997" })
	if i < 0 {
		t.Fatalf("UCDP event 147997 not stored under its id; first external id %q", ds[0].ExternalID)
	}
	if ds[i].Illustrative || ds[i].SubmittedBy != "import:ucdp-ged" {
		t.Errorf("UCDP event 147997: illustrative %v, submitted by %q", ds[i].Illustrative, ds[i].SubmittedBy)
	}
}
