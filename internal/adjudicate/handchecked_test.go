package adjudicate

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/truce-monitor/truce/internal/events"
)

// TestHandCheckedDonbas2020 holds verdicts that were CHECKED BY HAND: each
// expected value below was worked out by reading the UCDP row (dates,
// where_prec, coordinates, where_description, sides) and applying the
// rules of contract §3 to testdata/donbas-2020.json (window 27 July 2020
// 00:01 to 24 February 2022 00:00 Kyiv; area UA-14 Donetsk and UA-09
// Luhansk oblasts; domains land and air; any target; bound UA, DPR, LPR),
// not by running the code. Tests not listed for a row were not asserted
// (for example a 2 km disk a few km from a border).
func TestHandCheckedDonbas2020(t *testing.T) {
	type want struct {
		verdict, party string
		tests          map[string]Outcome // test name → outcome
		reason         string             // "" = not asserted
	}
	const window = "2020-07-27 00:01–2022-02-24 00:00 Europe/Kyiv"
	const area = "the area (UA-14, UA-09)"
	I, O, U := TestInside, TestOutside, TestUncertain
	cases := map[string]want{
		// July 1-31 (where_prec 4, Donetsk oblast 48.14,37.74 ±50 km, well
		// inside the oblast): the window opens on 27 July, so time is
		// uncertain; UA and DPR both bound but different: no party.
		"349584": {Uncertain, "", map[string]Outcome{"hostile": I, "time": U, "place": I, "domain": I, "target": I, "perpetrator": I},
			"time: 2020-07-01–2020-07-31 (Europe/Kyiv) partly inside " + window},
		// 20 July 2020, a week before the measures: outside by time.
		"349688": {Outside, "", map[string]Outcome{"time": O, "perpetrator": I}, "time: 2020-07-20 (Europe/Kyiv) before " + window},
		// 22 July 2020, where_prec 5: outside by time whatever the place.
		"349690": {Outside, "", map[string]Outcome{"time": O}, ""},
		// 13 August 2020 near Vodiane (±15 km, tens of km from any oblast
		// border): every test inside; two bound parties fight: no party.
		"354371": {Violation, "", map[string]Outcome{"hostile": I, "time": I, "place": I, "domain": I, "target": I, "perpetrator": I},
			"time: 2020-08-13 (Europe/Kyiv) inside " + window + "; place: 48.097688,37.664988 ±15 km inside " + area +
				"; domain: {land, air} inside {land, air}; perpetrator: Government of Ukraine → UA (bound) and DPR → DPR (bound)"},
		// 30 October 2020 at Vodiane, ±2 km.
		"366845": {Violation, "", map[string]Outcome{"time": I, "place": I, "perpetrator": I}, ""},
		// 30 September 2020 at Obozne, 18 km north of Luhansk, ±2 km;
		// side_b LPR.
		"366892": {Violation, "", map[string]Outcome{"time": I, "place": I, "perpetrator": I}, ""},
		// August 2020, where_prec 5 (150 km) around 48.15,38.65: the disk
		// reaches Russia (about 85 km east) and Zaporizhzhia oblast: place
		// uncertain, the rest inside.
		"390397": {Uncertain, "", map[string]Outcome{"time": I, "place": U, "domain": I, "perpetrator": I},
			"place: 48.15,38.65 ±150 km partly inside " + area},
		// 20 February 2022 near Pionerskoye, "7 km from the border with
		// Russia", ±15 km: the disk crosses into Russia.
		"429380": {Uncertain, "", map[string]Outcome{"time": I, "place": U, "perpetrator": I}, ""},
		// 23 February 2022 near Bohdanivka, Donetsk oblast, ±15 km: the
		// Kyiv day ends at 24 February 00:00 Kyiv, exactly the window's
		// exclusive end, so time is inside.
		"429387": {Violation, "", map[string]Outcome{"time": I, "place": I, "perpetrator": I}, ""},
		// 18-25 February 2022 (runs past the end) and ±150 km: time and
		// place uncertain, both named.
		"451245": {Uncertain, "", map[string]Outcome{"time": U, "place": U, "domain": I, "perpetrator": I},
			"time: 2022-02-18–2022-02-25 (Europe/Kyiv) partly inside " + window + "; place: 47.92,38.28 ±150 km partly inside " + area},
		// 4-11 December 2020, where_prec 4 in Donetsk oblast.
		"420059": {Violation, "", map[string]Outcome{"time": I, "place": I}, ""},
		// 2015, where_prec 7 (sea outside Mariupol): place unknown, domains
		// {air, sea} against {land, air}, UA bound and the United Armed
		// Forces of Novorossiya a party that is not bound; outside by time.
		"204785": {Outside, "", map[string]Outcome{"hostile": I, "time": O, "place": U, "domain": U, "target": I, "perpetrator": U},
			"time: 2015-06-07 (Europe/Kyiv) before " + window},
		// Maidan, Kyiv, January 2014: far outside in time and place; Maidan
		// is no party, so the perpetrator test is uncertain.
		"147997": {Outside, "", map[string]Outcome{"time": O, "place": O, "perpetrator": U},
			"time: 2014-01-22 (Europe/Kyiv) before " + window + "; place: 50.45,30.52333 ±2 km outside " + area},
		// The one event in Russia ("Russia (Soviet Union)"): its day is read
		// in Moscow time.
		"154671": {Outside, "", map[string]Outcome{"time": O}, ""},
	}
	e := engineFromFile(t, "donbas-2020.json")
	f, err := os.Open(sharedData(t, gedFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := events.NewReader(f, "ged.csv")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		w, ok := cases[rec.ID]
		if !ok {
			continue
		}
		seen++
		ev := EventFromRecord(rec)
		var got []Verdict
		e.Judge(&ev, true, func(_ int, v Verdict) { got = append(got, v) })
		if len(got) != 1 {
			t.Fatalf("%s: %d verdicts", rec.ID, len(got))
		}
		v := got[0]
		if v.Verdict != w.verdict || v.Party != w.party {
			t.Errorf("%s: verdict %s party %q, want %s %q (%s)", rec.ID, v.Verdict, v.Party, w.verdict, w.party, v.Reason)
		}
		outcomes := map[string]Outcome{"hostile": v.Tests.Hostile, "time": v.Tests.Time, "place": v.Tests.Place,
			"domain": v.Tests.Domain, "target": v.Tests.Target, "perpetrator": v.Tests.Perpetrator}
		for name, o := range w.tests {
			if outcomes[name] != o {
				t.Errorf("%s: %s test %v, want %v", rec.ID, name, outcomes[name], o)
			}
		}
		if w.reason != "" && v.Reason != w.reason {
			t.Errorf("%s: reason\n  %s\nwant\n  %s", rec.ID, v.Reason, w.reason)
		}
		if rec.ID == "154671" && ev.When != "2014-07-13 (Europe/Moscow)" {
			t.Errorf("154671: when %q, want the Moscow day", ev.When)
		}
	}
	if seen != len(cases) {
		t.Errorf("found %d of the %d hand-checked events", seen, len(cases))
	}
}
