package events

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// readAll reads every row, returning the records and the row errors as
// their messages.
func readAll(t testing.TB, file, text string) ([]*Record, []string) {
	t.Helper()
	rd, err := NewReader(strings.NewReader(text), file)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var recs []*Record
	var errs []string
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return recs, errs
		}
		var re *RowError
		if errors.As(err, &re) {
			errs = append(errs, re.Error())
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		recs = append(recs, r)
	}
}

const acledHeader = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,latitude,longitude,geo_precision,notes,civilian_targeting\n"

func TestACLEDRecord(t *testing.T) {
	text := acledHeader +
		`UKR1,2025-04-20,1,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),Civilians (Ukraine),Ukraine,50.45,30.52,1,"Shahed drones hit a substation",Civilian targeting` + "\n"
	recs, errs := readAll(t, "a.csv", text)
	if len(errs) != 0 || len(recs) != 1 {
		t.Fatalf("got %d records, errors %v", len(recs), errs)
	}
	r := recs[0]
	if r.Format != ACLED || r.ID != "UKR1" || r.Line != 2 || r.File != "a.csv" {
		t.Errorf("record head = %v %q line %d file %q", r.Format, r.ID, r.Line, r.File)
	}
	if r.Zone.String() != "Europe/Kyiv" || r.When() != "2025-04-20 (Europe/Kyiv)" {
		t.Errorf("zone %v, when %q", r.Zone, r.When())
	}
	// 2025-04-20 in Kyiv (UTC+3 in summer) is [2025-04-19T21:00Z, 2025-04-20T21:00Z).
	if r.From != time.Date(2025, 4, 19, 21, 0, 0, 0, time.UTC) || r.To != time.Date(2025, 4, 20, 21, 0, 0, 0, time.UTC) {
		t.Errorf("interval [%v, %v)", r.From, r.To)
	}
	if !r.HasPlace || r.Lat != 50.45 || r.Lon != 30.52 || r.RadiusKm != 2 || r.Precision != 1 {
		t.Errorf("place %v %v,%v r=%v prec %d", r.HasPlace, r.Lat, r.Lon, r.RadiusKm, r.Precision)
	}
	if !slices.Equal(r.Domains, []string{"air"}) || !slices.Equal(r.Targets, []string{"energy", "civilian"}) ||
		!slices.Equal(r.Perpetrators, []string{"Military Forces of Russia (2000-)"}) || !r.Hostile() {
		t.Errorf("domains %v targets %v perpetrators %q", r.Domains, r.Targets, r.Perpetrators)
	}
	if r.Kind() != "Explosions/Remote violence/Air/drone strike" {
		t.Errorf("kind %q", r.Kind())
	}
}

// Columns in any order, extra columns ignored, optional columns absent, a
// byte-order mark and spreadsheet capitals in the header.
func TestACLEDColumnsAnyOrder(t *testing.T) {
	text := "\ufeffGeo_Precision,extra,longitude,LATITUDE,country,actor2,actor1,sub_event_type,event_type,time_precision,event_date,event_id_cnty,assoc_actor_1\n" +
		`3,x,37.8,48.0,Russia (Soviet Union),,Military Forces of Ukraine (2019-),Armed clash,Battles,2,15 March 2025,RUS9,y` + "\n"
	recs, errs := readAll(t, "b.csv", text)
	if len(errs) != 0 || len(recs) != 1 {
		t.Fatalf("got %d records, errors %v", len(recs), errs)
	}
	r := recs[0]
	if r.ID != "RUS9" || r.Lat != 48.0 || r.Lon != 37.8 || r.RadiusKm != 50 {
		t.Errorf("record %+v", r)
	}
	// Precision 2: the seven Moscow days 12..18 March.
	if r.When() != "2025-03-12–2025-03-18 (Europe/Moscow)" {
		t.Errorf("when %q", r.When())
	}
	if r.From != time.Date(2025, 3, 11, 21, 0, 0, 0, time.UTC) || r.To != time.Date(2025, 3, 18, 21, 0, 0, 0, time.UTC) {
		t.Errorf("interval [%v, %v)", r.From, r.To)
	}
	if !slices.Equal(r.Domains, []string{"land"}) || r.Targets != nil || !slices.Equal(r.Perpetrators, []string{"Military Forces of Ukraine (2019-)"}) {
		t.Errorf("domains %v targets %v perpetrators %q", r.Domains, r.Targets, r.Perpetrators)
	}
}

func TestACLEDTimePrecision(t *testing.T) {
	row := func(date, prec, country string) string {
		return acledHeader + "E1," + date + "," + prec + ",Battles,Armed clash,A,B," + country + ",48,37,1,,\n"
	}
	tests := []struct {
		name, date, prec, country string
		first, last               string
		from, to                  time.Time
	}{
		{"day in Kyiv on the DST change", "2025-03-30", "1", "Ukraine", "2025-03-30", "2025-03-30",
			time.Date(2025, 3, 29, 22, 0, 0, 0, time.UTC), time.Date(2025, 3, 30, 21, 0, 0, 0, time.UTC)},
		{"day in Moscow on the same date", "30/03/2025", "1", "Russia", "2025-03-30", "2025-03-30",
			time.Date(2025, 3, 29, 21, 0, 0, 0, time.UTC), time.Date(2025, 3, 30, 21, 0, 0, 0, time.UTC)},
		{"week across the Kyiv DST change", "2025-03-30", "2", "Ukraine", "2025-03-27", "2025-04-02",
			time.Date(2025, 3, 26, 22, 0, 0, 0, time.UTC), time.Date(2025, 4, 2, 21, 0, 0, 0, time.UTC)},
		{"week across a month end", "1 Mar 2025", "2", "Belarus", "2025-02-26", "2025-03-04",
			time.Date(2025, 2, 25, 21, 0, 0, 0, time.UTC), time.Date(2025, 3, 4, 21, 0, 0, 0, time.UTC)},
		{"month of February in a leap year", "2024-02-10", "3", "Moldova", "2024-02-01", "2024-02-29",
			time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"month of March in Kyiv", "15/03/2025 10:00", "3", "Ukraine", "2025-03-01", "2025-03-31",
			time.Date(2025, 2, 28, 22, 0, 0, 0, time.UTC), time.Date(2025, 3, 31, 21, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, errs := readAll(t, "p.csv", row(tt.date, tt.prec, tt.country))
			if len(errs) != 0 || len(recs) != 1 {
				t.Fatalf("errors %v", errs)
			}
			r := recs[0]
			if got := r.FirstDay.Format("2006-01-02") + ".." + r.LastDay.Format("2006-01-02"); got != tt.first+".."+tt.last {
				t.Errorf("days %s, want %s..%s", got, tt.first, tt.last)
			}
			if !r.From.Equal(tt.from) || !r.To.Equal(tt.to) {
				t.Errorf("interval [%v, %v), want [%v, %v)", r.From, r.To, tt.from, tt.to)
			}
		})
	}
}

const ucdpHeader = "id,type_of_violence,side_a,side_b,source_headline,where_prec,where_description,latitude,longitude,country,date_start,date_end\n"

func TestUCDPRecord(t *testing.T) {
	text := ucdpHeader +
		`1,1,Government of Ukraine,DPR,Shelling damages substation,2,near Avdiivka,48.14,37.74,Ukraine,2020-07-26,2020-07-28` + "\n" +
		`2,3,Government of Russia (Soviet Union),Civilians,,5,,47,38,Russia (Soviet Union),2014-07-13 00:00:00.000,2014-07-13 00:00:00.000` + "\n" +
		`3,2,DPR,LPR,,7,Sea of Azov,not read,either,Ukraine,2015-06-07,2015-06-07` + "\n"
	recs, errs := readAll(t, "u.csv", text)
	if len(errs) != 0 || len(recs) != 3 {
		t.Fatalf("got %d records, errors %v", len(recs), errs)
	}
	a, b, c := recs[0], recs[1], recs[2]
	if a.Format != UCDP || a.When() != "2020-07-26–2020-07-28 (Europe/Kyiv)" || a.RadiusKm != 15 {
		t.Errorf("a: %v %q r=%v", a.Format, a.When(), a.RadiusKm)
	}
	// Three Kyiv summer days (UTC+3).
	if a.From != time.Date(2020, 7, 25, 21, 0, 0, 0, time.UTC) || a.To != time.Date(2020, 7, 28, 21, 0, 0, 0, time.UTC) {
		t.Errorf("a interval [%v, %v)", a.From, a.To)
	}
	if !slices.Equal(a.Domains, []string{"land", "air"}) || !slices.Equal(a.Targets, []string{"energy"}) ||
		!slices.Equal(a.Perpetrators, []string{"Government of Ukraine", "DPR"}) {
		t.Errorf("a: %v %v %q", a.Domains, a.Targets, a.Perpetrators)
	}
	if b.Zone.String() != "Europe/Moscow" || b.RadiusKm != 150 || !slices.Equal(b.Targets, []string{"civilian"}) ||
		!slices.Equal(b.Perpetrators, []string{"Government of Russia (Soviet Union)"}) {
		t.Errorf("b: %v r=%v %v %q", b.Zone, b.RadiusKm, b.Targets, b.Perpetrators)
	}
	if c.HasPlace || !slices.Equal(c.Domains, []string{"air", "sea"}) || c.Kind() != "UCDP type_of_violence 2" {
		t.Errorf("c: place %v domains %v kind %q", c.HasPlace, c.Domains, c.Kind())
	}
}

func TestUCDPRadii(t *testing.T) {
	want := map[string]float64{"1": 2, "2": 15, "3": 25, "4": 50, "5": 150, "6": 500}
	for prec, r := range want {
		recs, errs := readAll(t, "u.csv", ucdpHeader+"1,1,A,B,,"+prec+",,48,37,Ukraine,2020-01-01,2020-01-01\n")
		if len(errs) != 0 || recs[0].RadiusKm != r || !recs[0].HasPlace {
			t.Errorf("where_prec %s: radius %v, errors %v", prec, recs[0].RadiusKm, errs)
		}
	}
	for prec, r := range map[string]float64{"1": 2, "2": 15, "3": 50} {
		recs, errs := readAll(t, "a.csv", acledHeader+"E,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,"+prec+",,\n")
		if len(errs) != 0 || recs[0].RadiusKm != r {
			t.Errorf("geo_precision %s: radius %v, errors %v", prec, recs[0].RadiusKm, errs)
		}
	}
}

// The line reported is the one where a record starts, also after quoted
// fields that span lines.
func TestMultiLineQuotedFields(t *testing.T) {
	text := acledHeader +
		"E1,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,\"line one\nline two\nline three\",\n" + // lines 2-4
		"E2,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,\"a \"\"quoted\"\"\r\nnote\",\n" + // lines 5-6
		"E3,2025-02-30,1,Battles,Armed clash,A,B,Ukraine,48,37,1,\"x\ny\",\n" + // lines 7-8, malformed
		"E4,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" // line 9
	recs, errs := readAll(t, "m.csv", text)
	var lines []int
	for _, r := range recs {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{2, 5, 9}) {
		t.Errorf("record lines %v, want [2 5 9]", lines)
	}
	if recs[0].Notes != "line one\nline two\nline three" || recs[1].Notes != "a \"quoted\"\nnote" {
		t.Errorf("notes %q / %q", recs[0].Notes, recs[1].Notes)
	}
	want := []string{`m.csv:7: column event_date: "2025-02-30" names a day that does not exist`}
	if !slices.Equal(errs, want) {
		t.Errorf("errors %q, want %q", errs, want)
	}
}

// Every kind of malformed row, with its exact message; the good rows
// around them are still read.
func TestMalformedRows(t *testing.T) {
	acled := acledHeader +
		"G1,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" + // 2 good
		" ,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" + // 3
		"B2,2025-13-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" + // 4
		"B3,April 1 2025,1,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" + // 5
		"B4,2025-01-01,4,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" + // 6
		"B5,2025-01-01,,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" + // 7
		"B6,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,0,,\n" + // 8
		"B7,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,north,37,1,,\n" + // 9
		"B8,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,90.5,37,1,,\n" + // 10
		"B9,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,-181,1,,\n" + // 11
		"B10,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,NaN,1,,\n" + // 12
		"B11,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37\n" + // 13 short row
		"B12,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,,,surplus\n" + // 14 long row
		"B13,2025-01-01,1,Battles,Armed \"clash\",A,B,Ukraine,48,37,1,,\n" + // 15 bare quote
		"G2,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,-90,180,1,,,\n" // 16 good: edges of the range, one empty extra field
	recs, errs := readAll(t, "acled.csv", acled)
	want := []string{
		`acled.csv:3: column event_id_cnty: empty id`,
		`acled.csv:4: column event_date: "2025-13-01" names a day that does not exist`,
		`acled.csv:5: column event_date: "April 1 2025" is not a date`,
		`acled.csv:6: column time_precision: "4" is not a code 1 to 3`,
		`acled.csv:7: column time_precision: "" is not a code 1 to 3`,
		`acled.csv:8: column geo_precision: "0" is not a code 1 to 3`,
		`acled.csv:9: column latitude: "north" is not a number`,
		`acled.csv:10: column latitude: 90.5 is out of range -90..90`,
		`acled.csv:11: column longitude: -181 is out of range -180..180`,
		`acled.csv:12: column longitude: "NaN" is not a number`,
		`acled.csv:13: column geo_precision: missing: the row has 10 fields, the header 13`,
		`acled.csv:14: the row has 14 fields, the header 13`,
		`acled.csv:15: malformed CSV at line 15, byte 32: bare " in non-quoted-field`,
	}
	if !slices.Equal(errs, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
	}
	if len(recs) != 2 || recs[0].ID != "G1" || recs[1].ID != "G2" {
		t.Errorf("good records %v", recs)
	}

	ucdp := ucdpHeader +
		"1,1,A,B,,1,,48,37,Ukraine,2020-01-01,2020-01-01\n" + // 2 good
		",1,A,B,,1,,48,37,Ukraine,2020-01-01,2020-01-01\n" + // 3
		"3,1,A,B,,1,,48,37,Ukraine,01/01/2020,2020-01-01\n" + // 4
		"4,1,A,B,,1,,48,37,Ukraine,2020-01-01,2020-02-30\n" + // 5
		"5,1,A,B,,1,,48,37,Ukraine,2020-01-02,2020-01-01\n" + // 6
		"6,1,A,B,,8,,48,37,Ukraine,2020-01-01,2020-01-01\n" + // 7
		"7,1,A,B,,x,,48,37,Ukraine,2020-01-01,2020-01-01\n" + // 8
		"8,1,A,B,,6,,,37,Ukraine,2020-01-01,2020-01-01\n" + // 9
		"9,1,A,B,,7,,,,Ukraine,2020-01-01,2020-01-01\n" + // 10 good: where_prec 7 reads no coordinates
		"10,1,A,B,,2,,48,1e3,Ukraine,2020-01-01,2020-01-01\n" + // 11
		"11,1,A,B,\"unterminated,2,,48,37,Ukraine,2020-01-01,2020-01-01\n" // 12, runs to the end
	recs, errs = readAll(t, "ged.csv", ucdp)
	want = []string{
		`ged.csv:3: column id: empty id`,
		`ged.csv:4: column date_start: "01/01/2020" is not a date`,
		`ged.csv:5: column date_end: "2020-02-30" names a day that does not exist`,
		`ged.csv:6: column date_end: 2020-01-01 is before date_start 2020-01-02`,
		`ged.csv:7: column where_prec: "8" is not a code 1 to 7`,
		`ged.csv:8: column where_prec: "x" is not a code 1 to 7`,
		`ged.csv:9: column latitude: "" is not a number`,
		`ged.csv:11: column longitude: 1e3 is out of range -180..180`,
		`ged.csv:12: malformed CSV at line 12, byte 63: extraneous or missing " in quoted-field`,
	}
	if !slices.Equal(errs, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
	}
	if len(recs) != 2 || recs[0].ID != "1" || recs[1].ID != "9" {
		t.Errorf("good records %v", recs)
	}
}

func TestHeaderErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "x.csv: empty file: no header"},
		{"neither", "a,b,c\n1,2,3\n", "x.csv: not an ACLED or UCDP GED file: the header has neither event_id_cnty (ACLED) nor where_prec and date_start (UCDP GED)"},
		{"where_prec alone", "id,where_prec\n", "x.csv: not an ACLED or UCDP GED file: the header has neither event_id_cnty (ACLED) nor where_prec and date_start (UCDP GED)"},
		{"acled missing", strings.Replace(acledHeader, "latitude,", "", 1), `x.csv: missing required ACLED column "latitude"`},
		{"acled missing first", "event_id_cnty,notes\n", `x.csv: missing required ACLED column "event_date"`},
		{"ucdp missing", strings.Replace(ucdpHeader, ",date_end", "", 1), `x.csv: missing required UCDP GED column "date_end"`},
		{"ucdp missing id", "where_prec,date_start\n", `x.csv: missing required UCDP GED column "id"`},
		{"bad header csv", "event_id_cnty,\"x\n", `x.csv:1: malformed CSV header: extraneous or missing " in quoted-field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.text), "x.csv")
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("code %q, want invalid", truce.ErrorCode(err))
			}
		})
	}
}

// Both formats are told apart by their header; ACLED wins if a header
// somehow has both.
func TestFormatDetection(t *testing.T) {
	for text, want := range map[string]Format{
		acledHeader: ACLED,
		ucdpHeader:  UCDP,
		strings.TrimSuffix(acledHeader, "\n") + ",where_prec,date_start,id,type_of_violence,side_a,side_b,date_end\n": ACLED,
	} {
		rd, err := NewReader(strings.NewReader(text), "f")
		if err != nil || rd.Format() != want {
			t.Errorf("format %v, %v; want %v", rd, err, want)
		}
	}
}

func repoData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared data: %v", err)
	}
	return p
}

// The real UCDP GED extract reads without a malformed row.
func TestRealUCDP(t *testing.T) {
	f, err := os.Open(repoData(t, "ucdp/ged-ukraine-2014-2022.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := NewReader(f, "ged.csv")
	if err != nil {
		t.Fatal(err)
	}
	if rd.Format() != UCDP {
		t.Fatalf("format %v", rd.Format())
	}
	n, unknown := 0, 0
	var first *Record
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("row %d: %v", n, err)
		}
		if n == 0 {
			first = r
		}
		if !r.HasPlace {
			unknown++
		}
		n++
	}
	// 3,077 events (data README), one of them with where_prec 7.
	if n != 3077 || unknown != 1 {
		t.Errorf("%d records, %d without place; want 3077 and 1", n, unknown)
	}
	// Line 2 of the file: event 147997, Kyiv, 2014-01-22, where_prec 1.
	if first.ID != "147997" || first.Line != 2 || first.Lat != 50.45 || first.Lon != 30.52333 || first.When() != "2014-01-22 (Europe/Kyiv)" {
		t.Errorf("first record %s line %d %v,%v %s", first.ID, first.Line, first.Lat, first.Lon, first.When())
	}
}

// The spreadsheet re-save writes dates month first with a time: not the
// contract's UCDP form, so such rows are malformed, each reported.
func TestMessyUCDPDates(t *testing.T) {
	f, err := os.Open(repoData(t, "ucdp/ged-ukraine-2014-2023-cp1252-messy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := NewReader(f, "messy.csv")
	if err != nil {
		t.Fatal(err)
	}
	r, err := rd.Next()
	var re *RowError
	if !errors.As(err, &re) || re.Column != "date_start" || re.Line != 2 {
		t.Fatalf("first row: %v, %v", r, err)
	}
}
