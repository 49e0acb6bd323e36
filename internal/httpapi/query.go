package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// Query parameters shared by the list handlers. Each bad value is
// EINVALID naming its parameter.

// queryTime reads an RFC 3339 instant; zero if absent.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, truce.Invalid(name, "%q is not an RFC 3339 time (2025-05-08T00:00:00Z)", v)
	}
	return t, nil
}

// queryRange reads ?from= and ?to=; to must not be before from.
func queryRange(r *http.Request) (from, to time.Time, err error) {
	if from, err = queryTime(r, "from"); err != nil {
		return
	}
	if to, err = queryTime(r, "to"); err != nil {
		return
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		err = truce.Invalid("to", "is before from")
	}
	return
}

// queryBBox reads ?bbox=west,south,east,north in degrees; nil if absent.
// West greater than east crosses the antimeridian.
func queryBBox(r *http.Request) (*[4]float64, error) {
	v := r.URL.Query().Get("bbox")
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return nil, truce.Invalid("bbox", "%q is not west,south,east,north", v)
	}
	var b [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		lim := 180.0
		if i%2 == 1 {
			lim = 90
		}
		if err != nil || !(x >= -lim && x <= lim) {
			return nil, truce.Invalid("bbox", "%q is not west,south,east,north in degrees", v)
		}
		b[i] = x
	}
	if b[1] > b[3] {
		return nil, truce.Invalid("bbox", "south %g is north of north %g", b[1], b[3])
	}
	return &b, nil
}

// idPath reads the integer path parameter name; a malformed id is a 404,
// since no such record exists.
func idPath(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 1 {
		return 0, notFound("no %s %q", name, r.PathValue(name))
	}
	return id, nil
}

// Query parameters as the OpenAPI document describes them.
var (
	fromParam = param{Name: "from", Format: "date-time", Description: "RFC 3339: records whose interval ends after this instant"}
	toParam   = param{Name: "to", Format: "date-time", Description: "RFC 3339: records whose interval starts before this instant"}
	bboxParam = param{Name: "bbox", Description: "west,south,east,north in degrees; west > east crosses the antimeridian"}
)

// listWindow is what the filtered lists (reports, incidents, observations)
// read alike: the page, the id to continue after, one more row than the
// page (to know whether another page follows), and the time range and box.
type listWindow struct {
	page     page
	afterID  int64
	limit    int
	from, to time.Time
	bbox     *[4]float64
}

// queryListWindow reads ?cursor=, ?limit=, ?from=, ?to= and ?bbox=.
func queryListWindow(r *http.Request) (listWindow, error) {
	var w listWindow
	var err error
	if w.page, err = parsePage(r); err != nil {
		return w, err
	}
	if w.afterID, err = w.page.afterID(); err != nil {
		return w, err
	}
	w.limit = w.page.Limit + 1
	if w.from, w.to, err = queryRange(r); err != nil {
		return w, err
	}
	w.bbox, err = queryBBox(r)
	return w, err
}
