package store_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/demo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

// BenchmarkStores measures the same operations on SQLite and PostgreSQL,
// named BenchmarkStores/OPERATION/DIALECT (the queries on one mission:
// BenchmarkStores/DIALECT/OPERATION) so that scripts/bench-stores.sh can
// set them side by side. Each reports its rate as a custom metric:
//
//	import         ImportReports, batches of 5,000 real UCDP events   rows/s
//	log-append     one transaction appending one leaf (PutParty)      appends/s
//	writers-N      CreateReport from N goroutines at once              reports/s
//	writers-N/nodes-K  the same, spread over K stores open on one
//	               database (K API nodes): 4 and 16 writers each on
//	               its own node, 16 writers over 4 nodes          reports/s
//	writers-N/nodes-K/queue  the same on PostgreSQL with the report
//	               queue on (report_queue=on)                     reports/s
//	group          GroupNew over 5,000 new reports                     reports/s
//	adjudicate     RecomputeFindings over every incident of a mission  incidents/s
//	list-reports   Reports in a box, 100 at a time                     queries/s
//	list-incidents Incidents violating an agreement, 100 at a time     queries/s
//	stats          Stats by party against an agreement                  queries/s
//
// The mission behind the queries and the adjudication is the real UCDP
// record of Ukraine 2014-2022 four times over (the copies three days
// apart), about 13,000 reports, grouped and judged against the demo's
// July 2020 Donbas ceasefire terms.
func BenchmarkStores(b *testing.B) {
	ctx := context.Background()
	src := ucdpMissionReports(b)
	for _, d := range dialects() {
		b.Run("import/"+d, func(b *testing.B) { benchImport(b, d, ucdpReports(b)) })
		b.Run("log-append/"+d, func(b *testing.B) {
			db := benchDB(b, d)
			i := 0
			for b.Loop() {
				p := truce.Party{Code: "P" + fmt.Sprint(i%50), Name: fmt.Sprintf("Party %d", i)}
				if _, err := db.PutParty(ctx, p, "bench"); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "appends/s")
		})
		for _, w := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("writers-%d/%s", w, d), func(b *testing.B) { benchWriters(b, d, w, 1, false, src) })
		}
		// Writers over several nodes: each writer on its own node (1, 4
		// and 16 nodes, as separate API processes each serving one
		// client), and 16 writers over 4 nodes.
		// On PostgreSQL the same again with the report queue on.
		for _, wn := range [][2]int{{4, 4}, {16, 4}, {16, 16}} {
			b.Run(fmt.Sprintf("writers-%d/nodes-%d/%s", wn[0], wn[1], d), func(b *testing.B) { benchWriters(b, d, wn[0], wn[1], false, src) })
		}
		if d == store.Postgres {
			for _, wn := range [][2]int{{4, 4}, {16, 4}, {16, 16}} {
				b.Run(fmt.Sprintf("writers-%d/nodes-%d/queue/%s", wn[0], wn[1], d), func(b *testing.B) { benchWriters(b, d, wn[0], wn[1], true, src) })
			}
		}
		b.Run("group/"+d, func(b *testing.B) {
			db := benchDB(b, d)
			g := grouper(b)
			n := 0
			for b.Loop() {
				b.StopTimer()
				batch := make([]truce.Report, 5000)
				for i := range batch {
					batch[i] = src[(n+i)%len(src)]
					batch[i].ExternalID = fmt.Sprintf("%s-g%d", batch[i].ExternalID, (n+i)/len(src))
				}
				if _, _, err := db.ImportReports(ctx, batch); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := db.GroupNew(ctx, g); err != nil {
					b.Fatal(err)
				}
				n += len(batch)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
		})

		// The queries share one mission, built once per dialect.
		b.Run(d, func(b *testing.B) {
			m := newMission(b, d, src)
			b.Run("adjudicate", func(b *testing.B) {
				n := 0
				for b.Loop() {
					if _, err := m.db.RecomputeFindings(ctx, m.judge, nil); err != nil {
						b.Fatal(err)
					}
					n += m.incidents
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "incidents/s")
			})
			b.Run("list-reports", func(b *testing.B) {
				box := [4]float64{37, 47.5, 39, 48.5}
				benchQueries(b, func(i int) error {
					rs, err := m.db.Reports(ctx, store.ReportFilter{BBox: &box, AfterID: int64(i%100) * 100, Limit: 100})
					if err == nil && len(rs) == 0 {
						err = fmt.Errorf("no reports in %v", box)
					}
					return err
				})
			})
			b.Run("list-incidents", func(b *testing.B) {
				benchQueries(b, func(i int) error {
					is, err := m.db.Incidents(ctx, store.IncidentFilter{AgreementID: m.agreement, AfterID: int64(i%10) * 10, Limit: 100})
					if err == nil && len(is) == 0 {
						err = fmt.Errorf("no incidents against %s", m.agreement)
					}
					return err
				})
			})
			b.Run("stats", func(b *testing.B) {
				benchQueries(b, func(int) error {
					_, err := m.db.Stats(ctx, store.StatsFilter{AgreementID: m.agreement, Group: store.GroupParty})
					return err
				})
			})
		})
	}
}

// ucdpMissionReports reads the real UCDP events through the importer
// (perpetrators as the importer names them), four times over, each copy
// three days after the one before, with its own external ids.
func ucdpMissionReports(b *testing.B) []truce.Report {
	base := readShared(b, ingest.FormatUCDP, "ucdp/ged-ukraine-2014-2022.csv").reports
	var out []truce.Report
	for k := range 4 {
		shift := time.Duration(k) * 72 * time.Hour
		for _, r := range base {
			r.ExternalID = fmt.Sprintf("%s-c%d", r.ExternalID, k)
			if r.Occurred.From != nil {
				from, to := r.Occurred.From.Add(shift), r.Occurred.To.Add(shift)
				r.Occurred.From, r.Occurred.To = &from, &to
			}
			out = append(out, r)
		}
	}
	return out
}

// mission is a grouped and judged record to query.
type mission struct {
	db        *store.DB
	judge     *incident.Judge
	agreement string
	incidents int
}

func newMission(b *testing.B, dialect string, src []truce.Report) *mission {
	ctx := context.Background()
	db := benchDB(b, dialect)
	gz, err := gazetteer()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := demo.Open(demo.DonbasTermsFile)
	if err != nil {
		b.Fatal(err)
	}
	ts, err := terms.Parse(bytes.NewReader(raw), gz)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.ImportTerms(ctx, ts, "bench"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(src); i += 5000 {
		if _, _, err := db.ImportReports(ctx, src[i:min(len(src), i+5000)]); err != nil {
			b.Fatal(err)
		}
	}
	g := grouper(b)
	if _, err := db.GroupNew(ctx, g); err != nil {
		b.Fatal(err)
	}
	parties, err := db.Parties(ctx)
	if err != nil {
		b.Fatal(err)
	}
	agreements, err := db.Agreements(ctx)
	if err != nil {
		b.Fatal(err)
	}
	j, err := incident.NewJudge(truce.Terms{Parties: parties, Agreements: agreements}, g)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.RecomputeFindings(ctx, j, nil); err != nil {
		b.Fatal(err)
	}
	// As autovacuum would soon after such a load.
	if err := db.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	is, err := db.Incidents(ctx, store.IncidentFilter{})
	if err != nil {
		b.Fatal(err)
	}
	return &mission{db: db, judge: j, agreement: agreements[0].ID, incidents: len(is)}
}

// benchWriters stores reports from w goroutines at once, each call its
// own CreateReport with its own leaf, as the API's handlers make them for
// their clients. With nodes > 1 the writers are spread over that many
// stores open on one database, as over several `truce serve` processes:
// on PostgreSQL each has its own connections and group commit and they
// take turns with the advisory lock; on SQLite each has its own writer
// connection and they take turns with the file's lock (BEGIN IMMEDIATE,
// waiting with busy_timeout), exactly as separate processes do. With
// queue (PostgreSQL), the stores open with report_queue=on.
func benchWriters(b *testing.B, dialect string, w, nodes int, queue bool, src []truce.Report) {
	ctx := context.Background()
	var dbs []*store.DB
	if nodes == 1 {
		dbs = append(dbs, benchDB(b, dialect))
	} else {
		var dsn string
		if dialect == store.Postgres {
			dsn = freshSchema(b)
			if queue {
				dsn += "&report_queue=on"
			}
		} else {
			dsn = filepath.Join(b.TempDir(), "truce.db")
		}
		clk := &clock{t: time.Now()}
		for range nodes {
			db, err := store.Open(ctx, dsn, store.Options{Now: clk.Now})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			dbs = append(dbs, db)
		}
	}
	var next atomic.Int64
	n := 0
	for b.Loop() {
		// One iteration: 512 reports split over the writers (the script
		// runs 3 iterations: fewer reports would leave the rate to noise).
		const round = 512
		var wg sync.WaitGroup
		errs := make(chan error, w)
		for k := range w {
			db := dbs[k%len(dbs)]
			wg.Go(func() {
				for range round / w {
					i := next.Add(1)
					r := src[int(i)%len(src)]
					r.ExternalID = fmt.Sprintf("%s-w%d", r.ExternalID, i)
					if _, err := db.CreateReport(ctx, &r); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		n += round / w * w
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
	// Every report has its leaf, whichever node wrote it.
	if size, err := dbs[0].LogSize(ctx); err != nil || size != int64(n) {
		b.Fatalf("log size %d, %v; want %d", size, err, n)
	}
}

// benchQueries runs a read query repeatedly.
func benchQueries(b *testing.B, q func(i int) error) {
	i := 0
	for b.Loop() {
		if err := q(i); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "queries/s")
}
