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
