package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated test files")

// sharedData returns the path of a file under ../shared/data.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared data: %v", err)
	}
	return p
}

// buildPlaces extracts the generator's sample from the real files.
func buildPlaces(t *testing.T) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // no name or time: the same bytes on every run
	cw := csv.NewWriter(zw)
	cw.Write([]string{"latitude", "longitude", "date"})
	for _, src := range []struct {
		file           string
		every          int
		lat, lon, date string
	}{
		{"ucdp/ged-ukraine-2014-2022.csv", 3, "latitude", "longitude", "date_start"},
		{"firms/viirs-snpp-nrt-ukraine-2023.csv", 20, "latitude", "longitude", "acq_date"},
	} {
		f, err := os.Open(sharedData(t, src.file))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		h, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, c := range h {
			col[c] = i
		}
		for n := 0; ; n++ {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if n%src.every == 0 {
				cw.Write([]string{rec[col[src.lat]], rec[col[src.lon]], rec[col[src.date]][:10]})
			}
		}
		f.Close()
	}
	cw.Flush()
	zw.Close()
	return b.Bytes()
}

// The embedded sample is what the real files give.
func TestPlacesUpToDate(t *testing.T) {
	want := buildPlaces(t)
	if *update {
		if err := os.WriteFile("benchdata/places.csv.gz", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(placesGz, want) {
		t.Fatal("benchdata/places.csv.gz is stale: go test -run PlacesUpToDate -update")
	}
	ps, err := loadPlaces()
	if err != nil {
		t.Fatal(err)
	}
	// ceil(3077/3) + ceil(42415/20) = 1026 + 2121 (see the data README).
	if len(ps) != 1026+2121 {
		t.Errorf("%d places, want 3147", len(ps))
	}
}

func TestGenerateACLED(t *testing.T) {
	var a, b bytes.Buffer
	if err := GenerateACLED(&a, 500, 7); err != nil {
		t.Fatal(err)
	}
	if err := GenerateACLED(&b, 500, 7); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same seed gave different files")
	}
	recs, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 501 || strings.Join(recs[0], ",") != strings.Join(acledHeader, ",") {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	// Every row is one the import takes.
	dir := t.TempDir()
	path := filepath.Join(dir, "acled.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := newMemSink()
	sum, err := Run(t.Context(), sink, Options{}, path)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 500 || sum.Rejected != 0 || sum.Files[0].Format != FormatACLED {
		t.Errorf("summary %+v", sum)
	}
}
