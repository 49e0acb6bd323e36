package negotiation

import (
	"reflect"
	"testing"

	"github.com/truce-monitor/truce"
)

func st(id int64, party, issue, stance, date string) truce.Statement {
	return truce.Statement{ID: id, Party: party, Issue: issue, Stance: stance, Date: date}
}

func TestPositions(t *testing.T) {
	ss := []truce.Statement{
		st(1, "RU", "direct_talks", truce.StanceOffers, "2025-05-11"),
		st(2, "UA", "direct_talks", truce.StanceConditions, "2025-05-10"),
		st(3, "UA", "direct_talks", truce.StanceAccepts, "2025-05-12"),
		st(4, "RU", "nato", truce.StanceDemands, "2024-06-14"),
		st(5, "UA", "ceasefire", truce.StanceDemands, "2025-05-10"),
		st(6, "UA", "ceasefire", truce.StanceRejects, "2025-05-10"), // same day, recorded later: latest
		st(7, "CN", "ceasefire", truce.StanceOffers, "2025-05-09"),  // not in the party order: last
	}
	m := Positions(ss, []string{"UA", "RU", "FR"}, []string{"ceasefire", "direct_talks", "nato", "territory"}, "")
	if want := []string{"UA", "RU", "CN"}; !reflect.DeepEqual(m.Parties, want) {
		t.Errorf("parties = %v, want %v", m.Parties, want)
	}
	if want := []string{"ceasefire", "direct_talks", "nato"}; !reflect.DeepEqual(m.Issues, want) {
		t.Errorf("issues = %v, want %v", m.Issues, want)
	}
	type cell struct {
		party, issue string
		latest       int64
		history      []int64
	}
	want := []cell{
		{"UA", "ceasefire", 6, []int64{5, 6}},
		{"UA", "direct_talks", 3, []int64{2, 3}},
		{"RU", "direct_talks", 1, []int64{1}},
		{"RU", "nato", 4, []int64{4}},
		{"CN", "ceasefire", 7, []int64{7}},
	}
	var got []cell
	for _, c := range m.Cells {
		var h []int64
		for _, s := range c.History {
			h = append(h, s.ID)
		}
		got = append(got, cell{c.Party, c.Issue, c.Latest.ID, h})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cells\n got %v\nwant %v", got, want)
	}

	// As of 11 May 2025, Ukraine's acceptance of 12 May is not yet made.
	m = Positions(ss, []string{"UA", "RU"}, nil, "2025-05-11")
	for _, c := range m.Cells {
		if c.Party == "UA" && c.Issue == "direct_talks" && (c.Latest.ID != 2 || len(c.History) != 1) {
			t.Errorf("UA direct_talks as of 11 May: latest %d, %d statements; want 2, 1", c.Latest.ID, len(c.History))
		}
	}
}

func TestTimeline(t *testing.T) {
	ss := []truce.Statement{st(1, "RU", "direct_talks", truce.StanceOffers, "2025-05-11"), st(2, "UA", "ceasefire", truce.StanceDemands, "2025-05-10")}
	es := []truce.NegotiationEvent{{ID: 1, Date: "2025-05-16"}, {ID: 2, Date: "2025-05-11"}, {ID: 3, Date: "2022-03-29"}}
	var got []string
	for _, e := range Timeline(ss, es) {
		id := int64(0)
		if e.Event != nil {
			id = e.Event.ID
		} else {
			id = e.Statement.ID
		}
		got = append(got, e.Date+" "+e.Kind+" "+string(rune('0'+id)))
	}
	want := []string{
		"2022-03-29 event 3",
		"2025-05-10 statement 2",
		"2025-05-11 event 2", // events first on a date
		"2025-05-11 statement 1",
		"2025-05-16 event 1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("timeline\n got %v\nwant %v", got, want)
	}
}
