package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
)

// streamHeartbeat is how long a quiet stream waits before it sends a
// comment line: proxies drop connections that say nothing for a minute
// or so, and a write is how a server notices a client that went away
// without closing.
const streamHeartbeat = 15 * time.Second

// streamRetry is the reconnection delay the stream asks browsers to use.
const streamRetry = 3 * time.Second

// handleStream serves GET /api/v1/stream: Server-Sent Events of what the
// log records from now on (see internal/feed for what each audience
// gets). Each event's id is its leaf index; a client that reconnects
// with Last-Event-ID (browsers do so by themselves), or asks for
// ?after=N, resumes just after that leaf, on any node of the cluster.
// ?after=-1 replays the log from its start. ?kinds=a,b selects kinds.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.streams.closed():
		// Shutting down: a stream would end at once, and the client come
		// back at once; Retry-After sends it elsewhere or later.
		w.Header().Set("Retry-After", strconv.Itoa(int(streamRetry.Seconds())))
		s.writeError(w, r, truce.Errorf(codeUnavailable, "the server is shutting down; retry later"))
		return
	default:
	}
	release, err := s.streams.acquire(s.clientIP(r))
	if err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(int(streamBusyRetry.Seconds())))
		s.writeError(w, r, err)
		return
	}
	defer release()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-s.streams.closed():
			cancel()
		case <-ctx.Done():
		}
	}()
	aud := feed.AudienceOf(caller(ctx))
	var kinds []string
	if v := r.URL.Query().Get("kinds"); v != "" {
		kinds = strings.Split(v, ",")
	}
	filter, err := feed.ParseKinds("kinds", kinds)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	next, err := s.streamStart(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}

	// The stream outlives the server's write timeout, which is there for
	// ordinary responses; heartbeats notice dead clients instead.
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.writeError(w, r, fmt.Errorf("stream: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, "retry: %d\n: truce stream from leaf %d\n\n", streamRetry.Milliseconds(), next); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}

	f := feed.NewFollower(s.db, next)
	for {
		entries, err := f.Read(ctx, streamHeartbeat)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.ErrorContext(ctx, "stream", "err", err)
			}
			return // the status is sent; closing tells the client to reconnect
		}
		var b strings.Builder
		if len(entries) == 0 {
			b.WriteString(": heartbeat\n\n")
		} else {
			events, err := feed.Events(ctx, s.db, entries, aud, filter)
			if err != nil {
				s.logger.ErrorContext(ctx, "stream", "err", err)
				return
			}
			last := entries[len(entries)-1].Index
			for _, e := range events {
				fmt.Fprintf(&b, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Kind, e.Data)
			}
			if len(events) == 0 || events[len(events)-1].ID != last {
				// An id alone moves the client's Last-Event-ID past the
				// leaves it may not see, without an event.
				fmt.Fprintf(&b, "id: %d\n\n", last)
			}
		}
		if _, err := w.Write([]byte(b.String())); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// StreamLimits bound the event streams open at once. Each holds a
// connection, a goroutine and a poll of the log for as long as the client
// stays, so without a bound a few clients could take every connection
// and file descriptor the server has.
type StreamLimits struct {
	// PerServer bounds the streams of all clients together; beyond it a
	// new one gets 503 (code unavailable) with Retry-After.
	PerServer int
	// PerClient bounds the streams of one client address (behind trusted
	// proxies, the forwarded one; of IPv6, the /64, which one host
	// usually has whole); beyond it 429 (rate_limited) with Retry-After.
	PerClient int
}

// DefaultStreamLimits: many more than a mission's staff has browser
// tabs, few enough that the server keeps connections for the rest of the
// API; 16 from one address leaves room for an office behind one NAT.
var DefaultStreamLimits = StreamLimits{PerServer: 256, PerClient: 16}

// streamBusyRetry is the Retry-After of a stream refused for a limit.
const streamBusyRetry = 10 * time.Second

// streamCloser counts the open streams against their limits, and ends
// them when the server shuts down: a stream never finishes by itself, so
// a graceful shutdown would otherwise wait its whole timeout for every
// open browser tab. The zero value, with no limits, is ready to use.
type streamCloser struct {
	mu       sync.Mutex
	done     chan struct{}
	limits   StreamLimits // zero fields: no limit
	open     int
	byClient map[netip.Prefix]int
}

// acquire counts a new stream from client, or returns the error of a
// limit reached; release uncounts it.
func (c *streamCloser) acquire(client netip.Addr) (release func(), err error) {
	key := netip.PrefixFrom(client, client.BitLen()) // an invalid address counts as one client
	if client.Is6() {
		key, _ = client.Prefix(64)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// The client's own limit first: it is the one the client can act on.
	if n := c.limits.PerClient; n > 0 && c.byClient[key] >= n {
		return nil, truce.Errorf(truce.ERATELIMIT, "%d event streams are open from your address, as many as one client may have; close one or retry later", c.byClient[key])
	}
	if n := c.limits.PerServer; n > 0 && c.open >= n {
		return nil, truce.Errorf(codeUnavailable, "the server has %d event streams open, as many as it takes; retry later", c.open)
	}
	if c.byClient == nil {
		c.byClient = map[netip.Prefix]int{}
	}
	c.open++
	c.byClient[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.open--
			if c.byClient[key]--; c.byClient[key] == 0 {
				delete(c.byClient, key)
			}
		})
	}, nil
}

func (c *streamCloser) closed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
	}
	return c.done
}

// CloseStreams ends every open event stream, now and from now on; the
// clients reconnect (to another node, or to this one when it is back)
// and resume by Last-Event-ID. Register it with
// http.Server.RegisterOnShutdown.
func (s *Server) CloseStreams() {
	c := &s.streams
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
	}
	select {
	case <-c.done:
	default:
		close(c.done)
	}
}

// streamStart returns the first leaf index to send: after Last-Event-ID
// or ?after=, else the log's current end (only what happens from now).
func (s *Server) streamStart(r *http.Request) (int64, error) {
	field, v := "after", r.URL.Query().Get("after")
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		field, v = "Last-Event-ID", id
	}
	if v == "" {
		return s.db.LogSize(r.Context())
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < -1 {
		return 0, truce.Invalid(field, "%q is not a leaf index (an integer, -1 for the start)", v)
	}
	return n + 1, nil
}
