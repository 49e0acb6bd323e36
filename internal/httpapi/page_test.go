package httpapi

import (
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"

	"github.com/truce-monitor/truce"
)

func TestParsePage(t *testing.T) {
	tests := []struct {
		query string
		want  page
		field string
	}{
		{"", page{Limit: defaultLimit}, ""},
		{"?limit=5", page{Limit: 5}, ""},
		{"?limit=1000", page{Limit: 1000}, ""},
		{"?limit=1001", page{}, "limit"},
		{"?limit=0", page{}, "limit"},
		{"?limit=x", page{}, "limit"},
		{"?cursor=" + makeCursor("17"), page{After: "17", Limit: defaultLimit}, ""},
		{"?cursor=bm9wZQ", page{}, "cursor"}, // "nope": no prefix
		{"?cursor=***", page{}, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p, err := parsePage(httptest.NewRequest("GET", "/x"+tt.query, nil))
			if tt.field != "" {
				if e, ok := err.(*truce.Error); !ok || e.Code != truce.EINVALID || e.Field != tt.field {
					t.Fatalf("error %v, want EINVALID on %s", err, tt.field)
				}
				return
			}
			if err != nil || p != tt.want {
				t.Fatalf("got %+v, %v; want %+v", p, err, tt.want)
			}
		})
	}
}

// TestPageOf walks a list of 7 by pages of 3 and checks that the pages
// join up to the whole list, once each.
func TestPageOf(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e", "f", "g"}
	key := func(s string) string { return s }
	var got []string
	p := page{Limit: 3}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("more than 3 pages")
		}
		out, next := pageOf(items, p, key)
		got = append(got, out...)
		if next == "" {
			break
		}
		r := httptest.NewRequest("GET", "/x?limit=3&cursor="+next, nil)
		var err error
		if p, err = parsePage(r); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, items) {
		t.Errorf("pages joined %v, want %v", got, items)
	}
	if out, next := pageOf(items, page{After: "zz", Limit: 3}, key); len(out) != 0 || next != "" {
		t.Errorf("unknown key gave %v %q", out, next)
	}
}

func TestTrimPage(t *testing.T) {
	ids := []int64{4, 9, 12}
	key := func(id int64) string { return strconv.FormatInt(id, 10) }
	out, next := trimPage(ids, page{Limit: 2}, key)
	if !slices.Equal(out, []int64{4, 9}) || next != makeCursor("9") {
		t.Errorf("got %v %q", out, next)
	}
	if out, next := trimPage(ids, page{Limit: 3}, key); len(out) != 3 || next != "" {
		t.Errorf("last page got %v %q", out, next)
	}
	p := page{After: "9"}
	if id, err := p.afterID(); id != 9 || err != nil {
		t.Errorf("afterID %d %v", id, err)
	}
	p.After = "x"
	if _, err := p.afterID(); truce.ErrorCode(err) != truce.EINVALID {
		t.Errorf("afterID of a non-id: %v", err)
	}
}
