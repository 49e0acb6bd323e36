package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// parseNumber reads a decimal number, refusing NaN and infinities.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty, want a number")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

// parseLat reads a latitude in degrees.
func parseLat(s string) (float64, error) { return parseDegrees(s, 90) }

// parseLon reads a longitude in degrees.
func parseLon(s string) (float64, error) { return parseDegrees(s, 180) }

func parseDegrees(s string, limit float64) (float64, error) {
	v, err := parseNumber(s)
	if err != nil {
		return 0, err
	}
	if v < -limit || v > limit {
		return 0, fmt.Errorf("%s is outside -%g..%g", strings.TrimSpace(s), limit, limit)
	}
	return v, nil
}

// formatCoord writes a coordinate in its shortest exact form, so that
// "47.10" and "47.1" give the same external id.
func formatCoord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// parseISODate reads YYYY-MM-DD, optionally followed by a time part that
// is ignored, as a UTC midnight.
func parseISODate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	d := s
	if len(d) > 10 && (d[10] == ' ' || d[10] == 'T') {
		d = d[:10]
	}
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		if s == "" {
			return t, fmt.Errorf("empty, want a date YYYY-MM-DD")
		}
		return t, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return t, nil
}

// instantLayouts are the timestamp forms of the alert logs and of RFC 3339.
// time.Parse accepts fractional seconds after the seconds without saying so.
var instantLayouts = []string{
	"2006-01-02 15:04:05Z07:00",
	time.RFC3339,
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
}

// parseInstant reads a timestamp; one without an offset is UTC.
func parseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty, want a time YYYY-MM-DD HH:MM:SS+00:00")
	}
	for _, l := range instantLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time YYYY-MM-DD HH:MM:SS+00:00", s)
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i]
}
