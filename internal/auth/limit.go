package auth

import (
	"sync"
	"time"
)

// Limiter counts failed sign-in attempts per key (a user name, a client
// address) in a fixed window: after Max failures a key is refused until
// its window ends. Only failures count, so that a user who types the
// password right is never locked out by their own sign-ins, while a
// guesser gets Max guesses per Window per name and per address.
type Limiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time

	mu   sync.Mutex
	keys map[string]*window
}

type window struct {
	start    time.Time
	failures int
}

// maxKeys bounds the limiter's memory: past it, ended windows are
// dropped, and if that is not enough the oldest window goes, so that a
// flood of made-up names cannot exhaust memory.
const maxKeys = 100_000

// NewLimiter returns a limiter of max failures per window.
func NewLimiter(max int, per time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{Max: max, Window: per, Now: now, keys: map[string]*window{}}
}

// Wait returns how long key must wait before its next attempt, 0 if it
// may try now.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.keys[key]
	if !ok {
		return 0
	}
	now := l.Now()
	end := w.start.Add(l.Window)
	if !now.Before(end) {
		delete(l.keys, key)
		return 0
	}
	if w.failures < l.Max {
		return 0
	}
	return end.Sub(now)
}

// Fail counts a failed attempt of key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	w, ok := l.keys[key]
	if !ok || !now.Before(w.start.Add(l.Window)) {
		if len(l.keys) >= maxKeys {
			l.prune(now)
		}
		w = &window{start: now}
		l.keys[key] = w
	}
	w.failures++
}

// prune drops ended windows, or the oldest one if none has ended.
func (l *Limiter) prune(now time.Time) {
	var oldest string
	for k, w := range l.keys {
		if !now.Before(w.start.Add(l.Window)) {
			delete(l.keys, k)
		} else if oldest == "" || w.start.Before(l.keys[oldest].start) {
			oldest = k
		}
	}
	if len(l.keys) >= maxKeys {
		delete(l.keys, oldest)
	}
}
