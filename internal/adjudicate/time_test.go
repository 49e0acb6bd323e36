package adjudicate

import (
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// The contract's Easter truce window, 2025-04-19 18:00 to 2025-04-21 00:00
// Moscow (UTC+3), is [19 Apr 15:00Z, 20 Apr 21:00Z). Kyiv is UTC+3 in
// April too; UTC days are the rest of the world's.
func TestTimeDayPrecisionAcrossEdges(t *testing.T) {
	e := newEngine(t, agreementJSON("easter", ""))
	tests := []struct {
		date, prec, country string
		want                Outcome
	}{
		{"2025-04-20", "1", "Ukraine", TestInside},    // [19 21:00Z, 20 21:00Z): ends exactly at the exclusive end
		{"2025-04-19", "1", "Ukraine", TestUncertain}, // [18 21:00Z, 19 21:00Z): the window opens at 15:00Z
		{"2025-04-21", "1", "Ukraine", TestOutside},   // starts at the window's end, which is exclusive
		{"2025-04-18", "1", "Ukraine", TestOutside},   // ends at 18 21:00Z, before the start
		{"2025-04-20", "1", "Russia", TestInside},     // the Moscow day, same instants
		{"2025-04-20", "1", "Moldova", TestUncertain}, // UTC day [20 00:00Z, 21 00:00Z) ends after 20 21:00Z
		{"2025-04-19", "1", "Moldova", TestUncertain}, // [19 00:00Z, 20 00:00Z) starts before 19 15:00Z
		{"2025-04-21", "1", "Moldova", TestOutside},   // [21 00:00Z, ...) after the end
		{"2025-04-20", "2", "Ukraine", TestUncertain}, // 17..23 April
		{"2025-04-23", "2", "Ukraine", TestUncertain}, // 20..26 April: starts inside, ends after
		{"2025-04-24", "2", "Ukraine", TestOutside},   // 21..27 April: 21 April in Kyiv starts at 20 21:00Z, the end
		{"2025-04-25", "2", "Ukraine", TestOutside},   // 22..28 April
		{"2025-04-15", "2", "Ukraine", TestOutside},   // 12..18 April, ends 18 21:00Z
		{"2025-04-16", "2", "Ukraine", TestUncertain}, // 13..19 April
		{"2025-04-05", "3", "Ukraine", TestUncertain}, // the whole of April
		{"2025-05-20", "3", "Ukraine", TestOutside},   // May
		{"20/04/2025", "1", "Belarus", TestInside},    // Minsk is UTC+3 too
	}
	for _, tt := range tests {
		t.Run(tt.date+"/"+tt.prec+"/"+tt.country, func(t *testing.T) {
			ev := acled(t, "event_date="+tt.date, "time_precision="+tt.prec, "country="+tt.country)
			v := judgeOne(t, e, ev)
			if v.Tests.Time != tt.want {
				t.Errorf("time test %v, want %v (%s)", v.Tests.Time, tt.want, v.Reason)
			}
		})
	}
}

func TestTimeReasonOfContract(t *testing.T) {
	e := newEngine(t, agreementJSON("easter-truce-2025", ""))
	v := judgeOne(t, e, acled(t, "sub_event_type=Shelling/artillery/missile attack", "notes=the city was shelled"))
	want := "time: 2025-04-20 (Europe/Kyiv) inside 2025-04-19 18:00–2025-04-21 00:00 Europe/Moscow; " +
		"place: anywhere (the agreement has no area); perpetrator: Military Forces of Russia (2000-) → RU (bound)"
	if v.Verdict != Violation || v.Party != "RU" || v.Reason != want {
		t.Errorf("got %s %q %q\nwant reason %q", v.Verdict, v.Party, v.Reason, want)
	}
	v = judgeOne(t, e, acled(t, "event_date=2025-04-21"))
	if v.Verdict != Outside || v.Party != "" || v.Reason != "time: 2025-04-21 (Europe/Kyiv) after 2025-04-19 18:00–2025-04-21 00:00 Europe/Moscow" {
		t.Errorf("got %s %q %q", v.Verdict, v.Party, v.Reason)
	}
	v = judgeOne(t, e, acled(t, "event_date=2025-04-19"))
	if v.Verdict != Uncertain || v.Party != "RU" || v.Reason != "time: 2025-04-19 (Europe/Kyiv) partly inside 2025-04-19 18:00–2025-04-21 00:00 Europe/Moscow" {
		t.Errorf("got %s %q %q", v.Verdict, v.Party, v.Reason)
	}
}

// Kyiv moves from UTC+2 to UTC+3 at 03:00 on 30 March 2025; Moscow stays
// at UTC+3. The Kyiv day of 30 March is [29 22:00Z, 30 21:00Z), the Moscow
// day [29 21:00Z, 30 21:00Z), the Kyiv day of 29 March [28 22:00Z, 29
// 22:00Z).
func TestTimeAcrossZonesOnDSTDay(t *testing.T) {
	e := newEngine(t,
		agreementJSON("kyiv-30", `"window": {"start": "2025-03-30T00:00", "end": "2025-03-31T00:00", "tz": "Europe/Kyiv"}`),
		agreementJSON("moscow-30", `"window": {"start": "2025-03-30T00:00", "end": "2025-03-31T00:00", "tz": "Europe/Moscow"}`),
		agreementJSON("kyiv-29", `"window": {"start": "2025-03-29T00:00", "end": "2025-03-30T00:00", "tz": "Europe/Kyiv"}`),
		agreementJSON("kyiv-after-gap", `"window": {"start": "2025-03-30T04:00", "end": "2025-03-31T00:00", "tz": "Europe/Kyiv"}`),
	)
	tests := []struct {
		date, country string
		want          [4]Outcome
	}{
		{"2025-03-30", "Ukraine", [4]Outcome{TestInside, TestInside, TestOutside, TestUncertain}},
		{"2025-03-30", "Russia", [4]Outcome{TestUncertain, TestInside, TestUncertain, TestUncertain}},
		{"2025-03-29", "Ukraine", [4]Outcome{TestOutside, TestUncertain, TestInside, TestOutside}},
		// [30 21:00Z, 31 21:00Z): 31 March 00:00 Kyiv (UTC+3) is 30 21:00Z too.
		{"2025-03-31", "Russia", [4]Outcome{TestOutside, TestOutside, TestOutside, TestOutside}},
	}
	for _, tt := range tests {
		vs := judgeAll(e, acled(t, "event_date="+tt.date, "country="+tt.country))
		for i, v := range vs {
			if v.Tests.Time != tt.want[i] {
				t.Errorf("%s %s vs %s: time %v, want %v (%s)", tt.date, tt.country, v.AgreementID, v.Tests.Time, tt.want[i], v.Reason)
			}
		}
	}
}

// UCDP events cover date_start to date_end, both inclusive.
func TestTimeUCDPRanges(t *testing.T) {
	e := newEngine(t, agreementJSON("easter", ""))
	tests := []struct {
		start, end string
		want       Outcome
	}{
		{"2025-04-20", "2025-04-20", TestInside},
		{"2025-04-19", "2025-04-20", TestUncertain},
		{"2025-04-20", "2025-04-21", TestUncertain},
		{"2025-04-21", "2025-04-30", TestOutside},
		{"2025-04-01", "2025-04-18", TestOutside},
		{"2025-04-01", "2025-04-30", TestUncertain},
		{"2025-04-20 00:00:00", "2025-04-20 23:59:59", TestInside}, // time parts ignored
	}
	for _, tt := range tests {
		v := judgeOne(t, e, ucdp(t, "date_start="+tt.start, "date_end="+tt.end))
		if v.Tests.Time != tt.want {
			t.Errorf("%s..%s: time %v, want %v (%s)", tt.start, tt.end, v.Tests.Time, tt.want, v.Reason)
		}
	}
}

// Window edges with instants: start inclusive, end exclusive; an instant
// report is inside or outside, never uncertain; an open end never closes.
func TestTimeEdgesWithInstants(t *testing.T) {
	e := newEngine(t,
		agreementJSON("closed", `"window": {"start": "2025-04-19T18:00", "end": "2025-04-21T00:00", "tz": "Europe/Moscow"}`),
		agreementJSON("open", `"window": {"start": "2025-04-19T18:00", "end": null, "tz": "Europe/Moscow"}`),
	)
	start := time.Date(2025, 4, 19, 15, 0, 0, 0, time.UTC)
	end := time.Date(2025, 4, 20, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		from, to time.Time
		closed   Outcome
		open     Outcome
	}{
		{"instant at start", start, start, TestInside, TestInside},
		{"instant before start", start.Add(-time.Second), start.Add(-time.Second), TestOutside, TestOutside},
		{"instant at end", end, end, TestOutside, TestInside},
		{"instant before end", end.Add(-time.Second), end.Add(-time.Second), TestInside, TestInside},
		{"exactly the window", start, end, TestInside, TestInside},
		{"ends at start", start.Add(-time.Hour), start, TestOutside, TestOutside},
		{"starts at end", end, end.Add(time.Hour), TestOutside, TestInside},
		{"straddles start", start.Add(-time.Second), start.Add(time.Hour), TestUncertain, TestUncertain},
		{"straddles end", end.Add(-time.Hour), end.Add(time.Second), TestUncertain, TestInside},
		{"far later", end.AddDate(1, 0, 0), end.AddDate(1, 0, 1), TestOutside, TestInside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := report()
			r.Occurred = truce.Occurrence{From: &tt.from, To: &tt.to}
			ev, err := EventFromReport(r, gz(t))
			if err != nil {
				t.Fatal(err)
			}
			vs := judgeAll(e, ev)
			if vs[0].Tests.Time != tt.closed || vs[1].Tests.Time != tt.open {
				t.Errorf("closed %v open %v, want %v %v", vs[0].Tests.Time, vs[1].Tests.Time, tt.closed, tt.open)
			}
		})
	}
}

// A window start that occurs twice (Kyiv clocks go back from 04:00 to
// 03:00 on 26 October 2025) means the earlier instant: 03:30 EEST, UTC+3,
// is 00:30Z; the later 03:30 EET would be 01:30Z.
func TestTimeRepeatedLocalTime(t *testing.T) {
	e := newEngine(t, agreementJSON("autumn", `"window": {"start": "2025-10-26T03:30", "end": null, "tz": "Europe/Kyiv"}`))
	for _, tt := range []struct {
		at   time.Time
		want Outcome
	}{
		{time.Date(2025, 10, 26, 0, 30, 0, 0, time.UTC), TestInside},
		{time.Date(2025, 10, 26, 0, 29, 59, 0, time.UTC), TestOutside},
		{time.Date(2025, 10, 26, 1, 0, 0, 0, time.UTC), TestInside},
	} {
		r := report()
		r.Occurred = truce.Occurrence{From: &tt.at, To: &tt.at}
		ev, err := EventFromReport(r, gz(t))
		if err != nil {
			t.Fatal(err)
		}
		if got := judgeOne(t, e, ev).Tests.Time; got != tt.want {
			t.Errorf("%v: time %v, want %v", tt.at, got, tt.want)
		}
	}
}
