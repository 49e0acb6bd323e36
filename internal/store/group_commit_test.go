package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// TestWriteGrouped: writes queued behind a running one share the next
// transaction; one of them failing fails alone, the others are stored,
// and the log stays whole.
func TestWriteGrouped(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "truce.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// A first write holds the transaction until the others have queued.
	// The others start only once it runs: a writer that got in first
	// would lead instead, and the queue would never hold all of them.
	release, running := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.writeGrouped(ctx, func(ctx context.Context, t *tx) error {
			close(running)
			<-release
			_, err := t.putParty(ctx, truce.Party{Code: "AA", Name: "First"}, "test")
			return err
		})
	}()
	<-running
	const n = 20
	boom := errors.New("boom")
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = db.writeGrouped(ctx, func(ctx context.Context, t *tx) error {
				if i == 7 {
					return boom
				}
				_, err := t.putParty(ctx, truce.Party{Code: fmt.Sprintf("P%02d", i), Name: "Party"}, "test")
				return err
			})
		})
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		db.group.mu.Lock()
		queued := len(db.group.queue)
		db.group.mu.Unlock()
		if queued == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", queued, n)
		}
	}
	close(release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if want := error(nil); i == 7 {
			if !errors.Is(err, boom) {
				t.Errorf("write 7: %v, want boom", err)
			}
		} else if err != want {
			t.Errorf("write %d: %v", i, err)
		}
	}
	ps, err := db.Parties(ctx)
	if err != nil || len(ps) != n {
		t.Fatalf("%d parties, %v; want %d", len(ps), err, n)
	}
	size, err := db.LogSize(ctx)
	if err != nil || size != n {
		t.Fatalf("log size %d, %v; want %d", size, err, n)
	}
	// Every leaf's hashes are stored: the tree hash can be computed, and
	// every leaf re-encodes from its record.
	if _, err := tlog.TreeHash(size, db.HashReader(ctx)); err != nil {
		t.Fatal(err)
	}
	es, err := db.LogEntries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		data, err := db.Reencode(ctx, e)
		if err != nil || string(data) != string(e.Data) {
			t.Fatalf("leaf %d does not re-encode: %v", e.Index, err)
		}
	}
}
