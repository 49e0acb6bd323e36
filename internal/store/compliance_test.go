package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

func complianceTerms() truce.Terms {
	end := "2025-05-11T00:00"
	return truce.Terms{
		Parties: testParties(),
		Agreements: []truce.Agreement{{
			ID: "truce-a", Status: truce.StatusInForce, Bound: []string{"RU", "UA"},
			Window:  truce.Window{Start: "2025-05-08T00:00", End: &end, TZ: "Europe/Moscow"},
			Domains: []string{"land", "air", "sea"}, Targets: []string{"any"},
		}},
	}
}

func TestAlertRulesAndAlerts(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		if _, err := db.ImportTerms(ctx, complianceTerms(), "admin"); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			rule  truce.AlertRule
			field string
		}{
			{truce.AlertRule{Name: "x", Kind: truce.RuleVerifiedTarget, AgreementID: "nope", Target: "energy"}, "agreement_id"},
			{truce.AlertRule{Name: "x", Kind: truce.RuleVerifiedTarget, AgreementID: "truce-a", Target: "military"}, "target"},
			{truce.AlertRule{Name: "x", Kind: truce.RuleVerifiedByParty, AgreementID: "truce-a", Count: 3, WithinHours: 24, Party: "XX"}, "party"},
			{truce.AlertRule{Name: "x", Kind: truce.RuleBaselineRatio, AgreementID: "truce-a"}, "factor"},
			{truce.AlertRule{Name: "x", Kind: "sometimes", AgreementID: "truce-a"}, "kind"},
		} {
			r := bad.rule
			err := db.CreateAlertRule(ctx, &r)
			var e *truce.Error
			if truce.ErrorCode(err) != truce.EINVALID || !errors.As(err, &e) || e.Field != bad.field {
				t.Errorf("CreateAlertRule(%+v) = %v, want EINVALID on %s", bad.rule, err, bad.field)
			}
		}
		base := logSize(t, db)
		rule := truce.AlertRule{Name: "three by one party", Kind: truce.RuleVerifiedByParty, AgreementID: "truce-a", Count: 3, WithinHours: 24, CreatedBy: "admin"}
		if err := db.CreateAlertRule(ctx, &rule); err != nil {
			t.Fatal(err)
		}
		if rule.ID != 1 || rule.CreatedAt.IsZero() {
			t.Fatalf("rule = %+v, want id 1 and a creation time", rule)
		}
		rules, err := db.AlertRules(ctx)
		if err != nil || len(rules) != 1 || rules[0].Name != rule.Name || !rules[0].CreatedAt.Equal(rule.CreatedAt) {
			t.Fatalf("AlertRules = %+v, %v", rules, err)
		}
		open := truce.Alert{RuleID: rule.ID, Key: "RU@1", Event: truce.AlertOpened, Incidents: []int64{4, 5, 6}, Summary: "3 verified", LogSize: 3, By: "system"}
		if err := db.AddAlert(ctx, &open); err != nil {
			t.Fatal(err)
		}
		if open.AgreementID != "truce-a" {
			t.Errorf("opened alert's agreement = %q, want the rule's", open.AgreementID)
		}
		ack := truce.Alert{Event: truce.AlertAcknowledged, OpenedID: open.ID, Note: "seen", By: "monitor1"}
		if err := db.AddAlert(ctx, &ack); err != nil {
			t.Fatal(err)
		}
		if ack.Key != "RU@1" || ack.RuleID != rule.ID || len(ack.Incidents) != 3 {
			t.Errorf("acknowledgement = %+v, want the opening's rule, key and incidents", ack)
		}
		again := truce.Alert{Event: truce.AlertAcknowledged, OpenedID: open.ID, By: "monitor2"}
		if err := db.AddAlert(ctx, &again); truce.ErrorCode(err) != truce.ECONFLICT {
			t.Errorf("second acknowledgement: %v, want ECONFLICT", err)
		}
		missing := truce.Alert{Event: truce.AlertCleared, OpenedID: 99, By: "system"}
		if err := db.AddAlert(ctx, &missing); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("clearing an unknown alert: %v, want ENOTFOUND", err)
		}
		views, err := db.Alerts(ctx, store.AlertFilter{Open: true})
		if err != nil || len(views) != 1 || views[0].State != truce.AlertAcknowledged || len(views[0].Steps) != 1 {
			t.Fatalf("open alerts = %+v, %v; want one acknowledged", views, err)
		}
		clear := truce.Alert{Event: truce.AlertCleared, OpenedID: open.ID, Summary: "no longer holds", By: "system"}
		if err := db.AddAlert(ctx, &clear); err != nil {
			t.Fatal(err)
		}
		if err := db.AddAlert(ctx, &truce.Alert{Event: truce.AlertCleared, OpenedID: open.ID, By: "system"}); truce.ErrorCode(err) != truce.ECONFLICT {
			t.Errorf("clearing twice: %v, want ECONFLICT", err)
		}
		if views, err := db.Alerts(ctx, store.AlertFilter{Open: true}); err != nil || len(views) != 0 {
			t.Errorf("open alerts after clearing = %+v, %v; want none", views, err)
		}
		if views, err := db.Alerts(ctx, store.AlertFilter{}); err != nil || len(views) != 1 || views[0].State != truce.AlertCleared {
			t.Errorf("all alerts = %+v, %v; want one cleared", views, err)
		}
		lat, lon := 47.1, 37.5
		ar := truce.AccessRestriction{AgreementID: "truce-a", Place: "Checkpoint near Mariupol", Lat: &lat, Lon: &lon,
			At: time.Date(2025, 5, 9, 7, 30, 0, 0, time.UTC), DeniedBy: "RU", Reason: "armed personnel refused passage", RecordedBy: "monitor1"}
		if err := db.CreateAccessRestriction(ctx, &ar); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateAccessRestriction(ctx, &truce.AccessRestriction{Place: "x", At: ar.At, AgreementID: "nope"}); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("access restriction for an unknown agreement: %v, want EINVALID", err)
		}
		// The rule, 3 alert steps and the restriction.
		entries := checkLog(t, db, base+5)
		if k := kinds(entries)[base:]; k[0] != store.KindAlertRule || k[1] != store.KindAlert || k[4] != store.KindAccessRestriction {
			t.Errorf("leaf kinds %v", k)
		}
	})
}

func TestComplianceStateAsOf(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		terms := complianceTerms()
		if _, err := db.ImportTerms(ctx, terms, "admin"); err != nil {
			t.Fatal(err)
		}
		before, err := db.ResolveAsOf(ctx, -1)
		if err != nil {
			t.Fatal(err)
		}
		terms.Agreements[0].Title = "renamed"
		if _, err := db.ImportTerms(ctx, terms, "admin"); err != nil {
			t.Fatal(err)
		}
		lat, lon := 48.0, 37.8
		ar := truce.AccessRestriction{AgreementID: "truce-a", Place: "Bridge", Lat: &lat, Lon: &lon, At: time.Date(2025, 5, 9, 7, 30, 0, 0, time.UTC)}
		if err := db.CreateAccessRestriction(ctx, &ar); err != nil {
			t.Fatal(err)
		}
		day0, day1 := time.Date(2025, 5, 8, 21, 0, 0, 0, time.UTC), time.Date(2025, 5, 9, 21, 0, 0, 0, time.UTC)
		old, err := db.ComplianceState(ctx, before, "truce-a", day0, day1)
		if err != nil {
			t.Fatal(err)
		}
		if old.Agreement.Title != "" || len(old.Access) != 0 || len(old.Parties) != 4 {
			t.Errorf("state at %d = title %q, %d restrictions, %d parties; want the first version, none, 4", before.Size, old.Agreement.Title, len(old.Access), len(old.Parties))
		}
		now, err := db.ResolveAsOf(ctx, -1)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := db.ComplianceState(ctx, now, "truce-a", day0, day1)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Agreement.Title != "renamed" || len(cur.Access) != 1 || cur.Access[0].Place != "Bridge" || now.Root == before.Root {
			t.Errorf("state at %d = title %q, restrictions %+v", now.Size, cur.Agreement.Title, cur.Access)
		}
		if _, err := db.ResolveAsOf(ctx, now.Size+1); truce.ErrorCode(err) != truce.EINVALID {
			t.Errorf("ResolveAsOf beyond the log: %v, want EINVALID", err)
		}
		if _, err := db.ComplianceState(ctx, store.AsOf{Size: 1}, "truce-a", day0, day1); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("state before the agreement existed: %v, want ENOTFOUND", err)
		}
	})
}
