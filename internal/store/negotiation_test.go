package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// withIssues stores the test terms and three negotiation issues.
func withIssues(t *testing.T, db *store.DB) {
	t.Helper()
	withTerms(t, db)
	for _, n := range []truce.NegotiationIssue{
		{Code: "ceasefire", Name: "Ceasefire"},
		{Code: "direct_talks", Name: "Direct talks"},
		{Code: "nato", Name: "NATO membership"},
	} {
		if _, _, err := db.PutNegotiationIssue(context.Background(), n, "admin"); err != nil {
			t.Fatal(err)
		}
	}
}

// wantField fails unless err is EINVALID naming field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var e *truce.Error
	if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != field {
		t.Errorf("%s: got %v, want EINVALID on %s", what, err, field)
	}
}

func TestNegotiationIssues(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		n := truce.NegotiationIssue{Code: "nato", Name: "NATO membership"}
		if v, changed, err := db.PutNegotiationIssue(ctx, n, "admin"); err != nil || v != 1 || !changed {
			t.Fatalf("PutNegotiationIssue = %d, %v, %v", v, changed, err)
		}
		if v, changed, err := db.PutNegotiationIssue(ctx, n, "admin"); err != nil || v != 1 || changed {
			t.Fatalf("PutNegotiationIssue(unchanged) = %d, %v, %v", v, changed, err)
		}
		n.Description = "Ukraine's membership of NATO"
		if v, changed, err := db.PutNegotiationIssue(ctx, n, "monitor1"); err != nil || v != 2 || !changed {
			t.Fatalf("PutNegotiationIssue(edit) = %d, %v, %v", v, changed, err)
		}
		got, err := db.NegotiationIssue(ctx, "nato")
		if want := (truce.NegotiationIssue{Code: "nato", Name: "NATO membership", Description: "Ukraine's membership of NATO", Version: 2}); err != nil || got != want {
			t.Fatalf("NegotiationIssue = %+v, %v", got, err)
		}
		vs, err := db.NegotiationIssueVersions(ctx, "nato")
		if err != nil || len(vs) != 2 || vs[0].Description != "" || vs[0].Version != 1 {
			t.Fatalf("versions = %+v, %v", vs, err)
		}
		if _, err := db.NegotiationIssue(ctx, "territory"); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("unknown issue: %v", err)
		}
		_, _, err = db.PutNegotiationIssue(ctx, truce.NegotiationIssue{Code: "bad code", Name: "x"}, "admin")
		wantField(t, "bad code", err, "code")
		checkLog(t, db, 2)
	})
}

func statement() truce.Statement {
	return truce.Statement{
		Party: "UA", Issue: "direct_talks", Stance: truce.StanceConditions, Date: "2025-05-11",
		Quote:     "Zelenskyy had previously said he was ready for peace talks, but only after the ceasefire.",
		QuoteKind: truce.QuoteReported, Source: truce.Source{Title: "News report, 11 May 2025"}, Language: "en",
		AgreementID: fullAgreement().ID, RecordedBy: "monitor1",
	}
}

func TestStatements(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withIssues(t, db)
		base := logSize(t, db)
		s := statement()
		at := clk.peek()
		if created, err := db.CreateStatement(ctx, &s); err != nil || !created {
			t.Fatalf("CreateStatement = %v, %v", created, err)
		}
		want := statement()
		want.ID, want.RecordedAt = 1, at
		if !reflect.DeepEqual(s, want) {
			t.Fatalf("CreateStatement filled\n%+v\nwant\n%+v", s, want)
		}
		// The same statement again, recorded by someone else: not stored twice.
		dup := statement()
		dup.RecordedBy = "monitor2"
		if created, err := db.CreateStatement(ctx, &dup); err != nil || created || !reflect.DeepEqual(dup, want) {
			t.Fatalf("CreateStatement(duplicate) = %v, %v, %+v", created, err, dup)
		}
		ru := truce.Statement{Party: "RU", Issue: "direct_talks", Stance: truce.StanceOffers, Date: "2025-05-10",
			Quote: "Russia is ready to negotiate without any prerequisites.", QuoteKind: truce.QuoteDirect,
			Source: truce.Source{Title: "News report"}}
		if created, err := db.CreateStatement(ctx, &ru); err != nil || !created || ru.ID != 2 {
			t.Fatalf("CreateStatement(ru) = %v, %v", created, err)
		}
		all, err := db.Statements(ctx, store.StatementFilter{})
		if err != nil || len(all) != 2 || all[0].ID != 2 || all[1].ID != 1 { // by date
			t.Fatalf("Statements = %+v, %v", all, err)
		}
		ua, err := db.Statements(ctx, store.StatementFilter{Party: "UA", Issue: "direct_talks"})
		if err != nil || len(ua) != 1 || !reflect.DeepEqual(ua[0], want) {
			t.Fatalf("Statements(UA) = %+v, %v", ua, err)
		}
		if _, err := db.Statement(ctx, 3); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("Statement(3): %v", err)
		}
		for _, tt := range []struct {
			field  string
			change func(*truce.Statement)
		}{
			{"party", func(s *truce.Statement) { s.Party = "XX" }},
			{"issue", func(s *truce.Statement) { s.Issue = "sanctions" }},
			{"quote_kind", func(s *truce.Statement) { s.QuoteKind = "" }},
			{"agreement_id", func(s *truce.Statement) { s.AgreementID = "no-such-truce" }},
			{"claim_id", func(s *truce.Statement) { s.ClaimID = 9 }},
			{"date", func(s *truce.Statement) { s.Date = "11 May 2025" }},
		} {
			bad := statement()
			bad.Quote = "different"
			tt.change(&bad)
			_, err := db.CreateStatement(ctx, &bad)
			wantField(t, tt.field, err, tt.field)
		}
		checkLog(t, db, base+2) // the two statements
	})
}

func action(party, issue string) truce.Condition {
	return truce.Condition{Kind: truce.ConditionAction, Party: party, Issue: issue}
}

func TestPreconditions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withIssues(t, db)
		s := statement()
		if _, err := db.CreateStatement(ctx, &s); err != nil {
			t.Fatal(err)
		}
		base := logSize(t, db)
		ceasefire := truce.Condition{Kind: truce.ConditionAgreement, AgreementID: fullAgreement().ID}
		ua := truce.Precondition{Party: "UA", Action: action("UA", "direct_talks"), Requires: ceasefire,
			StatementID: s.ID, Quote: s.Quote, Since: "2025-05-11"}
		if created, err := db.CreatePrecondition(ctx, &ua, "monitor1"); err != nil || !created || ua.ID != 1 || ua.Version != 1 {
			t.Fatalf("CreatePrecondition = %v, %v, %+v", created, err, ua)
		}
		again := ua
		again.ID, again.Version, again.Quote = 0, 0, "worded otherwise"
		if created, err := db.CreatePrecondition(ctx, &again, "monitor2"); err != nil || created || !reflect.DeepEqual(again, ua) {
			t.Fatalf("CreatePrecondition(duplicate) = %v, %v, %+v", created, err, again)
		}
		ru := truce.Precondition{Party: "RU", Action: ceasefire, Requires: action("UA", "direct_talks"), Since: "2025-05-11"}
		if created, err := db.CreatePrecondition(ctx, &ru, "monitor1"); err != nil || !created || ru.ID != 2 {
			t.Fatalf("CreatePrecondition(ru) = %v, %v", created, err)
		}

		// Ukraine drops its condition: a new version; the same state again changes nothing.
		st := store.PreconditionState{Withdrawn: true, Until: "2025-05-16", Note: "went to Istanbul without a ceasefire"}
		got, err := db.SetPreconditionState(ctx, 1, st, "monitor1")
		want := ua
		want.Version, want.Withdrawn, want.Until, want.Note = 2, true, "2025-05-16", st.Note
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("SetPreconditionState = %+v, %v\nwant %+v", got, err, want)
		}
		if got, err := db.SetPreconditionState(ctx, 1, st, "monitor1"); err != nil || got.Version != 2 {
			t.Fatalf("SetPreconditionState(same) = %+v, %v", got, err)
		}
		vs, err := db.PreconditionVersions(ctx, 1)
		if err != nil || len(vs) != 2 || !reflect.DeepEqual(vs[0], ua) || !reflect.DeepEqual(vs[1], want) {
			t.Fatalf("PreconditionVersions = %+v, %v", vs, err)
		}
		all, err := db.Preconditions(ctx)
		if err != nil || len(all) != 2 || !reflect.DeepEqual(all[0], want) || !reflect.DeepEqual(all[1], ru) {
			t.Fatalf("Preconditions = %+v, %v", all, err)
		}
		if rec, err := db.Record(ctx, store.KindPrecondition, "1@2"); err != nil || !reflect.DeepEqual(rec, want) {
			t.Errorf("Record(precondition 1@2) = %+v, %v", rec, err)
		}
		for id, code := range map[string]string{"1@3": truce.ENOTFOUND, "x@1": truce.EINVALID, "1": truce.EINVALID} {
			if _, err := db.Record(ctx, store.KindPrecondition, id); truce.ErrorCode(err) != code {
				t.Errorf("Record(precondition %s): %v, want %s", id, err, code)
			}
		}
		if _, err := db.SetPreconditionState(ctx, 9, st, "m"); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("SetPreconditionState(9): %v", err)
		}
		_, err = db.SetPreconditionState(ctx, 2, store.PreconditionState{Met: true, Withdrawn: true}, "m")
		wantField(t, "met and withdrawn", err, "withdrawn")
		_, err = db.SetPreconditionState(ctx, 2, store.PreconditionState{Until: "2025-05-16"}, "m")
		wantField(t, "until while active", err, "until")

		for _, tt := range []struct {
			field string
			p     truce.Precondition
		}{
			{"party", truce.Precondition{Party: "XX", Action: action("XX", "ceasefire"), Requires: ceasefire}},
			{"action.issue", truce.Precondition{Party: "UA", Action: action("UA", "territory"), Requires: ceasefire}},
			{"requires.party", truce.Precondition{Party: "UA", Action: action("UA", "ceasefire"), Requires: action("ZZ", "ceasefire")}},
			{"requires.agreement_id", truce.Precondition{Party: "UA", Action: action("UA", "ceasefire"),
				Requires: truce.Condition{Kind: truce.ConditionAgreement, AgreementID: "no-such-truce"}}},
			{"action.party", truce.Precondition{Party: "UA", Action: action("RU", "ceasefire"), Requires: ceasefire}},
			{"requires", truce.Precondition{Party: "UA", Action: action("UA", "ceasefire"), Requires: action("UA", "ceasefire")}},
			{"statement_id", truce.Precondition{Party: "UA", Action: action("UA", "nato"), Requires: ceasefire, StatementID: 7}},
			{"requires.kind", truce.Precondition{Party: "UA", Action: action("UA", "nato"), Requires: truce.Condition{Kind: "wish"}}},
		} {
			_, err := db.CreatePrecondition(ctx, &tt.p, "m")
			wantField(t, tt.field, err, tt.field)
		}
		checkLog(t, db, base+3)
	})
}

func TestNegotiationEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withIssues(t, db)
		base := logSize(t, db)
		src := []truce.Source{{Title: "News report, 11 May 2025", Quote: "called for a 30-day ceasefire"}}
		call := truce.NegotiationEvent{Kind: truce.EventProposal, Title: "Kyiv call for a 30-day ceasefire", Date: "2025-05-10",
			Place: "Kyiv", Participants: []string{"UA", "FR"}, AgreementID: fullAgreement().ID, Sources: src}
		if created, err := db.SaveNegotiationEvent(ctx, &call, "monitor1"); err != nil || !created || call.ID != 1 || call.Version != 1 {
			t.Fatalf("SaveNegotiationEvent = %v, %v, %+v", created, err, call)
		}
		dup := call
		dup.ID, dup.Version = 0, 0
		if created, err := db.SaveNegotiationEvent(ctx, &dup, "monitor1"); err != nil || created || !reflect.DeepEqual(dup, call) {
			t.Fatalf("SaveNegotiationEvent(duplicate) = %v, %v, %+v", created, err, dup)
		}
		answer := truce.NegotiationEvent{Kind: truce.EventResponse, Title: "Russia proposes talks in Istanbul", Date: "2025-05-11",
			Participants: []string{"RU"}, Mediators: []string{"Türkiye"}, RespondsTo: call.ID, Sources: src}
		if created, err := db.SaveNegotiationEvent(ctx, &answer, "monitor1"); err != nil || !created || answer.ID != 2 {
			t.Fatalf("SaveNegotiationEvent(answer) = %v, %v", created, err)
		}
		// An outcome learnt later: version 2; saving it again changes nothing.
		upd := call
		upd.Outcome = "Not taken up: Russia answered with an offer of talks"
		for range 2 {
			if created, err := db.SaveNegotiationEvent(ctx, &upd, "monitor2"); err != nil || created || upd.Version != 2 {
				t.Fatalf("SaveNegotiationEvent(update) = %v, %v, %+v", created, err, upd)
			}
		}
		vs, err := db.NegotiationEventVersions(ctx, 1)
		if err != nil || len(vs) != 2 || !reflect.DeepEqual(vs[0], call) || vs[1].Outcome != upd.Outcome {
			t.Fatalf("NegotiationEventVersions = %+v, %v", vs, err)
		}
		all, err := db.NegotiationEvents(ctx)
		if err != nil || len(all) != 2 || !reflect.DeepEqual(all[0], upd) || !reflect.DeepEqual(all[1], answer) {
			t.Fatalf("NegotiationEvents = %+v, %v", all, err)
		}
		missing := upd
		missing.ID = 7
		if _, err := db.SaveNegotiationEvent(ctx, &missing, "m"); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("SaveNegotiationEvent(unknown id): %v", err)
		}
		for _, tt := range []struct {
			field  string
			change func(*truce.NegotiationEvent)
		}{
			{"participants[1]", func(e *truce.NegotiationEvent) { e.Participants = []string{"UA", "CN"} }},
			{"kind", func(e *truce.NegotiationEvent) { e.Kind = "summit" }},
			{"responds_to", func(e *truce.NegotiationEvent) { e.RespondsTo = 9 }},
			{"agreement_id", func(e *truce.NegotiationEvent) { e.AgreementID = "nope" }},
			{"sources", func(e *truce.NegotiationEvent) { e.Sources = nil }},
		} {
			e := truce.NegotiationEvent{Kind: truce.EventTalks, Title: "Talks", Date: "2025-05-16", Sources: src}
			tt.change(&e)
			_, err := db.SaveNegotiationEvent(ctx, &e, "m")
			wantField(t, tt.field, err, tt.field)
		}
		checkLog(t, db, base+3)
	})
}

func TestDrafts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withIssues(t, db)
		base := logSize(t, db)
		d := truce.Draft{ID: "istanbul-2022", Title: "Istanbul draft <2022>", Date: "2022-04-15", Parties: []string{"RU", "UA"},
			Provisions: []truce.Provision{{Issue: "nato", Text: "Permanent neutrality & no NATO membership", QuoteKind: truce.QuoteReported}},
			Status:     "under_negotiation", Sources: []truce.Source{{Title: "News report"}}}
		if v, changed, err := db.PutDraft(ctx, d, "monitor1"); err != nil || v != 1 || !changed {
			t.Fatalf("PutDraft = %d, %v, %v", v, changed, err)
		}
		if v, changed, err := db.PutDraft(ctx, d, "monitor1"); err != nil || v != 1 || changed {
			t.Fatalf("PutDraft(unchanged) = %d, %v, %v", v, changed, err)
		}
		d2 := d
		d2.Status = "abandoned"
		if v, changed, err := db.PutDraft(ctx, d2, "monitor1"); err != nil || v != 2 || !changed {
			t.Fatalf("PutDraft(v2) = %d, %v, %v", v, changed, err)
		}
		got, err := db.Draft(ctx, "istanbul-2022")
		d2.Version = 2
		if err != nil || !reflect.DeepEqual(got, d2) {
			t.Fatalf("Draft = %+v, %v", got, err)
		}
		vs, err := db.DraftVersions(ctx, "istanbul-2022")
		d.Version = 1
		if err != nil || len(vs) != 2 || !reflect.DeepEqual(vs[0], d) {
			t.Fatalf("DraftVersions = %+v, %v", vs, err)
		}
		bad := d
		bad.Provisions = []truce.Provision{{Issue: "oceans", Text: "x"}}
		_, _, err = db.PutDraft(ctx, bad, "m")
		wantField(t, "unknown issue", err, "provisions[0].issue")
		if _, err := db.Draft(ctx, "nope"); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("Draft(nope): %v", err)
		}
		checkLog(t, db, base+2)
	})
}
