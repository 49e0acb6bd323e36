package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
)

// The report queue (PostgreSQL). A report's log index depends on every
// write before it, so appends hold the log's lock through their commit,
// and on PostgreSQL each turn of the lock costs round trips and an fsync.
// In-process group commit shares a turn among one node's writers only;
// writers on several nodes would each take a turn of their own. So on
// PostgreSQL CreateReport first commits its report into report_queue, in
// a transaction of its own that takes no lock: writers of every node
// commit at once, and the server flushes their commits together. Then a
// sequencer, holding the lock, moves every queued report of every node
// into the log in one transaction (duplicate checks, ids, leaves, as
// reportGroup does for a group commit), records each queue row's outcome
// and commits once. A writer is answered only once its report's outcome
// is committed, so the answer is what it was: the stored report, its log
// index, and whether it was created, durably.
//
// Any node sequences: each node runs one driver while it has writers
// waiting, which tries the lock (without waiting for it). Holding it, it
// sequences; else another node is sequencing, and the driver waits for
// the log to grow (LISTEN/NOTIFY, or this process's own commits) and
// then reads its writers' outcomes, which it gets in the same round trip
// as its next try. A queued row whose writer died (a crash between the
// two commits) is sequenced by the next sequencer, or when a store
// opens. Rows sequenced more than queueKeep ago are deleted by the
// sequencer.
//
// SQLite has one writer and no round trips: it keeps the group commit.

// queueBatch bounds the reports one sequencing transaction takes.
const queueBatch = 256

// queueKeep is how long a sequenced row stays for its writer to read.
const queueKeep = 10 * time.Minute

// queueRetry is how long a driver that did not get the lock waits for
// the log to grow before it tries again: a safety net for a lock held by
// a transaction that does not append.
const queueRetry = 20 * time.Millisecond

// reportQueue is a node's writers waiting for their queued reports'
// outcomes.
type reportQueue struct {
	mu      sync.Mutex
	waiting map[string]*queuedReport // by token
	running bool                     // a driver goroutine runs
	// held, if set (by tests), is called by a driver that holds the lock,
	// before it reads the queue.
	held func()
}

// queuedReport is a writer waiting for its report's outcome.
type queuedReport struct {
	ready bool // its row is committed: the driver looks for it
	done  chan queueOutcome
}

type queueOutcome struct {
	r       truce.Report
	created bool
	err     error
}

// createQueued is CreateReport on PostgreSQL: it queues nr, and returns
// its outcome once a sequencer has committed it. Once queued, the report
// is sequenced even if ctx ends, and the caller waits for the outcome.
// Should the driver fail (the database unreachable), the caller gets the
// error, but the row stays queued and a later sequencer stores the
// report: as with a commit whose answer was lost, a retry with the same
// external id then returns it.
func (db *DB) createQueued(ctx context.Context, nr newReport) (truce.Report, bool, error) {
	w := &queuedReport{done: make(chan queueOutcome, 1)}
	if err := db.queueReport(ctx, nr, w); err != nil {
		return truce.Report{}, false, err
	}
	o := <-w.done
	return o.r, o.created, o.err
}

// queueReport commits nr into the queue and, with w, has this process's
// driver wait for its outcome and give it to w.
func (db *DB) queueReport(ctx context.Context, nr newReport, w *queuedReport) error {
	payload, err := json.Marshal(nr.r)
	if err != nil {
		return fmt.Errorf("queue report: %w", err)
	}
	var b [16]byte
	rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	var ext any
	if nr.r.ExternalID != "" {
		ext = nr.r.ExternalID
	}
	q := &db.queue
	if w != nil {
		// Known before the row commits: a driver of this process may
		// sequence it before the INSERT returns.
		q.mu.Lock()
		if q.waiting == nil {
			q.waiting = map[string]*queuedReport{}
		}
		q.waiting[token] = w
		q.mu.Unlock()
	}
	err = db.commitQueued(ctx, statement{
		query: `INSERT INTO report_queue (token, queued_us, submitted_by, external_id, payload, t0_us, t1_us)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
		args: []any{token, time.Now().UnixMicro(), nr.r.SubmittedBy, ext, payload, nr.t0, nr.t1},
	})
	if w == nil {
		return err
	}
	q.mu.Lock()
	if err != nil {
		delete(q.waiting, token)
		q.mu.Unlock()
		return fmt.Errorf("queue report: %w", err)
	}
	w.ready = true
	lead := !q.running
	q.running = true
	q.mu.Unlock()
	if lead {
		go db.driveQueue()
	}
	return nil
}

// commitQueued runs the queue's INSERT in a transaction of its own, in
// one round trip, committed without waiting for the WAL's flush
// (synchronous_commit off): its writer is answered only once the
// sequencing transaction, later in the WAL, has been flushed, and a
// flush writes all the WAL before it, so the report is as durable as
// ever when its writer hears of it. Should the server crash before that
// flush, the row may be lost with the writer still waiting: as with any
// transaction whose commit was not acknowledged, nothing was promised.
// Meanwhile, the writers of every node commit their reports without
// waiting for one fsync each.
func (db *DB) commitQueued(ctx context.Context, insert statement) error {
	c, err := db.rw.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	t := &tx{db: db, conn: c}
	err = t.run(ctx, []statement{{query: "BEGIN"}, {query: "SET LOCAL synchronous_commit = off"}, insert, {query: "COMMIT"}})
	if err != nil {
		// Not to leave the connection in a transaction (a no-op after
		// the COMMIT).
		c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	}
	return err
}

// driveQueue sequences or waits, until no writer of this process waits.
func (db *DB) driveQueue() {
	ctx := context.Background()
	q := &db.queue
	for {
		q.mu.Lock()
		var tokens []string
		for tok, w := range q.waiting {
			if w.ready {
				tokens = append(tokens, tok)
			}
		}
		if len(tokens) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		p, err := db.sequencePass(ctx, true, tokens)
		if err != nil {
			db.log.Warn("report queue: sequencing failed", "err", err)
			for _, tok := range tokens {
				q.answer(tok, queueOutcome{err: err})
			}
			continue
		}
		for tok, o := range p.outcomes {
			q.answer(tok, o)
		}
		if p.locked {
			if p.pending == 0 {
				// Holding the lock, it found none of its rows queued or
				// sequenced: they are gone (pruned, or deleted by hand).
				for _, tok := range tokens {
					if _, ok := p.outcomes[tok]; !ok {
						q.answer(tok, queueOutcome{err: fmt.Errorf("%w: its queue row is gone", errQueueFailed)})
					}
				}
			}
			continue // answered what it sequenced; more may have queued
		}
		// Another node holds the lock: wait for it to append, or for a
		// little while, then look again.
		if !q.anyWaiting(tokens) {
			continue
		}
		db.startWatch()
		if known, changed := db.watch.seen(); known <= p.size {
			select {
			case <-changed:
			case <-time.After(queueRetry):
			}
		}
	}
}

// answer gives the writer of token its outcome, if it still waits here.
func (q *reportQueue) answer(token string, o queueOutcome) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if w, ok := q.waiting[token]; ok {
		delete(q.waiting, token)
		w.done <- o
	}
}

// anyWaiting reports whether a writer of tokens still waits.
func (q *reportQueue) anyWaiting(tokens []string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, tok := range tokens {
		if _, ok := q.waiting[tok]; ok {
			return true
		}
	}
	return false
}

// queuePass is what one sequencing pass did.
type queuePass struct {
	locked   bool                    // it held the lock (and sequenced)
	size     int64                   // the log's size it saw
	pending  int                     // queued rows it took
	outcomes map[string]queueOutcome // of its tokens, and of what it sequenced
}

// queuedRow is a queue row taken for sequencing.
type queuedRow struct {
	token    string
	p        *pendingReport
	failure  string // the row cannot be stored: why
	storedID int64  // a stored report with its key, 0 if none
}

// errQueueFailed wraps a queue row's failure for its writer.
var errQueueFailed = errors.New("report not stored")

// sequencePass runs one sequencing transaction: with try, only if the
// log's lock is free at once. Holding the lock, it stores up to
// queueBatch queued reports, of every node, in queue order, and records
// their outcomes. Either way it returns the outcomes of tokens (this
// process's waiting writers) that are committed, by it or before.
func (db *DB) sequencePass(ctx context.Context, try bool, tokens []string) (queuePass, error) {
	var (
		rows     []*queuedRow
		outcomes = map[string]queueOutcome{}
		done     = map[string]int64{} // tokens sequenced before: their reports' ids
		created  = map[string]bool{}
	)
	first := func(t *tx) []statement {
		return []statement{
			{
				query: "SELECT COALESCE(MAX(id), 0) + 1 FROM reports",
				scan: func(rs rowScanner) error {
					var id int64
					if !rs.Next() {
						return fmt.Errorf("next reports id: %w", rs.Err())
					}
					if err := rs.Scan(&id); err != nil {
						return fmt.Errorf("next reports id: %w", err)
					}
					t.nextIDs = map[string]int64{"reports": id}
					return nil
				},
			},
			{
				// Skipped, without the lock: its snapshot would predate
				// the holder's commit.
				query: `SELECT q.token, q.payload, q.t0_us, q.t1_us, r.id
					FROM report_queue q LEFT JOIN reports r ON r.submitted_by = q.submitted_by AND r.external_id = q.external_id
					WHERE current_setting('truce.locked', true) IS DISTINCT FROM 'false' AND q.done_us IS NULL
					ORDER BY q.queued_us, q.token LIMIT ?`,
				args: []any{queueBatch},
				scan: func(rs rowScanner) error {
					rows = rows[:0]
					for rs.Next() {
						var row queuedRow
						var payload []byte
						var nr newReport
						var stored *int64
						if err := rs.Scan(&row.token, &payload, &nr.t0, &nr.t1, &stored); err != nil {
							return fmt.Errorf("queued reports: %w", err)
						}
						if err := json.Unmarshal(payload, &nr.r); err != nil {
							row.failure = fmt.Sprintf("queued report unreadable: %v", err)
						}
						if stored != nil {
							row.storedID = *stored
						}
						row.p = &pendingReport{nr: nr}
						rows = append(rows, &row)
					}
					return rs.Err()
				},
			},
			{
				query: "SELECT token, report_id, created, failure FROM report_queue WHERE token = ANY(?) AND done_us IS NOT NULL",
				args:  []any{tokens},
				scan: func(rs rowScanner) error {
					clear(done)
					for rs.Next() {
						var tok string
						var id *int64
						var c *bool
						var failure *string
						if err := rs.Scan(&tok, &id, &c, &failure); err != nil {
							return fmt.Errorf("queue outcomes: %w", err)
						}
						switch {
						case failure != nil:
							outcomes[tok] = queueOutcome{err: fmt.Errorf("%w: %s", errQueueFailed, *failure)}
						case id != nil:
							done[tok], created[tok] = *id, c != nil && *c
						}
					}
					return rs.Err()
				},
			},
		}
	}
	var pass queuePass
	err := db.writeRawTry(ctx, try, first, func(t *tx) error {
		pass.locked, pass.size = t.locked, t.log.size
		if !t.locked {
			return nil
		}
		if db.queue.held != nil {
			db.queue.held()
		}
		pass.pending = len(rows)
		return db.sequenceRows(ctx, t, rows)
	})
	if err != nil {
		return queuePass{}, err
	}
	for _, row := range rows {
		switch {
		case !pass.locked:
		case row.failure != "":
			outcomes[row.token] = queueOutcome{err: fmt.Errorf("%w: %s", errQueueFailed, row.failure)}
		default:
			outcomes[row.token] = queueOutcome{r: row.p.stored, created: row.p.created}
		}
	}
	if len(done) > 0 {
		// Sequenced by another node: the reports are read back.
		ids := make([]int64, 0, len(done))
		for _, id := range done {
			ids = append(ids, id)
		}
		rs, err := db.reports(ctx, db.ro, "SELECT "+reportCols+" FROM reports WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
		if err != nil {
			return queuePass{}, err
		}
		byID := map[int64]truce.Report{}
		for _, r := range rs {
			byID[r.ID] = r
		}
		for tok, id := range done {
			r, ok := byID[id]
			if !ok {
				outcomes[tok] = queueOutcome{err: fmt.Errorf("queued report: stored report %d not found", id)}
				continue
			}
			outcomes[tok] = queueOutcome{r: r, created: created[tok]}
		}
	}
	pass.outcomes = outcomes
	return pass, nil
}

// sequenceRows stores the queued rows in t, which holds the lock, as a
// group commit's reports are (reportGroup), and queues the statements
// that record their outcomes and prune old rows, run with the log's rows.
func (db *DB) sequenceRows(ctx context.Context, t *tx, rows []*queuedRow) error {
	if len(rows) == 0 {
		return nil
	}
	g := &reportGroup{}
	var ok []*queuedRow
	for _, row := range rows {
		if row.failure == "" {
			ok = append(ok, row)
			g.add([]*pendingReport{row.p})
		}
	}
	if len(ok) > 0 {
		// The duplicate checks came with the queue (the join), read with
		// the lock held.
		for _, row := range ok {
			k := reportKey{row.p.nr.r.SubmittedBy, row.p.nr.r.ExternalID}
			if k.ext != "" && row.storedID != 0 {
				g.found[k] = row.storedID
			}
		}
		if err := g.write(ctx, t); err != nil {
			return err
		}
	}
	wall := time.Now().UnixMicro()
	tokens, ids, created := make([]string, len(ok)), make([]int64, len(ok)), make([]bool, len(ok))
	for i, row := range ok {
		tokens[i], ids[i], created[i] = row.token, row.p.stored.ID, row.p.created
	}
	if len(ok) > 0 {
		t.deferred = append(t.deferred, statement{
			query: `UPDATE report_queue SET report_id = v.id, created = v.created, done_us = ?
				FROM unnest(?::text[], ?::bigint[], ?::boolean[]) AS v(token, id, created)
				WHERE report_queue.token = v.token`,
			args: []any{wall, tokens, ids, created},
		})
	}
	for _, row := range rows {
		if row.failure != "" {
			t.deferred = append(t.deferred, statement{
				query: "UPDATE report_queue SET failure = ?, done_us = ? WHERE token = ?",
				args:  []any{row.failure, wall, row.token},
			})
		}
	}
	t.deferred = append(t.deferred, statement{
		query: "DELETE FROM report_queue WHERE done_us < ?",
		args:  []any{wall - queueKeep.Microseconds()},
	})
	return nil
}

// sequenceQueued stores every report left queued (by writers that died
// before their report was sequenced), waiting for the lock: a store
// opening on PostgreSQL calls it, so that nothing queued waits for the
// next writer.
func (db *DB) sequenceQueued(ctx context.Context) error {
	for {
		var n int
		if err := db.queryRow(ctx, db.ro, "SELECT COUNT(*) FROM report_queue WHERE done_us IS NULL").Scan(&n); err != nil {
			return fmt.Errorf("report queue: %w", err)
		}
		if n == 0 {
			return nil
		}
		p, err := db.sequencePass(ctx, false, nil)
		if err != nil {
			return fmt.Errorf("report queue: %w", err)
		}
		db.log.Info("report queue: sequenced reports left queued", "reports", p.pending)
	}
}
