package events

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// BenchmarkParseUCDP interprets the rows of the real UCDP GED extract
// (read and split beforehand), as the workers of `truce adjudicate` do.
func BenchmarkParseUCDP(b *testing.B) {
	data, err := os.ReadFile("../../../shared/data/ucdp/ged-ukraine-2014-2022.csv")
	if err != nil {
		b.Skip("shared data not found:", err)
	}
	rd, err := NewReader(bytes.NewReader(data), "ged.csv")
	if err != nil {
		b.Fatal(err)
	}
	var raws []Raw
	for {
		r, err := rd.ReadRaw()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := rd.Parse(raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
	}
}
