package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Delivery is one attempt to deliver one event to one webhook.
type Delivery struct {
	ID         int64         `json:"id"`
	WebhookID  int64         `json:"webhook_id"`
	EventID    int64         `json:"event_id"` // the leaf index
	Kind       string        `json:"kind"`
	Attempt    int           `json:"attempt"`     // 1 for the first try
	StatusCode int           `json:"status_code"` // 0: no response
	Error      string        `json:"error,omitempty"`
	OK         bool          `json:"ok"`
	At         time.Time     `json:"at"`
	Duration   time.Duration `json:"duration_ns"`
}

// AddDelivery records an attempt and sets d.ID. At is the caller's: the
// moment the attempt started.
func (db *DB) AddDelivery(ctx context.Context, d *Delivery) error {
	if len(d.Error) > 1000 {
		d.Error = d.Error[:1000]
	}
	return db.write(ctx, func(t *tx) error {
		id, err := t.nextID(ctx, "webhook_deliveries")
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO webhook_deliveries (id, webhook_id, event_id, kind, attempt, status_code, error, ok, at_us, duration_us)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, d.WebhookID, d.EventID, d.Kind, d.Attempt, d.StatusCode, d.Error, d.OK, micros(d.At), d.Duration.Microseconds())
		if err != nil {
			return fmt.Errorf("webhook %s delivery: %w", webhookID(d.WebhookID), err)
		}
		d.ID = id
		return nil
	})
}

// Deliveries returns a webhook's attempts with id > afterID, oldest
// first, at most limit (0: no limit); ENOTFOUND for an unknown webhook.
func (db *DB) Deliveries(ctx context.Context, webhookID, afterID int64, limit int) ([]Delivery, error) {
	if _, err := db.Webhook(ctx, webhookID); err != nil {
		return nil, err
	}
	q := `SELECT id, webhook_id, event_id, kind, attempt, status_code, error, ok, at_us, duration_us
		FROM webhook_deliveries WHERE webhook_id = ? AND id > ? ORDER BY id`
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := db.query(ctx, db.ro, q, webhookID, afterID)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var at, dur int64
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.EventID, &d.Kind, &d.Attempt, &d.StatusCode, &d.Error, &d.OK, &at, &dur); err != nil {
			return nil, fmt.Errorf("deliveries: %w", err)
		}
		d.At, d.Duration = fromMicros(at), time.Duration(dur)*time.Microsecond
		out = append(out, d)
	}
	return out, rows.Err()
}

// pruneBatch bounds the deliveries one transaction deletes, so that the
// first prune of a long-grown table does not hold the writer for long.
const pruneBatch = 5000

// PruneDeliveries deletes the delivery attempts recorded before before
// (none if zero) and, of each webhook, all but its keepLast latest (none
// if keepLast <= 0), and returns how many it deleted. Deliveries are the
// server's plumbing, not the mission's record (they are not in the log),
// so keeping them for ever would only grow the database.
func (db *DB) PruneDeliveries(ctx context.Context, before time.Time, keepLast int) (int64, error) {
	var total int64
	// prune runs a deletion of at most pruneBatch rows until none is left.
	prune := func(what, query string, args ...any) error {
		for {
			var n int64
			err := db.write(ctx, func(t *tx) error {
				res, err := t.exec(ctx, query, args...)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return fmt.Errorf("prune webhook deliveries %s: %w", what, err)
			}
			total += n
			if n < pruneBatch {
				return nil
			}
		}
	}
	if !before.IsZero() {
		err := prune("before "+before.UTC().Format(time.RFC3339), `DELETE FROM webhook_deliveries WHERE id IN
			(SELECT id FROM webhook_deliveries WHERE at_us < ? ORDER BY id LIMIT `+strconv.Itoa(pruneBatch)+`)`, micros(before))
		if err != nil {
			return total, err
		}
	}
	if keepLast > 0 {
		hooks, err := db.Webhooks(ctx)
		if err != nil {
			return total, err
		}
		for _, h := range hooks {
			// The newest delivery beyond keepLast, and all older than it;
			// the (webhook_id, id) index finds both.
			err := prune("of webhook "+webhookID(h.ID), `DELETE FROM webhook_deliveries WHERE id IN
				(SELECT id FROM webhook_deliveries WHERE webhook_id = ? AND id <=
					(SELECT id FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT 1 OFFSET `+strconv.Itoa(keepLast)+`)
				ORDER BY id LIMIT `+strconv.Itoa(pruneBatch)+`)`, h.ID, h.ID)
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}
