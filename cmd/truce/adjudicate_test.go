package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/adjudicate"
	"github.com/truce-monitor/truce/internal/events"
)

const adjTerms = `{
  "parties": [
    {"code": "RU", "name": "Russian Federation", "aliases": ["Military Forces of Russia", "Government of Russia"]},
    {"code": "UA", "name": "Ukraine", "aliases": ["Military Forces of Ukraine", "Government of Ukraine"]}
  ],
  "agreements": [
    {"id": "proposed-one", "status": "proposed", "bound": ["RU", "UA"],
     "window": {"start": "2025-04-01T00:00", "tz": "UTC"}, "domains": ["land"], "targets": ["any"]},
    {"id": "easter-truce-2025", "title": "Easter truce", "status": "in_force", "declared_by": ["RU"], "bound": ["RU", "UA"],
     "window": {"start": "2025-04-19T18:00", "end": "2025-04-21T00:00", "tz": "Europe/Moscow"},
     "domains": ["land", "air", "sea"], "targets": ["any"],
     "area": {"countries": ["UA", "RU"], "admin1": [], "geojson": null}}
  ]
}`

const adjACLED = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,latitude,longitude,geo_precision,notes\n" +
	"UKR1,2025-04-20,1,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),Civilians (Ukraine),Ukraine,50.45,30.52,1,\"Shahed drones,\nthen a missile\"\n" +
	"UKR2,2025-04-22,1,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),,Ukraine,50.45,30.52,1,\n" +
	"\"UKR\"\"3\",20 April 2025,1,Battles,Armed clash,Military Forces of Russia (2000-),Unidentified Armed Group (Ukraine),Ukraine,48.0,37.8,1,\n" +
	"UKR4,2025-04-20,1,Protests,Peaceful protest,Protesters (Ukraine),,Ukraine,50.45,30.52,1,\n"

const adjUCDP = "id,type_of_violence,side_a,side_b,country,latitude,longitude,where_prec,date_start,date_end\n" +
	"9,1,Government of Ukraine,Government of Russia (Soviet Union),Ukraine,,,7,2025-04-20,2025-04-20\n"

const (
	adjRowUKR1 = "UKR1,easter-truce-2025,violation,RU,\"time: 2025-04-20 (Europe/Kyiv) inside 2025-04-19 18:00–2025-04-21 00:00 Europe/Moscow; " +
		"place: 50.45,30.52 ±2 km inside the area (UA, RU); perpetrator: Military Forces of Russia (2000-) → RU (bound)\"\n"
	adjRowUKR3 = "\"UKR\"\"3\",easter-truce-2025,uncertain,,perpetrator: Military Forces of Russia (2000-) → RU (bound) and Unidentified Armed Group (Ukraine) (no party)\n"
	adjRow9    = "9,easter-truce-2025,uncertain,,\"place: unknown (water or airspace, UCDP where_prec 7)\"\n"
	adjHeader  = "event_id,agreement_id,verdict,party,reason\n"
	adjNote    = "truce adjudicate: note: agreement proposed-one not adjudicated: status proposed: the agreement did not take effect\n"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunAdjudicate(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"terms.json": adjTerms, "a.csv": adjACLED, "u.csv": adjUCDP,
		"bad-row.csv":    adjACLED + "UKR5,2025-02-30,1,Battles,Armed clash,A,B,Ukraine,48,37,1,\n" + "UKR6,2025-04-20,1,Battles,Armed clash,Military Forces of Russia,,Ukraine,48.0,37.8,1,\n",
		"bad-terms.json": strings.Replace(adjTerms, `"tz": "Europe/Moscow"`, `"tz": "Europe/Kiev2"`, 1),
		"bad-json.json":  strings.Replace(adjTerms, `"domains": ["land", "air", "sea"],`, `"domains": ["land", "air", "sea"]`, 1),
		"typo.json":      strings.Replace(adjTerms, `"targets": ["any"],`, `"target": ["any"],`, 1),
		"header.csv":     "foo,bar\n1,2\n",
		"missing.csv":    strings.Replace(adjUCDP, "date_end", "date_stop", 1),
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"clean", []string{"--terms", p("terms.json"), "--events", p("a.csv"), "--events", p("u.csv")}, 0,
			adjHeader + adjRowUKR1 + adjRowUKR3 + adjRow9, adjNote},
		{"files in the order given", []string{"--terms", p("terms.json"), "--events", p("u.csv"), "--events", p("a.csv")}, 0,
			adjHeader + adjRow9 + adjRowUKR1 + adjRowUKR3, adjNote},
		{"all", []string{"--all", "--terms", p("terms.json"), "--events", p("a.csv")}, 0,
			adjHeader + adjRowUKR1 +
				"UKR2,easter-truce-2025,outside,,time: 2025-04-22 (Europe/Kyiv) after 2025-04-19 18:00–2025-04-21 00:00 Europe/Moscow\n" +
				adjRowUKR3 +
				"UKR4,easter-truce-2025,outside,,hostile: Protests/Peaceful protest is not a hostile act\n", adjNote},
		{"malformed row", []string{"--terms", p("terms.json"), "--events", p("bad-row.csv")}, 1,
			adjHeader + adjRowUKR1 + adjRowUKR3 +
				"UKR6,easter-truce-2025,violation,RU,\"time: 2025-04-20 (Europe/Kyiv) inside 2025-04-19 18:00–2025-04-21 00:00 Europe/Moscow; " +
				"place: 48,37.8 ±2 km inside the area (UA, RU); perpetrator: Military Forces of Russia → RU (bound)\"\n",
			adjNote + p("bad-row.csv") + `:7: column event_date: "2025-02-30" names a day that does not exist` + "\n" +
				"truce adjudicate: 1 malformed rows skipped\n"},
		{"bad terms", []string{"--terms", p("bad-terms.json"), "--events", p("a.csv")}, 2, "",
			"truce adjudicate: " + p("bad-terms.json") + `: easter-truce-2025: window.tz: unknown time zone "Europe/Kiev2"` + "\n"},
		{"malformed JSON", []string{"--terms", p("bad-json.json"), "--events", p("a.csv")}, 2, "",
			"truce adjudicate: " + p("bad-json.json") + `: easter-truce-2025: line 11, column 40: invalid character '"' after object key:value pair` + "\n"},
		{"unknown key", []string{"--terms", p("typo.json"), "--events", p("a.csv")}, 2, "",
			"truce adjudicate: " + p("typo.json") + `: easter-truce-2025: target: unknown field` + "\n"},
		{"bad header", []string{"--terms", p("terms.json"), "--events", p("a.csv"), "--events", p("header.csv")}, 2, "",
			"truce adjudicate: " + p("header.csv") + ": not an ACLED or UCDP GED file: the header has neither event_id_cnty (ACLED) nor where_prec and date_start (UCDP GED)\n"},
		{"missing column", []string{"--terms", p("terms.json"), "--events", p("missing.csv")}, 2, "",
			"truce adjudicate: " + p("missing.csv") + `: missing required UCDP GED column "date_end"` + "\n"},
		{"unreadable events", []string{"--terms", p("terms.json"), "--events", p("a.csv"), "--events", p("nope.csv")}, 2, "",
			"truce adjudicate: open " + p("nope.csv") + ": no such file or directory\n"},
		{"unreadable terms", []string{"--terms", p("nope.json"), "--events", p("a.csv")}, 2, "",
			"truce adjudicate: open " + p("nope.json") + ": no such file or directory\n"},
		{"no terms", []string{"--events", p("a.csv")}, 2, "", "truce adjudicate: --terms is required\n"},
		{"no events", []string{"--terms", p("terms.json")}, 2, "", "truce adjudicate: at least one --events file is required\n"},
		{"stray argument", []string{"--terms", p("terms.json"), "--events", p("a.csv"), "extra"}, 2, "", "truce adjudicate: unexpected argument \"extra\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runAdjudicate(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if stdout.String() != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), tt.stdout)
			}
			if stderr.String() != tt.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), tt.stderr)
			}
			if strings.Contains(stdout.String(), "\r") {
				t.Error("CR in output: line ends must be LF")
			}
		})
	}
}

// Every kind of bad terms ends the run with exit status 2, a message that
// names the agreement and the field, and no output at all.
func TestRunAdjudicateBadTerms(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"unknown status", `"status": "in_force"`, `"status": "active"`, `easter-truce-2025: status: unknown status "active"`},
		{"any with others", `"targets": ["any"],`, `"targets": ["any", "energy"],`, `easter-truce-2025: targets: "any" cannot be combined with other targets`},
		{"bound not a party", `"bound": ["RU", "UA"],
     "window": {"start": "2025-04-19T18:00"`, `"bound": ["RU", "BY"],
     "window": {"start": "2025-04-19T18:00"`, `easter-truce-2025: bound[1]: party "BY" is not in parties`},
		{"declared_by not a party", `"declared_by": ["RU"]`, `"declared_by": ["US"]`, `easter-truce-2025: declared_by[0]: party "US" is not in parties`},
		{"skipped local time", `"start": "2025-04-19T18:00", "end": "2025-04-21T00:00", "tz": "Europe/Moscow"`,
			`"start": "2025-03-30T03:30", "end": "2025-04-21T00:00", "tz": "Europe/Kyiv"`,
			`easter-truce-2025: window.start: 2025-03-30T03:30:00 does not exist in Europe/Kyiv (skipped by a clock change)`},
		{"end not after start", `"end": "2025-04-21T00:00"`, `"end": "2025-04-19T18:00"`, `easter-truce-2025: window.end: 2025-04-19T18:00 is not after start 2025-04-19T18:00`},
		{"unknown country", `"countries": ["UA", "RU"]`, `"countries": ["UA", "SU"]`, `easter-truce-2025: area.countries: unknown country code "SU"`},
		{"unknown admin1", `"admin1": []`, `"admin1": ["UA-00"]`, `easter-truce-2025: area.admin1: unknown admin1 code "UA-00"`},
		{"invalid GeoJSON", `"geojson": null`, `"geojson": {"type": "Point", "coordinates": [30, 50]}`,
			`easter-truce-2025: area.geojson: type: "Point" is not a Polygon, MultiPolygon, Feature or FeatureCollection`},
		{"duplicate id", `"id": "proposed-one"`, `"id": "easter-truce-2025"`, `easter-truce-2025: id: duplicate agreement id (also agreements[0])`},
		{"duplicate party", `{"code": "UA", "name": "Ukraine"`, `{"code": "RU", "name": "Ukraine"`, `parties[1] RU: code: duplicate party code "RU" (also parties[0])`},
		{"party without name", `"name": "Ukraine", `, ``, `parties[1] UA: name: required`},
		{"trailing data", "\n}", "\n}\n{}", `terms: line 15, column 1: unexpected data after the terms object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(adjTerms, tt.old, tt.new, 1)
			if text == adjTerms {
				t.Fatalf("%q is not in the terms", tt.old)
			}
			dir := writeFiles(t, map[string]string{"terms.json": text, "a.csv": adjACLED})
			var stdout, stderr bytes.Buffer
			code := runAdjudicate(context.Background(), []string{"--terms", filepath.Join(dir, "terms.json"), "--events", filepath.Join(dir, "a.csv")}, &stdout, &stderr)
			want := "truce adjudicate: " + filepath.Join(dir, "terms.json") + ": " + tt.want + "\n"
			if code != 2 || stdout.Len() != 0 || stderr.String() != want {
				t.Errorf("exit %d, stdout %q, stderr\n%s\nwant\n%s", code, stdout.String(), stderr.String(), want)
			}
		})
	}
}

// The golden run through the command: the real UCDP extract against the
// Donbas 2020 terms gives the adjudicate package's golden file.
func TestRunAdjudicateGolden(t *testing.T) {
	terms := filepath.Join("..", "..", "internal", "adjudicate", "testdata", "donbas-2020.json")
	golden, err := os.ReadFile(filepath.Join("..", "..", "internal", "adjudicate", "testdata", "donbas-2020.golden.csv"))
	if err != nil {
		t.Fatal(err)
	}
	ged := filepath.Join("..", "..", "..", "shared", "data", "ucdp", "ged-ukraine-2014-2022.csv")
	var stdout, stderr bytes.Buffer
	if code := runAdjudicate(context.Background(), []string{"--terms", terms, "--events", ged}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !bytes.Equal(stdout.Bytes(), golden) {
		t.Error("output differs from internal/adjudicate/testdata/donbas-2020.golden.csv")
	}
}

// Judging on several goroutines keeps input order: the real UCDP extract
// (3,077 events, several batches) with malformed rows spread through it,
// run with --all, gives the rows and messages of judging one event after
// another with the engine's Judge and encoding/csv.
func TestRunAdjudicateOrderAcrossBatches(t *testing.T) {
	terms := filepath.Join("..", "..", "internal", "adjudicate", "testdata", "donbas-2020.json")
	ged, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "data", "ucdp", "ged-ukraine-2014-2022.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(ged), "\n")
	var in strings.Builder
	for i, l := range lines {
		in.WriteString(l)
		if i > 0 && i%700 == 0 { // a day that does not exist
			in.WriteString("bad" + strconv.Itoa(i) + ",1,A,B,Ukraine,48,37,1,2020-02-30,2020-02-30,,\n")
		}
	}
	dir := writeFiles(t, map[string]string{"ged.csv": in.String()})
	file := filepath.Join(dir, "ged.csv")

	var want, wantErr bytes.Buffer
	eng, err := loadEngine(terms)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := events.NewReader(f, file)
	if err != nil {
		t.Fatal(err)
	}
	cw := csv.NewWriter(&want)
	cw.Write([]string{"event_id", "agreement_id", "verdict", "party", "reason"})
	malformed := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			malformed++
			fmt.Fprintln(&wantErr, err)
			continue
		}
		ev := adjudicate.EventFromRecord(rec)
		eng.Judge(&ev, true, func(_ int, v adjudicate.Verdict) {
			cw.Write([]string{ev.ID, v.AgreementID, v.Verdict, v.Party, v.Reason})
		})
	}
	cw.Flush()
	fmt.Fprintf(&wantErr, "truce adjudicate: %d malformed rows skipped\n", malformed)
	if malformed != 4 {
		t.Fatalf("%d malformed rows in the input, want 4", malformed)
	}

	var stdout, stderr bytes.Buffer
	if code := runAdjudicate(context.Background(), []string{"--all", "--terms", terms, "--events", file}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr.String())
	}
	if !bytes.Equal(stdout.Bytes(), want.Bytes()) {
		t.Errorf("output (%d bytes) differs from judging in turn (%d bytes)", stdout.Len(), want.Len())
	}
	if stderr.String() != wantErr.String() {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), wantErr.String())
	}
}

// slowWriter is an output that takes its time now and then, so that the
// judges run ahead of the writer and must wait for it.
type slowWriter struct {
	w bytes.Buffer
	n int
}

func (s *slowWriter) Write(p []byte) (int, error) {
	if s.n++; s.n%7 == 0 {
		time.Sleep(2 * time.Millisecond)
	}
	return s.w.Write(p)
}

// Many batches (more than are parsed ahead while the engine is built,
// and than are judged ahead of the writer), a slow output and malformed
// rows throughout: the rows and messages are still those of judging one
// event after another.
func TestRunAdjudicateManyBatchesSlowOutput(t *testing.T) {
	terms := filepath.Join("..", "..", "internal", "adjudicate", "testdata", "donbas-2020.json")
	ged, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "data", "ucdp", "ged-ukraine-2014-2022.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(ged), "\n"), "\n")
	var in strings.Builder
	in.WriteString(lines[0])
	n := 0
	for copyNo := 0; n < (parsedAhead+inFlight+4)*judgeBatchSize; copyNo++ {
		for i, l := range lines[1:] {
			in.WriteString(strconv.Itoa(copyNo) + "-" + l)
			if i%5000 == 77 {
				in.WriteString("bad" + strconv.Itoa(n) + ",1,A,B,Ukraine,48,37,1,2020-02-30,2020-02-30,,\n")
			}
			n++
		}
	}
	dir := writeFiles(t, map[string]string{"ged.csv": in.String()})
	file := filepath.Join(dir, "ged.csv")

	eng, err := loadEngine(terms)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := events.NewReader(f, file)
	if err != nil {
		t.Fatal(err)
	}
	var want, wantErr bytes.Buffer
	cw := csv.NewWriter(&want)
	cw.Write([]string{"event_id", "agreement_id", "verdict", "party", "reason"})
	malformed := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			malformed++
			fmt.Fprintln(&wantErr, err)
			continue
		}
		ev := adjudicate.EventFromRecord(rec)
		eng.Judge(&ev, false, func(_ int, v adjudicate.Verdict) {
			cw.Write([]string{ev.ID, v.AgreementID, v.Verdict, v.Party, v.Reason})
		})
	}
	cw.Flush()
	fmt.Fprintf(&wantErr, "truce adjudicate: %d malformed rows skipped\n", malformed)
	if malformed < 10 || want.Len() < 1<<20 {
		t.Fatalf("%d malformed rows, %d bytes of rows: the test needs more", malformed, want.Len())
	}

	var stdout slowWriter
	var stderr bytes.Buffer
	if code := runAdjudicate(context.Background(), []string{"--terms", terms, "--events", file}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr.String())
	}
	if !bytes.Equal(stdout.w.Bytes(), want.Bytes()) {
		t.Errorf("output (%d bytes) differs from judging in turn (%d bytes)", stdout.w.Len(), want.Len())
	}
	if stderr.String() != wantErr.String() {
		t.Errorf("stderr:\n%.2000s\nwant:\n%.2000s", stderr.String(), wantErr.String())
	}
}
