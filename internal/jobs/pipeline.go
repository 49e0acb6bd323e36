// Package jobs runs Truce's background work: the pipeline that groups new
// reports into incidents and keeps every incident's findings, and its
// corroboration by observations that arrive later, current. It
// runs on one node of several (store.DB.Lead) and follows the log
// (store.DB.WaitLog), so whichever node, or process, writes a report,
// agreement or grouping, the leader sees it at once.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// PipelineJob is the name of the pipeline's lease.
const PipelineJob = "pipeline"

// readChunk bounds the log leaves read at once.
const readChunk = 1000

// retryAfter is the pause after a failed step before trying again.
const retryAfter = 2 * time.Second

// Pipeline groups reports and judges incidents as the log grows:
//   - a report or report batch leaf: GroupNew, then RecomputeFindings for
//     the incidents that changed;
//   - an agreement version, status change or party leaf: a new Judge from
//     the stored terms, and RecomputeFindings for every incident;
//   - a grouping written by someone else (a monitor's split or merge):
//     RecomputeFindings for the incidents it changed;
//   - an observation or observation batch leaf (FIRMS fires, air-raid
//     alerts imported after the incidents near them were grouped):
//     CorroborateObservations for those observations, then
//     RecomputeFindings for the incidents whose state it changed.
//
// Its own groupings and findings it ignores: they are its output.
type Pipeline struct {
	db     *store.DB
	g      *incident.Grouper
	logger *slog.Logger
	// Step, if set, is called after every step that did work, with what
	// it did: for tests and the log.
	Step func(Step)
}

// Step says what one pass of the pipeline did.
type Step struct {
	Through  int64 // the log size the pass had read up to
	Grouped  store.GroupSummary
	Sensors  store.GroupSummary // incidents corroborated again for new observations
	Rejudged bool               // every incident judged again (the terms changed)
	Judged   int                // incidents judged
	Findings int                // findings new or changed
}

// NewPipeline returns a pipeline over db grouping with g.
func NewPipeline(db *store.DB, g *incident.Grouper, logger *slog.Logger) *Pipeline {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{db: db, g: g, logger: logger}
}

// Lead runs the pipeline while this process holds its lease (see
// store.DB.Lead) until ctx ends.
func (p *Pipeline) Lead(ctx context.Context) {
	p.db.Lead(ctx, PipelineJob, func(ctx context.Context) {
		if err := p.Run(ctx); err != nil && ctx.Err() == nil {
			p.logger.Error("pipeline stopped", "err", err)
		}
	})
}

// work is what the leaves read so far ask for.
type work struct {
	group     bool            // reports to group
	terms     bool            // the terms changed: judge everything
	incidents map[int64]bool  // incidents to judge again
	own       map[string]bool // grouping record ids the pipeline wrote
	// obsFirst..obsLast: ids of observations that arrived (0, 0: none);
	// the ids in between are observations too.
	obsFirst, obsLast int64
}

// addObservations widens the observation ids w asks to corroborate with.
func (w *work) addObservations(first, last int64) {
	if w.obsLast == 0 {
		w.obsFirst, w.obsLast = first, last
		return
	}
	w.obsFirst, w.obsLast = min(w.obsFirst, first), max(w.obsLast, last)
}

// Run resumes where the pipeline's cursor says the last leader stopped
// (store.DB.JobCursor: the leaves since are read and acted on), or, the
// first time, catches up with a full pass (groups whatever is ungrouped,
// corroborates again the incidents any stored observation bears on, which
// an older version that kept no cursor may have grouped before the
// observations came, and judges every incident against the current
// terms). Then it follows the
// log until ctx ends. It returns only ctx's error: a failed step is logged
// and tried again.
func (p *Pipeline) Run(ctx context.Context) error {
	w := work{group: true, incidents: map[int64]bool{}, own: map[string]bool{}}
	var size int64
	for {
		cursor, ok, err := p.db.JobCursor(ctx, PipelineJob)
		if err == nil && !ok {
			w.terms = true
			cursor, err = p.db.LogSize(ctx)
			if err == nil {
				var first, last int64
				if first, last, err = p.db.ObservationIDs(ctx); err == nil && last > 0 {
					w.addObservations(first, last)
				}
			}
		}
		if err == nil {
			size = cursor
			break
		}
		if err := p.pause(ctx, "cursor", err); err != nil {
			return err
		}
	}
	var judge *incident.Judge
	for {
		if w.group || w.terms || len(w.incidents) > 0 || w.obsLast > 0 {
			step, err := p.step(ctx, &w, &judge)
			if err != nil {
				if err := p.pause(ctx, "step", err); err != nil {
					return err
				}
				continue
			}
			// Every leaf below size is dealt with; a new leader starts
			// from there.
			if err := p.db.SetJobCursor(ctx, PipelineJob, size); err != nil && ctx.Err() == nil {
				p.logger.Warn("pipeline: save cursor", "err", err)
			}
			step.Through = size
			p.logger.Info("pipeline step", "through", size, "reports", step.Grouped.Reports,
				"incidents_created", len(step.Grouped.Created), "corroborated_again", len(step.Sensors.Changed), "judged", step.Judged, "rejudged", step.Rejudged, "findings", step.Findings)
			if p.Step != nil {
				p.Step(step)
			}
		}
		n, err := p.db.WaitLog(ctx, size)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err := p.pause(ctx, "wait", err); err != nil {
				return err
			}
			continue
		}
		if err := p.read(ctx, &w, size, n); err != nil {
			if err := p.pause(ctx, "read log", err); err != nil {
				return err
			}
			continue
		}
		size = n
	}
}

// read classifies the leaves [from, to) into w.
func (p *Pipeline) read(ctx context.Context, w *work, from, to int64) error {
	for from < to {
		end := min(to, from+readChunk)
		es, err := p.db.LogEntries(ctx, from, end)
		if err != nil {
			return err
		}
		for _, e := range es {
			switch e.Kind {
			case ledger.KindReport, store.KindReportBatch:
				w.group = true
			case ledger.KindAgreementVersion, ledger.KindAgreementStatus, ledger.KindParty:
				w.terms = true
			case ledger.KindObservation, store.KindObservationBatch:
				if first, last, ok := store.ObservationRange(e.Kind, e.RecordID); ok {
					w.addObservations(first, last)
				}
			case store.KindIncidentGrouping:
				if w.own[e.RecordID] {
					delete(w.own, e.RecordID)
					continue
				}
				rec, err := p.db.Record(ctx, e.Kind, e.RecordID)
				if err != nil {
					return fmt.Errorf("grouping %s: %w", e.RecordID, err)
				}
				if g, ok := rec.(store.GroupingRecord); ok {
					for _, s := range g.States {
						w.incidents[s.ID] = true
					}
				}
			}
		}
		from = end
	}
	return nil
}

// step does the work w asks for and clears it.
func (p *Pipeline) step(ctx context.Context, w *work, judge **incident.Judge) (Step, error) {
	var s Step
	if *judge == nil || w.terms {
		j, err := p.newJudge(ctx)
		if err != nil {
			return s, err
		}
		*judge = j
	}
	if w.group {
		sum, err := p.db.GroupNew(ctx, p.g)
		s.Grouped = sum
		for _, id := range sum.Groupings {
			w.own[strconv.FormatInt(id, 10)] = true
		}
		for _, id := range sum.Live() {
			w.incidents[id] = true
		}
		if err != nil {
			return s, fmt.Errorf("group: %w", err)
		}
		w.group = false
	}
	if w.obsLast > 0 {
		// After grouping: the incidents it just formed read the
		// observations already.
		sum, err := p.db.CorroborateObservations(ctx, p.g, w.obsFirst, w.obsLast)
		s.Sensors = sum
		for _, id := range sum.Groupings {
			w.own[strconv.FormatInt(id, 10)] = true
		}
		for _, id := range sum.Live() {
			w.incidents[id] = true
		}
		if err != nil {
			return s, fmt.Errorf("corroborate observations %d–%d: %w", w.obsFirst, w.obsLast, err)
		}
		w.obsFirst, w.obsLast = 0, 0
	}
	var ids []int64 // nil: every incident
	if !w.terms {
		ids = slices.Sorted(maps.Keys(w.incidents))
		if len(ids) == 0 {
			return s, nil
		}
	}
	n, err := p.db.RecomputeFindings(ctx, *judge, ids)
	if err != nil {
		return s, fmt.Errorf("findings: %w", err)
	}
	s.Rejudged, s.Judged, s.Findings = w.terms, len(ids), n
	w.terms = false
	clear(w.incidents)
	return s, nil
}

// newJudge compiles the stored terms.
func (p *Pipeline) newJudge(ctx context.Context) (*incident.Judge, error) {
	parties, err := p.db.Parties(ctx)
	if err != nil {
		return nil, err
	}
	agreements, err := p.db.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	j, err := incident.NewJudge(truce.Terms{Parties: parties, Agreements: agreements}, p.g)
	if err != nil {
		return nil, fmt.Errorf("judge the stored terms: %w", err)
	}
	return j, nil
}

// pause logs err and waits before a retry; it returns ctx's error if ctx
// ends first.
func (p *Pipeline) pause(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	p.logger.Warn("pipeline: "+what, "err", err, "retry_in", retryAfter)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(retryAfter):
		return nil
	}
}
