package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/truce-monitor/truce/internal/compliance"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/jobs"
)

// envJobs switches the background jobs off ("false"), for a node that
// should only serve: with several nodes on one database the jobs run on
// one of them anyway (store.DB.Lead), so this is rarely needed.
const envJobs = "TRUCE_JOBS"

// background runs a server's background workers until stop.
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// goRun runs fn in a goroutine until stop.
func (b *background) goRun(fn func(ctx context.Context)) {
	if b.cancel == nil {
		panic("background: goRun before start")
	}
	ctx := b.ctx
	b.wg.Go(func() { fn(ctx) })
}

// startJobs starts the background workers: the pipeline that groups new
// reports and keeps findings current (on one node of several, under its
// lease). A worker of another capability starts here too, with one line.
func (s *server) startJobs() error {
	ctx, cancel := context.WithCancel(context.Background())
	s.jobs.ctx, s.jobs.cancel = ctx, cancel
	if !s.cfg.Jobs {
		return nil
	}
	g, err := incident.NewGrouper(s.gz, incident.DefaultRules())
	if err != nil {
		cancel()
		return fmt.Errorf("jobs: %w", err)
	}
	s.jobs.goRun(jobs.NewPipeline(s.db, g, s.logger).Lead)
	s.jobs.goRun(func(ctx context.Context) { compliance.RunAlerts(ctx, s.db, g, s.logger) })
	s.jobs.goRun(s.runWebhooks)
	return nil
}

// stopJobs ends the background workers and waits for them.
func (s *server) stopJobs() {
	if s.jobs.cancel != nil {
		s.jobs.cancel()
		s.jobs.wg.Wait()
		s.jobs.cancel = nil
	}
}
