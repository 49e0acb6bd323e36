package store_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// ucdpReports reads the real UCDP GED events of /work/shared/data as
// reports, the way an importer would.
func ucdpReports(tb testing.TB) []truce.Report {
	tb.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "ucdp", "ged-ukraine-2014-2022.csv")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("UCDP data: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	var rs []truce.Report
	for line, row := range rows[1:] {
		get := func(name string) string { return row[col[name]] }
		lat, err1 := strconv.ParseFloat(get("latitude"), 64)
		lon, err2 := strconv.ParseFloat(get("longitude"), 64)
		from, err3 := time.Parse(time.DateOnly, get("date_start"))
		to, err4 := time.Parse(time.DateOnly, get("date_end"))
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
			tb.Fatalf("%s line %d: %v %v %v %v", path, line+2, err1, err2, err3, err4)
		}
		to = to.Add(24 * time.Hour)
		desc := get("source_headline")
		if desc == "" {
			desc = get("where_description")
		}
		if len(desc) > 2000 {
			desc = desc[:2000]
		}
		rs = append(rs, truce.Report{
			ExternalID:   get("id"),
			Source:       truce.ReportSource{Kind: truce.SourceDataset, Name: "UCDP GED 22.1"},
			Occurred:     truce.Occurrence{From: &from, To: &to},
			Place:        truce.Point(lat, lon, 5),
			Domains:      []string{truce.DomainLand},
			Perpetrators: []string{get("side_a")},
			Description:  desc,
			EventType:    get("type_of_violence"),
			Country:      get("country"),
			SubmittedBy:  "import:ucdp-ged",
		})
	}
	return rs
}

func benchDB(b *testing.B, dialect string) *store.DB {
	return mustOpen(b, dialect, &clock{t: time.Now()})
}

// BenchmarkImportReports imports batches of 5,000 real UCDP events (new
// external ids each time) into a growing store, log appends included:
// with the events' instants, and as local dates (how ACLED rows come),
// whose time zone must be resolved.
func BenchmarkImportReports(b *testing.B) {
	instants := ucdpReports(b)
	dates := make([]truce.Report, len(instants))
	for i, r := range instants {
		r.Occurred = truce.Occurrence{Date: r.Occurred.From.Format(time.DateOnly), Precision: "day", TZ: "Europe/Kyiv"}
		dates[i] = r
	}
	for _, d := range dialects() {
		for _, form := range []struct {
			name string
			src  []truce.Report
		}{{"instants", instants}, {"dates", dates}} {
			b.Run(d+"/"+form.name, func(b *testing.B) { benchImport(b, d, form.src) })
		}
	}
}

func benchImport(b *testing.B, dialect string, src []truce.Report) {
	db := benchDB(b, dialect)
	ctx := context.Background()
	const size = 5000
	rs := make([]truce.Report, size)
	batches := 0
	cpu := time.Duration(0)
	for b.Loop() {
		b.StopTimer()
		for i := range rs {
			n := batches*size + i
			rs[i] = src[n%len(src)]
			rs[i].ExternalID = fmt.Sprintf("%s-%d", rs[i].ExternalID, n/len(src))
		}
		b.StartTimer()
		c0 := cpuTime()
		added, _, err := db.ImportReports(ctx, rs)
		cpu += cpuTime() - c0
		if err != nil || added != size {
			b.Fatalf("ImportReports = %d, %v", added, err)
		}
		batches++
	}
	b.ReportMetric(float64(batches*size)/b.Elapsed().Seconds(), "rows/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(batches*size), "cpu-ns/row")
	}
}

// BenchmarkCreateReport stores single reports, each its own transaction
// with its own leaf: the API's path.
func BenchmarkCreateReport(b *testing.B) {
	src := ucdpReports(b)
	for _, d := range dialects() {
		b.Run(d, func(b *testing.B) {
			db := benchDB(b, d)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				r := src[i%len(src)]
				r.ExternalID = fmt.Sprintf("%s-%d", r.ExternalID, i)
				if created, err := db.CreateReport(ctx, &r); err != nil || !created {
					b.Fatalf("CreateReport = %v, %v", created, err)
				}
				i++
			}
		})
	}
}

// BenchmarkImportObservations imports batches of 5,000 real FIRMS fire
// detections (new external ids each time), log appends included.
func BenchmarkImportObservations(b *testing.B) {
	src := firms(b, 20000)
	for _, d := range dialects() {
		b.Run(d, func(b *testing.B) {
			db := benchDB(b, d)
			ctx := context.Background()
			const size = 5000
			obs := make([]truce.Observation, size)
			batches := 0
			for b.Loop() {
				b.StopTimer()
				for i := range obs {
					n := batches*size + i
					obs[i] = src[n%len(src)]
					obs[i].ExternalID = fmt.Sprintf("%s,%d", obs[i].ExternalID, n)
				}
				b.StartTimer()
				if added, _, err := db.ImportObservations(ctx, obs); err != nil || added != size {
					b.Fatalf("ImportObservations = %d, %v", added, err)
				}
				batches++
			}
			b.ReportMetric(float64(batches*size)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
