package terms

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// FuzzParseTerms checks that Parse never panics, that every error is an
// EINVALID *truce.Error whose message names where the problem is ("<id or
// party or terms>: ..."), and that accepted terms survive a round trip
// through JSON.
func FuzzParseTerms(f *testing.F) {
	f.Add(example)
	f.Add(withFields(""))
	f.Add(withFields(`"window": {"start": "2025-03-30T03:30", "tz": "Europe/Kyiv"}`))
	f.Add(withFields(`"area": {"geojson": ` + `{"type": "Polygon", "coordinates": [[[30,50],[31,50],[31,51],[30,51],[30,50]]]}}`))
	f.Add(withFields(`"targets": ["any", "energy"]`))
	f.Add(withFields(`"domains": ["land"], "domains": ["air"]`))
	f.Add("{\n  \"parties\": [\n    {\"code\": \"RU\" \"name\": \"R\"}\n  ]\n}")
	f.Add(`{"parties": [{"code": "RU", "name": "a"}, {"code": "ru", "name": "c"}]}`)
	f.Add(`{"agreements": [{"id": 7}]}`)
	f.Add(example + " x")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		g := gz(t)
		tm, err := Parse(strings.NewReader(text), g)
		if err != nil {
			var e *truce.Error
			if !errors.As(err, &e) || e.Code != truce.EINVALID {
				t.Fatalf("error %T %v is not EINVALID", err, err)
			}
			before, after, ok := strings.Cut(err.Error(), ": ")
			if !ok || strings.TrimSpace(before) == "" || strings.TrimSpace(after) == "" {
				t.Fatalf("error %q does not name a place and a problem", err)
			}
			return
		}
		b, err := json.Marshal(tm)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(strings.NewReader(string(b)), g); err != nil {
			t.Fatalf("round trip: %v\n%s", err, b)
		}
	})
}
