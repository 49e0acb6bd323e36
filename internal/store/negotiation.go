package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
)

// Leaf kinds of the negotiation track, beside the ledger.Kind* constants.
// Record ids are "code@version" for issues and drafts, "id@version" for
// preconditions and events, and the statement id for statements.
const (
	KindNegotiationIssue     = "negotiation_issue"
	KindNegotiationStatement = "negotiation_statement"
	KindPrecondition         = "negotiation_precondition"
	KindNegotiationEvent     = "negotiation_event"
	KindDraft                = "negotiation_draft"
)

// versioned is a kind of negotiation record kept in versions: a head table
// pointing at the latest version and a versions table holding each version
// as the JSON that was logged (see migration 0005_negotiation).
type versioned struct {
	kind     string // leaf kind
	head     string // key, seq, version, dedupe_key
	versions string // key, version, data, created_at_us, created_by, log_index
	key      string // the key column of both tables
	noun     string // for messages
}

var (
	issueTable        = versioned{KindNegotiationIssue, "negotiation_issues", "negotiation_issue_versions", "code", "negotiation issue"}
	preconditionTable = versioned{KindPrecondition, "negotiation_preconditions", "negotiation_precondition_versions", "id", "precondition"}
	eventTable        = versioned{KindNegotiationEvent, "negotiation_events", "negotiation_event_versions", "id", "negotiation event"}
	draftTable        = versioned{KindDraft, "negotiation_drafts", "negotiation_draft_versions", "id", "draft"}
)

// latest returns the data of the latest version of each record whose head
// matches where (on alias h), in first-insertion order.
func (db *DB) latest(ctx context.Context, q querier, v versioned, where string, args ...any) ([][]byte, error) {
	query := fmt.Sprintf("SELECT d.data FROM %s h JOIN %s d ON d.%s = h.%s AND d.version = h.version %s ORDER BY h.seq",
		v.head, v.versions, v.key, v.key, where)
	return db.datas(ctx, q, v, query, args...)
}

// history returns the data of every version of one record, oldest first,
// or ENOTFOUND.
func (db *DB) history(ctx context.Context, v versioned, key any) ([][]byte, error) {
	ds, err := db.datas(ctx, db.ro, v, fmt.Sprintf("SELECT data FROM %s WHERE %s = ? ORDER BY version", v.versions, v.key), key)
	if err == nil && len(ds) == 0 {
		err = truce.Errorf(truce.ENOTFOUND, "%s %v not found", v.noun, key)
	}
	return ds, err
}

func (db *DB) datas(ctx context.Context, q querier, v versioned, query string, args ...any) ([][]byte, error) {
	rows, err := db.query(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%ss: %w", v.noun, err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var d []byte
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("%ss: %w", v.noun, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%ss: %w", v.noun, err)
	}
	return out, nil
}

// versionData returns one logged version and when it was logged.
func (db *DB) versionData(ctx context.Context, v versioned, key any, version int) ([]byte, time.Time, error) {
	var data []byte
	var at int64
	err := db.queryRow(ctx, db.ro, fmt.Sprintf("SELECT data, created_at_us FROM %s WHERE %s = ? AND version = ?", v.versions, v.key), key, version).
		Scan(&data, &at)
	if notFound(err) {
		return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "%s %v version %d not found", v.noun, key, version)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%s %v version %d: %w", v.noun, key, version, err)
	}
	return data, fromMicros(at), nil
}

// byDedupeKey returns the key of the record created with dedupe, if any.
func (t *tx) byDedupeKey(ctx context.Context, v versioned, dedupe string) (int64, bool, error) {
	var id int64
	err := t.queryRow(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE dedupe_key = ?", v.key, v.head), dedupe).Scan(&id)
	if notFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", v.noun, err)
	}
	return id, true, nil
}

// putVersion logs rec as the given version of the record key and stores
// it; version 1 also creates the head row, with dedupe (may be "").
func (t *tx) putVersion(ctx context.Context, v versioned, key any, version int, rec any, by, dedupe string) error {
	idx, err := t.log.appendLeaf(ctx, v.kind, versionID(fmt.Sprint(key), version), rec)
	if err != nil {
		return err
	}
	data, err := marshal(rec)
	if err != nil {
		return fmt.Errorf("%s %v: %w", v.noun, key, err)
	}
	if version == 1 {
		seq, err := t.nextSeq(ctx, v.head)
		if err != nil {
			return err
		}
		var d any
		if dedupe != "" {
			d = dedupe
		}
		_, err = t.exec(ctx, fmt.Sprintf("INSERT INTO %s (%s, seq, version, dedupe_key) VALUES (?, ?, ?, ?)", v.head, v.key), key, seq, version, d)
		if err != nil {
			return fmt.Errorf("%s %v: %w", v.noun, key, err)
		}
	} else if _, err := t.exec(ctx, fmt.Sprintf("UPDATE %s SET version = ? WHERE %s = ?", v.head, v.key), version, key); err != nil {
		return fmt.Errorf("%s %v: %w", v.noun, key, err)
	}
	_, err = t.exec(ctx, fmt.Sprintf("INSERT INTO %s (%s, version, data, created_at_us, created_by, log_index) VALUES (?, ?, ?, ?, ?, ?)", v.versions, v.key),
		key, version, string(data), micros(t.now), by, idx)
	if err != nil {
		return fmt.Errorf("%s %v version %d: %w", v.noun, key, version, err)
	}
	return nil
}

// decodeAll decodes each record's JSON.
func decodeAll[T any](ds [][]byte) ([]T, error) {
	out := make([]T, 0, len(ds))
	for _, d := range ds {
		var r T
		if err := json.Unmarshal(d, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// sameRecord reports whether a and b encode alike.
func sameRecord(a, b any) (bool, error) {
	ja, err := marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := marshal(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ja, jb), nil
}

// dedupeKey hashes the parts that make two records the same.
func dedupeKey(parts ...any) string {
	b, _ := json.Marshal(parts)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// negotiationRecord re-reads the record behind a negotiation leaf (see
// Record).
func (db *DB) negotiationRecord(ctx context.Context, kind, id string) (any, time.Time, error) {
	if kind == KindNegotiationStatement {
		n, err := parseID(id)
		if err != nil {
			return nil, time.Time{}, err
		}
		s, err := db.Statement(ctx, n)
		return s, s.RecordedAt, err
	}
	key, version, err := splitVersion(id)
	if err != nil {
		return nil, time.Time{}, err
	}
	switch kind {
	case KindNegotiationIssue:
		return versionRecord[truce.NegotiationIssue](ctx, db, issueTable, key, version)
	case KindDraft:
		return versionRecord[truce.Draft](ctx, db, draftTable, key, version)
	}
	n, err := parseID(key) // integer ids
	if err != nil {
		return nil, time.Time{}, err
	}
	switch kind {
	case KindPrecondition:
		return versionRecord[truce.Precondition](ctx, db, preconditionTable, n, version)
	case KindNegotiationEvent:
		return versionRecord[truce.NegotiationEvent](ctx, db, eventTable, n, version)
	}
	return nil, time.Time{}, truce.Invalid("kind", "unknown leaf kind %q", kind)
}

// versionRecord reads one logged version as a T value, the way it was
// handed to the log.
func versionRecord[T any](ctx context.Context, db *DB, v versioned, key any, version int) (any, time.Time, error) {
	data, at, err := db.versionData(ctx, v, key, version)
	if err != nil {
		return nil, time.Time{}, err
	}
	var rec T
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, time.Time{}, fmt.Errorf("%s %v version %d: %w", v.noun, key, version, err)
	}
	return rec, at, nil
}

// issueCodes returns the codes of every stored negotiation issue.
func (t *tx) issueCodes(ctx context.Context) (map[string]bool, error) {
	rows, err := t.query(ctx, "SELECT code FROM negotiation_issues")
	if err != nil {
		return nil, fmt.Errorf("issue codes: %w", err)
	}
	defer rows.Close()
	codes := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("issue codes: %w", err)
		}
		codes[c] = true
	}
	return codes, rows.Err()
}

// checkAgreement returns EINVALID naming field if the agreement is unknown.
func (t *tx) checkAgreement(ctx context.Context, field, id string) error {
	if id == "" {
		return nil
	}
	if _, err := t.db.agreement(ctx, t.tx, id); err != nil {
		if truce.ErrorCode(err) == truce.ENOTFOUND {
			return truce.Invalid(field, "unknown agreement %q", id)
		}
		return err
	}
	return nil
}

// formatID is the record id of an integer-keyed record.
func formatID(id int64) string { return strconv.FormatInt(id, 10) }
