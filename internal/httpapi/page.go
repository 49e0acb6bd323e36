package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
)

// Page sizes: a list returns defaultLimit items unless ?limit= asks for
// another number up to maxLimit.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// page is where a list request starts and how much it wants: every list
// handler reads one with parsePage and answers with the page's items and
// a next_cursor (see pageOf and nextCursor).
//
// The cursor is opaque to clients: it holds the key of the last item of
// the previous page, and lists are ordered by that key (the store's id,
// or a list's own stable order), so that items added meanwhile neither
// repeat nor shift the next page the way an offset would.
type page struct {
	After string // the key of the last item seen; "" for the first page
	Limit int
}

// cursorPrefix versions the cursor format so that it can change without
// old cursors being misread.
const cursorPrefix = "k1:"

// parsePage reads ?cursor= and ?limit= of r. A malformed cursor or a
// limit outside 1..maxLimit is EINVALID naming the parameter.
func parsePage(r *http.Request) (page, error) {
	p := page{Limit: defaultLimit}
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return p, truce.Invalid("limit", "%q is not a page size (1-%d)", v, maxLimit)
		}
		p.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		after, ok := strings.CutPrefix(string(b), cursorPrefix)
		if err != nil || !ok || after == "" {
			return p, truce.Invalid("cursor", "not a cursor this server gave out")
		}
		p.After = after
	}
	return p, nil
}

// afterID returns the page's cursor as a store id (0 for the first page).
func (p page) afterID() (int64, error) {
	if p.After == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(p.After, 10, 64)
	if err != nil || id < 1 {
		return 0, truce.Invalid("cursor", "not a cursor for this list")
	}
	return id, nil
}

// makeCursor returns the cursor of the page after the item with key.
func makeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + key))
}

// trimPage cuts items, read with a limit of p.Limit+1, to the page and
// returns the next page's cursor, "" when this page is the last.
func trimPage[T any](items []T, p page, key func(T) string) ([]T, string) {
	if len(items) <= p.Limit {
		return items, ""
	}
	items = items[:p.Limit]
	return items, makeCursor(key(items[len(items)-1]))
}

// pageOf returns the page p of items, a whole list in a stable order in
// which key is unique, and the next page's cursor. It serves lists that
// are read whole and never lose items (parties, agreements); a cursor
// whose key is not in the list gives an empty page.
func pageOf[T any](items []T, p page, key func(T) string) ([]T, string) {
	start := 0
	if p.After != "" {
		start = len(items)
		for i, it := range items {
			if key(it) == p.After {
				start = i + 1
				break
			}
		}
	}
	end := min(start+p.Limit, len(items))
	out := items[start:end]
	if end < len(items) {
		return out, makeCursor(key(out[len(out)-1]))
	}
	return out, ""
}

// idKey is the cursor key of an item with a store id.
func idKey(id int64) string { return strconv.FormatInt(id, 10) }

// nonNil returns s, or an empty slice for nil, so that an empty list is
// [] in JSON rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
