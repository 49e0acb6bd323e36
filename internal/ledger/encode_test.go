package ledger

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// TestEncodeMatchesEncodingJSON: the hand-written wrapper gives the bytes
// encoding/json gives for the leaf struct, for awkward kinds, ids, times
// and records, so that leaves written before and after it verify alike.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	type rec struct {
		Name  string            `json:"name"`
		Tags  []string          `json:"tags,omitempty"`
		N     float64           `json:"n"`
		Attrs map[string]string `json:"attrs,omitempty"`
		Raw   json.RawMessage   `json:"raw,omitempty"`
		When  *time.Time        `json:"when,omitempty"`
	}
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2025, 4, 20, 1, 2, 3, 456789123, kyiv)
	records := []any{
		rec{Name: "plain"},
		rec{Name: "<b>&\"quoted\"\\ \u2028 \x01 tab\t é 😀", Tags: []string{"a", "b"}, N: math.Pi, Attrs: map[string]string{"z": "1", "a": "2"}},
		rec{Raw: json.RawMessage(`{ "spaced" : [1, 2] }`), When: &when},
		map[string]any{"b": 1, "a": []int{1}},
		"just a string", 42, nil,
	}
	ids := []string{"1", "12-345", "", "quote\"id", "ünï", "line\nbreak", "<&>"}
	kinds := []string{KindReport, "report_batch", "odd\\kind"}
	times := []time.Time{{}, when, when.UTC(), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}
	n := 0
	for _, r := range records {
		for _, id := range ids {
			for _, k := range kinds {
				for _, at := range times {
					got, err := Encode(k, id, at, r)
					if err != nil {
						t.Fatal(err)
					}
					want, err := encodeSlow(k, id, at, r)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("Encode(%q, %q, %v, %v)\n got %s\nwant %s", k, id, at, r, got, want)
					}
					n++
				}
			}
		}
	}
	if _, err := Encode(KindReport, "1", when, math.NaN()); err == nil {
		t.Error("NaN record encoded without error")
	}
	t.Logf("%d encodings compared", n)
}
