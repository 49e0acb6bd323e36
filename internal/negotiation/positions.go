package negotiation

import (
	"slices"
	"sort"

	"github.com/truce-monitor/truce"
)

// Position is where one party stands on one issue: its latest statement,
// and every statement it made on the issue, oldest first.
type Position struct {
	Party   string            `json:"party"`
	Issue   string            `json:"issue"`
	Latest  truce.Statement   `json:"latest"`
	History []truce.Statement `json:"history"`
}

// Matrix is the position matrix: parties × issues. Parties and Issues are
// the rows and columns that hold at least one statement, in the order
// given to Positions; Cells holds the non-empty cells row by row.
type Matrix struct {
	Parties []string   `json:"parties"`
	Issues  []string   `json:"issues"`
	Cells   []Position `json:"cells"`
}

// Positions builds the position matrix from statements made up to and
// including the date at (YYYY-MM-DD; "" for all). Parties and issues give
// the order of rows and columns; codes missing from them come last, sorted.
// The latest statement of a cell is the one with the latest date, and of
// those the one recorded last (highest ID).
func Positions(statements []truce.Statement, parties, issues []string, at string) Matrix {
	cells := map[[2]string][]truce.Statement{}
	for _, s := range statements {
		if at != "" && s.Date > at {
			continue
		}
		k := [2]string{s.Party, s.Issue}
		cells[k] = append(cells[k], s)
	}
	var m Matrix
	seenP, seenI := map[string]bool{}, map[string]bool{}
	for k := range cells {
		seenP[k[0]], seenI[k[1]] = true, true
	}
	m.Parties = ordered(parties, seenP)
	m.Issues = ordered(issues, seenI)
	for _, p := range m.Parties {
		for _, i := range m.Issues {
			h := cells[[2]string{p, i}]
			if len(h) == 0 {
				continue
			}
			h = slices.Clone(h)
			sort.SliceStable(h, func(a, b int) bool {
				if h[a].Date != h[b].Date {
					return h[a].Date < h[b].Date
				}
				return h[a].ID < h[b].ID
			})
			m.Cells = append(m.Cells, Position{Party: p, Issue: i, Latest: h[len(h)-1], History: h})
		}
	}
	return m
}

// ordered returns the codes of seen in the order of order, then the rest sorted.
func ordered(order []string, seen map[string]bool) []string {
	out := []string{}
	done := map[string]bool{}
	for _, c := range order {
		if seen[c] && !done[c] {
			out = append(out, c)
			done[c] = true
		}
	}
	var rest []string
	for c := range seen {
		if !done[c] {
			rest = append(rest, c)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// TimelineEntry is a statement or an event, on its date.
type TimelineEntry struct {
	Date      string                  `json:"date"`
	Kind      string                  `json:"kind"` // "statement" or "event"
	Statement *truce.Statement        `json:"statement,omitempty"`
	Event     *truce.NegotiationEvent `json:"event,omitempty"`
}

// Timeline merges statements and events by date: on one date, events come
// before statements (a statement often answers the day's event), each by ID.
func Timeline(statements []truce.Statement, events []truce.NegotiationEvent) []TimelineEntry {
	out := make([]TimelineEntry, 0, len(statements)+len(events))
	for i := range events {
		out = append(out, TimelineEntry{Date: events[i].Date, Kind: "event", Event: &events[i]})
	}
	for i := range statements {
		out = append(out, TimelineEntry{Date: statements[i].Date, Kind: "statement", Statement: &statements[i]})
	}
	id := func(e TimelineEntry) int64 {
		if e.Event != nil {
			return e.Event.ID
		}
		return e.Statement.ID
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Date != y.Date {
			return x.Date < y.Date
		}
		if x.Kind != y.Kind {
			return x.Kind == "event"
		}
		return id(x) < id(y)
	})
	return out
}
