package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

func TestDecodeJSON(t *testing.T) {
	type item struct {
		X int `json:"x"`
	}
	type body struct {
		Name  string    `json:"name"`
		At    time.Time `json:"at"`
		Items []item    `json:"items"`
		Inner struct {
			Kind string `json:"kind"`
		} `json:"inner"`
	}
	tests := []struct {
		name, in   string
		code       string
		field, msg string
	}{
		{"good", `{"name":"a","items":[{"x":1}],"inner":{"kind":"k"}}`, "", "", ""},
		{"unknown top-level field", `{"name":"a","nmae":"b"}`, truce.EINVALID, "nmae", "unknown field"},
		{"unknown nested field", `{"inner":{"knd":"k"}}`, truce.EINVALID, "inner.knd", "unknown field"},
		{"unknown field in an array item", `{"items":[{"x":1},{"y":2}]}`, truce.EINVALID, "items[1].y", "unknown field"},
		{"wrong type", `{"name":5}`, truce.EINVALID, "name", "expected a string, got number"},
		{"wrong type in an array item", `{"items":[{"x":1},{"x":"two"}]}`, truce.EINVALID, "items[1].x", "expected an integer, got string"},
		{"malformed time", `{"at":"yesterday"}`, truce.EINVALID, "at", "parsing time"},
		{"not an object", `[1]`, truce.EINVALID, "body", "expected an object"},
		{"malformed", `{"name":}`, truce.EINVALID, "body", "malformed JSON"},
		{"truncated", `{"name":"a"`, truce.EINVALID, "body", "truncated"},
		{"empty", ``, truce.EINVALID, "body", "empty body"},
		{"two values", `{"name":"a"} {"name":"b"}`, truce.EINVALID, "body", "after the JSON value"},
		{"too large", `{"name":"` + strings.Repeat("a", maxBody) + `"}`, truce.ETOOLARGE, "", "larger than"},
	}
	s := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v body
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.in))
			err := s.decodeJSON(httptest.NewRecorder(), r, &v)
			if truce.ErrorCode(err) != tt.code {
				t.Fatalf("error %v (code %q), want code %q", err, truce.ErrorCode(err), tt.code)
			}
			if err == nil {
				if v.Name != "a" || len(v.Items) != 1 || v.Items[0].X != 1 || v.Inner.Kind != "k" {
					t.Errorf("decoded %+v", v)
				}
				return
			}
			e := err.(*truce.Error)
			if e.Field != tt.field {
				t.Errorf("field %q, want %q (%v)", e.Field, tt.field, err)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q lacks %q", e.Message, tt.msg)
			}
		})
	}
}
