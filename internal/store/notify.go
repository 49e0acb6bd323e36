package store

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Waking on log growth. Every write that appends leaves tells the other
// processes of the database: on PostgreSQL a NOTIFY in the same
// transaction as the append (delivered at commit, in commit order, to
// every LISTENing connection of the database), on SQLite nothing, since
// SQLite has no such channel: there a watcher polls the log's size. In
// the process itself the commit wakes the waiters at once, on both.
const (
	// pollSQLite is how often a SQLite watcher reads the log's size, for
	// appends by other processes.
	pollSQLite = 200 * time.Millisecond
	// pollListening is how often a PostgreSQL watcher reads the size
	// while it listens: a safety net only, notifications do the work.
	pollListening = 5 * time.Second
	// pollNotListening is the PostgreSQL watcher's pace while its
	// listening connection is down (and being reconnected).
	pollNotListening = 200 * time.Millisecond
)

// logWatch knows the log's size as last seen and wakes the waiters when
// it grows. The watching goroutine starts with the first WaitLog, so that
// commands that never wait open no extra connection.
type logWatch struct {
	mu      sync.Mutex
	size    int64         // the largest size seen
	changed chan struct{} // closed and replaced when size grows
	started bool
	stop    context.CancelFunc
	done    chan struct{}
}

func newLogWatch() *logWatch {
	return &logWatch{changed: make(chan struct{})}
}

// grew records that the log has (at least) size leaves.
func (w *logWatch) grew(size int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if size > w.size {
		w.size = size
		close(w.changed)
		w.changed = make(chan struct{})
	}
}

// seen returns the largest size seen and the channel closed on the next
// growth.
func (w *logWatch) seen() (int64, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.size, w.changed
}

// close stops the watching goroutine, if it runs, and waits for it.
func (w *logWatch) close() {
	w.mu.Lock()
	stop, done := w.stop, w.done
	w.stop = nil
	w.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// logChannel is the NOTIFY channel of the store's log: one per schema,
// like the log itself (see lockKey).
func (db *DB) logChannel() string {
	return "truce_log_" + strconv.FormatUint(uint64(db.lockKey), 16)
}

// notifyLog returns the statement that tells the database's listeners,
// at commit, that the log now has size leaves; none on SQLite. Run inside
// the write transaction, after the append.
func (t *tx) notifyLog(size int64) []statement {
	if t.db.dialect != Postgres {
		return nil
	}
	return []statement{{query: "SELECT pg_notify(?, ?)", args: []any{t.db.logChannel(), strconv.FormatInt(size, 10)}}}
}

// WaitLog returns the log's size as soon as it is greater than size: at
// once if it already is, else when a write of this process or of another
// one on the same database appends a leaf (on PostgreSQL through
// LISTEN/NOTIFY, on SQLite by reading the size every 200 ms). It returns
// ctx.Err() when ctx ends first.
func (db *DB) WaitLog(ctx context.Context, size int64) (int64, error) {
	db.startWatch()
	if known, _ := db.watch.seen(); known > size {
		return known, nil
	}
	// The watcher may have started just now, or be between two polls: the
	// size of the moment decides whether to wait at all.
	n, err := db.LogSize(ctx)
	if err != nil {
		return 0, err
	}
	db.watch.grew(n)
	for {
		known, changed := db.watch.seen()
		if known > size {
			return known, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// startWatch starts the goroutine that follows other processes' appends.
func (db *DB) startWatch() {
	w := db.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started {
		return
	}
	w.started = true
	ctx, cancel := context.WithCancel(context.Background())
	w.stop, w.done = cancel, make(chan struct{})
	go func() {
		defer close(w.done)
		if db.dialect == Postgres {
			db.listen(ctx)
		} else {
			db.poll(ctx, func() time.Duration { return pollSQLite })
		}
	}()
}

// poll reads the log's size at the pace given until ctx ends.
func (db *DB) poll(ctx context.Context, every func() time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every()):
		}
		if n, err := db.LogSize(ctx); err == nil {
			db.watch.grew(n)
		} else if ctx.Err() == nil {
			db.log.Warn("log watch: read size", "err", err)
		}
	}
}

// listen keeps a dedicated connection LISTENing on the log's channel,
// reconnecting when it drops; a slow poll runs beside it, fast while the
// connection is down, so that no growth is missed for long.
func (db *DB) listen(ctx context.Context) {
	var mu sync.Mutex
	listening := false
	pace := func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		if listening {
			return pollListening
		}
		return pollNotListening
	}
	setListening := func(b bool) { mu.Lock(); listening = b; mu.Unlock() }
	pollDone := make(chan struct{})
	go func() { defer close(pollDone); db.poll(ctx, pace) }()
	defer func() { <-pollDone }()

	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, func() {
			setListening(true)
			backoff = 100 * time.Millisecond
		})
		setListening(false)
		if ctx.Err() != nil {
			return
		}
		db.log.Warn("log watch: listening connection lost", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// listenOnce connects, LISTENs, calls ready, and passes notifications on
// until the connection fails or ctx ends.
func (db *DB) listenOnce(ctx context.Context, ready func()) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+db.logChannel()); err != nil {
		return err
	}
	ready()
	// Appends between the last poll and the LISTEN sent no notification
	// that this connection could see.
	if n, err := db.LogSize(ctx); err == nil {
		db.watch.grew(n)
	}
	for {
		nt, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n, err := strconv.ParseInt(nt.Payload, 10, 64); err == nil {
			db.watch.grew(n)
		}
	}
}

// LogChannel returns the PostgreSQL channel on which every commit that
// appends to this store's log NOTIFYs the log's new size (in decimal):
// one channel per schema. It is empty on SQLite.
func (db *DB) LogChannel() string {
	if db.dialect != Postgres {
		return ""
	}
	return db.logChannel()
}
