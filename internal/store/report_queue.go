package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
)

// The report queue (PostgreSQL, with report_queue=on in the store's URL;
// see reportQueueOption for why it is off by default). Leftover queued
// rows are stored when a store opens, whether it is on or not.
//
// A report's log index depends on every
// write before it, so appends hold the log's lock through their commit,
// and on PostgreSQL each turn of the lock costs round trips and an fsync.
// Group commit shares a turn among one process's writers; writers on
// several nodes would each wait for a turn of their own. So on PostgreSQL
// a group's transaction only tries the lock (pg_try_advisory_xact_lock).
// Holding it, the group is written as on SQLite, together with every
// report other nodes have queued. Finding it taken, the same transaction
// commits the group's reports into report_queue instead, without the
// lock, and ends: writers of every node queue at once, and whichever
// transaction holds the lock next stores everything queued, with one
// duplicate check against the stored reports (under the lock), one
// addReports call, and one commit, recording each queue row's outcome.
// A writer is answered only once its report's outcome is committed, so
// the answer is what it was: the stored report, its log index, and
// whether it was created, durably.
//
// The queued writers of a node are answered by its driver, which waits
// for the log to grow (LISTEN/NOTIFY, or this process's own commits) and
// reads their outcomes; it tries the lock itself only when the log has
// not grown for queueRetry. A queued row whose writer died (a crash
// between the two commits) is stored by the next transaction that holds
// the lock, or when a store opens. Rows sequenced more than queueKeep
// ago are deleted by the sequencer.
//
// SQLite has one writer connection and no round trips: it does not queue.

// reportQueueOption returns dsn without its report_queue parameter, and
// whether it was on. The queue is off by default: measured on a 2-core
// machine whose fsync takes 0.2 ms (BenchmarkStores, README), the writers
// of several nodes did no better queueing than waiting for the lock, and
// with several writers a node worse (1.0-1.4k against 1.8-2.2k reports/s
// for 16 writers over 4 nodes), for 1.5 times the server's CPU a report:
// a queued report costs statements of its own (the failed try, the
// queue's insert, the reads of its outcome) that waiting for the lock does
// not. It is meant for servers whose commits wait long for the disk.
func reportQueueOption(dsn string) (string, bool, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", false, fmt.Errorf("open postgres: %w", err)
	}
	q := u.Query()
	v, ok := q["report_queue"]
	if !ok {
		return dsn, false, nil
	}
	q.Del("report_queue")
	u.RawQuery = q.Encode()
	switch v[len(v)-1] {
	case "on", "true", "1":
		return u.String(), true, nil
	case "off", "false", "0":
		return u.String(), false, nil
	}
	return "", false, fmt.Errorf("open postgres: report_queue=%q: want on or off", v[len(v)-1])
}

// queueBatch bounds the reports one sequencing transaction takes.
const queueBatch = 256

// queueKeep is how long a sequenced row stays for its writer to read.
const queueKeep = 10 * time.Minute

// queueSticky is how long after its last queued report a process goes on
// queueing straight away: the lock is likely taken again.
const queueSticky = 50 * time.Millisecond

// queueRetry is how long a driver that did not get the lock waits for
// the log to grow before it tries again: a safety net for a lock held by
// a transaction that does not append.
const queueRetry = 20 * time.Millisecond

// reportQueue is a node's writers waiting for their queued reports'
// outcomes.
type reportQueue struct {
	on      bool // report_queue=on in the URL: groups queue (see reportQueueOption)
	mu      sync.Mutex
	waiting map[string]*queuedReport // by token
	running bool                     // a driver goroutine runs
	// contended is when a report of this process was last queued: for
	// queueSticky after it, new reports queue straight away (busy).
	contended time.Time
	// held, if set (by tests), is called by a driver that holds the lock,
	// before it reads the queue.
	held func()
}

// queuedReport is a writer waiting for its report's outcome.
type queuedReport struct {
	ready  bool // its row is committed: the driver looks for it
	answer func(queueOutcome)
}

type queueOutcome struct {
	r       truce.Report
	created bool
	err     error
}

// errQueued is a group's transaction finding the log's lock taken by
// another: it committed the group's reports into the queue instead, and
// the driver answers their writers (runWrites).
var errQueued = errors.New("queued: the log's lock is taken")

// queueGroup commits the reports of group into the queue, in t if not
// nil (a transaction that tried the lock and did not get it), and has this
// process's driver answer each writer once its report is sequenced.
// Once queued, a report is sequenced even if its writer gives up. Should
// the driver fail (the database unreachable), the writer gets the error,
// but the row stays queued and a later sequencer stores the report: as
// with a commit whose answer was lost, a retry with the same external id
// then returns it.
func (db *DB) queueGroup(ctx context.Context, t *tx, group []*queuedWrite) error {
	nrs, ws := queueWaiters(group)
	var commit func([]statement) error
	if t != nil {
		commit = func(inserts []statement) error {
			// COMMIT, not ROLLBACK: the transaction holds no lock and
			// has written nothing else; not waiting for the flush, as
			// commitQueued.
			stmts := append([]statement{{query: "SET LOCAL synchronous_commit = off"}}, inserts...)
			err := t.run(ctx, append(stmts, statement{query: "COMMIT"}))
			t.ended = err == nil
			return err
		}
	}
	return db.queueReports(ctx, nrs, ws, commit)
}

// queueWaiters returns the reports of group, and for each a waiter that
// answers its writer.
func queueWaiters(group []*queuedWrite) ([]newReport, []*queuedReport) {
	nrs := make([]newReport, len(group))
	ws := make([]*queuedReport, len(group))
	for i, w := range group {
		nrs[i] = w.report.nr
		ws[i] = &queuedReport{answer: func(o queueOutcome) {
			w.report.stored, w.report.created = o.r, o.created
			w.done <- o.err
		}}
	}
	return nrs, ws
}

// queueReports commits nrs into the queue in one transaction (through
// commit, if not nil) and, with ws, has this process's driver wait for
// their outcomes and give each its own.
func (db *DB) queueReports(ctx context.Context, nrs []newReport, ws []*queuedReport, commit func([]statement) error) error {
	const cols = 7
	args := make([]any, 0, cols*len(nrs))
	tokens := make([]string, len(nrs))
	now := time.Now().UnixMicro()
	for i, nr := range nrs {
		payload, err := json.Marshal(nr.r)
		if err != nil {
			return fmt.Errorf("queue report: %w", err)
		}
		var b [16]byte
		rand.Read(b[:])
		tokens[i] = hex.EncodeToString(b[:])
		var ext any
		if nr.r.ExternalID != "" {
			ext = nr.r.ExternalID
		}
		// One microsecond apart, to keep their order in the queue.
		args = append(args, tokens[i], now+int64(i), nr.r.SubmittedBy, ext, payload, nr.t0, nr.t1)
	}
	q := &db.queue
	if ws != nil {
		// Known before the rows commit: a sequencer of this process may
		// take them before the INSERT returns.
		q.mu.Lock()
		if q.waiting == nil {
			q.waiting = map[string]*queuedReport{}
		}
		for i, w := range ws {
			q.waiting[tokens[i]] = w
		}
		q.mu.Unlock()
	}
	inserts := insertStatements("report_queue",
		[]string{"token", "queued_us", "submitted_by", "external_id", "payload", "t0_us", "t1_us"}, args)
	var err error
	if commit != nil {
		err = commit(inserts)
	} else {
		err = db.commitQueued(ctx, inserts)
	}
	if err != nil {
		err = fmt.Errorf("queue report: %w", err)
	}
	if ws == nil {
		return err
	}
	q.mu.Lock()
	if err != nil {
		for _, tok := range tokens {
			delete(q.waiting, tok)
		}
		q.mu.Unlock()
		return err
	}
	for _, w := range ws {
		w.ready = true
	}
	q.contended = time.Now()
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
func (db *DB) commitQueued(ctx context.Context, inserts []statement) error {
	c, err := db.rw.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	t := &tx{db: db, conn: c}
	stmts := append([]statement{{query: "BEGIN"}, {query: "SET LOCAL synchronous_commit = off"}}, inserts...)
	err = t.run(ctx, append(stmts, statement{query: "COMMIT"}))
	if err != nil {
		// Not to leave the connection in a transaction (a no-op after
		// the COMMIT).
		c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	}
	return err
}

// driveQueue answers this process's queued writers, until none waits.
// Their reports were queued because another transaction held the lock:
// the holder, or whichever transaction holds it next (a sequencing pass
// or a group commit of any node), stores them with its own. So the
// driver waits for the log to grow and reads their outcomes. Only when
// the log has not grown for queueRetry (no one else is writing) does it
// try the lock itself: were every waiting node to try whenever the log
// grows, their attempts would slow the holder down, for one of them to
// get the lock. Once it got it, the driver sequences: pass after pass,
// each waiting for the lock in turn and taking what every node queued
// meanwhile, until a pass finds nothing queued.
func (db *DB) driveQueue() {
	ctx := context.Background()
	q := &db.queue
	db.startWatch()
	_, changed := db.watch.seen()
	sequencing := false
	for {
		tokens := q.ready(sequencing)
		if len(tokens) == 0 && !sequencing {
			return
		}
		try := false
		if !sequencing {
			select {
			case <-changed:
			case <-time.After(queueRetry):
				try = true
			}
		}
		// Taken before the reads: growth from here on wakes the next wait.
		_, changed = db.watch.seen()
		outcomes := map[string]queueOutcome{}
		var err error
		if !sequencing {
			outcomes, err = db.queueOutcomes(ctx, tokens)
		}
		if err == nil && (sequencing || try && len(outcomes) < len(tokens)) {
			var p queuePass
			if p, err = db.sequencePass(ctx, try); err == nil {
				// Sequencing goes on while there is work: queued rows,
				// or writers of this process (who queue straight away
				// meanwhile, see busy).
				sequencing = p.locked && (p.pending > 0 || q.busy())
				maps.Copy(outcomes, p.outcomes)
				var rest []string
				for _, tok := range tokens {
					if _, ok := outcomes[tok]; !ok {
						rest = append(rest, tok)
					}
				}
				// Stored by another node in the meantime?
				more, err2 := db.queueOutcomes(ctx, rest)
				maps.Copy(outcomes, more)
				err = err2
				if err == nil && p.locked && p.pending == 0 {
					// Holding the lock, it found none queued: the rows
					// it did not find sequenced are gone (pruned, or
					// deleted by hand).
					for _, tok := range rest {
						if _, ok := outcomes[tok]; !ok {
							outcomes[tok] = queueOutcome{err: fmt.Errorf("%w: its queue row is gone", errQueueFailed)}
						}
					}
				}
			}
		}
		if err != nil {
			sequencing = false
			db.log.Warn("report queue: sequencing failed", "err", err)
			for _, tok := range tokens {
				q.answer(tok, queueOutcome{err: err})
			}
			continue
		}
		for tok, o := range outcomes {
			q.answer(tok, o)
		}
	}
}

// busy reports whether writers of this process wait for queued reports:
// another node holds the lock, or this process's driver sequences. New
// groups then queue their reports straight away (runGroup), rather than
// try the lock first.
func (q *reportQueue) busy() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting) > 0 || time.Since(q.contended) < queueSticky
}

// ready returns the tokens of the writers whose rows are committed; if
// there are none and the driver is not to stay, it marks it stopped.
func (q *reportQueue) ready(stay bool) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var tokens []string
	for tok, w := range q.waiting {
		if w.ready {
			tokens = append(tokens, tok)
		}
	}
	if len(tokens) == 0 && !stay {
		q.running = false
	}
	return tokens
}

// queueOutcomes returns the outcomes of the rows of tokens that are
// sequenced, with their reports as stored.
func (db *DB) queueOutcomes(ctx context.Context, tokens []string) (map[string]queueOutcome, error) {
	outcomes := map[string]queueOutcome{}
	if len(tokens) == 0 {
		return outcomes, nil
	}
	rows, err := db.ro.QueryContext(ctx, "SELECT token, report_id, created, failure FROM report_queue WHERE token = ANY($1) AND done_us IS NOT NULL", tokens)
	if err != nil {
		return nil, fmt.Errorf("queue outcomes: %w", err)
	}
	defer rows.Close()
	done := map[string]int64{}
	created := map[string]bool{}
	for rows.Next() {
		var tok string
		var id sql.NullInt64
		var c sql.NullBool
		var failure sql.NullString
		if err := rows.Scan(&tok, &id, &c, &failure); err != nil {
			return nil, fmt.Errorf("queue outcomes: %w", err)
		}
		switch {
		case failure.Valid:
			outcomes[tok] = queueOutcome{err: fmt.Errorf("%w: %s", errQueueFailed, failure.String)}
		case id.Valid:
			done[tok], created[tok] = id.Int64, c.Bool
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queue outcomes: %w", err)
	}
	if len(done) == 0 {
		return outcomes, nil
	}
	ids := make([]int64, 0, len(done))
	for _, id := range done {
		ids = append(ids, id)
	}
	rs, err := db.reports(ctx, db.ro, "SELECT "+reportCols+" FROM reports WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, err
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
	return outcomes, nil
}

// answer gives the writer of token its outcome, if it still waits here.
func (q *reportQueue) answer(token string, o queueOutcome) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if w, ok := q.waiting[token]; ok {
		delete(q.waiting, token)
		w.answer(o)
	}
}

// queuePass is what one sequencing pass did.
type queuePass struct {
	locked   bool                    // it held the lock (and sequenced)
	pending  int                     // queued rows it took
	outcomes map[string]queueOutcome // of its tokens, and of what it sequenced
}

// queueTake is the queued rows a transaction holding the lock takes, to
// store them with its own reports: a sequencing pass, or a group commit
// on PostgreSQL (runWrites), so that whichever node holds the lock
// stores what every node has queued.
type queueTake struct {
	rows []*queuedRow
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

// read returns the statement that reads the queued rows, oldest first,
// with the id of any stored report with the same key: the duplicate
// check, read with the lock held. In a transaction that only tried the
// lock and did not get it, it reads nothing (its snapshot could predate
// the holder's commit, and its rows are not this transaction's to take).
func (q *queueTake) read() statement {
	return statement{
		query: `SELECT q.token, q.payload, q.t0_us, q.t1_us, r.id
			FROM report_queue q LEFT JOIN reports r ON r.submitted_by = q.submitted_by AND r.external_id = q.external_id
			WHERE current_setting('truce.locked', true) IS DISTINCT FROM 'false' AND q.done_us IS NULL
			ORDER BY q.queued_us, q.token LIMIT ?`,
		args: []any{queueBatch},
		scan: func(rs rowScanner) error {
			q.rows = q.rows[:0]
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
				q.rows = append(q.rows, &row)
			}
			return rs.Err()
		},
	}
}

// addTo adds the rows to g, after g's own reads, ahead of g's own
// reports: they were queued first, so of two reports with one key the
// queued one is stored and the other comes back as it.
func (q *queueTake) addTo(g *reportGroup) {
	own := g.ps
	g.ps = nil
	for _, row := range q.rows {
		if row.failure != "" {
			continue
		}
		g.add([]*pendingReport{row.p})
		if k := (reportKey{row.p.nr.r.SubmittedBy, row.p.nr.r.ExternalID}); k.ext != "" && row.storedID != 0 {
			g.found[k] = row.storedID
		}
	}
	g.ps = append(g.ps, own...)
}

// record queues in t, once g has written the rows, the statements that
// record their outcomes and prune the rows sequenced long ago; they run
// with the log's rows.
func (q *queueTake) record(t *tx) {
	if len(q.rows) == 0 {
		return
	}
	wall := time.Now().UnixMicro()
	var tokens []string
	var ids []int64
	var created []bool
	for _, row := range q.rows {
		if row.failure != "" {
			t.deferred = append(t.deferred, statement{
				query: "UPDATE report_queue SET failure = ?, done_us = ? WHERE token = ?",
				args:  []any{row.failure, wall, row.token},
			})
			continue
		}
		tokens, ids, created = append(tokens, row.token), append(ids, row.p.stored.ID), append(created, row.p.created)
	}
	if len(tokens) > 0 {
		t.deferred = append(t.deferred, statement{
			query: `UPDATE report_queue SET report_id = v.id, created = v.created, done_us = ?
				FROM unnest(?::text[], ?::bigint[], ?::boolean[]) AS v(token, id, created)
				WHERE report_queue.token = v.token`,
			args: []any{wall, tokens, ids, created},
		})
	}
	t.deferred = append(t.deferred, statement{
		query: "DELETE FROM report_queue WHERE done_us < ?",
		args:  []any{wall - queueKeep.Microseconds()},
	})
}

// outcomes returns the rows' outcomes, once committed, by token.
func (q *queueTake) outcomes(into map[string]queueOutcome) {
	for _, row := range q.rows {
		if row.failure != "" {
			into[row.token] = queueOutcome{err: fmt.Errorf("%w: %s", errQueueFailed, row.failure)}
		} else {
			into[row.token] = queueOutcome{r: row.p.stored, created: row.p.created}
		}
	}
}

// answer answers this process's writers of the rows, once committed.
func (q *queueTake) answer(db *DB) {
	if len(q.rows) == 0 {
		return
	}
	out := map[string]queueOutcome{}
	q.outcomes(out)
	for tok, o := range out {
		db.queue.answer(tok, o)
	}
}

// sequencePass runs one sequencing transaction: with try, only if the
// log's lock is free at once. Holding the lock, it stores up to
// queueBatch queued reports, of every node, in queue order, records their
// outcomes, and returns them.
func (db *DB) sequencePass(ctx context.Context, try bool) (queuePass, error) {
	take, g := &queueTake{}, &reportGroup{}
	g.add(nil)
	first := func(t *tx) []statement { return append(g.reads(t), take.read()) }
	var pass queuePass
	err := db.writeRawTry(ctx, try, first, func(t *tx) error {
		pass.locked = t.locked
		if !t.locked {
			return nil
		}
		if db.queue.held != nil {
			db.queue.held()
		}
		pass.pending = len(take.rows)
		take.addTo(g)
		if len(g.ps) > 0 {
			if err := g.write(ctx, t); err != nil {
				return err
			}
		}
		take.record(t)
		return nil
	})
	if err != nil {
		return queuePass{}, err
	}
	pass.outcomes = map[string]queueOutcome{}
	if pass.locked {
		take.outcomes(pass.outcomes)
	}
	return pass, nil
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
		p, err := db.sequencePass(ctx, false)
		if err != nil {
			return fmt.Errorf("report queue: %w", err)
		}
		db.log.Info("report queue: sequenced reports left queued", "reports", p.pending)
	}
}
