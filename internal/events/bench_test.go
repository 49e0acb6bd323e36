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
	raws := readRaws(b, rd, -1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := rd.Parse(raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseACLED interprets the first 50,000 rows of the ACLED file
// named by $TRUCE_BENCH_ACLED (for instance one made by `truce import
// --generate-acled`), read and split beforehand: the parser's share of
// `truce import acled`.
func BenchmarkParseACLED(b *testing.B) {
	name := os.Getenv("TRUCE_BENCH_ACLED")
	if name == "" {
		b.Skip("TRUCE_BENCH_ACLED names no ACLED file")
	}
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rd, err := NewReader(f, name)
	if err != nil {
		b.Fatal(err)
	}
	raws := readRaws(b, rd, 50_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%len(raws) == 0 {
			// Each pass sees its notes anew, as an import sees a file's.
			resetMemo(domainKeywords)
			resetMemo(energyKeywords)
		}
		if _, err := rd.Parse(raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
	}
}

// resetMemo empties k's memo.
func resetMemo(k *Keywords) {
	k.memo.Clear()
	k.memos.Store(0)
	k.calls.Store(0)
	k.hits.Store(0)
	k.skipUntil.Store(0)
}

// readRaws reads up to limit rows of rd (every row if limit < 0), split
// but not interpreted.
func readRaws(b *testing.B, rd *Reader, limit int) []Raw {
	b.Helper()
	var raws []Raw
	for limit < 0 || len(raws) < limit {
		r, err := rd.ReadRaw()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, r)
	}
	return raws
}
