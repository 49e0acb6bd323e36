package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// Record returns the record behind a leaf, re-read from its table: what
// ledger.Encode was given when the leaf was appended. By kind, the record
// id and the record's type:
//
//	party              "UA@2" (code@version)  truce.Party
//	agreement_version  "id@3"                 truce.Agreement
//	agreement_status   status change id       truce.StatusChange, with by_commitment in place of by, without by_salt (by before migration 0013)
//	report             report id              truce.Report, without IncidentID and LogIndex, which change or point at the leaf
//	report_batch       "first-last" ids       Batch
//	observation        observation id         truce.Observation (the items of an observation_batch)
//	observation_batch  "first-last" ids       Batch
//	claim              claim id               truce.Claim
//	finding            finding history id     truce.Finding
//	transition         transition id          truce.Transition
//	reply              reply id               truce.Reply
//	incident_grouping  grouping id            GroupingRecord
//	user               "7@2" (id@version)     truce.User, without credentials
//	alert_rule         rule id                truce.AlertRule
//	alert              alert step id          truce.Alert
//	access_restriction restriction id         truce.AccessRestriction
//	negotiation_issue, negotiation_precondition, negotiation_event, negotiation_draft
//	                   "key@version"          truce.NegotiationIssue, Precondition, NegotiationEvent, Draft
//	negotiation_statement statement id        truce.Statement
//
// It returns ENOTFOUND if the record is missing and EINVALID for an
// unknown kind or a malformed id.
func (db *DB) Record(ctx context.Context, kind, id string) (any, error) {
	rec, _, err := db.record(ctx, kind, id)
	return rec, err
}

// Reencode re-reads the record behind e from its table and encodes it
// again; a verifier compares the result with e.Data. The leaf time comes
// from the record's own row, not from e.
func (db *DB) Reencode(ctx context.Context, e ledger.Entry) ([]byte, error) {
	rec, at, err := db.record(ctx, e.Kind, e.RecordID)
	if err != nil {
		return nil, err
	}
	return ledger.Encode(e.Kind, e.RecordID, at, rec)
}

// record returns the record of a leaf and the leaf's time.
func (db *DB) record(ctx context.Context, kind, id string) (any, time.Time, error) {
	switch kind {
	case ledger.KindParty:
		code, v, err := splitVersion(id)
		if err != nil {
			return nil, time.Time{}, err
		}
		p, at, err := db.partyVersion(ctx, code, v)
		return p, fromMicros(at), err
	case ledger.KindAgreementVersion:
		aid, v, err := splitVersion(id)
		if err != nil {
			return nil, time.Time{}, err
		}
		var data []byte
		var at int64
		err = db.queryRow(ctx, db.ro, "SELECT data, created_at_us FROM agreement_versions WHERE agreement_id = ? AND version = ?", aid, v).Scan(&data, &at)
		if notFound(err) {
			return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "agreement %q version %d not found", aid, v)
		}
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("agreement %q version %d: %w", aid, v, err)
		}
		a, err := decodeAgreement(data)
		return a, fromMicros(at), err
	case ledger.KindAgreementStatus:
		n, err := parseID(id)
		if err != nil {
			return nil, time.Time{}, err
		}
		c, logged, err := db.statusChange(ctx, n)
		return statusLeaf(c), logged, err
	case ledger.KindReport:
		n, err := parseID(id)
		if err != nil {
			return nil, time.Time{}, err
		}
		r, err := db.Report(ctx, n)
		if err != nil {
			return nil, time.Time{}, err
		}
		return leafReport(r), r.ReceivedAt, nil
	case KindReportBatch:
		first, last, err := parseBatchID(id)
		if err != nil {
			return nil, time.Time{}, truce.Invalid("record_id", "%v", err)
		}
		rs, err := db.reports(ctx, db.ro, "SELECT "+reportCols+" FROM reports WHERE id >= ? AND id <= ? ORDER BY id", first, last)
		if err != nil {
			return nil, time.Time{}, err
		}
		if len(rs) == 0 {
			return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "reports %s not found", id)
		}
		leaves, err := encodeLeaves(ledger.KindReport, rs, func(r truce.Report) (int64, any) { return r.ID, leafReport(r) }, rs[0].ReceivedAt)
		if err != nil {
			return nil, time.Time{}, err
		}
		return newBatch(ledger.KindReport, func(i int) int64 { return rs[i].ID }, leaves), rs[0].ReceivedAt, nil
	case ledger.KindObservation, KindObservationBatch:
		first, last := int64(0), int64(0)
		var err error
		if kind == ledger.KindObservation {
			first, err = parseID(id)
			last = first
		} else if first, last, err = parseBatchID(id); err != nil {
			err = truce.Invalid("record_id", "%v", err)
		}
		if err != nil {
			return nil, time.Time{}, err
		}
		obs, received, err := db.observations(ctx, "SELECT "+observationCols+" FROM observations WHERE id >= ? AND id <= ? ORDER BY id", first, last)
		if err != nil {
			return nil, time.Time{}, err
		}
		if len(obs) == 0 {
			return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "observations %s not found", id)
		}
		if kind == ledger.KindObservation {
			return obs[0], received[0], nil
		}
		leaves, err := encodeLeaves(ledger.KindObservation, obs, func(o truce.Observation) (int64, any) { return o.ID, o }, received[0])
		if err != nil {
			return nil, time.Time{}, err
		}
		return newBatch(ledger.KindObservation, func(i int) int64 { return obs[i].ID }, leaves), received[0], nil
	case ledger.KindClaim:
		n, err := parseID(id)
		if err != nil {
			return nil, time.Time{}, err
		}
		c, err := db.Claim(ctx, n)
		return c, c.RecordedAt, err
	case ledger.KindFinding:
		n, err := parseID(id)
		if err != nil {
			return nil, time.Time{}, err
		}
		var logged int64
		if err := db.queryRow(ctx, db.ro, "SELECT logged_at_us FROM finding_history WHERE id = ?", n).Scan(&logged); err != nil {
			if notFound(err) {
				return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "finding %d not found", n)
			}
			return nil, time.Time{}, fmt.Errorf("finding %d: %w", n, err)
		}
		fs, err := db.findings(ctx, db.ro, "SELECT "+findingCols+" FROM finding_history h WHERE h.id = ?", n)
		if err != nil {
			return nil, time.Time{}, err
		}
		if len(fs) == 0 { // deleted between the two queries
			return nil, time.Time{}, truce.Errorf(truce.ENOTFOUND, "finding %d not found", n)
		}
		return fs[0], fromMicros(logged), nil
	case ledger.KindTransition, ledger.KindReply, KindIncidentGrouping:
		return db.incidentRecord(ctx, kind, id)
	case ledger.KindUser:
		u, at, err := db.userRecord(ctx, id)
		return u, fromMicros(at), err
	case KindAlertRule, KindAlert, KindAccessRestriction:
		return db.complianceRecord(ctx, kind, id)
	case KindNegotiationIssue, KindNegotiationStatement, KindPrecondition, KindNegotiationEvent, KindDraft:
		return db.negotiationRecord(ctx, kind, id)
	}
	return nil, time.Time{}, truce.Invalid("kind", "unknown leaf kind %q", kind)
}

// splitVersion reads "id@version".
func splitVersion(s string) (string, int, error) {
	i := strings.LastIndexByte(s, '@')
	if i < 0 {
		return "", 0, truce.Invalid("record_id", "%q is not id@version", s)
	}
	v, err := strconv.Atoi(s[i+1:])
	if err != nil || v < 1 {
		return "", 0, truce.Invalid("record_id", "%q is not id@version", s)
	}
	return s[:i], v, nil
}

func parseID(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, truce.Invalid("record_id", "%q is not a record id", s)
	}
	return n, nil
}
