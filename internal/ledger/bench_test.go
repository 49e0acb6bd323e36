package ledger_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/truce-monitor/truce/internal/ledger"
)

// bigLog builds a signed log of n reports whose records are regenerated
// on demand, with a checkpoint every n/10 entries.
func bigLog(b *testing.B, n int) (*memSource, ledger.Key) {
	b.Helper()
	k := newKey(b, "truce.test/log")
	m := newMemSource()
	m.gen = fillRecord
	m.entries = make([]ledger.Entry, 0, n)
	l := ledger.NewLog(m, k.Signer, nil)
	for i := range 10 {
		m.fill(b, n/10+boolInt(i == 9)*(n%10))
		if _, err := l.Checkpoint(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	return m, k
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// BenchmarkVerify verifies whole logs: re-encoding every record, hashing
// every leaf, checking stored hashes and checkpoints. The goal is a
// million entries in under 30 s.
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			m, k := bigLog(b, n)
			b.ResetTimer()
			for b.Loop() {
				rep, err := ledger.Verify(context.Background(), m, k.Verifier)
				if err != nil {
					b.Fatal(err)
				}
				if !rep.OK() || rep.Size != int64(n) {
					b.Fatalf("verify: %+v%s", rep, problems(rep))
				}
			}
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "leaves/s")
		})
	}
}

// BenchmarkProofs times proving from stored hashes and reports proof
// sizes: the inclusion proof of the middle entry and the consistency proof
// from half the log, in hashes and bytes.
func BenchmarkProofs(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("leaves=%d", n), func(b *testing.B) {
			ctx := context.Background()
			m, _ := bigLog(b, n)
			l := ledger.NewLog(m, nil, nil)
			size := int64(n)
			var incl, cons int
			b.ResetTimer()
			for b.Loop() {
				p, err := l.ProveInclusion(ctx, size/2, size)
				if err != nil {
					b.Fatal(err)
				}
				c, err := l.ProveConsistency(ctx, size/2+1, size)
				if err != nil {
					b.Fatal(err)
				}
				incl, cons = len(p), len(c)
			}
			b.ReportMetric(float64(incl), "incl-hashes")
			b.ReportMetric(float64(32*incl), "incl-bytes")
			b.ReportMetric(float64(cons), "cons-hashes")
			b.ReportMetric(float64(32*cons), "cons-bytes")
		})
	}
}
