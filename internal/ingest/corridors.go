package ingest

import (
	"fmt"
	"strings"

	"github.com/truce-monitor/truce"
)

// The PeaceRep humanitarian corridors file lists local ceasefires proposed
// or agreed in 2022 so that civilians could leave a town. Each row becomes
// an agreement "corridor-<HC_ID>" whose terms need review: the file gives the
// day and the route's two ends but not the hours, the domains or an area
// polygon. Status follows status_result: successful → expired (it held for
// its day), unsuccessful/disrupted → collapsed, disputed or unknown →
// proposed (not shown to have taken effect). The news text is kept in
// Description.
type corridorsReader struct {
	c                                *csvReader
	id, date, proposal, result, text int
	link, from, to, fromName, toName int
	fromLat, fromLon, toLat, toLon   int
}

func openCorridors(f *openFile) (Reader, error) {
	c := f.c
	idx, err := c.require(FormatCorridors, "hc_id", "date", "status_result")
	if err != nil {
		return nil, err
	}
	return &corridorsReader{c: c, id: idx[0], date: idx[1], result: idx[2],
		proposal: c.col("proposal"), text: c.col("text"), link: c.col("link"),
		from: c.col("from"), to: c.col("to"), fromName: c.col("from_name"), toName: c.col("to_name"),
		fromLat: c.col("from_latitude"), fromLon: c.col("from_longitude"), toLat: c.col("to_latitude"), toLon: c.col("to_longitude")}, nil
}

func (r *corridorsReader) Header() []string { return r.c.header }

func (r *corridorsReader) Next() (Item, error) {
	rec, line, err := r.c.next()
	if err != nil {
		return Item{Line: line}, err
	}
	id := field(rec, r.id)
	if id == "" {
		return Item{}, r.c.errorf(rec, line, r.id, "empty, want the corridor id")
	}
	day, err := parseISODate(rec[r.date])
	if err != nil {
		return Item{}, r.c.errorf(rec, line, r.date, "%v", err)
	}
	var status truce.AgreementStatus
	switch res := strings.ToLower(field(rec, r.result)); {
	case res == "successful":
		status = truce.StatusExpired
	case strings.HasPrefix(res, "unsuccessful"):
		status = truce.StatusCollapsed
	case res == "disputed" || strings.HasPrefix(res, "proposed"):
		status = truce.StatusProposed
	default:
		return Item{}, r.c.errorf(rec, line, r.result, "unknown outcome %q (successful, unsuccessful/disrupted, disputed, proposed route/outcome unknown)", field(rec, r.result))
	}
	from := field(rec, r.from)
	if from == "" {
		from = field(rec, r.fromName)
	}
	to := field(rec, r.to)
	if to == "" {
		to = field(rec, r.toName)
	}
	title := fmt.Sprintf("Humanitarian corridor %s → %s, %s", orUnknown(from), orUnknown(to), day.Format("2006-01-02"))
	var d strings.Builder
	fmt.Fprintf(&d, "%s. Proposed by: %s. Outcome: %s.", title, orUnknown(field(rec, r.proposal)), field(rec, r.result))
	for _, p := range [][2]string{
		{"From", join(" ", from, coords(field(rec, r.fromLat), field(rec, r.fromLon)))},
		{"To", join(" ", to, coords(field(rec, r.toLat), field(rec, r.toLon)))},
	} {
		if p[1] != "" {
			fmt.Fprintf(&d, "\n%s: %s", p[0], p[1])
		}
	}
	d.WriteString("\nTerms (hours, domains, targets, area, bound parties) need review.")
	if t := field(rec, r.text); t != "" {
		d.WriteString("\n\n")
		d.WriteString(t)
	}
	a := &truce.Agreement{
		ID:              "corridor-" + id,
		Title:           title,
		Status:          status,
		Bound:           []string{},
		Sources:         []truce.Source{{URL: field(rec, r.link), Date: day.Format("2006-01-02")}},
		Description:     truncateRunes(d.String(), truce.MaxDescription),
		TermsNeedReview: true,
		Origin:          "PeaceRep humanitarian corridors 2022 HC_ID " + id,
	}
	return Item{Line: line, Agreement: a}, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func coords(lat, lon string) string {
	if lat == "" || lon == "" {
		return ""
	}
	return "(" + lat + ", " + lon + ")"
}
