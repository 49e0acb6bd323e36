package store

import (
	"context"
	"sync"
)

// Group commit. Every write takes the log's lock for its whole
// transaction, so writers take turns, and each turn ends with a durable
// commit (an fsync). Concurrent small writes of one process (reports from
// API clients) therefore share a transaction: while one is in progress,
// the others queue, and the next transaction runs all the queued ones.
// One commit, one lock hand-over and one notification then serve many
// writers. Each writer's call still returns only once its write is
// committed (or has failed).

// groupCommit is the queue of writes waiting for a shared transaction.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*queuedWrite
	running bool // a goroutine is running transactions for the queue
}

type queuedWrite struct {
	fn   func(context.Context, *tx) error
	done chan error
}

// maxGroup bounds the writes of one shared transaction.
const maxGroup = 256

// writeGrouped runs fn like write, in a transaction it may share with
// other concurrent writeGrouped calls of this process. fn must do all its
// work through t, with the context it is given (not the caller's: one
// caller giving up must not break the others' transaction), and keep no
// state of its own that outlives a failure. Once queued, fn runs even if
// ctx ends: the caller waits for its outcome.
func (db *DB) writeGrouped(ctx context.Context, fn func(context.Context, *tx) error) error {
	w := &queuedWrite{fn: fn, done: make(chan error, 1)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if lead {
		db.runGroups(context.WithoutCancel(ctx), false)
	}
	return <-w.done
}

// runGroups runs the queued writes, a transaction at a time, until the
// queue is empty. The caller's own write is in the first group; the
// groups after it are left to a new goroutine, so that the caller can
// return.
func (db *DB) runGroups(ctx context.Context, background bool) {
	g := &db.group
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		group := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		db.runGroup(ctx, group)
		if !background {
			go db.runGroups(ctx, true)
			return
		}
	}
}

// runGroup runs one shared transaction and tells each writer its outcome.
// Should one write fail, the shared transaction is rolled back and each
// write runs again in a transaction of its own, so that only the failing
// one fails: failures are rare (the input is validated before it is
// queued), and savepoints around every write would cost two round trips
// each on PostgreSQL.
func (db *DB) runGroup(ctx context.Context, group []*queuedWrite) {
	var failed bool
	err := db.write(ctx, func(t *tx) error {
		for _, w := range group {
			if err := w.fn(ctx, t); err != nil {
				failed = true
				return err
			}
		}
		return nil
	})
	if failed && len(group) > 1 {
		for _, w := range group {
			w.done <- db.write(ctx, func(t *tx) error { return w.fn(ctx, t) })
		}
		return
	}
	for _, w := range group {
		w.done <- err
	}
}
