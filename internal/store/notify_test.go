package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// sameDatabase returns a DSN for a fresh database of the dialect that
// several stores can open, as several processes would.
func sameDatabase(t *testing.T, dialect string) string {
	t.Helper()
	if dialect == store.Postgres {
		return freshSchema(t)
	}
	return filepath.Join(t.TempDir(), "truce.db")
}

func openDSN(t *testing.T, dsn string, opt store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// putParty appends one leaf.
func putParty(t *testing.T, db *store.DB, code string) {
	t.Helper()
	if _, err := db.PutParty(context.Background(), truce.Party{Code: code, Name: "Party " + code}, "admin"); err != nil {
		t.Fatal(err)
	}
}

type waited struct {
	size int64
	err  error
}

func waitLog(ctx context.Context, db *store.DB, size int64) <-chan waited {
	ch := make(chan waited, 1)
	go func() {
		n, err := db.WaitLog(ctx, size)
		ch <- waited{n, err}
	}()
	return ch
}

// TestWaitLog: WaitLog returns at once when the log is already longer,
// wakes on a write of the same store and on one of another store of the
// same database (another process), and gives up when ctx ends.
func TestWaitLog(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			dsn := sameDatabase(t, d)
			a := openDSN(t, dsn, store.Options{})
			b := openDSN(t, dsn, store.Options{})

			if n, err := a.WaitLog(ctx, -1); err != nil || n != 0 {
				t.Fatalf("WaitLog(-1) on an empty log = %d, %v; want 0", n, err)
			}
			putParty(t, a, "AA")
			if n, err := b.WaitLog(ctx, 0); err != nil || n != 1 {
				t.Fatalf("WaitLog(0) after one leaf = %d, %v; want 1", n, err)
			}

			// The same store's write.
			w := waitLog(ctx, a, 1)
			putParty(t, a, "BB")
			if got := <-w; got.err != nil || got.size != 2 {
				t.Fatalf("woken by own write: %d, %v; want 2", got.size, got.err)
			}
			// Another store's writes: b waits while a writes, and the
			// other way round.
			for i, pair := range [][2]*store.DB{{b, a}, {a, b}} {
				waiter, writer := pair[0], pair[1]
				size := int64(2 + i)
				w := waitLog(ctx, waiter, size)
				putParty(t, writer, fmt.Sprintf("C%d", i))
				if got := <-w; got.err != nil || got.size != size+1 {
					t.Fatalf("woken by the other store (%d): %d, %v; want %d", i, got.size, got.err, size+1)
				}
			}

			short, stop := context.WithCancel(ctx)
			w = waitLog(short, a, 100)
			stop()
			if got := <-w; !errors.Is(got.err, context.Canceled) {
				t.Fatalf("WaitLog after cancel: %d, %v; want context.Canceled", got.size, got.err)
			}
		})
	}
}

// TestLogNotify: on PostgreSQL every commit that appends NOTIFYs the new
// size on LogChannel, so that listeners on any node see it, and a write
// that appends nothing sends nothing.
func TestLogNotify(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := mustOpen(t, store.Postgres, newClock())
	conn, err := pgx.Connect(ctx, os.Getenv(pgEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if db.LogChannel() == "" {
		t.Fatal("no log channel on PostgreSQL")
	}
	if _, err := conn.Exec(ctx, "LISTEN "+db.LogChannel()); err != nil {
		t.Fatal(err)
	}
	putParty(t, db, "AA")
	putParty(t, db, "BB")
	// Party AA again, unchanged: no leaf, no notification.
	putParty(t, db, "AA")
	putParty(t, db, "CC")
	for _, want := range []int64{1, 2, 3} {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n.Channel != db.LogChannel() || n.Payload != strconv.FormatInt(want, 10) {
			t.Fatalf("notification %q on %q, want %d on %q", n.Payload, n.Channel, want, db.LogChannel())
		}
	}
	if MustOpenDB(t).LogChannel() != "" {
		t.Error("SQLite store has a log channel")
	}
}

// TestConcurrentCreateReport: many writers at once (their writes share
// transactions), some sending the same report: each report is stored
// once, every writer learns its id, and the log holds one leaf a report.
func TestConcurrentCreateReport(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		const writers, each = 16, 10
		ids := make([][]int64, writers)
		created := make([]int, writers)
		errs := make(chan error, writers*each)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for j := range each {
					r := fullReport()
					// Writers w and w+8 send the same reports.
					r.ExternalID = fmt.Sprintf("r%d-%d", w%8, j)
					c, err := db.CreateReport(ctx, &r)
					if err != nil {
						errs <- err
						return
					}
					if c {
						created[w]++
					}
					ids[w] = append(ids[w], r.ID)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		total := 0
		for w := range writers {
			total += created[w]
			if w < 8 && !slices.Equal(ids[w], ids[w+8]) {
				t.Errorf("writers %d and %d got ids %v and %v for the same reports", w, w+8, ids[w], ids[w+8])
			}
		}
		if total != 8*each {
			t.Errorf("%d reports created, want %d", total, 8*each)
		}
		checkLog(t, db, 8*each)
	})
}

// TestWaitLogReconnect: when the listening connection is cut (a
// PostgreSQL restart, a network failure), waiters are still woken, and
// the store listens again on a new connection.
func TestWaitLogReconnect(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn := sameDatabase(t, store.Postgres)
	a := openDSN(t, dsn, store.Options{})
	b := openDSN(t, dsn, store.Options{})
	admin, err := pgx.Connect(ctx, os.Getenv(pgEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	listeners := func() []int32 {
		rows, err := admin.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE query = $1", "LISTEN "+a.LogChannel())
		if err != nil {
			t.Fatal(err)
		}
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			t.Fatal(err)
		}
		return pids
	}
	waitListening := func() []int32 {
		for {
			if pids := listeners(); len(pids) == 1 {
				return pids
			}
			select {
			case <-ctx.Done():
				t.Fatal("store a never listened")
			case <-time.After(20 * time.Millisecond):
			}
		}
	}

	putParty(t, b, "AA")
	if n, err := a.WaitLog(ctx, 0); err != nil || n != 1 {
		t.Fatalf("WaitLog(0) = %d, %v", n, err)
	}
	first := waitListening()
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend($1)", first[0]); err != nil {
		t.Fatal(err)
	}
	w := waitLog(ctx, a, 1)
	putParty(t, b, "BB")
	if got := <-w; got.err != nil || got.size != 2 {
		t.Fatalf("after the cut: %d, %v; want 2", got.size, got.err)
	}
	if again := waitListening(); again[0] == first[0] {
		t.Fatalf("still the terminated backend %d", first[0])
	}
	w = waitLog(ctx, a, 2)
	putParty(t, b, "CC")
	if got := <-w; got.err != nil || got.size != 3 {
		t.Fatalf("after reconnecting: %d, %v; want 3", got.size, got.err)
	}
}
