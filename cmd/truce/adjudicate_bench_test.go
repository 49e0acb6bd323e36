package main

import (
	"context"
	"io"
	"os"
	"testing"
)

// BenchmarkAdjudicateCommand runs `truce adjudicate --all` as the binary
// does, output discarded, on the events file named by TRUCE_BENCH_EVENTS
// (e.g. bench/out/events-1000000-*.csv from scripts/bench.sh) against
// bench/terms-10.json: the command path of the adjudicate job, for
// `go test -cpuprofile`. Without the variable it is skipped.
func BenchmarkAdjudicateCommand(b *testing.B) {
	file := os.Getenv("TRUCE_BENCH_EVENTS")
	if file == "" {
		b.Skip("TRUCE_BENCH_EVENTS names no events file")
	}
	for b.Loop() {
		if rc := runAdjudicate(context.Background(), []string{"--terms", "../../bench/terms-10.json",
			"--events", file, "--all"}, io.Discard, io.Discard); rc != 0 {
			b.Fatalf("exit %d", rc)
		}
	}
}
