// Command report prints the table of `make bench` from the measurements
// scripts/bench.sh collects: one row per tool and job, the ratio of each
// peer's time to Truce's, the pairwise ratios against the project's goals,
// and whether the tools' verdict counts agree.
//
//	report [-strict] results.tsv
//
// With -strict it exits with status 1 when two tools' verdict counts differ
// (for CI: BENCH_STRICT=1 scripts/bench.sh).
//
// results.tsv has one measurement a line, tab-separated: job, tool, rows,
// seconds, max RSS in MB ("" when not measured), counts file ("" for none),
// counts scope to compare ("all" or "sub"), note. The counts files hold
// scope,agreement,test,value,n (bench/cmd/tally and the peers write them).
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Measurement is one line of results.tsv.
type Measurement struct {
	Job, Tool string
	Rows      int
	Seconds   float64 // 0: the tool did not run
	RSSMB     float64 // 0: not measured
	Counts    string
	Scope     string
	Note      string
}

func main() {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	strict := fs.Bool("strict", false, "exit 1 when two tools' verdict counts differ")
	fs.Parse(os.Args[1:])
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-strict] results.tsv")
		os.Exit(2)
	}
	ms, err := readResults(fs.Arg(0))
	if err == nil {
		err = write(os.Stdout, ms)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	if d := disagreements(ms); *strict && len(d) > 0 {
		fmt.Fprintln(os.Stderr, "report: verdicts differ:", strings.Join(d, "; "))
		os.Exit(1)
	}
}

// disagreements lists the pairs of tools whose verdict counts differ or
// could not be compared.
func disagreements(ms []Measurement) []string {
	var out []string
	for i, a := range ms {
		for _, b := range ms[i+1:] {
			if a.Job != b.Job || a.Counts == "" || b.Counts == "" {
				continue
			}
			if c := compare(a, b, "verdict"); !strings.HasPrefix(c, "same counts") {
				out = append(out, fmt.Sprintf("%s vs %s: %s", a.Tool, b.Tool, c))
			}
		}
	}
	return out
}

func readResults(path string) ([]Measurement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []Measurement
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 8 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 8", path, line, len(c))
		}
		m := Measurement{Job: c[0], Tool: c[1], Counts: c[5], Scope: c[6], Note: c[7]}
		var errs [3]error
		m.Rows, errs[0] = strconv.Atoi(c[2])
		m.Seconds, errs[1] = parseFloat(c[3])
		m.RSSMB, errs[2] = parseFloat(c[4])
		for _, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, line, err)
			}
		}
		ms = append(ms, m)
	}
	return ms, sc.Err()
}

func parseFloat(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}

// truce returns the Truce measurement of a job.
func truce(ms []Measurement, job string) (Measurement, bool) {
	for _, m := range ms {
		if m.Job == job && m.Tool == "Truce" && m.Seconds > 0 {
			return m, true
		}
	}
	return Measurement{}, false
}

func write(w io.Writer, ms []Measurement) error {
	fmt.Fprintln(w, "| job | tool | rows | seconds | rows/s | max RSS MB | time vs Truce | verdicts vs Truce | note |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|---|---|")
	for _, m := range ms {
		t, hasT := truce(ms, m.Job)
		ratio, agree := "", ""
		switch {
		case m.Tool == "Truce":
			ratio, agree = "1×", "—"
		case hasT && m.Seconds > 0:
			ratio = fmt.Sprintf("%.1f×", m.Seconds/t.Seconds)
		}
		if m.Tool != "Truce" && m.Counts != "" {
			agree = compare(t, m, "verdict")
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", m.Job, m.Tool, group(m.Rows),
			seconds(m.Seconds), rate(m), mb(m.RSSMB), ratio, agree, m.Note)
	}
	fmt.Fprintln(w)
	for _, line := range pairs(ms) {
		fmt.Fprintln(w, "- "+line)
	}
	return nil
}

// pairs states the ratio between each pair of tools of a job, and the
// project's goals where it has one.
func pairs(ms []Measurement) []string {
	goals := map[[2]string]string{
		{"adjudicate", "PostGIS"}:   "goal: Truce at least 10× faster",
		{"adjudicate", "geopandas"}: "goal: Truce at least 50× faster",
		{"import", "sqlite3"}:       "goal: Truce within 2× of sqlite3 .import",
	}
	var out []string
	for i, a := range ms {
		for _, b := range ms[i+1:] {
			if a.Job != b.Job || a.Seconds == 0 || b.Seconds == 0 || strings.Contains(b.Tool, "load+") || strings.Contains(a.Tool, "load+") {
				continue
			}
			line := fmt.Sprintf("%s: %s %s vs %s %s: %s", a.Job, a.Tool, seconds(a.Seconds), b.Tool, seconds(b.Seconds), speed(a, b))
			if a.Tool == "Truce" {
				for key, g := range goals {
					if key[0] == a.Job && strings.HasPrefix(b.Tool, key[1]) {
						line += fmt.Sprintf(" (%s: %s)", g, met(a, b, key[1]))
					}
				}
			}
			out = append(out, line)
		}
	}
	for _, m := range ms {
		if m.Tool != "Truce" {
			continue
		}
		switch m.Job {
		case "adjudicate":
			out = append(out, fmt.Sprintf("adjudicate: Truce max RSS %s MB (goal: under 500 MB: %s)", mb(m.RSSMB), yes(m.RSSMB > 0 && m.RSSMB < 500)))
		case "import":
			r := float64(m.Rows) / m.Seconds
			out = append(out, fmt.Sprintf("import: Truce %s rows/s (goal: at least 200,000 rows/s: %s)", group(int(r)), yes(r >= 200000)))
		}
	}
	for i, a := range ms {
		for _, b := range ms[i+1:] {
			if a.Job == b.Job && a.Tool != "Truce" && b.Tool != "Truce" && a.Counts != "" && b.Counts != "" &&
				!strings.Contains(a.Tool, "load+") && !strings.Contains(b.Tool, "load+") {
				for _, test := range []string{"verdict", "place", "time"} {
					if c := compare(a, b, test); !strings.HasPrefix(c, "not compared (no ") {
						out = append(out, fmt.Sprintf("%s: %s vs %s, %s test: %s", a.Job, a.Tool, b.Tool, test, c))
					}
				}
			}
		}
	}
	return out
}

func speed(a, b Measurement) string {
	if b.Seconds >= a.Seconds {
		return fmt.Sprintf("%s is %.1f× faster", a.Tool, b.Seconds/a.Seconds)
	}
	return fmt.Sprintf("%s is %.1f× faster", b.Tool, a.Seconds/b.Seconds)
}

func met(t, peer Measurement, kind string) string {
	r := peer.Seconds / t.Seconds
	switch kind {
	case "PostGIS":
		return yes(r >= 10)
	case "geopandas":
		return yes(r >= 50)
	case "sqlite3":
		return yes(r >= 0.5)
	}
	return "?"
}

func yes(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// compare counts how many (event, agreement) pairs at least must differ
// between two tools' counts of a test: half the sum of the count
// differences over every (agreement, value), on the scope both ran.
func compare(a, b Measurement, test string) string {
	if a.Counts == "" || b.Counts == "" {
		return "not compared"
	}
	scope := "all"
	if a.Scope == "sub" || b.Scope == "sub" {
		scope = "sub"
	}
	ca, err1 := readCounts(a.Counts, scope, test)
	cb, err2 := readCounts(b.Counts, scope, test)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("not compared (%v %v)", err1, err2)
	}
	if len(ca) == 0 || len(cb) == 0 {
		return "not compared (no " + test + " counts)"
	}
	diff, total := 0, 0
	for k, n := range ca {
		diff += abs(n - cb[k])
		total += n
	}
	for k, n := range cb {
		if _, ok := ca[k]; !ok {
			diff += abs(n)
		}
	}
	where := ""
	if scope == "sub" {
		where = " of the sample"
	}
	if diff == 0 {
		return fmt.Sprintf("same counts (%s pairs%s)", group(total), where)
	}
	return fmt.Sprintf("%s of %s pairs%s differ", group(diff/2), group(total), where)
}

func readCounts(path, scope, test string) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for i, rec := range recs {
		if i == 0 || len(rec) != 5 || rec[0] != scope || rec[2] != test {
			continue
		}
		n, err := strconv.Atoi(rec[4])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[rec[1]+"\x00"+rec[3]] += n
	}
	return out, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func rate(m Measurement) string {
	if m.Seconds == 0 {
		return ""
	}
	return group(int(math.Round(float64(m.Rows) / m.Seconds)))
}

func seconds(s float64) string {
	switch {
	case s == 0:
		return "—"
	case s < 10:
		return strconv.FormatFloat(s, 'f', 2, 64)
	}
	return strconv.FormatFloat(s, 'f', 1, 64)
}

func mb(v float64) string {
	if v == 0 {
		return ""
	}
	return group(int(math.Round(v)))
}

// group writes n with thousands separators.
func group(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
