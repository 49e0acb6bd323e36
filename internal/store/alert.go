package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
)

// Leaf kinds of alerting: a rule as an admin wrote it (record
// truce.AlertRule, id the rule's id) and each step of an alert (record
// truce.Alert, id the step's id): opened, acknowledged or cleared. The
// live stream and webhooks pick alerts up from their alert leaves.
const (
	KindAlertRule = "alert_rule"
	KindAlert     = "alert"
)

// CreateAlertRule stores and logs a rule, filling in its ID and
// CreatedAt. It returns EINVALID for an invalid rule, an unknown
// agreement or an unknown party.
func (db *DB) CreateAlertRule(ctx context.Context, r *truce.AlertRule) error {
	n := *r
	n.ID, n.CreatedAt = 0, time.Time{}
	if err := n.Validate(); err != nil {
		return err
	}
	if err := checkStrings(n); err != nil {
		return err
	}
	err := db.write(ctx, func(t *tx) error {
		if _, err := t.db.agreement(ctx, t.tx, n.AgreementID); err != nil {
			if truce.ErrorCode(err) == truce.ENOTFOUND {
				return truce.Invalid("agreement_id", "unknown agreement %q", n.AgreementID)
			}
			return err
		}
		if n.Party != "" {
			codes, err := t.partyCodes(ctx)
			if err != nil {
				return err
			}
			if !codes[n.Party] {
				return truce.Invalid("party", "unknown party %q", n.Party)
			}
		}
		var err error
		if n.ID, err = t.nextID(ctx, "alert_rules"); err != nil {
			return err
		}
		n.CreatedAt = t.now
		idx, err := t.log.appendLeaf(ctx, KindAlertRule, strconv.FormatInt(n.ID, 10), n)
		if err != nil {
			return err
		}
		data, err := marshal(n)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, "INSERT INTO alert_rules (id, agreement_id, kind, data, at_us, log_index) VALUES (?, ?, ?, ?, ?, ?)",
			n.ID, n.AgreementID, n.Kind, string(data), micros(n.CreatedAt), idx)
		if err != nil {
			return fmt.Errorf("alert rule: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*r = n
	return nil
}

// AlertRules returns every rule, by id.
func (db *DB) AlertRules(ctx context.Context) ([]truce.AlertRule, error) {
	var out []truce.AlertRule
	err := db.jsonRows(ctx, "SELECT data FROM alert_rules ORDER BY id", nil, func(b []byte) error {
		var r truce.AlertRule
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("alert rule: %w", err)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// AddAlert logs one step of an alert, filling in its ID and At. An
// opening names its rule and key; an acknowledgement or a clearing names
// the alert that opened (OpenedID), which must still be open (ECONFLICT
// otherwise; an acknowledged alert may still be cleared). It returns
// EINVALID for a malformed step and ENOTFOUND for an unknown rule or
// alert.
func (db *DB) AddAlert(ctx context.Context, a *truce.Alert) error {
	n := *a
	n.ID, n.At = 0, time.Time{}
	if !truce.ValidAlertEvent(n.Event) {
		return truce.Invalid("event", "unknown alert event %q (opened, acknowledged, cleared)", n.Event)
	}
	if n.By == "" {
		return truce.Invalid("by", "required")
	}
	if len(n.Incidents) == 0 {
		n.Incidents = nil
	}
	if err := checkStrings(n); err != nil {
		return err
	}
	err := db.write(ctx, func(t *tx) error {
		if n.Event == truce.AlertOpened {
			if n.OpenedID != 0 {
				return truce.Invalid("opened_id", "an opening names no earlier alert")
			}
			var agreement string
			err := t.queryRow(ctx, "SELECT agreement_id FROM alert_rules WHERE id = ?", n.RuleID).Scan(&agreement)
			if notFound(err) {
				return truce.Errorf(truce.ENOTFOUND, "alert rule %d not found", n.RuleID)
			}
			if err != nil {
				return fmt.Errorf("alert rule %d: %w", n.RuleID, err)
			}
			n.AgreementID = agreement
		} else {
			opened, state, err := t.db.alertState(ctx, t.tx, n.OpenedID)
			if err != nil {
				return err
			}
			switch {
			case state == truce.AlertCleared:
				return truce.Errorf(truce.ECONFLICT, "alert %d was cleared", n.OpenedID)
			case state == truce.AlertAcknowledged && n.Event == truce.AlertAcknowledged:
				return truce.Errorf(truce.ECONFLICT, "alert %d was acknowledged already", n.OpenedID)
			}
			n.RuleID, n.AgreementID, n.Key = opened.RuleID, opened.AgreementID, opened.Key
			if n.Incidents == nil {
				n.Incidents = opened.Incidents
			}
		}
		var err error
		if n.ID, err = t.nextID(ctx, "alerts"); err != nil {
			return err
		}
		n.At = t.now
		idx, err := t.log.appendLeaf(ctx, KindAlert, strconv.FormatInt(n.ID, 10), n)
		if err != nil {
			return err
		}
		data, err := marshal(n)
		if err != nil {
			return err
		}
		var opened any
		if n.OpenedID != 0 {
			opened = n.OpenedID
		}
		_, err = t.exec(ctx, "INSERT INTO alerts (id, rule_id, event, opened_id, data, at_us, log_index) VALUES (?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.RuleID, n.Event, opened, string(data), micros(n.At), idx)
		if err != nil {
			return fmt.Errorf("alert: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*a = n
	return nil
}

// alertState returns an opening and where it stands: opened,
// acknowledged or cleared.
func (db *DB) alertState(ctx context.Context, q querier, id int64) (truce.Alert, string, error) {
	var opened truce.Alert
	var data []byte
	err := db.queryRow(ctx, q, "SELECT data FROM alerts WHERE id = ? AND event = ?", id, truce.AlertOpened).Scan(&data)
	if notFound(err) {
		return opened, "", truce.Errorf(truce.ENOTFOUND, "alert %d not found", id)
	}
	if err != nil {
		return opened, "", fmt.Errorf("alert %d: %w", id, err)
	}
	if err := json.Unmarshal(data, &opened); err != nil {
		return opened, "", fmt.Errorf("alert %d: %w", id, err)
	}
	state := truce.AlertOpened
	rows, err := db.query(ctx, q, "SELECT event FROM alerts WHERE opened_id = ? ORDER BY id", id)
	if err != nil {
		return opened, "", fmt.Errorf("alert %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return opened, "", fmt.Errorf("alert %d: %w", id, err)
		}
		if state != truce.AlertCleared {
			state = e
		}
	}
	return opened, state, rows.Err()
}

// AlertView is an opened alert with where it stands and its later steps.
type AlertView struct {
	truce.Alert
	State string        `json:"state"` // opened (still open), acknowledged, cleared
	Steps []truce.Alert `json:"steps,omitempty"`
}

// AlertFilter selects alerts.
type AlertFilter struct {
	RuleID      int64
	AgreementID string
	Open        bool // only alerts not cleared (acknowledged ones included)
}

// Alerts returns the opened alerts that match f, newest first, each with
// its later steps.
func (db *DB) Alerts(ctx context.Context, f AlertFilter) ([]AlertView, error) {
	return db.alertsBelow(ctx, f, -1)
}

// alertsBelow is Alerts over the steps logged below log size n (all when
// n is negative).
func (db *DB) alertsBelow(ctx context.Context, f AlertFilter, n int64) ([]AlertView, error) {
	var all []truce.Alert
	query, args := "SELECT data FROM alerts ORDER BY id", []any(nil)
	if n >= 0 {
		query, args = "SELECT data FROM alerts WHERE log_index < ? ORDER BY id", []any{n}
	}
	err := db.jsonRows(ctx, query, args, func(b []byte) error {
		var a truce.Alert
		if err := json.Unmarshal(b, &a); err != nil {
			return fmt.Errorf("alert: %w", err)
		}
		all = append(all, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	index := map[int64]int{}
	var out []AlertView
	for _, a := range all {
		if a.Event == truce.AlertOpened {
			index[a.ID] = len(out)
			out = append(out, AlertView{Alert: a, State: truce.AlertOpened})
			continue
		}
		if i, ok := index[a.OpenedID]; ok {
			out[i].Steps = append(out[i].Steps, a)
			if out[i].State != truce.AlertCleared {
				out[i].State = a.Event
			}
		}
	}
	out = slices.DeleteFunc(out, func(v AlertView) bool {
		return (f.RuleID != 0 && v.RuleID != f.RuleID) || (f.AgreementID != "" && v.AgreementID != f.AgreementID) ||
			(f.Open && v.State == truce.AlertCleared)
	})
	slices.Reverse(out)
	return out, nil
}

// jsonRows runs a query whose one column is a JSON record and hands each
// to fn.
func (db *DB) jsonRows(ctx context.Context, query string, args []any, fn func([]byte) error) error {
	rows, err := db.query(ctx, db.ro, query, args...)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// complianceRecord returns the record of an alert_rule, alert or
// access_restriction leaf and the leaf's time (see Record).
func (db *DB) complianceRecord(ctx context.Context, kind, id string) (any, time.Time, error) {
	n, err := parseID(id)
	if err != nil {
		return nil, time.Time{}, err
	}
	table := map[string]string{KindAlertRule: "alert_rules", KindAlert: "alerts", KindAccessRestriction: "access_restrictions"}[kind]
	var data []byte
	err = db.queryRow(ctx, db.ro, "SELECT data FROM "+table+" WHERE id = ?", n).Scan(&data)
	if notFound(err) {
		return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "%s %d not found", kind, n)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%s %d: %w", kind, n, err)
	}
	switch kind {
	case KindAlertRule:
		var r truce.AlertRule
		err = json.Unmarshal(data, &r)
		return r, r.CreatedAt, err
	case KindAlert:
		var a truce.Alert
		err = json.Unmarshal(data, &a)
		return a, a.At, err
	}
	var a truce.AccessRestriction
	err = json.Unmarshal(data, &a)
	return a, a.RecordedAt, err
}

// GroupingStates returns the incident states a grouping wrote, by
// incident: what an incident_grouping leaf stands for.
func (db *DB) GroupingStates(ctx context.Context, groupingID int64) ([]IncidentState, error) {
	ss, _, err := db.incidentStates(ctx, db.ro, "WHERE grouping_id = ? ORDER BY incident_id", groupingID)
	return ss, err
}
