// Package client is a Go client for Truce's HTTP API (/api/v1): typed
// methods for agreements, parties, reports, incidents and their workflow,
// findings, claims, statistics and the log's checkpoint. It authenticates
// with an API token (`truce user add` prints one) and returns the
// server's errors as *truce.Error, with the code, message and field the
// server gave, so that callers can switch on truce.ErrorCode(err). A
// server that answers 429 or 503 is asked again only after the wait its
// Retry-After names (at most 5 minutes): reads up to three times, the
// live stream until it is let in; writes are not sent again.
//
//	c, err := client.New("https://truce.example.org", token)
//	incs, next, err := c.Incidents(ctx, client.IncidentQuery{Status: truce.IncidentVerified})
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// Client calls one Truce server. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	// HTTP sends the requests; http.DefaultClient with a timeout by
	// default. Replace it before the first call to change transport or
	// timeout.
	HTTP *http.Client

	// wait pauses for d or until ctx ends (sleep when nil); tests
	// replace it to see the waits without taking them.
	wait func(ctx context.Context, d time.Duration) error
	// now is the clock that an HTTP-date Retry-After is read against
	// (time.Now when nil).
	now func() time.Time
}

// Waiting on a busy server. A 429 (rate_limited) or 503 (unavailable)
// says when to come back in Retry-After; a client that tried again at
// once would only add to the load that made the server refuse.
const (
	// maxRetryAfter bounds the wait a server can ask for, so that a
	// wrong or hostile header cannot park the client for hours.
	maxRetryAfter = 5 * time.Minute
	// minRetryWait is the wait when the server names none (or zero).
	minRetryWait = time.Second
	// maxGetRetries bounds how often an idempotent request (GET, HEAD)
	// is sent again after a 429 or 503; requests that write are never
	// sent again (the error is returned).
	maxGetRetries = 3
)

// retryAfter returns how long a 429 or 503 answer asks the client to
// wait: Retry-After as delay-seconds or an HTTP-date (RFC 9110 10.2.3),
// bounded to [minRetryWait, maxRetryAfter]; minRetryWait when the header
// is missing or unreadable. ok is false for other statuses.
func retryAfter(resp *http.Response, now time.Time) (d time.Duration, ok bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	d = minRetryWait
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if n, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		d = time.Duration(min(n, uint64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, minRetryWait), maxRetryAfter), true
}

// sleep waits d through c.wait, or until ctx ends (ctx.Err()).
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.wait != nil {
		return c.wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// maxResponse bounds a response body read into memory (exports stream
// and are not read through here).
const maxResponse = 64 << 20

// New returns a client for the server at baseURL (scheme and host, and a
// path prefix if the server is mounted under one). token may be empty
// for the public's view.
func New(baseURL, token string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return nil, truce.Invalid("server", "not a URL: %v", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, truce.Invalid("server", "%q is not an http or https URL with a host", baseURL)
	}
	return &Client{base: u, token: token, HTTP: &http.Client{Timeout: time.Minute}}, nil
}

// do sends a request to path (relative to /api/v1/) with query q and a
// JSON body in (nil for none), and decodes a 2xx answer into out (nil to
// discard it). It returns the status. A GET or HEAD answered 429 or 503
// is sent again after the wait the server asks for (retryAfter), at most
// maxGetRetries times.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, in, out any) (int, error) {
	var b []byte
	if in != nil {
		var ok bool
		if b, ok = in.([]byte); !ok {
			var err error
			if b, err = json.Marshal(in); err != nil {
				return 0, fmt.Errorf("%s %s: %w", method, path, err)
			}
		}
	}
	for try := 0; ; try++ {
		status, wait, err := c.doOnce(ctx, method, path, q, in != nil, b, out)
		if wait == 0 || try >= maxGetRetries || (method != http.MethodGet && method != http.MethodHead) {
			return status, err
		}
		if err := c.sleep(ctx, wait); err != nil {
			return status, err
		}
	}
}

// doOnce is one try of do; wait is the server's Retry-After on a 429 or
// 503, else 0.
func (c *Client) doOnce(ctx context.Context, method, path string, q url.Values, hasBody bool, b []byte, out any) (int, time.Duration, error) {
	status, err := c.send(ctx, method, path, q, hasBody, b, out)
	var busy busyError
	if errors.As(err, &busy) {
		return status, busy.wait, busy.err
	}
	return status, 0, err
}

// busyError is an error answer that asks the client to come back later.
type busyError struct {
	err  error
	wait time.Duration
}

func (e busyError) Error() string { return e.err.Error() }
func (e busyError) Unwrap() error { return e.err }

func (c *Client) send(ctx context.Context, method, path string, q url.Values, hasBody bool, b []byte, out any) (int, error) {
	var body io.Reader
	if hasBody {
		body = bytes.NewReader(b)
	}
	u := *c.base
	u.Path = u.Path + "/api/v1/" + path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := decodeError(resp.StatusCode, data)
		if wait, ok := retryAfter(resp, c.clock()); ok {
			return resp.StatusCode, busyError{err, wait}
		}
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// decodeError turns an error answer into a *truce.Error: the server's
// own {code, message, field}, or, from something else on the way (a
// proxy's HTML page), the code that matches the status.
func decodeError(status int, data []byte) error {
	var e truce.Error
	if json.Unmarshal(data, &e) == nil && e.Code != "" {
		return &e
	}
	msg := strings.TrimSpace(string(data))
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return &truce.Error{Code: statusCode(status), Message: fmt.Sprintf("%d %s: %s", status, http.StatusText(status), msg)}
}

// statusCode maps an HTTP status back to an error code.
func statusCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return truce.EINVALID
	case http.StatusUnauthorized:
		return truce.EUNAUTHORIZED
	case http.StatusForbidden:
		return truce.EFORBIDDEN
	case http.StatusNotFound:
		return truce.ENOTFOUND
	case http.StatusConflict:
		return truce.ECONFLICT
	case http.StatusRequestEntityTooLarge:
		return truce.ETOOLARGE
	case http.StatusTooManyRequests:
		return truce.ERATELIMIT
	}
	return truce.EINTERNAL
}

// Page is where a list starts and how long a page is: the zero value
// asks for the first page at the server's default size. Lists return the
// cursor of the next page, "" after the last.
type Page struct {
	Cursor string
	Limit  int
}

func (p Page) values(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit > 0 {
		q.Set("limit", fmt.Sprint(p.Limit))
	}
	return q
}

// all reads every page of a list.
func all[T any](fetch func(Page) ([]T, string, error)) ([]T, error) {
	var out []T
	p := Page{Limit: 1000}
	for {
		items, next, err := fetch(p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		p.Cursor = next
	}
}

func setTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.UTC().Format(time.RFC3339))
	}
}

func setBBox(q url.Values, b *[4]float64) {
	if b != nil {
		q.Set("bbox", fmt.Sprintf("%g,%g,%g,%g", b[0], b[1], b[2], b[3]))
	}
}

func setString(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}
