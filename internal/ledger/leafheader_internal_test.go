package ledger

import (
	"encoding/json"
	"testing"
	"time"
)

// TestParseLeafHeader checks the hand parser against encoding/json on
// labels that need escaping.
func TestParseLeafHeader(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600))
	for _, id := range []string{"1", `quote"d`, `back\slash`, "new\nline", "<html>&", "Київ", "tab\there", "\u2028", `\"`, `x\`} {
		data, err := Encode(KindReport, id, at, map[string]any{"id": id})
		if err != nil {
			t.Fatal(err)
		}
		var want leaf
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := parseLeafHeader(data)
		if !ok || got.Kind != want.Kind || got.ID != want.ID || got.At != want.At || got.ID != id {
			t.Errorf("parseLeafHeader(%s) = %+v, %v; want %+v", data, got, ok, want)
		}
	}
	for _, data := range []string{"", "{}", `{"kind":"report"}`, `{"id":"1","kind":"report","at":"x","record":{}}`,
		`{"kind":"report","id":"1","at":"x"}`, `{"kind":"","id":"1","at":"x","record":{}}`, `{"kind":"report","id":"1,"at":"x","record":{}}`} {
		if l, ok := parseLeafHeader([]byte(data)); ok {
			t.Errorf("parseLeafHeader(%s) = %+v, accepted", data, l)
		}
	}
}
