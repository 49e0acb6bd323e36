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

// BenchmarkImportACLED imports a generated ACLED file into a fresh SQLite
// database, durable at return (WAL, synchronous=FULL), and reports rows/s.
func BenchmarkImportACLED(b *testing.B) {
	path := acledBenchFile(b)
	b.ResetTimer()
	var rows int
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		dsn := filepath.Join(b.TempDir(), "truce.db")
		db, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		sum, err := Run(context.Background(), db, Options{}, path)
		elapsed += time.Since(t0)
		if err != nil || sum.Imported != benchRows {
			b.Fatalf("%+v %v", sum, err)
		}
		rows += sum.Imported
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
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
