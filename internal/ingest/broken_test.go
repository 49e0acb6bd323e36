package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// variant writes a copy of a real file, changed by edit, into a temporary
// directory under the name base and returns its path. edit gets the file's
// lines without their line ends; its result is joined with "\n".
func variant(t *testing.T, src, base string, edit func(lines []string) []string) string {
	t.Helper()
	data, err := os.ReadFile(sharedData(t, src))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	out := strings.Join(edit(lines), "\n")
	path := filepath.Join(t.TempDir(), base)
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// head keeps the header and the first n rows of a one-line-per-row file.
func head(n int) func([]string) []string {
	return func(l []string) []string { return l[:n+1] }
}

// setField replaces field i (0-based) of a CSV line holding one whole
// record.
func setField(line string, i int, v string) string {
	r := csv.NewReader(strings.NewReader(line))
	f, err := r.Read()
	if err != nil {
		panic(err)
	}
	f[i] = v
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(f)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// Broken variants of the real files: each bad row is named by file, line
// and column with the reason, the good rows are imported.
func TestBrokenVariants(t *testing.T) {
	const viirs = "firms/viirs-snpp-nrt-ukraine-2023.csv"
	const official = "alerts/official_data_en_2022-03-15_2024-04-22.csv"
	const volunteer = "alerts/volunteer_data_en_2022-02-25_2024-10-10.csv"
	const ucdp = "ucdp/ged-ukraine-2014-2022.csv"
	tests := []struct {
		name, src, base string
		edit            func([]string) []string
		imported        int
		want            []string // error lines, after "<path>:"
	}{
		{"truncated last line", viirs, "viirs.csv", func(l []string) []string {
			l = head(100)(l)
			l[100] = l[100][:strings.Index(l[100], ",2023-")] // cut after brightness, scan, track
			return l
		}, 99, []string{"101: 5 fields, the header has 14 (acq_date and later missing; is the line cut short?)"}},
		{"truncated inside a quoted field", ucdp, "ged.csv", func(l []string) []string {
			// Line 2 is event 147997, whose source_article is quoted; cut
			// the file in the middle of it.
			return []string{l[0], l[1][:300]}
		}, 0, []string{`2: extraneous or missing " in quoted-field (line 2, character 301)`}},
		{"wrong column count", official, "official.csv", func(l []string) []string {
			l = head(20)(l)
			l[10] += ",extra"
			l[15] = strings.Join(strings.Split(l[15], ",")[:6], ",")
			return l
		}, 18, []string{"11: 8 fields, the header has 7", "16: 6 fields, the header has 7 (source and later missing; is the line cut short?)"}},
		{"bad date", volunteer, "volunteer.csv", func(l []string) []string {
			l = head(20)(l)
			l[3] = setField(l[3], 1, "2022-02-30 10:00:00+00:00")
			l[4] = setField(l[4], 2, "25/02/2022 19:32")
			l[5] = setField(l[5], 2, "2022-02-25 10:00:00+00:00") // before started_at 2022-02-25 19:...
			return l
		}, 17, []string{
			`4: started_at: "2022-02-30 10:00:00+00:00" is not a time YYYY-MM-DD HH:MM:SS+00:00`,
			`5: finished_at: "25/02/2022 19:32" is not a time YYYY-MM-DD HH:MM:SS+00:00`,
			`6: finished_at: 2022-02-25 10:00:00+00:00 is before started_at 2022-02-25 19:41:57+00:00`,
		}},
		{"bad FIRMS date and time", viirs, "viirs.csv", func(l []string) []string {
			l = head(10)(l)
			l[2] = setField(l[2], 5, "2023-13-01")
			l[3] = setField(l[3], 6, "1175")
			return l
		}, 8, []string{`3: acq_date: "2023-13-01" is not a date YYYY-MM-DD`, `4: acq_time: "1175" is not a time HHMM (00:00-23:59)`}},
		{"out-of-range coordinate", viirs, "viirs.csv", func(l []string) []string {
			l = head(10)(l)
			l[5] = setField(l[5], 0, "147.62075")
			l[6] = setField(l[6], 1, "-181")
			l[7] = setField(l[7], 1, "east")
			return l
		}, 7, []string{"6: latitude: 147.62075 is outside -90..90", "7: longitude: -181 is outside -180..180", `8: longitude: "east" is not a number`}},
		{"UCDP bad date and coordinate", ucdp, "ged.csv", func(l []string) []string {
			// Lines 2-11 are whole records (no quoted line breaks); change
			// fields by header position: date_start 38, latitude 29.
			l = l[:11]
			l[2] = setField(l[2], 38, "2014-01-32")
			l[3] = setField(l[3], 29, "95.45")
			return l
		}, 8, []string{`3: date_start: "2014-01-32" names a day that does not exist`, "4: latitude: 95.45 is out of range -90..90"}},
		{"unknown oblast", official, "official.csv", func(l []string) []string {
			l = head(5)(l)
			l[2] = setField(l[2], 0, "Atlantis oblast")
			return l
		}, 4, []string{`3: oblast: "Atlantis oblast" is not a Ukrainian oblast`}},
		{"invalid byte in a UTF-8 file", "agreements/pax-v9.csv", "pax.csv", func(l []string) []string {
			// Line 20541 starts the record of AgtId 2440 ("... Grau ...").
			l[20540] = strings.Replace(l[20540], "Representative Grau", "Representative Gr\xffau", 1)
			return l
		}, 462, []string{"20541: Agt: invalid UTF-8 byte 0xFF (the rest of the file is UTF-8)"}},
		{"byte Windows-1252 leaves undefined", official, "official.csv", func(l []string) []string {
			l = head(5)(l)
			l[4] = strings.Replace(l[4], "oblast", "obl\x81ast", 1)
			return l
		}, 4, []string{"5: oblast: invalid UTF-8 byte 0x81 (the rest of the file is UTF-8)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := variant(t, tc.src, tc.base, tc.edit)
			var errs bytes.Buffer
			sink := newMemSink()
			sum, err := Run(t.Context(), sink, Options{Errors: &errs}, path)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(errs.String(), "\n"), "\n")
			for i := range got {
				got[i] = strings.TrimPrefix(got[i], path+":")
			}
			if tc.want != nil && strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if sum.Imported != tc.imported || sum.Rejected != len(got) {
				t.Errorf("imported %d rejected %d, want %d and %d", sum.Imported, sum.Rejected, tc.imported, len(got))
			}
		})
	}
}

// A single 0xFF in a file without any UTF-8 sequence is Windows-1252 ("ÿ"):
// nothing tells it from a spreadsheet's Western text, so it is transcoded,
// and the summary says which encoding was used.
func TestLoneHighByteIsWindows1252(t *testing.T) {
	path := variant(t, "alerts/volunteer_data_en_2022-02-25_2024-10-10.csv", "v.csv", func(l []string) []string {
		l = head(3)(l)
		l[1] = strings.Replace(l[1], "Kyiv City", "Kyiv City", 1)
		l[2] = strings.Replace(l[2], "Cherkaska", "Cherkaska\xff", 1)
		return l
	})
	var errs bytes.Buffer
	sum, err := Run(t.Context(), newMemSink(), Options{Errors: &errs}, path)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files[0].Encoding != EncodingCP1252 || sum.Rejected != 1 ||
		errs.String() != path+`:3: region: "Cherkaskaÿ oblast" is not a Ukrainian oblast`+"\n" {
		t.Errorf("%+v\n%s", sum.Files[0], errs.String())
	}
}

// Files that are not the named format, or no format at all, end the run
// before anything is imported, with one message naming the file.
func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	readme := sharedData(t, "README.md")
	png := write("map.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"))
	empty := write("empty.csv", nil)
	geo := write("reports.geojson", []byte(`{"type": "Feature", "geometry": null, "properties": {}}`))
	good := sharedData(t, "alerts/volunteer_data_en_2022-02-25_2024-10-10.csv")
	tests := []struct {
		name  string
		opt   Options
		files []string
		want  string
	}{
		{"prose", Options{}, []string{readme}, readme + `: unknown format: the header ("# Real data for tests,demos and benchmarks") is none of acled, ucdp-ged, firms, alerts, pax, corridors, geojson, csv; name the format, or give --mapping for a generic CSV`},
		{"binary", Options{}, []string{png}, png + ": not a text file (binary data: 6 NUL and 2 control bytes in the first 20)"},
		{"empty", Options{}, []string{empty}, empty + ": empty file"},
		{"missing", Options{}, []string{filepath.Join(dir, "nope.csv")}, filepath.Join(dir, "nope.csv") + ": cannot open: no such file or directory"},
		{"unknown format name", Options{Format: "kml"}, []string{good}, good + `: unknown format "kml" (known: acled, ucdp-ged, firms, alerts, pax, corridors, geojson, csv)`},
		{"wrong format named", Options{Format: "firms"}, []string{good}, good + `: firms: missing required column "latitude"`},
		{"JSON named as CSV", Options{Format: "alerts"}, []string{geo}, geo + ": is JSON, not the CSV that format alerts reads"},
		{"a Feature, not a collection", Options{}, []string{geo}, geo + `: not a GeoJSON FeatureCollection: type is "Feature"`},
		{"csv without mapping", Options{Format: "csv"}, []string{good}, good + ": format csv needs --mapping FILE naming its columns"},
		{"second file bad: nothing imported", Options{}, []string{good, png}, png + ": not a text file (binary data: 6 NUL and 2 control bytes in the first 20)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := newMemSink()
			_, err := Run(t.Context(), sink, tc.opt, tc.files...)
			var fe *FileError
			if !errors.As(err, &fe) || err.Error() != tc.want {
				t.Errorf("error %v\nwant      %s", err, tc.want)
			}
			if len(sink.obs)+len(sink.reports) != 0 {
				t.Errorf("imported %d rows before the error", len(sink.obs)+len(sink.reports))
			}
		})
	}
}
