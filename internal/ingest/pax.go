package ingest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// PA-X (the PeaceRep Peace Agreements Database) codes agreements by stage;
// rows with Stage=Cea are ceasefires and become agreements, all others are
// read and skipped. PA-X does not code a ceasefire's window, domains,
// targets or area, so those are left empty and the agreement is flagged
// TermsNeedReview: it is kept for the record and never adjudicated until an
// analyst fills its terms in. Bound is empty for the same reason (PA-X names
// signatories in free text, kept in Description).
//
// ID is "pax-<AgtId>"; Status is in_force for a signed or unilateral
// document (PA-X Status "Multiparty signed/agreed", "Unilateral document"),
// proposed otherwise ("Status unclear"): PA-X records that an agreement was
// made, not whether it still holds. Dat (DD/MM/YYYY) is the source's date.
type paxReader struct {
	c                             *csvReader
	id, name, date, stage, status int
	con, contp, pp, part, thrd    int
	stageSub, loc1, loc2, agtType int
	skipped                       int
}

func openPAX(f *openFile) (Reader, error) {
	c := f.c
	idx, err := c.require(FormatPAX, "agtid", "agt", "dat", "stage")
	if err != nil {
		return nil, err
	}
	return &paxReader{c: c, id: idx[0], name: idx[1], date: idx[2], stage: idx[3], status: c.col("status"),
		con: c.col("con"), contp: c.col("contp"), pp: c.col("ppname"), part: c.col("part"), thrd: c.col("thrdpart"),
		stageSub: c.col("stagesub"), loc1: c.col("loc1iso"), loc2: c.col("loc2iso"), agtType: c.col("agtp")}, nil
}

func (r *paxReader) Header() []string { return r.c.header }

func (r *paxReader) Notes() []string {
	return []string{fmt.Sprintf("%d rows are not ceasefires (Stage is not Cea) and were skipped", r.skipped)}
}

func (r *paxReader) Next() (Item, error) {
	rec, line, err := r.c.next()
	if err != nil {
		return Item{Line: line}, err
	}
	if field(rec, r.stage) != "Cea" {
		r.skipped++
		return Item{Line: line}, nil
	}
	id := field(rec, r.id)
	if id == "" {
		return Item{}, r.c.errorf(rec, line, r.id, "empty, want the agreement id")
	}
	title := field(rec, r.name)
	if title == "" {
		return Item{}, r.c.errorf(rec, line, r.name, "empty, want the agreement's name")
	}
	day, err := time.Parse("02/01/2006", field(rec, r.date))
	if err != nil {
		return Item{}, r.c.errorf(rec, line, r.date, "%q is not a date DD/MM/YYYY", field(rec, r.date))
	}
	status := truce.StatusProposed
	switch strings.ToLower(field(rec, r.status)) {
	case "multiparty signed/agreed", "unilateral document":
		status = truce.StatusInForce
	}
	var d strings.Builder
	fmt.Fprintf(&d, "PA-X ceasefire agreement %s: %s.", id, title)
	for _, p := range [][2]string{
		{"Conflict", join(" ", field(rec, r.con), paren(field(rec, r.contp)))},
		{"Peace process", field(rec, r.pp)},
		{"Agreement type", field(rec, r.agtType)},
		{"Stage", join(" ", "ceasefire", paren(field(rec, r.stageSub)))},
		{"Status", field(rec, r.status)},
		{"Location", join("/", field(rec, r.loc1), field(rec, r.loc2))},
		{"Parties", field(rec, r.part)},
		{"Third parties", field(rec, r.thrd)},
	} {
		if p[1] != "" {
			fmt.Fprintf(&d, "\n%s: %s", p[0], p[1])
		}
	}
	d.WriteString("\nTerms (window, domains, targets, area, bound parties) are not coded by PA-X and need review.")
	a := &truce.Agreement{
		ID:     "pax-" + id,
		Title:  truncateRunes(title, 500),
		Status: status,
		Bound:  []string{},
		Sources: []truce.Source{{
			URL:   "https://www.peaceagreements.org/view/" + id,
			Title: title,
			Date:  day.Format(time.DateOnly),
		}},
		Description:     truncateRunes(d.String(), truce.MaxDescription),
		TermsNeedReview: true,
		Origin:          "PA-X AgtId " + id,
	}
	return Item{Line: line, Agreement: a}, nil
}

// join joins the non-empty strings with sep.
func join(sep string, ss ...string) string {
	return strings.Join(slices.DeleteFunc(ss, func(s string) bool { return s == "" }), sep)
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}
