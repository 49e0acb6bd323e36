package main

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

var dataDir = filepath.Join("..", "..", "..", "..", "shared", "data")

func generate(t *testing.T, args ...string) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := run(append([]string{"-data", dataDir}, args...), &out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestSameSeedSameBytes(t *testing.T) {
	a := generate(t, "-n", "500", "-seed", "4")
	b := generate(t, "-n", "500", "-seed", "4")
	c := generate(t, "-n", "500", "-seed", "5")
	if !bytes.Equal(a, b) {
		t.Error("two runs with one seed differ")
	}
	if bytes.Equal(a, c) {
		t.Error("runs with different seeds are equal")
	}
}

func TestRowsAreValidUCDP(t *testing.T) {
	recs, err := csv.NewReader(bytes.NewReader(generate(t, "-n", "2000", "-from", "2025-01-01", "-days", "10"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"id", "type_of_violence", "side_a", "side_b", "country", "latitude", "longitude",
		"where_prec", "date_start", "date_end", "source_headline", "where_description"}
	if !slices.Equal(recs[0], want) {
		t.Fatalf("header %v, want %v", recs[0], want)
	}
	if len(recs) != 2001 {
		t.Fatalf("%d records, want 2001", len(recs))
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	precs := map[string]int{}
	for i, r := range recs[1:] {
		if r[0] != strconv.Itoa(i+1) {
			t.Fatalf("row %d: id %q", i+1, r[0])
		}
		lat, err1 := strconv.ParseFloat(r[5], 64)
		lon, err2 := strconv.ParseFloat(r[6], 64)
		// Ukraine and its borderlands, where every real point lies.
		if err1 != nil || err2 != nil || lat < 43 || lat > 54 || lon < 21 || lon > 42 {
			t.Errorf("row %d: place %s,%s", i+1, r[5], r[6])
		}
		precs[r[7]]++
		d0, err1 := time.Parse(time.DateOnly, r[8])
		d1, err2 := time.Parse(time.DateOnly, r[9])
		if err1 != nil || err2 != nil || d0.Before(from) || !d0.Before(from.AddDate(0, 0, 10)) || d1.Before(d0) {
			t.Errorf("row %d: dates %s..%s", i+1, r[8], r[9])
		}
		if r[2] == "" || r[3] == "" || (r[1] != "1" && r[1] != "2" && r[1] != "3") {
			t.Errorf("row %d: sides %q %q type %q", i+1, r[2], r[3], r[1])
		}
	}
	// Real UCDP: where_prec 2 is most common (1606 of 3077), then 1 (751).
	if precs["2"] < precs["1"] || precs["1"] < precs["4"] {
		t.Errorf("where_prec counts %v do not follow the real distribution", precs)
	}
}
