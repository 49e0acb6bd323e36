package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/truce-monitor/truce"
)

// TestAgreementWindowJSON checks the window as the API shows it. Expected
// instants by hand: Kyiv is UTC+2 in winter and UTC+3 from 30 March 2025
// 03:00 (clocks go forward at 03:00 to 04:00 local).
func TestAgreementWindowJSON(t *testing.T) {
	end := func(s string) *string { return &s }
	tests := []struct {
		name string
		w    truce.Window
		want string
	}{
		{"across the DST change",
			truce.Window{Start: "2025-03-29T12:00", End: end("2025-03-30T12:00"), TZ: "Europe/Kyiv"},
			`{"start":"2025-03-29T12:00","end":"2025-03-30T12:00","tz":"Europe/Kyiv","start_utc":"2025-03-29T10:00:00Z","end_utc":"2025-03-30T09:00:00Z"}`},
		{"open-ended",
			truce.Window{Start: "2025-04-19T18:00:30", TZ: "Europe/Moscow"},
			`{"start":"2025-04-19T18:00:30","end":null,"tz":"Europe/Moscow","start_utc":"2025-04-19T15:00:30Z","end_utc":null}`},
		{"unresolvable stays null",
			truce.Window{Start: "2025-04-19T18:00", TZ: "Mars/Olympus"},
			`{"start":"2025-04-19T18:00","end":null,"tz":"Mars/Olympus","start_utc":null,"end_utc":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAgreementJSON(truce.Agreement{ID: "x", Status: truce.StatusInForce, Window: tt.w})
			b, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ Window json.RawMessage }
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if string(got.Window) != tt.want {
				t.Errorf("window\n got %s\nwant %s", got.Window, tt.want)
			}
		})
	}
}
