package ingest

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2025, 5, 9, 12, 0, 0, 0, time.UTC)
	p := &progress{w: &out, now: func() time.Time { return now }}
	in := &input{name: "/data/acled.csv", size: 1000, done: new(atomic.Int64)}
	var rows atomic.Int64
	p.file(in, &rows)
	rows.Store(123456)
	in.done.Store(250)
	now = now.Add(10 * time.Second)
	p.draw()
	// 123,456 rows in 10 s; a quarter of the bytes in 10 s leaves 30 s.
	if want := "\r\033[Kacled.csv: 123,456 rows, 12,345 rows/s, 25%, ETA 30s"; out.String() != want {
		t.Errorf("%q\nwant %q", out.String(), want)
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4930: "-4,930"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
