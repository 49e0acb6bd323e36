package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Event is one event of the live stream: ID is its log leaf index, Kind
// one of report, reports, incidents, transition, reply, finding, claim,
// agreement, agreement_status, alert, and Data the JSON
// {index, kind, record_id, at, record[, incident]}.
type Event struct {
	ID   int64
	Kind string
	Data json.RawMessage
}

// FromNow, as Stream's after, starts with the events logged from now on.
const FromNow int64 = -2

// maxEventLine bounds one line of the stream (an event's data).
const maxEventLine = 16 << 20

// Stream follows GET /api/v1/stream and calls fn for each event after
// leaf after (-1: from the start of the log; FromNow: from now on), of
// the given kinds (all if none). When the connection drops it reconnects
// after a second and resumes after the last event received, so that no
// event is missed or repeated. A server that refuses the stream for its
// limits (429 rate_limited, 503 unavailable) is asked again after the
// wait its Retry-After names, bounded to 5 minutes. It returns when ctx
// ends (ctx.Err()), when fn returns an error (that error), or on another
// error answer such as a bad token (*truce.Error).
func (c *Client) Stream(ctx context.Context, after int64, kinds []string, fn func(Event) error) error {
	// The client's timeout would cut a stream that is meant to last.
	hc := &http.Client{Transport: c.HTTP.Transport, CheckRedirect: c.HTTP.CheckRedirect}
	for {
		err := c.streamOnce(ctx, hc, &after, kinds, fn)
		var stop stopError
		var busy busyError
		wait := streamReconnect
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &stop):
			return stop.err
		case errors.As(err, &busy):
			wait = busy.wait
		}
		if err := c.sleep(ctx, wait); err != nil { // then try again
			return err
		}
	}
}

// streamReconnect is the wait before reconnecting a stream that ended
// or failed without the server naming one.
const streamReconnect = time.Second

// stopError wraps an error that ends Stream rather than a reconnection.
type stopError struct{ err error }

func (e stopError) Error() string { return e.err.Error() }

func (c *Client) streamOnce(ctx context.Context, hc *http.Client, after *int64, kinds []string, fn func(Event) error) error {
	u := *c.base
	u.Path += "/api/v1/stream"
	q := url.Values{}
	if *after >= -1 {
		q.Set("after", strconv.FormatInt(*after, 10))
	}
	if len(kinds) > 0 {
		q.Set("kinds", strings.Join(kinds, ","))
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return stopError{err}
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		err := decodeError(resp.StatusCode, data)
		if wait, ok := retryAfter(resp, c.clock()); ok {
			return busyError{err, wait} // the server is busy: come back when it says
		}
		if resp.StatusCode >= 500 {
			return err // the server may recover: reconnect
		}
		return stopError{err}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), maxEventLine)
	var e Event
	var data strings.Builder
	hasID := false
	for sc.Scan() {
		line := sc.Text()
		if line == "" { // dispatch
			if hasID { // an id alone also moves the position on
				*after = e.ID
			}
			if data.Len() > 0 {
				e.Data = json.RawMessage(data.String())
				if err := fn(e); err != nil {
					return stopError{err}
				}
			}
			e, data, hasID = Event{}, strings.Builder{}, false
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // a comment: heartbeat
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			if n, err := strconv.ParseInt(value, 10, 64); err == nil {
				e.ID, hasID = n, true
			}
		case "event":
			e.Kind = value
		case "data":
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(value)
		}
	}
	return sc.Err()
}
