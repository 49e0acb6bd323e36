package events

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// fuzzRows reads a header and a fuzzed body and checks the reader's
// promises: no panic; every row error names the file, a line at or after
// the record's start and says what is wrong; every record is well formed.
func fuzzRows(t *testing.T, header, body string) {
	rd, err := NewReader(strings.NewReader(header+body), "f.csv")
	if err != nil {
		t.Fatalf("header rejected: %v", err)
	}
	lines := strings.Count(header+body, "\n") + 1
	for n := 0; ; n++ {
		if n > 10000 {
			t.Fatal("no end")
		}
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var re *RowError
		if errors.As(err, &re) {
			msg := re.Error()
			if re.File != "f.csv" || re.Line < 2 || re.Line > lines || re.Msg == "" || !strings.HasPrefix(msg, "f.csv:") {
				t.Fatalf("unclear row error %q (line %d of %d)", msg, re.Line, lines)
			}
			continue
		}
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		if r.ID == "" || r.Line < 2 || r.Line > lines || !r.To.After(r.From) || r.Zone == nil {
			t.Fatalf("bad record %+v", r)
		}
		if r.HasPlace && (r.Lat < -90 || r.Lat > 90 || r.Lon < -180 || r.Lon > 180 || r.RadiusKm <= 0) {
			t.Fatalf("bad place %+v", r)
		}
		for _, d := range r.Domains {
			if d != "land" && d != "air" && d != "sea" {
				t.Fatalf("domain %q", d)
			}
		}
		for _, p := range r.Perpetrators {
			if strings.TrimSpace(p) == "" {
				t.Fatalf("blank perpetrator in %q", r.Perpetrators)
			}
		}
	}
}

func FuzzACLED(f *testing.F) {
	for _, s := range []string{
		`UKR1,2025-04-20,1,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),Civilians (Ukraine),Ukraine,50.45,30.52,1,"Shahed drones hit a substation",Civilian targeting` + "\n",
		"E1,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,\"line one\nline two\",\n",
		"E3,2025-02-30,1,Battles,Armed clash,A,B,Ukraine,48,37,1,\"x\ny\",\n",
		"B13,2025-01-01,1,Battles,Armed \"clash\",A,B,Ukraine,48,37,1,,\n",
		"B11,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37\n",
		"E,15/03/2025 10:00,3,Battles,Armed clash,A,B,Russia (Soviet Union),-90,180,2,sea drone,\n",
		"E,1 Mar 2025,2,Explosions/Remote violence,Shelling/artillery/missile attack,A,,Belarus,1e1,NaN,3,refineries,\n",
		"E,\"2025-03-30\",1,Protests,Peaceful protest,,,Ukraine,48,37,1,,\n\n\n",
		"\"unterminated,2025-01-01\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) { fuzzRows(t, acledHeader, body) })
}

func FuzzUCDP(f *testing.F) {
	for _, s := range []string{
		"1,1,Government of Ukraine,DPR,Shelling damages substation,2,near Avdiivka,48.14,37.74,Ukraine,2020-07-26,2020-07-28\n",
		"2,3,Government of Russia (Soviet Union),Civilians,,5,,47,38,Russia (Soviet Union),2014-07-13 00:00:00.000,2014-07-13 00:00:00.000\n",
		"3,2,DPR,LPR,,7,Sea of Azov,not read,either,Ukraine,2015-06-07,2015-06-07\n",
		"5,1,A,B,,1,,48,37,Ukraine,2020-01-02,2020-01-01\n",
		"6,1,A,B,,8,,48,37,Ukraine,2020-01-01,2020-01-01\n",
		"10,1,A,B,,2,,48,1e3,Ukraine,2020-01-01,2020-01-01\n",
		"11,1,A,B,\"unterminated,2,,48,37,Ukraine,2020-01-01,2020-01-01\n",
		"4,1,A,B,,1,,48,37,Ukraine,2020-01-01T10:00:00Z,2020-02-30\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) { fuzzRows(t, ucdpHeader, body) })
}

// FuzzDates checks that the date parsers never panic and return either a
// UTC midnight or one of the two errors.
func FuzzDates(f *testing.F) {
	for _, s := range []string{"2025-04-20", "20/04/2025 12:00:00 AM", "20 April 2025", "31/02/2025", "2020-07-27T00:00:00Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (time.Time, error){ParseACLEDDate, ParseUCDPDate} {
			d, err := parse(s)
			if err != nil {
				if !errors.Is(err, errNotDate) && !errors.Is(err, errNoDay) {
					t.Fatalf("error %v", err)
				}
				continue
			}
			if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 {
				t.Fatalf("%q → %v", s, d)
			}
		}
	})
}
