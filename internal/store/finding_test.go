package store_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

func TestFindings(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		withTerms(t, db)
		id := fullAgreement().ID
		computed := time.Date(2025, 5, 12, 8, 0, 0, 0, time.UTC)
		fs := []truce.Finding{
			{AgreementID: id, AgreementVersion: 1, SubjectKind: "report", SubjectID: 1, Verdict: truce.VerdictViolation, Party: "RU", Reason: "artillery inside the window", ComputedAt: computed},
			{AgreementID: id, AgreementVersion: 1, SubjectKind: "report", SubjectID: 2, Verdict: truce.VerdictOutside, Reason: "before the window", ComputedAt: computed},
			{AgreementID: id, AgreementVersion: 1, SubjectKind: "incident", SubjectID: 1, Verdict: truce.VerdictUncertain, Reason: "perpetrator unknown", ComputedAt: computed},
		}
		n, err := db.PutFindings(ctx, fs)
		if err != nil || n != 3 {
			t.Fatalf("PutFindings = %d, %v", n, err)
		}
		got, err := db.Findings(ctx, id)
		want := []truce.Finding{fs[2], fs[0], fs[1]} // by subject kind, then id
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Findings =\n%+v, %v\nwant\n%+v", got, err, want)
		}

		// A rerun: one verdict changes, the others only their time.
		rerun := slices.Clone(fs)
		for i := range rerun {
			rerun[i].ComputedAt = computed.Add(time.Hour)
		}
		rerun[1].Verdict, rerun[1].Party, rerun[1].Reason = truce.VerdictViolation, "UA", "drone strike inside the window"
		n, err = db.PutFindings(ctx, rerun)
		if err != nil || n != 1 {
			t.Fatalf("PutFindings(rerun) = %d, %v; want 1 changed", n, err)
		}
		got, err = db.SubjectFindings(ctx, "report", 2)
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], rerun[1]) {
			t.Fatalf("SubjectFindings(report 2) = %+v, %v", got, err)
		}
		got, _ = db.SubjectFindings(ctx, "report", 1)
		if len(got) != 1 || !reflect.DeepEqual(got[0], fs[0]) { // unchanged: keeps its first time
			t.Errorf("SubjectFindings(report 1) = %+v", got)
		}
		// The first verdict on report 2 stays in the log and verifiable.
		entries := checkLog(t, db, 6+3+1)
		rec, err := db.Record(ctx, ledger.KindFinding, entries[7].RecordID)
		if err != nil || !reflect.DeepEqual(rec, fs[1]) {
			t.Errorf("Record(%s) = %+v, %v; want the first finding on report 2", entries[7].RecordID, rec, err)
		}

		for _, c := range []struct {
			edit  func(*truce.Finding)
			field string
		}{
			{func(f *truce.Finding) { f.Verdict = "guilty" }, "findings[0].verdict"},
			{func(f *truce.Finding) { f.SubjectKind = "claim" }, "findings[0].subject_kind"},
			{func(f *truce.Finding) { f.AgreementVersion = 9 }, "findings[0].agreement_version"},
			{func(f *truce.Finding) { f.AgreementID = "nope" }, "findings[0].agreement_version"},
			{func(f *truce.Finding) { f.SubjectID = 2 }, "findings[1].subject_id"},
		} {
			bad := slices.Clone(fs[:2])
			bad[0].Reason = "changed, so it would be stored"
			c.edit(&bad[0])
			_, err := db.PutFindings(ctx, bad)
			var e *truce.Error
			if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != c.field {
				t.Errorf("PutFindings: %v, want EINVALID on %s", err, c.field)
			}
		}
		if _, err := db.Findings(ctx, "nope"); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("Findings(nope): %v, want ENOTFOUND", err)
		}
		checkLog(t, db, 10)
	})
}
