package compliance

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
)

// Formats of the report.
var Formats = []string{"html", "json", "csv", "md", "pdf"}

// ContentType returns the media type of a format.
func ContentType(format string) string {
	switch format {
	case "html":
		return "text/html; charset=utf-8"
	case "json":
		return "application/json"
	case "csv":
		return "text/csv; charset=utf-8"
	case "md":
		return "text/markdown; charset=utf-8"
	case "pdf":
		return "application/pdf"
	}
	return "application/octet-stream"
}

// Render writes the report in a format: html, json, csv or md. The same
// report always gives the same bytes.
func (rep *Report) Render(w io.Writer, format string) error {
	var b []byte
	var err error
	switch format {
	case "json":
		b, err = rep.JSON()
	case "csv":
		b, err = rep.CSV()
	case "md":
		b = rep.Markdown()
	case "html":
		b, err = rep.HTML()
	case "pdf":
		b = rep.PDF()
	default:
		return truce.Invalid("format", "unknown format %q (html, json, csv, md, pdf)", format)
	}
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// JSON returns the report as indented JSON.
func (rep *Report) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return nil, fmt.Errorf("compliance report: %w", err)
	}
	return b.Bytes(), nil
}

// csvHeader is the one header of the CSV form: every line is a section's
// row, with counts in the four period columns or text in detail.
var csvHeader = []string{"section", "key", "label", "measure", "day", "previous_day", "baseline", "since_window_opened", "detail"}

// measures are the count columns of a row, in order.
var measures = []struct {
	name string
	get  func(Counts) int
}{
	{"violation", func(c Counts) int { return c.Violation }},
	{"uncertain", func(c Counts) int { return c.Uncertain }},
	{"alleged", func(c Counts) int { return c.Alleged }},
	{"corroborated", func(c Counts) int { return c.Corroborated }},
	{"verified", func(c Counts) int { return c.Verified }},
	{"disputed", func(c Counts) int { return c.Disputed }},
	{"rejected", func(c Counts) int { return c.Rejected }},
	{"range_low", func(c Counts) int { return c.Low }},
	{"range_high", func(c Counts) int { return c.High }},
}

// CSV returns the report as CSV (RFC 4180, LF line ends). Text that a
// spreadsheet would run as a formula (= + - @, tab, CR first) is prefixed
// with a single quote.
func (rep *Report) CSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	write := func(cells ...string) {
		for i, c := range cells {
			cells[i] = safeCell(c)
		}
		w.Write(cells)
	}
	write(csvHeader...)
	text := func(key, label, detail string) {
		write("report", key, label, "", "", "", "", "", detail)
	}
	text("agreement", rep.Agreement.Title, rep.Agreement.ID)
	text("agreement_version", "", strconv.Itoa(rep.Agreement.Version))
	text("date", "", rep.Date)
	text("window", "", rep.Agreement.Window+" "+rep.Agreement.TZ)
	text("log_size", "", strconv.FormatInt(rep.Checkpoint.Size, 10))
	text("log_root", "", rep.Checkpoint.Root)
	for _, p := range []struct {
		key string
		s   Span
	}{{"day", rep.Periods.Day}, {"previous_day", rep.Periods.Previous}, {"baseline", rep.Periods.Baseline}, {"since_window_opened", rep.Periods.Total}} {
		text("period_"+p.key, "", stamp(p.s.From)+"/"+stamp(p.s.To))
	}
	rows := func(section string, rs []Row, weapons bool) {
		for _, r := range rs {
			for _, m := range measures {
				write(section, r.Key, r.Label, m.name, strconv.Itoa(m.get(r.Day)), strconv.Itoa(m.get(r.Previous)),
					strconv.Itoa(m.get(r.Baseline)), strconv.Itoa(m.get(r.Total)), "")
			}
			if weapons {
				write(section, r.Key, r.Label, "weapons", strconv.Itoa(r.Day.Weapons), strconv.Itoa(r.Previous.Weapons),
					strconv.Itoa(r.Baseline.Weapons), strconv.Itoa(r.Total.Weapons), "")
			}
		}
	}
	rows("summary", []Row{rep.Summary}, false)
	rows("party", rep.ByParty, false)
	rows("domain", rep.ByDomain, false)
	rows("region", rep.ByRegion, false)
	rows("means", rep.ByMeans, true)
	for _, d := range rep.Series {
		write("series", d.Date, "", "violation", strconv.Itoa(d.Violation), "", "", "", "")
		write("series", d.Date, "", "uncertain", strconv.Itoa(d.Uncertain), "", "", "", "")
		write("series", d.Date, "", "range_low", strconv.Itoa(d.Low), "", "", "", "")
		write("series", d.Date, "", "range_high", strconv.Itoa(d.High), "", "", "", "")
	}
	for _, n := range rep.Notable {
		write("notable", strconv.FormatInt(n.ID, 10), n.Title, "verified_violation", "1", "", "", "",
			"party: "+n.Party+"; reason: "+n.Reason+"; place: "+n.Place+"; from "+n.From+" to "+n.To+"; sources: "+strings.Join(n.Sources, " | "))
	}
	for _, c := range rep.Claims {
		ev := c.Evidence
		key := strconv.FormatInt(c.ID, 10)
		label := ev.Claimant + " accuses " + ev.Accused
		write("claim", key, label, "claimed", "", "", "", "", meansText(ev.Claimed)+"; "+c.Summary)
		for _, t := range []struct {
			name string
			n    int
		}{{"reports", ev.Reports.Count}, {"alleged", ev.Alleged.Count}, {"corroborated", ev.Corroborated.Count}, {"verified", ev.Verified.Count}} {
			write("claim", key, label, t.name, strconv.Itoa(t.n), "", "", "", "")
		}
	}
	for _, a := range rep.Access {
		write("access_restriction", strconv.FormatInt(a.ID, 10), a.Place, "denied", "1", "", "", "",
			"at "+a.At+"; region: "+a.Region+"; denied by: "+a.DeniedBy+"; reason: "+a.Reason)
	}
	for _, a := range rep.Alerts {
		ids := make([]string, len(a.Incidents))
		for i, id := range a.Incidents {
			ids[i] = strconv.FormatInt(id, 10)
		}
		write("alert", strconv.FormatInt(a.ID, 10), a.Summary, a.State, "", "", "", "",
			"rule "+strconv.FormatInt(a.RuleID, 10)+"; tripped at log size "+strconv.FormatInt(a.LogSize, 10)+"; incidents "+strings.Join(ids, " "))
	}
	for i, n := range rep.Notes {
		write("note", strconv.Itoa(i+1), "", "", "", "", "", "", n)
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// safeCell defuses a cell a spreadsheet would read as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func meansText(ms []truce.Means) string {
	if len(ms) == 0 {
		return "no means counted"
	}
	var parts []string
	for _, m := range ms {
		parts = append(parts, strconv.Itoa(m.Count)+" "+strings.ReplaceAll(m.Kind, "_", " "))
	}
	return strings.Join(parts, ", ")
}
