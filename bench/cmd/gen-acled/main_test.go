package main

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"slices"
	"testing"
)

var dataDir = filepath.Join("..", "..", "..", "..", "shared", "data")

func TestGenerate(t *testing.T) {
	var a, b bytes.Buffer
	for _, out := range []*bytes.Buffer{&a, &b} {
		if err := run([]string{"-data", dataDir, "-n", "3000", "-seed", "2"}, out); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with one seed differ")
	}
	recs, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3001 || !slices.Equal(recs[0], header) {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	subs := map[string]int{}
	for _, r := range recs[1:] {
		subs[r[col["sub_event_type"]]]++
		for _, name := range []string{"event_id_cnty", "event_date", "time_precision", "event_type", "latitude", "longitude", "geo_precision"} {
			if r[col[name]] == "" {
				t.Fatalf("row %s: empty %s", r[0], name)
			}
		}
	}
	// 670 per mille of the mix are shelling; 3000 draws land near 2010.
	if n := subs["Shelling/artillery/missile attack"]; n < 1800 || n > 2200 {
		t.Errorf("%d shelling rows of 3000, want about 2010", n)
	}
}
