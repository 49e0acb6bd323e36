// Package webhook delivers the event feed (internal/feed) to the webhooks
// admins set up: one goroutine per active webhook follows the log from
// where that webhook stopped, POSTs each event it subscribed to, signed
// (see Sign), retries failures with exponential backoff, and records every
// attempt. Events reach a webhook one at a time, in log order; a receiver
// that stays down holds up only its own webhook.
//
// The worker runs on one node of a cluster (under store.DB.Lead), and
// each webhook's position is stored after each event, so that another
// node takes over where this one stopped. A delivery may therefore be
// repeated after a crash: receivers drop duplicates by X-Truce-Delivery.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/store"
)

// Config configures a Worker. Zero fields take the defaults.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
	// Client sends deliveries; by default one with a 10 s timeout that
	// does not follow redirects (a redirect could lead a signed delivery
	// somewhere the admin never named) and connects only to public
	// addresses (see Transport).
	Client *http.Client
	// AllowPrivate lets the default client connect to private, loopback
	// and link-local addresses, for receivers on the server's own network
	// (and tests). Off by default: see guard.go.
	AllowPrivate bool
	// Backoff is the wait before the first retry, doubled for each next
	// one up to MaxBackoff. Defaults: 1 s, 10 min.
	Backoff, MaxBackoff time.Duration
	// Attempts bounds the tries of one event before it is given up
	// (recorded as failed) and the webhook moves on. Default 10: with the
	// default backoff, about 17 minutes of trying.
	Attempts int
	// Reload is how often the list of webhooks is read again, to start
	// new ones and stop deactivated ones. Default 5 s.
	Reload time.Duration
	// Now is the clock of signatures and records; time.Now if nil.
	Now func() time.Time
	// KeepFor and KeepLast bound the record of delivery attempts: those
	// older than KeepFor go, and of each webhook all but its KeepLast
	// latest, checked every PruneEvery. Defaults: DefaultKeepFor,
	// DefaultKeepLast, an hour; a negative KeepFor or KeepLast keeps all.
	KeepFor    time.Duration
	KeepLast   int
	PruneEvery time.Duration
}

// Default retention of delivery attempts: enough to see what went wrong
// with a receiver over the last month, bounded for a chatty one.
const (
	DefaultKeepFor  = 30 * 24 * time.Hour
	DefaultKeepLast = 10000
)

// Worker delivers events to webhooks.
type Worker struct {
	cfg Config
}

// New returns a worker for cfg.
func New(cfg Config) *Worker {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{
			Transport:     Transport(cfg.AllowPrivate),
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 10 * time.Minute
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 10
	}
	if cfg.Reload <= 0 {
		cfg.Reload = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.KeepFor == 0 {
		cfg.KeepFor = DefaultKeepFor
	}
	if cfg.KeepLast == 0 {
		cfg.KeepLast = DefaultKeepLast
	}
	if cfg.PruneEvery <= 0 {
		cfg.PruneEvery = time.Hour
	}
	return &Worker{cfg: cfg}
}

// Run delivers until ctx ends, then waits for the deliveries in flight to
// stop. It also prunes the record of deliveries (see Config.KeepFor), on
// start and every PruneEvery: under the lease, once for the cluster. It
// suits store.DB.Lead: db.Lead(ctx, "webhooks", w.Run).
func (w *Worker) Run(ctx context.Context) {
	type follower struct {
		stop context.CancelFunc
		done chan struct{}
	}
	running := map[int64]follower{}
	var wg sync.WaitGroup
	defer func() {
		for _, f := range running {
			f.stop()
		}
		wg.Wait()
	}()
	tick := time.NewTicker(w.cfg.Reload)
	defer tick.Stop()
	var pruned time.Time // when the record was last pruned
	for {
		if pruned.IsZero() || time.Since(pruned) >= w.cfg.PruneEvery {
			w.prune(ctx)
			pruned = time.Now()
		}
		hooks, err := w.cfg.DB.Webhooks(ctx)
		if err != nil && ctx.Err() == nil {
			w.cfg.Logger.Error("webhooks: list", "err", err)
		}
		active := map[int64]bool{}
		for _, h := range hooks {
			if !h.Active {
				continue
			}
			active[h.ID] = true
			if f, ok := running[h.ID]; ok {
				select {
				case <-f.done: // ended on an error: start it again
				default:
					continue
				}
			}
			fctx, stop := context.WithCancel(ctx)
			f := follower{stop: stop, done: make(chan struct{})}
			running[h.ID] = f
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(f.done)
				if err := w.follow(fctx, h); err != nil && fctx.Err() == nil {
					w.cfg.Logger.Error("webhook stopped", "webhook", h.ID, "err", err)
				}
			}()
		}
		for id, f := range running {
			if !active[id] {
				f.stop()
				delete(running, id)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// prune deletes the delivery attempts past the retention limits.
func (w *Worker) prune(ctx context.Context) {
	var before time.Time
	if w.cfg.KeepFor > 0 {
		before = w.cfg.Now().Add(-w.cfg.KeepFor)
	}
	n, err := w.cfg.DB.PruneDeliveries(ctx, before, w.cfg.KeepLast)
	switch {
	case err != nil && ctx.Err() == nil:
		w.cfg.Logger.Error("webhooks: prune deliveries", "err", err)
	case n > 0:
		w.cfg.Logger.Info("webhooks: pruned deliveries", "deleted", n, "before", before, "keep_last", w.cfg.KeepLast)
	}
}

// follow delivers the log's events to one webhook from its stored
// position on, until ctx ends or an error.
func (w *Worker) follow(ctx context.Context, h store.Webhook) error {
	filter, err := feed.ParseKinds("kinds", h.Kinds)
	if err != nil {
		return err
	}
	f := feed.NewFollower(w.cfg.DB, h.NextIndex)
	for {
		entries, err := f.Read(ctx, time.Minute)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			continue
		}
		events, err := feed.Events(ctx, w.cfg.DB, entries, feed.Staff, filter)
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := w.deliver(ctx, h, e); err != nil {
				return err
			}
			if err := w.cfg.DB.SetWebhookNext(ctx, h.ID, e.ID+1); err != nil {
				return err
			}
		}
		// Past the leaves this webhook does not receive, too.
		if err := w.cfg.DB.SetWebhookNext(ctx, h.ID, f.Next()); err != nil {
			return err
		}
	}
}

// deliver sends one event until the receiver accepts it (any 2xx) or
// the attempts run out, recording each attempt. It returns an error only
// when ctx ends or an attempt cannot be recorded.
func (w *Worker) deliver(ctx context.Context, h store.Webhook, e feed.Event) error {
	wait := w.cfg.Backoff
	for attempt := 1; ; attempt++ {
		d := w.attempt(ctx, h, e)
		d.Attempt = attempt
		if ctx.Err() != nil {
			return ctx.Err() // cut short by shutdown: not the receiver's failure
		}
		if err := w.cfg.DB.AddDelivery(ctx, &d); err != nil {
			return err
		}
		if d.OK {
			return nil
		}
		if attempt >= w.cfg.Attempts {
			w.cfg.Logger.Warn("webhook delivery given up", "webhook", h.ID, "event", e.ID, "attempts", attempt, "err", d.Error)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, w.cfg.MaxBackoff)
	}
}

// attempt POSTs the event once and says how it went.
func (w *Worker) attempt(ctx context.Context, h store.Webhook, e feed.Event) store.Delivery {
	now := w.cfg.Now()
	d := store.Delivery{WebhookID: h.ID, EventID: e.ID, Kind: e.Kind, At: now}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(e.Data))
	if err != nil {
		d.Error = err.Error()
		return d
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "truce-webhook/1")
	req.Header.Set(HeaderEvent, e.Kind)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(e.ID, 10))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(h.Secret, now, e.Data))
	start := time.Now()
	resp, err := w.cfg.Client.Do(req)
	d.Duration = time.Since(start)
	if err != nil {
		var uerr interface{ Unwrap() error }
		if errors.As(err, &uerr) && uerr.Unwrap() != nil {
			err = uerr.Unwrap() // without the method and URL the record already has
		}
		d.Error = err.Error()
		return d
	}
	// A little of the body is read so that the connection can be reused;
	// what the receiver says is not kept.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	d.StatusCode = resp.StatusCode
	d.OK = resp.StatusCode >= 200 && resp.StatusCode < 300
	if !d.OK {
		d.Error = fmt.Sprintf("status %d", resp.StatusCode)
	}
	return d
}
