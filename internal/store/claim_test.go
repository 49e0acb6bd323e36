package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

func fullClaim() truce.Claim {
	return truce.Claim{
		Claimant:    "RU",
		Accused:     "UA",
		AgreementID: fullAgreement().ID,
		From:        time.Date(2025, 5, 8, 0, 0, 0, 0, time.UTC),
		To:          time.Date(2025, 5, 10, 21, 0, 0, 0, time.UTC),
		Means:       []truce.Means{{Kind: "aerial_drone", Count: 524}, {Kind: "sea_drone", Count: 45}, {Kind: "missile", Count: 7}},
		Summary:     "524 aerial drones, 45 sea drones and Western missiles during the Victory Day truce",
		Source: truce.Source{URL: "https://example.org/mod-statement", Title: "Statement", Quote: "524 aerial drones",
			Language: "ru", Date: "2025-05-11"},
		Illustrative: true,
		RecordedBy:   "analyst1",
	}
}

// withTerms stores the test parties and agreement.
func withTerms(t *testing.T, db *store.DB) {
	t.Helper()
	terms := truce.Terms{Parties: testParties(), Agreements: []truce.Agreement{fullAgreement()}}
	if _, err := db.ImportTerms(context.Background(), terms, "admin"); err != nil {
		t.Fatal(err)
	}
}

func TestClaims(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withTerms(t, db)
		c := fullClaim()
		at := clk.peek()
		created, err := db.CreateClaim(ctx, &c)
		if err != nil || !created {
			t.Fatalf("CreateClaim = %v, %v", created, err)
		}
		want := fullClaim()
		want.ID, want.RecordedAt = 1, at
		if !reflect.DeepEqual(c, want) {
			t.Fatalf("CreateClaim filled\n%+v\nwant\n%+v", c, want)
		}
		got, err := db.Claim(ctx, 1)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Claim(1) = %+v, %v", got, err)
		}
		rec, err := db.Record(ctx, ledger.KindClaim, "1")
		if err != nil || !reflect.DeepEqual(rec, want) {
			t.Fatalf("Record(claim 1) = %+v, %v", rec, err)
		}

		// The same accusation again, even worded elsewhere: not stored twice.
		dup := fullClaim()
		dup.Source.URL = "https://example.org/elsewhere"
		dup.From = dup.From.In(time.FixedZone("MSK", 3*3600))
		if created, err := db.CreateClaim(ctx, &dup); err != nil || created || !reflect.DeepEqual(dup, want) {
			t.Fatalf("CreateClaim(duplicate) = %v, %v, %+v", created, err, dup)
		}
		// A minimal claim, without agreement or means.
		other := truce.Claim{Claimant: "UA", Accused: "RU", From: want.From, To: want.To, Summary: "Strikes on Sumy", Source: truce.Source{Quote: "strikes"}}
		if created, err := db.CreateClaim(ctx, &other); err != nil || !created || other.ID != 2 {
			t.Fatalf("CreateClaim(other) = %v, %v", created, err)
		}
		all, err := db.Claims(ctx)
		if err != nil || len(all) != 2 || !reflect.DeepEqual(all[0], want) || !reflect.DeepEqual(all[1], other) {
			t.Fatalf("Claims = %+v, %v", all, err)
		}
		if _, err := db.Claim(ctx, 3); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("Claim(3): %v, want ENOTFOUND", err)
		}

		for _, c := range []struct {
			edit  func(*truce.Claim)
			field string
		}{
			{func(c *truce.Claim) { c.Accused = "XX" }, "accused"},
			{func(c *truce.Claim) { c.AgreementID = "nope" }, "agreement_id"},
			{func(c *truce.Claim) { c.To = c.From }, "to"},
			{func(c *truce.Claim) { c.Summary = "" }, "summary"},
			{func(c *truce.Claim) { c.Source.Title = "\x00" }, "source.title"},
		} {
			bad := fullClaim()
			bad.Summary += " (another)"
			c.edit(&bad)
			_, err := db.CreateClaim(ctx, &bad)
			var e *truce.Error
			if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != c.field {
				t.Errorf("CreateClaim: %v, want EINVALID on %s", err, c.field)
			}
		}
		checkLog(t, db, 6+2)
	})
}
