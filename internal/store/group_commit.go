package store

import (
	"context"
	"errors"
	"sync"
)

// Group commit. Every write takes the log's lock for its whole
// transaction, so writers take turns, and each turn ends with a durable
// commit (an fsync). Concurrent small writes of one process (reports from
// API clients) therefore share a transaction: while one is in progress,
// the others queue, and the next transaction runs all the queued ones.
// One commit, one lock hand-over and one notification then serve many
// writers. The queued reports of a group are written together, with one
// statement for their duplicate checks and one addReports call (see
// createReports): on PostgreSQL each statement is a round trip under the
// lock. Each writer's call still returns only once its write is committed
// (or has failed).

// groupCommit is the queue of writes waiting for a shared transaction.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*queuedWrite
	running bool // a goroutine is running transactions for the queue
	// locked, if set (by tests), is called once a group's transaction
	// holds the log's lock, before the late writes join it.
	locked func()
}

// queuedWrite is a write waiting for its group's transaction: either a
// function of its own (fn), or a report, written with the group's other
// reports.
type queuedWrite struct {
	fn     func(context.Context, *tx) error
	report *pendingReport
	done   chan error
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
	return db.enqueue(ctx, &queuedWrite{fn: fn})
}

// enqueue queues w and waits for its group's outcome. The first writer
// to find no group running leads: it runs the group its write is in.
func (db *DB) enqueue(ctx context.Context, w *queuedWrite) error {
	w.done = make(chan error, 1)
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
// Writes queued by the time the transaction holds the log's lock join it
// (see runWrites). Should the transaction fail, it runs once more with
// every report looked up under the lock (a late report taken for new may
// have been stored already), and should that fail too, each write runs
// again in a transaction of its own, so that only the failing one fails:
// failures are rare (the input is validated before it is queued), and
// savepoints around every write would cost two round trips each on
// PostgreSQL.
func (db *DB) runGroup(ctx context.Context, group []*queuedWrite) {
	if db.queue.on && len(reportsOf(group)) == len(group) && db.queue.busy() {
		// Other reports of this process are queued already: the lock is
		// taken, or this process's driver sequences; either way these
		// join the queue without trying the lock.
		if err := db.queueGroup(ctx, nil, group); err != nil {
			db.answer(ctx, group, err)
		}
		return
	}
	group, err := db.runWrites(ctx, group, true)
	if err != nil && !errors.Is(err, errQueued) && len(group) > 1 {
		// Once more, every report looked up under the lock.
		_, err = db.runWrites(ctx, group, false)
	}
	if err != nil && !errors.Is(err, errQueued) && len(group) > 1 {
		for _, w := range group {
			_, err := db.runWrites(ctx, []*queuedWrite{w}, false)
			db.answer(ctx, []*queuedWrite{w}, err)
		}
		return
	}
	db.answer(ctx, group, err)
}

// answer tells each writer of the group its outcome. A group of reports
// that found the log's lock held by another node (PostgreSQL) was queued
// instead: that node, or the next to hold the lock, stores the reports
// with its own, and the writers are answered then (report_queue.go).
func (db *DB) answer(ctx context.Context, group []*queuedWrite, err error) {
	if errors.Is(err, errQueued) {
		return
	}
	for _, w := range group {
		w.done <- err
	}
}

// take removes up to n writes from the head of the queue; with
// reportsOnly, only the reports that lead it.
func (g *groupCommit) take(n int, reportsOnly bool) []*queuedWrite {
	g.mu.Lock()
	defer g.mu.Unlock()
	n = min(n, len(g.queue))
	if reportsOnly {
		for i, w := range g.queue[:n] {
			if w.report == nil {
				n = i
				break
			}
		}
	}
	taken := g.queue[:n:n]
	g.queue = g.queue[n:]
	return taken
}

// runWrites runs the writes of a group in one transaction: the reports
// together, first, then the functions one by one. With join, the writes
// queued while the transaction waited for the log's lock (other writers
// of this process arrive meanwhile, all the more so when other nodes hold
// the lock) join it: the group grows to what is waiting, rather than
// leaving them to another turn of the lock and another commit. It returns
// the group as it ran.
func (db *DB) runWrites(ctx context.Context, group []*queuedWrite, join bool) ([]*queuedWrite, error) {
	g := &reportGroup{}
	g.add(reportsOf(group))
	// A group of reports alone runs on PostgreSQL in two round trips
	// (writeRaw); it then takes only reports in. With the report queue on
	// (report_queue.go) it only tries the log's lock: held by another
	// node, the group's reports join the queue rather than wait their
	// turn (runGroup), and holding it, the group also stores what other
	// nodes have queued (take).
	write, reportsOnly := db.writeAfter, false
	var take *queueTake
	switch {
	case db.dialect != Postgres || len(g.ps) < len(group):
	case db.queue.on:
		take, reportsOnly = &queueTake{}, true
		write = func(ctx context.Context, first func(*tx) []statement, fn func(*tx) error) error {
			return db.writeRawTry(ctx, true, first, fn)
		}
	default:
		write, reportsOnly = db.writeRaw, true
	}
	// Writes join twice: once the transaction has begun (the writers a
	// commit has just answered come back meanwhile), their reads then go
	// with the lock; and once it holds the lock.
	first := func(t *tx) []statement {
		if join && len(group) < maxGroup {
			more := db.group.take(maxGroup-len(group), reportsOnly)
			group = append(group, more...)
			g.add(reportsOf(more))
		}
		if len(g.ps) == 0 {
			return nil
		}
		if take != nil {
			return append(g.reads(t), take.read())
		}
		return g.reads(t)
	}
	err := write(ctx, first, func(t *tx) error {
		if !t.locked {
			if err := db.queueGroup(ctx, t, group); err != nil {
				return err
			}
			return errQueued
		}
		if db.group.locked != nil {
			db.group.locked()
		}
		if join && len(group) < maxGroup {
			more := db.group.take(maxGroup-len(group), reportsOnly)
			group = append(group, more...)
			keys := g.add(reportsOf(more))
			// On PostgreSQL the late reports are taken to be new rather than
			// looked up, which would cost a round trip under the lock: their
			// rows are plain INSERTs (deferInserts), so one that is stored
			// fails the transaction, and runGroup runs the group again with
			// every report looked up.
			if !reportsOnly {
				if err := t.run(ctx, g.keyReads(keys)); err != nil {
					return err
				}
			}
		}
		if take != nil {
			take.addTo(g)
		}
		if len(g.ps) > 0 {
			if err := g.write(ctx, t); err != nil {
				return err
			}
		}
		if take != nil {
			take.record(t)
		}
		if len(reportsOf(group)) < len(group) {
			// The functions may read what the reports wrote.
			if err := t.flushDeferred(ctx); err != nil {
				return err
			}
		}
		for _, w := range group {
			if w.fn != nil {
				if err := w.fn(ctx, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && take != nil {
		take.answer(db)
	}
	return group, err
}

// reportsOf returns the reports among writes.
func reportsOf(writes []*queuedWrite) []*pendingReport {
	var out []*pendingReport
	for _, w := range writes {
		if w.report != nil {
			out = append(out, w.report)
		}
	}
	return out
}
