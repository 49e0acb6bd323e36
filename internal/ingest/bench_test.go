package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// benchRows is the size of the generated ACLED file of the benchmarks.
const benchRows = 200_000

// acledBenchFile generates the benchmark input in b's temporary directory.
func acledBenchFile(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	path := filepath.Join(dir, "acled.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := GenerateACLED(f, benchRows, 1); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkImportACLED imports a generated ACLED file into a fresh
// database, durable at return (SQLite: WAL, synchronous=FULL), and reports
// rows/s: into SQLite always, into PostgreSQL when TRUCE_TEST_POSTGRES is
// set.
func BenchmarkImportACLED(b *testing.B) {
	path := acledBenchFile(b)
	for name, s := range testStores(b) {
		b.Run(name, func(b *testing.B) {
			var rows int
			var elapsed time.Duration
			for i := 0; b.Loop(); i++ {
				dsn := s[1]
				if name == "sqlite" {
					dsn = filepath.Join(b.TempDir(), "truce.db")
				}
				db, err := store.Open(context.Background(), dsn, store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				sum, err := Run(context.Background(), db, Options{}, path)
				elapsed += time.Since(t0)
				db.Close()
				// PostgreSQL keeps one schema: from the second round on, the
				// rows are present and the round measures the re-run.
				if err != nil || sum.Imported+sum.Present != benchRows || i == 0 && sum.Imported != benchRows {
					b.Fatalf("%+v %v", sum, err)
				}
				rows += sum.Read
			}
			b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
		})
	}
}

// discardSink takes everything and stores nothing: the cost of reading,
// converting and batching alone.
type discardSink struct{}

func (discardSink) ImportReports(_ context.Context, rs []truce.Report) (int, int, error) {
	return len(rs), 0, nil
}
func (discardSink) ImportObservations(_ context.Context, os []truce.Observation) (int, int, error) {
	return len(os), 0, nil
}
func (discardSink) PutAgreement(context.Context, truce.Agreement, string) (int, bool, error) {
	return 1, true, nil
}

// BenchmarkReadACLED is BenchmarkImportACLED without a database.
func BenchmarkReadACLED(b *testing.B) {
	path := acledBenchFile(b)
	b.ResetTimer()
	var rows int
	var elapsed time.Duration
	for b.Loop() {
		t0 := time.Now()
		sum, err := Run(context.Background(), discardSink{}, Options{}, path)
		elapsed += time.Since(t0)
		if err != nil || sum.Imported != benchRows {
			b.Fatalf("%+v %v", sum, err)
		}
		rows += sum.Imported
	}
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
}
