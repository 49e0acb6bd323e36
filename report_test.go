package truce

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validReport() Report {
	from := time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC)
	to := from.Add(time.Hour)
	return Report{
		ExternalID:   "ua-jfo-2025-05-09-0142",
		Source:       ReportSource{Kind: "party", Name: "General Staff of the Armed Forces of Ukraine"},
		Occurred:     Occurrence{From: &from, To: &to},
		Place:        Point(48.28, 37.18, 5),
		Domains:      []string{"land"},
		Targets:      []string{"civilian"},
		Means:        []Means{{Kind: "artillery", Count: 12}},
		Perpetrators: []string{"RU"},
		Description:  "Artillery fire on the outskirts of Pokrovsk.",
		Language:     "en",
		Evidence:     []Evidence{{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
	}
}

// Each case breaks one rule of contracts/REPORTS.md.
func TestReportValidate(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*Report)
		wantField string
	}{
		{"valid", func(r *Report) {}, ""},
		{"admin1 place", func(r *Report) { r.Place = Place{Admin1: "UA-14"} }, ""},
		{"dated occurrence", func(r *Report) {
			r.Occurred = Occurrence{Date: "2025-05-09", Precision: "week", TZ: "Europe/Kyiv"}
		}, ""},
		{"unknown source kind", func(r *Report) { r.Source.Kind = "rumour" }, "source.kind"},
		{"missing source kind", func(r *Report) { r.Source.Kind = "" }, "source.kind"},
		{"empty source name", func(r *Report) { r.Source.Name = "" }, "source.name"},
		{"source name too long", func(r *Report) { r.Source.Name = strings.Repeat("x", 201) }, "source.name"},
		{"no occurrence", func(r *Report) { r.Occurred = Occurrence{} }, "occurred"},
		{"to before from", func(r *Report) { t := r.Occurred.From.Add(-time.Second); r.Occurred.To = &t }, "occurred.to"},
		{"span over 366 days", func(r *Report) { t := r.Occurred.From.Add(367 * 24 * time.Hour); r.Occurred.To = &t }, "occurred.to"},
		{"both occurrence forms", func(r *Report) { r.Occurred.Date = "2025-05-09" }, "occurred"},
		{"bad date", func(r *Report) { r.Occurred = Occurrence{Date: "09/05/2025", Precision: "day", TZ: "UTC"} }, "occurred.date"},
		{"bad precision", func(r *Report) { r.Occurred = Occurrence{Date: "2025-05-09", Precision: "year", TZ: "UTC"} }, "occurred.precision"},
		{"bad zone", func(r *Report) { r.Occurred = Occurrence{Date: "2025-05-09", Precision: "day", TZ: "Mars/Base"} }, "occurred.tz"},
		{"no place", func(r *Report) { r.Place = Place{} }, "place"},
		{"lat out of range", func(r *Report) { r.Place = Point(91, 0, 1) }, "place.lat"},
		{"lon out of range", func(r *Report) { r.Place = Point(0, -181, 1) }, "place.lon"},
		{"radius out of range", func(r *Report) { r.Place = Point(0, 0, 1001) }, "place.radius_km"},
		{"radius missing", func(r *Report) { r.Place.RadiusKm = nil }, "place.radius_km"},
		{"point and admin1", func(r *Report) { r.Place.Admin1 = "UA-14" }, "place"},
		{"bad admin1", func(r *Report) { r.Place = Place{Admin1: "Donetsk"} }, "place.admin1"},
		{"no domains", func(r *Report) { r.Domains = nil }, "domains"},
		{"unknown target", func(r *Report) { r.Targets = []string{"any"} }, "targets[0]"},
		{"unknown means", func(r *Report) { r.Means = []Means{{Kind: "catapult", Count: 1}} }, "means[0].kind"},
		{"zero count", func(r *Report) { r.Means = []Means{{Kind: "missile", Count: 0}} }, "means[0].count"},
		{"empty description", func(r *Report) { r.Description = " " }, "description"},
		{"long description", func(r *Report) { r.Description = strings.Repeat("é", 10001) }, "description"},
		{"bad language", func(r *Report) { r.Language = "english!" }, "language"},
		{"bad hash", func(r *Report) { r.Evidence = []Evidence{{SHA256: "ABC"}} }, "evidence[0].sha256"},
		{"too much evidence", func(r *Report) { r.Evidence = make([]Evidence, 51) }, "evidence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validReport()
			tt.edit(&r)
			err := r.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Field != tt.wantField {
				t.Fatalf("want invalid %s, got %#v", tt.wantField, err)
			}
		})
	}
}

// Expected instants: local midnights minus Kyiv's offset (UTC+3 in May,
// UTC+2 in February), worked out by hand.
func TestOccurrenceInterval(t *testing.T) {
	tests := []struct {
		o        Occurrence
		from, to string
	}{
		{Occurrence{Date: "2025-05-09", Precision: "day", TZ: "Europe/Kyiv"}, "2025-05-08T21:00:00Z", "2025-05-09T21:00:00Z"},
		{Occurrence{Date: "2025-05-09", Precision: "week", TZ: "Europe/Kyiv"}, "2025-05-05T21:00:00Z", "2025-05-12T21:00:00Z"},
		{Occurrence{Date: "2024-02-10", Precision: "month", TZ: "Europe/Kyiv"}, "2024-01-31T22:00:00Z", "2024-02-29T22:00:00Z"},
		{Occurrence{Date: "2025-03-30", Precision: "day", TZ: "Europe/Kyiv"}, "2025-03-29T22:00:00Z", "2025-03-30T21:00:00Z"},
	}
	for _, tt := range tests {
		from, to, err := tt.o.Interval()
		if err != nil {
			t.Fatalf("%+v: %v", tt.o, err)
		}
		if from.Format(time.RFC3339) != tt.from || to.Format(time.RFC3339) != tt.to {
			t.Errorf("%+v: got [%s, %s), want [%s, %s)", tt.o, from.Format(time.RFC3339), to.Format(time.RFC3339), tt.from, tt.to)
		}
	}
}

func TestOtherValidation(t *testing.T) {
	parties := map[string]bool{"RU": true, "UA": true}
	from := time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC)
	claim := Claim{Claimant: "RU", Accused: "UA", From: from, To: from.Add(72 * time.Hour),
		Means: []Means{{Kind: "aerial_drone", Count: 524}}, Summary: "524 aerial drones", Source: Source{Quote: "524 aerial drones"}}
	badClaim := claim
	badClaim.Accused = "XX"
	backwards := claim
	backwards.To = from.Add(-time.Hour)
	tests := []struct {
		name      string
		err       error
		wantField string
	}{
		{"claim valid", claim.Validate(parties), ""},
		{"claim unknown accused", badClaim.Validate(parties), "accused"},
		{"claim period backwards", backwards.Validate(parties), "to"},
		{"user valid", User{Name: "ana", Role: RoleMonitor}.Validate(), ""},
		{"liaison needs party", User{Name: "ua-liaison", Role: RoleLiaison}.Validate(), "party"},
		{"monitor has no party", User{Name: "m", Role: RoleMonitor, Party: "UA"}.Validate(), "party"},
		{"public is not a user role", User{Name: "p", Role: RolePublic}.Validate(), "role"},
		{"transition valid", Transition{To: IncidentVerified, Reason: "two sources and imagery"}.Validate(), ""},
		{"transition needs reason", Transition{To: IncidentVerified}.Validate(), "reason"},
		{"transition unknown state", Transition{To: "closed", Reason: "x"}.Validate(), "to"},
	}
	for _, tt := range tests {
		var e *Error
		switch {
		case tt.wantField == "" && tt.err != nil:
			t.Errorf("%s: want valid, got %v", tt.name, tt.err)
		case tt.wantField != "" && (!errors.As(tt.err, &e) || e.Field != tt.wantField):
			t.Errorf("%s: want error on %s, got %v", tt.name, tt.wantField, tt.err)
		}
	}
	if !CanTransition(IncidentAlleged, IncidentVerified) || CanTransition(IncidentVerified, IncidentAlleged) {
		t.Error("workflow: alleged→verified must be allowed and verified→alleged refused")
	}
}
