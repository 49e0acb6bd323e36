package client

import (
	"context"
	"time"
)

// SetWait makes c wait through wait instead of sleeping, so that a test
// sees the waits without taking them.
func SetWait(c *Client, wait func(ctx context.Context, d time.Duration) error) { c.wait = wait }

// SetNow sets the clock an HTTP-date Retry-After is read against.
func SetNow(c *Client, now func() time.Time) { c.now = now }

// RetryAfter is retryAfter.
var RetryAfter = retryAfter
