package ingest

import (
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// progress redraws one status line on a terminal: the file, rows read,
// rows per second and, from the bytes consumed, the percentage and time left.
type progress struct {
	w    io.Writer
	now  func() time.Time
	mu   sync.Mutex
	in   *input
	rows *atomic.Int64
	t0   time.Time
	done chan struct{}
	wg   sync.WaitGroup
}

func startProgress(w io.Writer, now func() time.Time) *progress {
	p := &progress{w: w, now: now, done: make(chan struct{})}
	p.wg.Go(func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.done:
				return
			}
		}
	})
	return p
}

// file switches the line to a new file.
func (p *progress) file(in *input, rows *atomic.Int64) {
	p.mu.Lock()
	p.in, p.rows, p.t0 = in, rows, p.now()
	p.mu.Unlock()
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.in == nil {
		return
	}
	n := p.rows.Load()
	secs := p.now().Sub(p.t0).Seconds()
	line := fmt.Sprintf("%s: %s rows", filepath.Base(p.in.name), groupDigits(n))
	if secs > 0 {
		rate := float64(n) / secs
		line += fmt.Sprintf(", %s rows/s", groupDigits(int64(rate)))
	}
	if done, size := p.in.done.Load(), p.in.size; size > 0 && done > 0 {
		frac := float64(done) / float64(size)
		line += fmt.Sprintf(", %.0f%%", 100*min(frac, 1))
		if frac > 0.01 && frac < 1 {
			left := time.Duration(secs * (1 - frac) / frac * float64(time.Second))
			line += ", ETA " + left.Round(time.Second).String()
		}
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

// stop clears the line.
func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
	fmt.Fprint(p.w, "\r\033[K")
}

// groupDigits writes n with thousands separators: 1,234,567.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
