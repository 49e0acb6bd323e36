package store

import (
	"context"

	"github.com/truce-monitor/truce"
)

// SaveNegotiationEvent stores a negotiation event and logs it. With ID 0
// it creates the event as version 1 (one of the same kind, date and title
// as a stored one is not created again: *e becomes the stored one and
// created is false). With an ID it stores e as the event's next version,
// unless nothing changed. It returns ENOTFOUND for an unknown ID, and
// EINVALID for an invalid event or one naming an unknown participant,
// agreement or event it responds to.
func (db *DB) SaveNegotiationEvent(ctx context.Context, e *truce.NegotiationEvent, by string) (created bool, err error) {
	n := *e
	n.Version = 0
	n.Participants, n.Mediators = normStrings(n.Participants), normStrings(n.Mediators)
	if len(n.Sources) == 0 {
		n.Sources = nil
	}
	if err := checkStrings(n); err != nil {
		return false, err
	}
	var stored truce.NegotiationEvent
	err = db.write(ctx, func(t *tx) error {
		parties, err := t.partyCodes(ctx)
		if err != nil {
			return err
		}
		if err := n.Validate(parties); err != nil {
			return err
		}
		if err := t.checkAgreement(ctx, "agreement_id", n.AgreementID); err != nil {
			return err
		}
		if n.RespondsTo != 0 {
			if n.RespondsTo == n.ID {
				return truce.Invalid("responds_to", "an event cannot respond to itself")
			}
			es, err := db.events(ctx, t.tx, "WHERE h.id = ?", n.RespondsTo)
			if err != nil {
				return err
			}
			if len(es) == 0 {
				return truce.Invalid("responds_to", "unknown negotiation event %d", n.RespondsTo)
			}
		}
		if n.ID != 0 {
			es, err := db.events(ctx, t.tx, "WHERE h.id = ?", n.ID)
			if err != nil {
				return err
			}
			if len(es) == 0 {
				return truce.Errorf(truce.ENOTFOUND, "negotiation event %d not found", n.ID)
			}
			stored = es[0]
			n.Version = stored.Version
			if same, err := sameRecord(stored, n); err != nil || same {
				return err
			}
			n.Version++
			stored = n
			return t.putVersion(ctx, eventTable, n.ID, n.Version, n, by, "")
		}
		key := dedupeKey(n.Kind, n.Date, n.Title)
		id, found, err := t.byDedupeKey(ctx, eventTable, key)
		if err != nil {
			return err
		}
		if found {
			es, err := db.events(ctx, t.tx, "WHERE h.id = ?", id)
			if err != nil {
				return err
			}
			stored = es[0]
			return nil
		}
		if n.ID, err = t.nextID(ctx, "negotiation_events"); err != nil {
			return err
		}
		n.Version = 1
		stored, created = n, true
		return t.putVersion(ctx, eventTable, n.ID, 1, n, by, key)
	})
	if err != nil {
		return false, err
	}
	*e = stored
	return created, nil
}

// NegotiationEvents returns the latest version of every event, by id.
func (db *DB) NegotiationEvents(ctx context.Context) ([]truce.NegotiationEvent, error) {
	return db.events(ctx, db.ro, "")
}

// NegotiationEvent returns the latest version of an event, or ENOTFOUND.
func (db *DB) NegotiationEvent(ctx context.Context, id int64) (truce.NegotiationEvent, error) {
	es, err := db.events(ctx, db.ro, "WHERE h.id = ?", id)
	if err != nil {
		return truce.NegotiationEvent{}, err
	}
	if len(es) == 0 {
		return truce.NegotiationEvent{}, truce.Errorf(truce.ENOTFOUND, "negotiation event %d not found", id)
	}
	return es[0], nil
}

// NegotiationEventVersions returns every version of an event, oldest
// first, or ENOTFOUND.
func (db *DB) NegotiationEventVersions(ctx context.Context, id int64) ([]truce.NegotiationEvent, error) {
	ds, err := db.history(ctx, eventTable, id)
	if err != nil {
		return nil, err
	}
	return decodeAll[truce.NegotiationEvent](ds)
}

func (db *DB) events(ctx context.Context, q querier, where string, args ...any) ([]truce.NegotiationEvent, error) {
	ds, err := db.latest(ctx, q, eventTable, where, args...)
	if err != nil {
		return nil, err
	}
	return decodeAll[truce.NegotiationEvent](ds)
}
