package adjudicate

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// report is a valid liaison report: an air strike by Russian forces at a
// point in Donetsk on 20 April 2025 (Kyiv day).
func report() truce.Report {
	return truce.Report{
		ID:           42,
		Source:       truce.ReportSource{Kind: truce.SourceParty, Name: "UA liaison"},
		Occurred:     truce.Occurrence{Date: "2025-04-20", Precision: "day", TZ: "Europe/Kyiv"},
		Place:        truce.Point(48.0, 37.8, 5),
		Domains:      []string{"air"},
		Targets:      []string{"energy", "military"},
		Perpetrators: []string{"Military Forces of Russia", " "},
		Description:  "drone strike on a substation",
	}
}

func TestEventFromReport(t *testing.T) {
	ev, err := EventFromReport(report(), gz(t))
	if err != nil {
		t.Fatal(err)
	}
	// 20 April in Kyiv (UTC+3) is [19 21:00Z, 20 21:00Z).
	if ev.ID != "42" || !ev.From.Equal(time.Date(2025, 4, 19, 21, 0, 0, 0, time.UTC)) || !ev.To.Equal(time.Date(2025, 4, 20, 21, 0, 0, 0, time.UTC)) ||
		ev.When != "2025-04-20 (Europe/Kyiv)" || !ev.Hostile || ev.Kind != "report" {
		t.Errorf("event %+v", ev)
	}
	if ev.Place != (Place{Kind: PlacePoint, Lat: 48.0, Lon: 37.8, RadiusKm: 5}) {
		t.Errorf("place %+v", ev.Place)
	}
	// military is no agreement target; blank perpetrators are dropped.
	if !slices.Equal(ev.Targets, []string{"energy"}) || !slices.Equal(ev.Perpetrators, []string{"Military Forces of Russia"}) ||
		!slices.Equal(ev.Domains, []string{"air"}) {
		t.Errorf("targets %v perpetrators %q domains %v", ev.Targets, ev.Perpetrators, ev.Domains)
	}

	r := report()
	r.ID, r.ExternalID = 0, "ext-7"
	r.Occurred = truce.Occurrence{Date: "2025-04-20", Precision: "week", TZ: "Europe/Moscow"}
	r.NotHostile, r.EventType, r.SubEventType = true, "Protests", "Peaceful protest"
	r.Place = truce.Place{}
	ev, err = EventFromReport(r, gz(t))
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "ext-7" || ev.When != "2025-04-17–2025-04-23 (Europe/Moscow)" || ev.Hostile || ev.Kind != "Protests/Peaceful protest" ||
		ev.Place.Kind != PlaceUnknown {
		t.Errorf("event %+v", ev)
	}

	from, to := time.Date(2025, 4, 20, 10, 0, 0, 0, time.UTC), time.Date(2025, 4, 20, 12, 30, 0, 0, time.UTC)
	r.Occurred = truce.Occurrence{From: &from, To: &to}
	ev, err = EventFromReport(r, gz(t))
	if err != nil || ev.When != "2025-04-20 10:00–2025-04-20 12:30 UTC" || !ev.From.Equal(from) || !ev.To.Equal(to) {
		t.Errorf("event %+v, %v", ev, err)
	}
}

func TestEventFromReportErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*truce.Report)
		want string
	}{
		{"unknown admin1", func(r *truce.Report) { r.Place = truce.Place{Admin1: "UA-99"} }, `place.admin1: unknown admin-1 unit "UA-99"`},
		{"no interval", func(r *truce.Report) { r.Occurred = truce.Occurrence{} }, `occurred: required: "from" and "to", or "date", "precision" and "tz"`},
		{"bad zone", func(r *truce.Report) { r.Occurred.TZ = "Mars/Olympus" }, `occurred.tz: unknown time zone "Mars/Olympus"`},
		{"radius missing", func(r *truce.Report) { r.Place.RadiusKm = nil }, `place.radius_km: required`},
		{"latitude out of range", func(r *truce.Report) { r.Place = truce.Point(91, 30, 1) }, `place.lat: 91 is outside -90..90`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := report()
			tt.edit(&r)
			_, err := EventFromReport(r, gz(t))
			if err == nil || err.Error() != tt.want || truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// Agreements that did not take effect, or whose terms need review, are
// validated but never judged.
func TestSkippedAgreements(t *testing.T) {
	e := newEngine(t,
		agreementJSON("proposed", `"status": "proposed"`),
		agreementJSON("in-force", ""),
		agreementJSON("rejected", `"status": "rejected"`),
		agreementJSON("review", `"terms_need_review": true`),
		agreementJSON("expired", `"status": "expired"`),
		agreementJSON("collapsed", `"status": "collapsed"`),
		agreementJSON("superseded", `"status": "superseded"`),
	)
	var got []string
	for _, s := range e.Skipped() {
		got = append(got, s.ID+": "+s.Reason)
	}
	want := []string{"proposed: status proposed: the agreement did not take effect",
		"rejected: status rejected: the agreement did not take effect", "review: its terms need review"}
	if !slices.Equal(got, want) {
		t.Errorf("skipped %q", got)
	}
	var judged []string
	var idx []int
	ev := acled(t)
	e.Judge(&ev, true, func(i int, v Verdict) { judged = append(judged, v.AgreementID); idx = append(idx, i) })
	if !slices.Equal(judged, []string{"in-force", "expired", "collapsed", "superseded"}) || !slices.Equal(idx, []int{1, 4, 5, 6}) {
		t.Errorf("judged %v at %v", judged, idx)
	}
	if e.Adjudicated() != 4 {
		t.Errorf("Adjudicated() = %d", e.Adjudicated())
	}
}

// New validates what it compiles, with the same messages as terms.Parse.
func TestNewValidates(t *testing.T) {
	tm := truce.Terms{
		Parties:    []truce.Party{{Code: "RU", Name: "Russia"}},
		Agreements: []truce.Agreement{{ID: "x", Status: "in_force", Bound: []string{"RU"}, Window: truce.Window{Start: "2025-01-01T00:00", TZ: "Europe/Kiev2"}, Domains: []string{"land"}, Targets: []string{"any"}}},
	}
	_, err := New(tm, gz(t))
	if err == nil || err.Error() != `x: window.tz: unknown time zone "Europe/Kiev2"` {
		t.Errorf("error %v", err)
	}
	tm.Agreements[0].Window.TZ = "UTC"
	tm.Agreements[0].Area = &truce.Area{Countries: []string{"ZZ"}}
	if _, err = New(tm, gz(t)); err == nil || err.Error() != `x: area.countries: unknown country code "ZZ"` {
		t.Errorf("error %v", err)
	}
}

// Without --all, Judge yields exactly the verdicts that are not outside,
// the same as with --all.
func TestJudgeAllConsistent(t *testing.T) {
	e := engineFromFile(t, "donbas-2020.json")
	all := judgeFile(t, e, sharedData(t, gedFile), true)
	some := judgeFile(t, e, sharedData(t, gedFile), false)
	var filtered []string
	lines := strings.Split(strings.TrimSuffix(string(all), "\n"), "\n")
	if len(lines) != 3078 {
		t.Fatalf("--all wrote %d lines, want a header and 3077 rows", len(lines))
	}
	for i, l := range lines {
		if i == 0 || !strings.Contains(l, ",outside,") {
			filtered = append(filtered, l)
		}
	}
	if got := strings.TrimSuffix(string(some), "\n"); got != strings.Join(filtered, "\n") {
		t.Error("rows without --all differ from the non-outside rows with --all")
	}
}
