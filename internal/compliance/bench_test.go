package compliance_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/truce-monitor/truce/internal/compliance"
)

// BenchmarkDaily computes the report of a day of the Donbas measures on
// the real UCDP GED events (3,077 rows; a window of 19 months, all of
// which the running total reads) and renders it in every format.
func BenchmarkDaily(b *testing.B) {
	db, g := loadUCDPB(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		rep, err := compliance.Daily(ctx, db, g, donbas, "2021-07-13", -1)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range compliance.Formats {
			var buf bytes.Buffer
			if err := rep.Render(&buf, f); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkAlerterFold reads the whole log of the demo mission (12,000
// leaves, most of them findings) into the alert rules' state, as the
// worker does when it starts.
func BenchmarkAlerterFold(b *testing.B) {
	db, g := loadDemoB(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		a := compliance.NewAlerter(db, g, nil)
		if err := a.Step(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
