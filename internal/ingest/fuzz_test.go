package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzImport imports data as format and checks what must hold for any
// input: no panic, counts that add up, and only valid reports stored.
func fuzzImport(t *testing.T, format string, data []byte, m *Mapping) {
	path := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sink := newMemSink()
	var sum Summary
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		sum, err = Run(t.Context(), sink, Options{Format: format, Mapping: m, BatchSize: 3}, path)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("no end after 20 s on %q", data)
	}
	var fe *FileError
	if err != nil && !errors.As(err, &fe) {
		t.Fatalf("error that is no FileError: %v", err)
	}
	if err != nil {
		return
	}
	if sum.Read != sum.Imported+sum.Present+sum.Rejected+sum.Skipped {
		t.Fatalf("counts do not add up: %+v", sum)
	}
	if len(sink.reports)+len(sink.obs)+len(sink.agreements) != sum.Imported {
		t.Fatalf("stored %d, imported %d", len(sink.reports)+len(sink.obs)+len(sink.agreements), sum.Imported)
	}
	for _, r := range sink.reports {
		if err := r.Validate(); err != nil {
			t.Fatalf("invalid report stored: %v", err)
		}
	}
}

// seedLines adds the first n lines of a real file as a seed.
func seedLines(f *testing.F, rel string, n int) {
	data, err := os.ReadFile(sharedData(f, rel))
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	f.Add([]byte(strings.Join(lines[:min(n, len(lines))], "")))
}

func FuzzFIRMS(f *testing.F) {
	seedLines(f, "firms/viirs-snpp-nrt-ukraine-2023.csv", 5)
	seedLines(f, "firms/ukraine-2022-trimmed.csv", 5)
	f.Add([]byte("latitude,longitude,acq_date,acq_time\n91,0,2023-01-01,2400\n1e400,-0,2023-02-29,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzImport(t, FormatFIRMS, data, nil) })
}

func FuzzAlerts(f *testing.F) {
	seedLines(f, "alerts/official_data_en_2022-03-15_2024-04-22.csv", 5)
	seedLines(f, "alerts/volunteer_data_en_2022-02-25_2024-10-10.csv", 5)
	f.Add([]byte("region,started_at,finished_at\nKyiv,2022-01-01 00:00:00+00:00,2021-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzImport(t, FormatAlerts, data, nil) })
}

func FuzzPAX(f *testing.F) {
	seedLines(f, "agreements/pax-v9.csv", 3)
	f.Add([]byte("AgtId,Agt,Dat,Stage,Status\n1,A,31/02/2020,Cea,Unilateral document\n2,B,01/01/2020,Cea,\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzImport(t, FormatPAX, data, nil) })
}

func FuzzGeoJSON(f *testing.F) {
	data, err := os.ReadFile("testdata/reports.geojson")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":1e999,"geometry":null,"properties":null}]}`))
	f.Add([]byte(`{"features":[],"type":"FeatureCollection"}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzImport(t, FormatGeoJSON, data, nil) })
}

func FuzzGenericCSV(f *testing.F) {
	mf, err := os.Open("testdata/mapping-example.json")
	if err != nil {
		f.Fatal(err)
	}
	m, err := ParseMapping(mf)
	mf.Close()
	if err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile("testdata/generic-example.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzImport(t, FormatCSV, data, m) })
}

// FuzzMessyUCDP fuzzes the UCDP path as the messy file takes it:
// Windows-1252 bytes and slash dates in mixed layouts.
func FuzzMessyUCDP(f *testing.F) {
	seedLines(f, "ucdp/ged-ukraine-2014-2023-cp1252-messy.csv", 4)
	seedLines(f, "ucdp/ged-ukraine-2014-2022.csv", 4)
	f.Add([]byte("id,type_of_violence,side_a,side_b,country,latitude,longitude,where_prec,date_start,date_end\n" +
		"1,1,A,B,Ukraine,50,30,7,03/04/2014 00:00,4/3/2014 1:00:00 AM\n2,3,A,,Ukraine,x,y,7,13.01.2014,1.13.2014\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzImport(t, FormatUCDP, data, nil) })
}
