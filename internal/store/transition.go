package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// Transition moves an incident through the verification workflow and
// logs the step: who (t.By), when (the store's clock), why (t.Reason) and
// the evidence (t.Evidence, SHA-256 digests). expectedVersion is the
// version the caller saw: if the incident has changed since (another
// monitor's step, or grouping that added or took away reports), nothing
// is written and the error is ECONFLICT, so that no one overwrites what
// they have not seen. t.From, when set, must be the current status
// (ECONFLICT otherwise). It returns EINVALID for an invalid transition or
// one truce.CanTransition refuses, ENOTFOUND for an unknown incident, and
// ECONFLICT for an incident merged into another. Who may take the step is
// the caller's to check (incident.MayTransition). It returns the incident
// as it now stands.
func (db *DB) Transition(ctx context.Context, t truce.Transition, expectedVersion int) (truce.Incident, error) {
	if err := t.Validate(); err != nil {
		return truce.Incident{}, err
	}
	if strings.TrimSpace(t.By) == "" {
		return truce.Incident{}, truce.Invalid("by", "required")
	}
	if err := checkTexts("reason", t.Reason, "by", t.By); err != nil {
		return truce.Incident{}, err
	}
	if len(t.Evidence) == 0 {
		t.Evidence = nil
	}
	var out truce.Incident
	err := db.write(ctx, func(tx *tx) error {
		r, err := db.incidentRow(ctx, tx.tx, t.IncidentID)
		if err != nil {
			return err
		}
		switch {
		case r.mergedInto != 0:
			return truce.Errorf(truce.ECONFLICT, "incident %d was merged into incident %d", t.IncidentID, r.mergedInto)
		case r.inc.Version != expectedVersion:
			return truce.Errorf(truce.ECONFLICT, "incident %d is at version %d, not %d: it changed since it was read", t.IncidentID, r.inc.Version, expectedVersion)
		case t.From != "" && t.From != r.inc.Status:
			return truce.Errorf(truce.ECONFLICT, "incident %d is %s, not %s", t.IncidentID, r.inc.Status, t.From)
		case !truce.CanTransition(r.inc.Status, t.To):
			return truce.Invalid("to", "an incident cannot go from %s to %s", r.inc.Status, t.To)
		}
		t.From = r.inc.Status
		if err := tx.addTransition(ctx, &t, r.inc.Version+1); err != nil {
			return err
		}
		out, err = db.incident(ctx, tx.tx, t.IncidentID)
		return err
	})
	return out, err
}

// addTransition logs and stores a transition that takes the incident to
// version, and applies it to the incident. t.From must be its status.
func (t *tx) addTransition(ctx context.Context, tr *truce.Transition, version int) error {
	id, err := t.nextID(ctx, "incident_transitions")
	if err != nil {
		return err
	}
	tr.ID, tr.At = id, t.now
	idx, err := t.log.appendLeaf(ctx, ledger.KindTransition, strconv.FormatInt(id, 10), *tr)
	if err != nil {
		return err
	}
	evidence, err := jsonList(tr.Evidence)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO incident_transitions (id, incident_id, version, from_status, to_status, reason, evidence, by_user, at_us, log_index)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, tr.IncidentID, version, string(tr.From), string(tr.To), tr.Reason, evidence, tr.By, micros(t.now), idx)
	if err != nil {
		return fmt.Errorf("transition: %w", err)
	}
	return t.rollupAround(ctx, []int64{tr.IncidentID}, func() error { // the statistics' counts (stats_rollup.go)
		if _, err := t.exec(ctx, "UPDATE incidents SET status = ?, version = ?, updated_at_us = ? WHERE id = ?", string(tr.To), version, micros(t.now), tr.IncidentID); err != nil {
			return fmt.Errorf("transition: %w", err)
		}
		return nil
	})
}

// IncidentHistory returns an incident's workflow transitions, oldest
// first, or ENOTFOUND.
func (db *DB) IncidentHistory(ctx context.Context, id int64) ([]truce.Transition, error) {
	if _, err := db.incidentRow(ctx, db.ro, id); err != nil {
		return nil, err
	}
	return db.transitions(ctx, "WHERE incident_id = ? ORDER BY id", id)
}

func (db *DB) transitions(ctx context.Context, where string, args ...any) ([]truce.Transition, error) {
	rows, err := db.query(ctx, db.ro, "SELECT id, incident_id, from_status, to_status, reason, evidence, by_user, at_us FROM incident_transitions "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", err)
	}
	defer rows.Close()
	out := []truce.Transition{}
	for rows.Next() {
		var tr truce.Transition
		var from, to string
		var evidence []byte
		var at int64
		if err := rows.Scan(&tr.ID, &tr.IncidentID, &from, &to, &tr.Reason, &evidence, &tr.By, &at); err != nil {
			return nil, fmt.Errorf("transitions: %w", err)
		}
		tr.From, tr.To, tr.At = truce.IncidentStatus(from), truce.IncidentStatus(to), fromMicros(at)
		if err := scanList(evidence, &tr.Evidence); err != nil {
			return nil, fmt.Errorf("transition %d: %w", tr.ID, err)
		}
		out = append(out, tr)
	}
	return out, rows.Err()
}
