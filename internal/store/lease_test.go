package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/truce-monitor/truce/internal/store"
)

// leadTTL is short, so that the test sees leases expire.
const leadTTL = 600 * time.Millisecond

// node is one process's Lead of a job, recording when it runs.
type node struct {
	name    string
	cancel  context.CancelFunc
	done    chan struct{}
	runs    atomic.Int32 // calls of run
	running atomic.Bool
}

// leaders counts the nodes running the job at once, and the most ever.
type leaders struct {
	mu       sync.Mutex
	now, max int
}

func (l *leaders) enter() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now++
	l.max = max(l.max, l.now)
}

func (l *leaders) leave() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now--
}

func lead(db *store.DB, name string, l *leaders) *node {
	ctx, cancel := context.WithCancel(context.Background())
	n := &node{name: name, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(n.done)
		db.Lead(ctx, "pipeline", func(ctx context.Context) {
			n.runs.Add(1)
			l.enter()
			n.running.Store(true)
			<-ctx.Done()
			n.running.Store(false)
			l.leave()
		})
	}()
	return n
}

// eventually waits (up to a generous bound, not a speed goal) for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("never: %s", what)
}

// TestLead: of three stores on one database (three processes), exactly one
// runs the job; when the leader stops, another takes over; when the
// leader's database goes away without releasing its lease (a crash), the
// job stops there and another node takes over once the lease expires; at
// no moment do two nodes run it.
func TestLead(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			dsn := sameDatabase(t, d)
			opt := store.Options{LeaseTTL: leadTTL}
			dbs := []*store.DB{openDSN(t, dsn, opt), openDSN(t, dsn, opt), openDSN(t, dsn, opt)}
			l := &leaders{}
			nodes := []*node{lead(dbs[0], "a", l), lead(dbs[1], "b", l), lead(dbs[2], "c", l)}
			defer func() {
				for _, n := range nodes {
					n.cancel()
					<-n.done
				}
			}()
			leader := func() int {
				for i, n := range nodes {
					if n.running.Load() {
						return i
					}
				}
				return -1
			}
			eventually(t, "a leader", func() bool { return leader() >= 0 })
			// A few renewals later it still leads, alone.
			first := leader()
			time.Sleep(3 * leadTTL)
			if got := leader(); got != first {
				t.Fatalf("leader moved from %s to %d without a failure", nodes[first].name, got)
			}

			// A clean stop releases the lease.
			nodes[first].cancel()
			<-nodes[first].done
			eventually(t, "a second leader", func() bool { l := leader(); return l >= 0 && l != first })
			second := leader()

			// A crash: the leader's store closes under it, so it can
			// neither renew nor release.
			dbs[second].Close()
			eventually(t, "the crashed leader to stop", func() bool { return !nodes[second].running.Load() })
			eventually(t, "a third leader", func() bool { l := leader(); return l >= 0 && l != first && l != second })

			l.mu.Lock()
			most := l.max
			l.mu.Unlock()
			if most != 1 {
				t.Errorf("%d nodes ran the job at once", most)
			}
			for _, n := range nodes {
				if n.runs.Load() != 1 {
					t.Errorf("node %s ran the job %d times, want 1", n.name, n.runs.Load())
				}
			}
		})
	}
}
