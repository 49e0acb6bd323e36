package truce

import (
	"errors"
	"strings"
	"testing"
)

func TestNegotiationValidate(t *testing.T) {
	parties := map[string]bool{"RU": true, "UA": true}
	issues := map[string]bool{"ceasefire": true, "direct_talks": true}
	talks := Condition{Kind: ConditionAction, Party: "UA", Issue: "direct_talks"}
	cf := Condition{Kind: ConditionAgreement, AgreementID: "ceasefire-30"}
	pre := Precondition{Party: "UA", Action: talks, Requires: cf, Since: "2025-05-10"}
	with := func(f func(*Precondition)) Precondition { p := pre; f(&p); return p }
	stmt := Statement{Party: "UA", Issue: "ceasefire", Stance: StanceDemands, Date: "2025-05-10", Quote: "q",
		QuoteKind: QuoteReported, Source: Source{Title: "t"}}
	withS := func(f func(*Statement)) Statement { s := stmt; f(&s); return s }
	ev := NegotiationEvent{Kind: EventTalks, Title: "Istanbul", Date: "2025-05-16", Participants: []string{"RU", "UA"},
		Mediators: []string{"Türkiye"}, Sources: []Source{{Title: "t"}}}
	draft := Draft{ID: "istanbul-2022", Title: "Draft", Provisions: []Provision{{Issue: "ceasefire", Text: "x"}}}
	tests := []struct {
		name      string
		err       error
		wantField string
	}{
		{"issue valid", NegotiationIssue{Code: "nato", Name: "NATO"}.Validate(), ""},
		{"issue needs name", NegotiationIssue{Code: "nato"}.Validate(), "name"},
		{"statement valid", stmt.Validate(parties, issues), ""},
		{"statement unknown party", withS(func(s *Statement) { s.Party = "XX" }).Validate(parties, issues), "party"},
		{"statement unknown stance", withS(func(s *Statement) { s.Stance = "hopes" }).Validate(parties, issues), "stance"},
		{"statement quote kind", withS(func(s *Statement) { s.QuoteKind = "verbatim" }).Validate(parties, issues), "quote_kind"},
		{"statement needs a source", withS(func(s *Statement) { s.Source = Source{Quote: "q"} }).Validate(parties, issues), "source"},
		{"statement quote too long", withS(func(s *Statement) { s.Quote = strings.Repeat("é", 4001) }).Validate(parties, issues), "quote"},
		{"precondition valid", pre.Validate(parties, issues), ""},
		{"precondition unknown action issue", with(func(p *Precondition) { p.Action.Issue = "nato" }).Validate(parties, issues), "action.issue"},
		{"precondition unknown required party", with(func(p *Precondition) { p.Requires = Condition{Kind: ConditionAction, Party: "CN", Issue: "ceasefire"} }).Validate(parties, issues), "requires.party"},
		{"precondition another party's action", with(func(p *Precondition) { p.Party = "RU" }).Validate(parties, issues), "action.party"},
		{"agreement condition with a party", with(func(p *Precondition) { p.Requires.Party = "RU" }).Validate(parties, issues), "requires.party"},
		{"precondition met and withdrawn", with(func(p *Precondition) { p.Met, p.Withdrawn = true, true }).Validate(parties, issues), "withdrawn"},
		{"precondition until while active", with(func(p *Precondition) { p.Until = "2025-05-16" }).Validate(parties, issues), "until"},
		{"precondition until before since", with(func(p *Precondition) { p.Met, p.Until = true, "2025-05-01" }).Validate(parties, issues), "until"},
		{"precondition withdrawn valid", with(func(p *Precondition) { p.Withdrawn, p.Until = true, "2025-05-16" }).Validate(parties, issues), ""},
		{"event valid", ev.Validate(parties), ""},
		{"event unknown participant", NegotiationEvent{Kind: EventTalks, Title: "x", Date: "2025-05-16", Participants: []string{"UA", "TR"}, Sources: ev.Sources}.Validate(parties), "participants[1]"},
		{"event unknown kind", NegotiationEvent{Kind: "summit", Title: "x", Date: "2025-05-16", Sources: ev.Sources}.Validate(parties), "kind"},
		{"draft valid", draft.Validate(parties, issues), ""},
		{"draft unknown provision issue", Draft{ID: "d", Title: "D", Provisions: []Provision{{Issue: "oceans", Text: "x"}}}.Validate(parties, issues), "provisions[0].issue"},
		{"draft without provisions", Draft{ID: "d", Title: "D"}.Validate(parties, issues), "provisions"},
		{"draft unknown status", Draft{ID: "d", Title: "D", Status: "lost", Provisions: draft.Provisions}.Validate(parties, issues), "status"},
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
}

func TestPreconditionActiveOn(t *testing.T) {
	p := Precondition{Since: "2025-05-10", Withdrawn: true, Until: "2025-05-16"}
	for date, want := range map[string]bool{"2025-05-09": false, "2025-05-10": true, "2025-05-15": true, "2025-05-16": false} {
		if got := p.ActiveOn(date); got != want {
			t.Errorf("ActiveOn(%s) = %v, want %v", date, got, want)
		}
	}
	if !(Precondition{}).ActiveOn("1990-01-01") {
		t.Error("a precondition without dates is active on any date")
	}
	if (Precondition{Met: true}).ActiveOn("2025-01-01") {
		t.Error("a met precondition without an end date counts as met throughout")
	}
}
