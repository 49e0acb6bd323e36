package truce

import (
	"errors"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func validAgreement() Agreement {
	return Agreement{
		ID:      "easter-truce-2025",
		Status:  StatusInForce,
		Bound:   []string{"RU", "UA"},
		Window:  Window{Start: "2025-04-19T18:00", End: ptr("2025-04-21T00:00"), TZ: "Europe/Moscow"},
		Domains: []string{"land", "air", "sea"},
		Targets: []string{"any"},
	}
}

func TestAgreementValidate(t *testing.T) {
	parties := map[string]bool{"RU": true, "UA": true}
	tests := []struct {
		name      string
		edit      func(*Agreement)
		wantField string // "" means valid
	}{
		{"valid", func(a *Agreement) {}, ""},
		{"open-ended window", func(a *Agreement) { a.Window.End = nil }, ""},
		{"missing id", func(a *Agreement) { a.ID = " " }, "id"},
		{"missing status", func(a *Agreement) { a.Status = "" }, "status"},
		{"unknown status", func(a *Agreement) { a.Status = "signed" }, "status"},
		{"declared_by unknown", func(a *Agreement) { a.DeclaredBy = []string{"XX"} }, "declared_by[0]"},
		{"bound missing", func(a *Agreement) { a.Bound = nil }, "bound"},
		{"bound unknown", func(a *Agreement) { a.Bound = []string{"RU", "XX"} }, "bound[1]"},
		{"start missing", func(a *Agreement) { a.Window.Start = "" }, "window.start"},
		{"tz missing", func(a *Agreement) { a.Window.TZ = "" }, "window.tz"},
		{"tz unknown", func(a *Agreement) { a.Window.TZ = "Europe/Kiev2" }, "window.tz"},
		{"tz Local refused", func(a *Agreement) { a.Window.TZ = "Local" }, "window.tz"},
		{"start with offset", func(a *Agreement) { a.Window.Start = "2025-04-19T18:00+03:00" }, "window.start"},
		{"start not a day", func(a *Agreement) { a.Window.Start = "2025-02-30T18:00" }, "window.start"},
		{"end equal to start", func(a *Agreement) { a.Window.End = ptr("2025-04-19T18:00") }, "window.end"},
		{"end before start", func(a *Agreement) { a.Window.End = ptr("2025-04-18T18:00") }, "window.end"},
		{"skipped local time", func(a *Agreement) { a.Window.TZ = "Europe/Kyiv"; a.Window.Start = "2025-03-30T03:30" }, "window.start"},
		{"no domains", func(a *Agreement) { a.Domains = nil }, "domains"},
		{"unknown domain", func(a *Agreement) { a.Domains = []string{"space"} }, "domains[0]"},
		{"no targets", func(a *Agreement) { a.Targets = nil }, "targets"},
		{"any with energy", func(a *Agreement) { a.Targets = []string{"any", "energy"} }, "targets"},
		{"unknown target", func(a *Agreement) { a.Targets = []string{"military"} }, "targets[0]"},
		{"terms need review may omit terms", func(a *Agreement) {
			a.TermsNeedReview = true
			a.Bound, a.Window, a.Domains, a.Targets = nil, Window{}, nil, nil
		}, ""},
		{"terms need review still checks what is given", func(a *Agreement) {
			a.TermsNeedReview = true
			a.Domains = []string{"space"}
		}, "domains[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validAgreement()
			tt.edit(&a)
			err := a.Validate(parties)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error on %s, got %v", tt.wantField, err)
			}
			if e.Code != EINVALID || e.Field != tt.wantField {
				t.Errorf("got code %q field %q (%v), want invalid %q", e.Code, e.Field, err, tt.wantField)
			}
		})
	}
}

// The expected instants are the local times minus the zone's offset on
// that date, read from the IANA rules: Moscow is UTC+3 all year; Kyiv is
// UTC+2 in winter and UTC+3 from 03:00 local on the last Sunday of March
// 2025 (30 March) to 04:00 local on the last Sunday of October (26 October).
func TestWindowResolve(t *testing.T) {
	tests := []struct {
		tz, start, end     string
		wantStart, wantEnd string
	}{
		{"Europe/Moscow", "2025-04-19T18:00", "2025-04-21T00:00", "2025-04-19T15:00:00Z", "2025-04-20T21:00:00Z"},
		{"Europe/Moscow", "2025-05-08T00:00", "2025-05-11T00:00", "2025-05-07T21:00:00Z", "2025-05-10T21:00:00Z"},
		{"Europe/Kyiv", "2025-03-29T12:00", "2025-03-31T12:00", "2025-03-29T10:00:00Z", "2025-03-31T09:00:00Z"},
		{"Europe/Kyiv", "2020-07-27T00:01:30", "2022-02-24T00:00", "2020-07-26T21:01:30Z", "2022-02-23T22:00:00Z"},
		// 03:30 on 26 October 2025 occurs twice in Kyiv; the earlier one is UTC+3.
		{"Europe/Kyiv", "2025-10-26T03:30", "2025-10-27T00:00", "2025-10-26T00:30:00Z", "2025-10-26T22:00:00Z"},
	}
	for _, tt := range tests {
		w := Window{Start: tt.start, End: &tt.end, TZ: tt.tz}
		s, e, err := w.Resolve()
		if err != nil {
			t.Fatalf("%s %s: %v", tt.tz, tt.start, err)
		}
		if got := s.Format(time.RFC3339); got != tt.wantStart {
			t.Errorf("%s %s: start %s, want %s", tt.tz, tt.start, got, tt.wantStart)
		}
		if got := e.Format(time.RFC3339); got != tt.wantEnd {
			t.Errorf("%s %s: end %s, want %s", tt.tz, tt.end, got, tt.wantEnd)
		}
	}
}

func TestPartyValidate(t *testing.T) {
	tests := []struct {
		p         Party
		wantField string
	}{
		{Party{Code: "RU", Name: "Russian Federation", Aliases: []string{"Military Forces of Russia"}}, ""},
		{Party{Code: "", Name: "x"}, "code"},
		{Party{Code: "R U", Name: "x"}, "code"},
		{Party{Code: "RU", Name: " "}, "name"},
		{Party{Code: "RU", Name: "x", Aliases: []string{"ok", " "}}, "aliases[1]"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		var e *Error
		switch {
		case tt.wantField == "" && err != nil:
			t.Errorf("%+v: want valid, got %v", tt.p, err)
		case tt.wantField != "" && (!errors.As(err, &e) || e.Field != tt.wantField):
			t.Errorf("%+v: want error on %s, got %v", tt.p, tt.wantField, err)
		}
	}
}
