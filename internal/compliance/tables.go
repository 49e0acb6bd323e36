package compliance

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// table is one table of the report as text cells, shared by the Markdown
// and HTML forms so that they say the same thing.
type table struct {
	ID    string
	Title string
	Note  string
	Head  []string
	Rows  [][]string
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// tables returns the report's tables in order.
func (rep *Report) tables() []table {
	var ts []table
	sum := table{ID: "summary", Title: "Incidents", Note: "Incidents whose finding against the agreement is violation or uncertain. The range runs from verified violations to every verified or corroborated incident that may be one.",
		Head: []string{"Measure", "Reporting day", "Previous day", "Pre-truce baseline", "Since the window opened"}}
	for _, m := range measures {
		r := rep.Summary
		sum.Rows = append(sum.Rows, []string{strings.ReplaceAll(m.name, "_", " "), strconv.Itoa(m.get(r.Day)), strconv.Itoa(m.get(r.Previous)),
			strconv.Itoa(m.get(r.Baseline)), strconv.Itoa(m.get(r.Total))})
	}
	ts = append(ts, sum)
	dims := []struct {
		id, title, head string
		rows            []Row
		weapons         bool
	}{
		{"party", "By party", "Party", rep.ByParty, false},
		{"domain", "By domain", "Domain", rep.ByDomain, false},
		{"region", "By admin-1 region", "Region", rep.ByRegion, false},
		{"means", "By means (where reports count them)", "Means", rep.ByMeans, true},
	}
	for _, d := range dims {
		t := table{ID: d.id, Title: d.title, Head: []string{d.head, "Violation", "Uncertain", "Alleged", "Corroborated", "Verified", "Disputed", "Rejected", "Range"}}
		if d.weapons {
			t.Head = append(t.Head, "Weapons")
		}
		t.Head = append(t.Head, "Previous day", "Baseline", "Since opened")
		t.Note = "Counts are for the reporting day; the last three columns give violation + uncertain for the other periods."
		for _, r := range d.rows {
			c := r.Day
			row := []string{r.Label, strconv.Itoa(c.Violation), strconv.Itoa(c.Uncertain), strconv.Itoa(c.Alleged), strconv.Itoa(c.Corroborated),
				strconv.Itoa(c.Verified), strconv.Itoa(c.Disputed), strconv.Itoa(c.Rejected), rangeText(c)}
			if d.weapons {
				row = append(row, strconv.Itoa(c.Weapons))
			}
			row = append(row, vu(r.Previous), vu(r.Baseline), vu(r.Total))
			t.Rows = append(t.Rows, row)
		}
		ts = append(ts, t)
	}
	series := table{ID: "series", Title: "The last seven reporting days", Head: []string{"Day", "Violation", "Uncertain", "Range"}}
	for _, d := range rep.Series {
		series.Rows = append(series.Rows, []string{d.Date, strconv.Itoa(d.Violation), strconv.Itoa(d.Uncertain), strconv.Itoa(d.Low) + "–" + strconv.Itoa(d.High)})
	}
	ts = append(ts, series)
	notable := table{ID: "notable", Title: "Notable incidents: the day's verified violations", Head: []string{"Incident", "Party", "When", "Place", "Reason", "Sources"}}
	for _, n := range rep.Notable {
		notable.Rows = append(notable.Rows, []string{"#" + strconv.FormatInt(n.ID, 10) + " " + n.Title, n.Party, n.From + " – " + n.To, n.Place, n.Reason, strings.Join(n.Sources, "; ")})
	}
	ts = append(ts, notable)
	claims := table{ID: "claims", Title: "Claims against evidence", Note: "Each claim overlapping the day, beside what the record supports over the claim's own period.",
		Head: []string{"Claim", "Period (UTC)", "Claimed", "Reports", "Alleged", "Corroborated", "Verified", "Verdicts"}}
	for _, c := range rep.Claims {
		ev := c.Evidence
		var vs []string
		for _, k := range slices.Sorted(mapKeys(ev.Verdicts)) {
			vs = append(vs, fmt.Sprintf("%s %d", k, ev.Verdicts[k]))
		}
		claims.Rows = append(claims.Rows, []string{
			"#" + strconv.FormatInt(c.ID, 10) + " " + ev.Claimant + " accuses " + ev.Accused + ": " + c.Summary,
			stamp(ev.From) + " – " + stamp(ev.To), meansText(ev.Claimed),
			tally(ev.Reports.Count, ev.Reports.Means), tally(ev.Alleged.Count, ev.Alleged.Means),
			tally(ev.Corroborated.Count, ev.Corroborated.Means), tally(ev.Verified.Count, ev.Verified.Means), strings.Join(vs, ", "),
		})
	}
	ts = append(ts, claims)
	access := table{ID: "access", Title: "Access restrictions", Note: "Places monitors reported they were denied access to during the day.",
		Head: []string{"When (" + rep.Agreement.TZ + ")", "Place", "Region", "Denied by", "Reason"}}
	for _, a := range rep.Access {
		access.Rows = append(access.Rows, []string{a.At, a.Place, a.Region, a.DeniedBy, a.Reason})
	}
	ts = append(ts, access)
	alerts := table{ID: "alerts", Title: "Alerts", Note: "Alerts of the agreement's rules open at this log size; each names the record that tripped it (log size) and the incidents.",
		Head: []string{"Alert", "State", "Tripped at log size", "Incidents"}}
	for _, a := range rep.Alerts {
		state := "open"
		if a.State == "acknowledged" {
			state = "acknowledged"
		}
		ids := make([]string, len(a.Incidents))
		for i, id := range a.Incidents {
			ids[i] = "#" + strconv.FormatInt(id, 10)
		}
		alerts.Rows = append(alerts.Rows, []string{"#" + strconv.FormatInt(a.ID, 10) + " " + a.Summary, state, strconv.FormatInt(a.LogSize, 10), strings.Join(ids, " ")})
	}
	ts = append(ts, alerts)
	return ts
}

func rangeText(c Counts) string { return strconv.Itoa(c.Low) + "–" + strconv.Itoa(c.High) }

func vu(c Counts) string { return strconv.Itoa(c.Violation + c.Uncertain) }

func tally(n int, means []truce.Means) string {
	if len(means) == 0 {
		return strconv.Itoa(n)
	}
	return strconv.Itoa(n) + " (" + meansText(means) + ")"
}

func mapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Markdown returns the report as Markdown.
func (rep *Report) Markdown() []byte {
	var b strings.Builder
	title := rep.Agreement.Title
	if title == "" {
		title = rep.Agreement.ID
	}
	fmt.Fprintf(&b, "# Daily compliance report: %s\n\n", mdEscape(title))
	fmt.Fprintf(&b, "- Agreement: `%s`, version %d (%s), window %s %s\n", rep.Agreement.ID, rep.Agreement.Version, rep.Agreement.Status, rep.Agreement.Window, rep.Agreement.TZ)
	fmt.Fprintf(&b, "- Reporting day: %s (%s), %s – %s\n", rep.Date, rep.Agreement.TZ, stamp(rep.Periods.Day.From), stamp(rep.Periods.Day.To))
	fmt.Fprintf(&b, "- Pre-truce baseline: %s – %s\n", stamp(rep.Periods.Baseline.From), stamp(rep.Periods.Baseline.To))
	fmt.Fprintf(&b, "- Since the window opened: %s – %s\n", stamp(rep.Periods.Total.From), stamp(rep.Periods.Total.To))
	fmt.Fprintf(&b, "- Computed from the log at size %d, root hash `%s` (rebuild with `--as-of %d`)\n", rep.Checkpoint.Size, rep.Checkpoint.Root, rep.Checkpoint.Size)
	for _, t := range rep.tables() {
		fmt.Fprintf(&b, "\n## %s\n\n", t.Title)
		if t.Note != "" {
			fmt.Fprintf(&b, "%s\n\n", t.Note)
		}
		if len(t.Rows) == 0 {
			b.WriteString("None.\n")
			continue
		}
		cells := make([]string, len(t.Head))
		for i, h := range t.Head {
			cells[i] = mdEscape(h)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		b.WriteString("|" + strings.Repeat(" --- |", len(t.Head)) + "\n")
		for _, r := range t.Rows {
			for i, c := range r {
				cells[i] = mdEscape(c)
			}
			b.WriteString("| " + strings.Join(cells[:len(r)], " | ") + " |\n")
		}
	}
	if len(rep.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range rep.Notes {
			b.WriteString("- " + mdEscape(n) + "\n")
		}
	}
	return []byte(b.String())
}

var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;")

func mdEscape(s string) string { return mdEscaper.Replace(s) }
