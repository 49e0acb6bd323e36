package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/store"
)

// gazetteer loads the embedded gazetteer once for the package's tests.
var gazetteer = sync.OnceValues(geo.Load)

// grouper returns a Grouper with the default rules and the gazetteer.
func grouper(t testing.TB) *incident.Grouper {
	t.Helper()
	gz, err := gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// account is a report for incident tests: who told it, where and when.
type account struct {
	kind, name, party string
	lat, lon, r       float64
	from              time.Time
	hours             float64
	domains           []string
	perps             []string
}

func (a account) report(ext string) truce.Report {
	to := a.from.Add(time.Duration(a.hours * float64(time.Hour)))
	from := a.from
	domains := a.domains
	if domains == nil {
		domains = []string{truce.DomainLand}
	}
	return truce.Report{
		ExternalID:   ext,
		Source:       truce.ReportSource{Kind: a.kind, Name: a.name, Party: a.party},
		Occurred:     truce.Occurrence{From: &from, To: &to},
		Place:        truce.Point(a.lat, a.lon, a.r),
		Domains:      domains,
		Perpetrators: a.perps,
		Description:  fmt.Sprintf("%s: shelling reported (%s)", a.name, ext),
		SubmittedBy:  "test",
	}
}

// create stores accounts as reports and returns their ids.
func create(t testing.TB, db *store.DB, as ...account) []int64 {
	t.Helper()
	var ids []int64
	for _, a := range as {
		n, _ := db.CountReports(context.Background())
		r := a.report(fmt.Sprintf("acc-%d", n+1))
		if _, err := db.CreateReport(context.Background(), &r); err != nil {
			t.Fatalf("CreateReport: %v", err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// partition returns the record's incidents as sorted lists of report ids.
func partition(t testing.TB, db *store.DB) [][]int64 {
	t.Helper()
	incs, err := db.Incidents(context.Background(), store.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]int64
	for _, inc := range incs {
		out = append(out, inc.ReportIDs)
	}
	slices.SortFunc(out, func(a, b []int64) int { return int(a[0] - b[0]) })
	return out
}

// incidentOf returns the incident a report is in.
func incidentOf(t testing.TB, db *store.DB, reportID int64) truce.Incident {
	t.Helper()
	r, err := db.Report(context.Background(), reportID)
	if err != nil {
		t.Fatal(err)
	}
	if r.IncidentID == nil {
		t.Fatalf("report %d is in no incident", reportID)
	}
	inc, err := db.Incident(context.Background(), *r.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func groupNew(t testing.TB, db *store.DB, g *incident.Grouper) store.GroupSummary {
	t.Helper()
	s, err := db.GroupNew(context.Background(), g)
	if err != nil {
		t.Fatalf("GroupNew: %v", err)
	}
	return s
}

func logSize(t testing.TB, db *store.DB) int64 {
	t.Helper()
	n, err := db.LogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// collected is an ingest sink that keeps what a real import would store.
type collected struct {
	reports []truce.Report
	obs     []truce.Observation
}

func (c *collected) ImportReports(_ context.Context, rs []truce.Report) (int, int, error) {
	c.reports = append(c.reports, rs...)
	return len(rs), 0, nil
}

func (c *collected) ImportObservations(_ context.Context, obs []truce.Observation) (int, int, error) {
	c.obs = append(c.obs, obs...)
	return len(obs), 0, nil
}

func (c *collected) PutAgreement(context.Context, truce.Agreement, string) (int, bool, error) {
	return 1, true, nil
}

// readShared reads a real data file through the importer the product
// uses, without a store.
func readShared(t testing.TB, format, rel string) *collected {
	t.Helper()
	c := &collected{}
	path := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := ingest.Run(context.Background(), c, ingest.Options{Format: format}, path); err != nil {
		t.Fatalf("read %s: %v", rel, err)
	}
	return c
}

// migrationVersions counts the schema's migrations (NNNN_name.sql, with
// dialect variants counted once), as schema_migrations records them.
func migrationVersions(t testing.TB) int {
	t.Helper()
	es, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range es {
		if name, ok := strings.CutSuffix(e.Name(), ".sql"); ok {
			version, _, _ := strings.Cut(name, "-")
			seen[version] = true
		}
	}
	return len(seen)
}
