package compliance

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// Alerter evaluates the alert rules as records arrive: it reads the log
// leaf by leaf and, after every leaf that can change a condition (a
// finding, a workflow step, a grouping, a new agreement version or rule),
// opens an alert for each key that starts to hold and clears each open
// alert whose key stopped holding. An alert thus names the leaf that
// crossed the threshold (its LogSize) and trips once per crossing; a
// monitor's acknowledgement keeps it from tripping again while the
// condition holds. Alerts are logged (leaf kind "alert"), which is how the
// live stream and webhooks see them.
type Alerter struct {
	db     *store.DB
	e      *engine
	log    *slog.Logger
	caught bool
}

// NewAlerter returns an alerter over db; g judges the pre-truce baseline.
func NewAlerter(db *store.DB, g *incident.Grouper, logger *slog.Logger) *Alerter {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Alerter{db: db, e: newEngine(g), log: logger}
}

// Step reads the leaves appended since the last step and logs the alert
// steps they call for. The first step reads the whole log without
// tripping at each historical leaf (the alerts of that history are in
// the log already) and then brings the open alerts in line with the
// record as it stands, so that a restart neither repeats nor misses an
// alert.
func (a *Alerter) Step(ctx context.Context) error {
	n, err := a.db.LogSize(ctx)
	if err != nil {
		return err
	}
	states := func(id int64) ([]store.IncidentState, error) { return a.db.GroupingStates(ctx, id) }
	for a.e.size < n {
		end := min(n, a.e.size+1000)
		entries, err := a.db.LogEntries(ctx, a.e.size, end)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return fmt.Errorf("alerts: log entries %d-%d missing", a.e.size, end)
		}
		for _, en := range entries {
			changed, agreement, err := a.e.apply(en, states)
			if err != nil {
				return err
			}
			if changed && a.caught {
				if err := a.emit(ctx, a.e.steps(agreement)); err != nil {
					return err
				}
			}
		}
	}
	if !a.caught {
		a.caught = true
		return a.emit(ctx, a.e.steps(""))
	}
	return nil
}

// emit logs alert steps and notes them at once, so that the next leaf
// does not open the same alert again before its own leaf is read.
func (a *Alerter) emit(ctx context.Context, steps []truce.Alert) error {
	for _, s := range steps {
		if err := a.db.AddAlert(ctx, &s); err != nil {
			if truce.ErrorCode(err) == truce.ECONFLICT {
				// A monitor's step came first (a clearing of an alert
				// already cleared): the log holds what happened.
				a.log.Warn("alert step refused", "rule", s.RuleID, "key", s.Key, "event", s.Event, "err", err)
				continue
			}
			return err
		}
		a.e.noteAlert(s)
		a.log.Info("alert", "event", s.Event, "rule", s.RuleID, "key", s.Key, "log_size", s.LogSize, "incidents", s.Incidents)
	}
	return nil
}

// RunAlerts evaluates the alert rules whenever the log grows, on one node
// at a time (the "alerts" lease), until ctx ends.
func RunAlerts(ctx context.Context, db *store.DB, g *incident.Grouper, logger *slog.Logger) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db.Lead(ctx, "alerts", func(ctx context.Context) {
		a := NewAlerter(db, g, logger)
		for ctx.Err() == nil {
			if err := a.Step(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				logger.Error("alerts", "err", err)
				// A fresh fold after a failure, so that nothing half-read
				// stays behind.
				select {
				case <-ctx.Done():
					return
				case <-time.After(5 * time.Second):
				}
				a = NewAlerter(db, g, logger)
				continue
			}
			if _, err := db.WaitLog(ctx, a.e.size); err != nil && ctx.Err() == nil {
				logger.Error("alerts: wait for the log", "err", err)
			}
		}
	})
}
