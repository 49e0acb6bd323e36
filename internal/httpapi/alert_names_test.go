package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/compliance"
)

// TestAlertNames: the monitor who acknowledges an alert is named to staff
// only, over real HTTP, in GET /alerts and the stream; a party liaison
// reads the acknowledgement and its note without the name, and the
// alerter's own name (compliance.AlertSystemUser), no person's, stays.
func TestAlertNames(t *testing.T) {
	a := newFeedAPI(t)
	ctx := context.Background()
	rule := truce.AlertRule{Name: "energy", Kind: truce.RuleVerifiedTarget, AgreementID: "easter-truce-2025", Target: "energy"}
	if err := a.db.CreateAlertRule(ctx, &rule); err != nil {
		t.Fatal(err)
	}
	open := truce.Alert{RuleID: rule.ID, Key: "incident:1", Event: truce.AlertOpened, Incidents: []int64{1}, Summary: "energy: incident 1", LogSize: 5, By: compliance.AlertSystemUser}
	if err := a.db.AddAlert(ctx, &open); err != nil {
		t.Fatal(err)
	}
	const acker = "test-monitor" // feedtest.Tokens' monitor
	if code, body := a.do(t, truce.RoleMonitor, "POST", fmt.Sprintf("/api/v1/alerts/%d/acknowledge", open.ID), `{"note":"guarantors told"}`); code != 201 || !strings.Contains(body, acker) {
		t.Fatalf("acknowledge = %d %s", code, body)
	}
	size, err := a.db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []truce.Role{truce.RoleLiaison, truce.RoleAnalyst, truce.RoleMonitor} {
		want := acker
		if role == truce.RoleLiaison {
			want = ""
		}
		h := a.auth(role)
		var list alertsJSON
		if code := getJSON(t, a.srv.URL+"/api/v1/alerts", h, &list); code != 200 || len(list.Alerts) != 1 || len(list.Alerts[0].Steps) != 1 {
			t.Fatalf("%s: GET /alerts = %d %+v", role, code, list.Alerts)
		}
		v := list.Alerts[0]
		if v.By != compliance.AlertSystemUser || v.Steps[0].By != want || v.Steps[0].Note != "guarantors told" {
			t.Errorf("%s: alert opened by %q, acknowledged by %q (%q); want %q, %q", role, v.By, v.Steps[0].By, v.Steps[0].Note, compliance.AlertSystemUser, want)
		}
		sr, resp, cancel := openStream(t, a.srv.URL+"/api/v1/stream?after=-1&kinds=alert", h)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: stream %d", role, resp.StatusCode)
		}
		events := sseUntil(t, sr, size-1)
		cancel()
		if len(events) != 2 {
			t.Fatalf("%s: %d alert events, want 2", role, len(events))
		}
		var p struct{ Record truce.Alert }
		if err := json.Unmarshal([]byte(events[1].Data), &p); err != nil || p.Record.Event != truce.AlertAcknowledged || p.Record.By != want {
			t.Errorf("%s: stream acknowledgement %s, want by %q", role, events[1].Data, want)
		}
	}
}
