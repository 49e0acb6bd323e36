package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"
)

// defaultLeaseTTL is how long a lease lasts unrenewed, unless
// Options.LeaseTTL says otherwise: a dead leader's job waits at most this
// long for another process to take it over.
const defaultLeaseTTL = 15 * time.Second

// Leases are rows of the leases table, taken and renewed by one UPSERT
// that succeeds only for the holder or once the lease has expired. The
// same statement works on SQLite, PostgreSQL and the distributed SQL
// engines that speak PostgreSQL (an advisory lock would not: see the
// README). Expiry is wall-clock time, not the store's injected clock: it
// is measured between processes, so their clocks must agree to well
// within the TTL (NTP does far better).
const leaseUpsert = `INSERT INTO leases (job, holder, expires_us) VALUES (?, ?, ?)
ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_us = excluded.expires_us
WHERE leases.holder = excluded.holder OR leases.expires_us < ?`

// Lead blocks until ctx ends, calling run only while this process holds
// the lease of job, so that a background job runs on one node only. The
// leader renews its lease every third of the TTL; when it cannot (the
// database is unreachable, or another process took the lease) it cancels
// run's context once two thirds of the TTL have passed since the last
// renewal, before the lease can expire, and waits for run to return. A
// follower tries to take the lease at the same pace, so it takes over
// within a TTL of the leader's death, and at once when the leader's ctx
// ends (the lease is released). If run returns while the lease is held,
// it is called again a third of the TTL later.
func (db *DB) Lead(ctx context.Context, job string, run func(ctx context.Context)) {
	holder := leaseHolder()
	every := db.ttl / 3
	defer db.releaseLease(job, holder)
	for {
		if ok, err := db.takeLease(ctx, job, holder); err != nil && ctx.Err() == nil {
			db.log.Warn("lease: take", "job", job, "err", err)
		} else if ok {
			db.log.Info("lease: leading", "job", job, "holder", holder)
			db.lead(ctx, job, holder, run)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// lead runs run and renews the lease until ctx ends or the lease is lost.
func (db *DB) lead(ctx context.Context, job, holder string, run func(ctx context.Context)) {
	every := db.ttl / 3
	renewed := time.Now()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			run(runCtx)
			select {
			case <-runCtx.Done():
				return
			case <-time.After(every):
			}
		}
	}()
	defer func() { cancel(); <-done }()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		start := time.Now()
		ok, err := db.takeLease(ctx, job, holder)
		switch {
		case ok:
			renewed = start
		case err == nil:
			db.log.Warn("lease: lost to another process", "job", job, "holder", holder)
			return
		case time.Since(renewed) >= db.ttl-every:
			db.log.Warn("lease: cannot renew, stepping down", "job", job, "holder", holder, "err", err)
			return
		}
	}
}

// takeLease takes or renews job's lease for holder, for a TTL from now,
// and reports whether holder has it.
func (db *DB) takeLease(ctx context.Context, job, holder string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, db.ttl/3)
	defer cancel()
	now := time.Now()
	res, err := db.rw.ExecContext(ctx, db.rebind(leaseUpsert), job, holder, micros(now.Add(db.ttl)), micros(now))
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", job, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", job, err)
	}
	return n == 1, nil
}

// releaseLease gives job's lease up, if holder has it, so that another
// process need not wait for it to expire.
func (db *DB) releaseLease(job, holder string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := db.rw.ExecContext(ctx, db.rebind("DELETE FROM leases WHERE job = ? AND holder = ?"), job, holder); err != nil {
		db.log.Warn("lease: release", "job", job, "err", err)
	}
}

// leaseHolder names this process, and this call of Lead within it.
func leaseHolder() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// JobCursor returns the log size up to which job has done its work (see
// SetJobCursor), and false if it never recorded one.
func (db *DB) JobCursor(ctx context.Context, job string) (int64, bool, error) {
	var n int64
	err := db.queryRow(ctx, db.ro, "SELECT log_size FROM job_cursors WHERE job = ?", job).Scan(&n)
	if notFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("job %s cursor: %w", job, err)
	}
	return n, true, nil
}

// SetJobCursor records that job has done its work for the first size
// leaves of the log. It is bookkeeping, not a record: not logged.
func (db *DB) SetJobCursor(ctx context.Context, job string, size int64) error {
	_, err := db.rw.ExecContext(ctx, db.rebind(`INSERT INTO job_cursors (job, log_size) VALUES (?, ?)
		ON CONFLICT (job) DO UPDATE SET log_size = excluded.log_size`), job, size)
	if err != nil {
		return fmt.Errorf("job %s cursor: %w", job, err)
	}
	return nil
}
