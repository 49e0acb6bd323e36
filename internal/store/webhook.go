package store

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
)

// Webhook is an outbound subscription to the event feed. Secret signs
// deliveries and is never shown after creation.
type Webhook struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"-"`
	Kinds     []string  `json:"kinds"` // event kinds; empty for every kind
	Active    bool      `json:"active"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	NextIndex int64     `json:"next_index"` // the first log leaf not yet handled
}

// Webhook limits.
const (
	maxWebhookURL    = 2000
	minWebhookSecret = 16
	maxWebhookSecret = 200
)

// CheckWebhookURL returns EINVALID (field url) unless s is an absolute
// http or https URL with a host: other schemes (file:, gopher:, ...)
// must never be fetched by the server.
func CheckWebhookURL(s string) error {
	if len(s) > maxWebhookURL {
		return truce.Invalid("url", "longer than %d bytes", maxWebhookURL)
	}
	u, err := url.Parse(s)
	if err != nil {
		return truce.Invalid("url", "not a URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return truce.Invalid("url", "scheme %q: only http and https are allowed", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return truce.Invalid("url", "no host in %q", s)
	}
	if u.User != nil {
		return truce.Invalid("url", "credentials in the URL are not allowed; the secret signs deliveries")
	}
	return nil
}

// CreateWebhook stores a new active webhook, which will receive the
// events logged from now on; it sets w's ID, CreatedAt, Active and
// NextIndex. It returns EINVALID for a bad URL or secret.
func (db *DB) CreateWebhook(ctx context.Context, w *Webhook) error {
	if err := CheckWebhookURL(w.URL); err != nil {
		return err
	}
	if len(w.Secret) < minWebhookSecret || len(w.Secret) > maxWebhookSecret {
		return truce.Invalid("secret", "must be %d to %d bytes", minWebhookSecret, maxWebhookSecret)
	}
	if err := checkTexts("created_by", w.CreatedBy); err != nil {
		return err
	}
	if w.Kinds == nil {
		w.Kinds = []string{}
	}
	kinds, err := json.Marshal(w.Kinds)
	if err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		id, err := t.nextID(ctx, "webhooks")
		if err != nil {
			return err
		}
		next, err := t.log.next(ctx)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO webhooks (id, url, secret, kinds, active, created_by, created_at_us, next_index)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, w.URL, w.Secret, string(kinds), true, w.CreatedBy, micros(t.now), next)
		if err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		w.ID, w.Active, w.CreatedAt, w.NextIndex = id, true, fromMicros(micros(t.now)), next
		return nil
	})
}

const webhookCols = "id, url, secret, kinds, active, created_by, created_at_us, next_index"

// Webhooks returns every webhook, active or not, by id.
func (db *DB) Webhooks(ctx context.Context) ([]Webhook, error) {
	return db.webhooks(ctx, "ORDER BY id")
}

// Webhook returns one webhook, or ENOTFOUND.
func (db *DB) Webhook(ctx context.Context, id int64) (Webhook, error) {
	ws, err := db.webhooks(ctx, "WHERE id = ?", id)
	if err != nil {
		return Webhook{}, err
	}
	if len(ws) == 0 {
		return Webhook{}, truce.Errorf(truce.ENOTFOUND, "webhook %d not found", id)
	}
	return ws[0], nil
}

func (db *DB) webhooks(ctx context.Context, where string, args ...any) ([]Webhook, error) {
	rows, err := db.query(ctx, db.ro, "SELECT "+webhookCols+" FROM webhooks "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var w Webhook
		var kinds string
		var at int64
		if err := rows.Scan(&w.ID, &w.URL, &w.Secret, &kinds, &w.Active, &w.CreatedBy, &at, &w.NextIndex); err != nil {
			return nil, fmt.Errorf("webhooks: %w", err)
		}
		if err := json.Unmarshal([]byte(kinds), &w.Kinds); err != nil {
			return nil, fmt.Errorf("webhook %d: kinds: %w", w.ID, err)
		}
		w.CreatedAt = fromMicros(at)
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeactivateWebhook stops deliveries to a webhook for good (its history
// stays); ENOTFOUND for an unknown id.
func (db *DB) DeactivateWebhook(ctx context.Context, id int64) error {
	return db.write(ctx, func(t *tx) error {
		res, err := t.exec(ctx, "UPDATE webhooks SET active = ? WHERE id = ?", false, id)
		if err != nil {
			return fmt.Errorf("deactivate webhook %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return truce.Errorf(truce.ENOTFOUND, "webhook %d not found", id)
		}
		return nil
	})
}

// SetWebhookNext records that a webhook has handled the log up to leaf
// next-1. It never moves the position back.
func (db *DB) SetWebhookNext(ctx context.Context, id, next int64) error {
	return db.write(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "UPDATE webhooks SET next_index = ? WHERE id = ? AND next_index < ?", next, id, next); err != nil {
			return fmt.Errorf("webhook %d position: %w", id, err)
		}
		return nil
	})
}

// webhookID formats an id for errors.
func webhookID(id int64) string { return strconv.FormatInt(id, 10) }
