package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
)

// AddReply files the accused party's answer to an incident and logs it,
// filling in r's ID, Status (received) and At. A reply never changes the
// incident's status or version. r.Party must be a party the incident's
// reports accuse (by code, name or alias): EINVALID otherwise, and for an
// empty body or author; ENOTFOUND for an unknown incident; ECONFLICT for
// an incident merged into another. Whether the
// author speaks for r.Party is the caller's to check.
func (db *DB) AddReply(ctx context.Context, r *truce.Reply) error {
	n := *r
	n.ID, n.Status = 0, ReplyReceived
	switch {
	case strings.TrimSpace(n.Party) == "":
		return truce.Invalid("party", "required")
	case strings.TrimSpace(n.Body) == "":
		return truce.Invalid("body", "required")
	case utf8.RuneCountInString(n.Body) > truce.MaxDescription:
		return truce.Invalid("body", "longer than 10,000 characters")
	case strings.TrimSpace(n.By) == "":
		return truce.Invalid("by", "required")
	}
	if err := checkTexts("party", n.Party, "body", n.Body, "by", n.By); err != nil {
		return err
	}
	err := db.write(ctx, func(t *tx) error {
		inc, err := db.incidentRow(ctx, t.tx, n.IncidentID)
		if err != nil {
			return err
		}
		if inc.mergedInto != 0 {
			return truce.Errorf(truce.ECONFLICT, "incident %d was merged into incident %d: reply there", n.IncidentID, inc.mergedInto)
		}
		parties, err := db.parties(ctx, t.tx, partySelect+" ORDER BY p.seq")
		if err != nil {
			return err
		}
		accused := incident.Accused(inc.inc.Perpetrators, parties)
		if !slices.Contains(accused, n.Party) {
			who := "no party"
			if len(accused) > 0 {
				who = strings.Join(accused, ", ")
			}
			return truce.Invalid("party", "party %q is not accused in incident %d (accused: %s)", n.Party, n.IncidentID, who)
		}
		if n.ID, err = t.nextID(ctx, "incident_replies"); err != nil {
			return err
		}
		n.At = t.now
		idx, err := t.log.appendLeaf(ctx, ledger.KindReply, strconv.FormatInt(n.ID, 10), n)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO incident_replies (id, incident_id, party, body, status, by_user, at_us, log_index)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, n.IncidentID, n.Party, n.Body, n.Status, n.By, micros(n.At), idx)
		if err != nil {
			return fmt.Errorf("reply: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*r = n
	return nil
}

// Replies returns the replies to an incident, oldest first, or ENOTFOUND.
func (db *DB) Replies(ctx context.Context, id int64) ([]truce.Reply, error) {
	if _, err := db.incidentRow(ctx, db.ro, id); err != nil {
		return nil, err
	}
	return db.replies(ctx, "WHERE incident_id = ? ORDER BY id", id)
}

func (db *DB) replies(ctx context.Context, where string, args ...any) ([]truce.Reply, error) {
	rows, err := db.query(ctx, db.ro, "SELECT id, incident_id, party, body, status, by_user, at_us FROM incident_replies "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("replies: %w", err)
	}
	defer rows.Close()
	out := []truce.Reply{}
	for rows.Next() {
		var r truce.Reply
		var at int64
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.Party, &r.Body, &r.Status, &r.By, &at); err != nil {
			return nil, fmt.Errorf("replies: %w", err)
		}
		r.At = fromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
