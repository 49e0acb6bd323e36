package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "scope,agreement,test,value,n\nall,x,verdict,outside,90\nall,x,verdict,uncertain,10\nsub,x,verdict,outside,9\nsub,x,verdict,uncertain,1\n")
	b := writeFile(t, dir, "b.csv", "scope,agreement,test,value,n\nall,x,verdict,outside,87\nall,x,verdict,uncertain,10\nall,x,verdict,violation,3\n")
	c := writeFile(t, dir, "c.csv", "scope,agreement,test,value,n\nsub,x,verdict,outside,9\nsub,x,verdict,uncertain,1\nsub,x,place,inside,10\n")
	for _, tc := range []struct {
		name string
		x, y Measurement
		test string
		want string
	}{
		// 3 pairs moved from outside to violation: |90-87| + |0-3| = 6, halved.
		{"differ", Measurement{Counts: a, Scope: "all"}, Measurement{Counts: b, Scope: "all"}, "verdict", "3 of 100 pairs differ"},
		{"same on the sample", Measurement{Counts: a, Scope: "all"}, Measurement{Counts: c, Scope: "sub"}, "verdict", "same counts (10 pairs of the sample)"},
		{"no counts of that test", Measurement{Counts: a, Scope: "all"}, Measurement{Counts: c, Scope: "sub"}, "place", "not compared (no place counts)"},
		{"no file", Measurement{Counts: a}, Measurement{}, "verdict", "not compared"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := compare(tc.x, tc.y, tc.test); got != tc.want {
				t.Errorf("compare = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTable(t *testing.T) {
	dir := t.TempDir()
	results := writeFile(t, dir, "results.tsv", strings.Join([]string{
		"adjudicate\tTruce\t1000000\t4\t120\t\tall\t",
		"adjudicate\tPostGIS (join)\t1000000\t60\t900\t\tall\tone query",
		"import\tTruce\t1000000\t5\t80\t\tall\t",
		"import\tsqlite3 .import\t1000000\t2.5\t10\t\tall\t",
	}, "\n")+"\n")
	ms, err := readResults(results)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := write(&out, ms); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| adjudicate | PostGIS (join) | 1,000,000 | 60.0 | 16,667 | 900 | 15.0× |",
		"Truce is 15.0× faster (goal: Truce at least 10× faster: met)",
		"sqlite3 .import is 2.0× faster (goal: Truce within 2× of sqlite3 .import: met)",
		"Truce max RSS 120 MB (goal: under 500 MB: met)",
		"import: Truce 200,000 rows/s (goal: at least 200,000 rows/s: met)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDisagreements(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "scope,agreement,test,value,n\nall,x,verdict,outside,9\nall,x,verdict,uncertain,1\n")
	b := writeFile(t, dir, "b.csv", "scope,agreement,test,value,n\nall,x,verdict,outside,10\n")
	same := []Measurement{{Job: "j", Tool: "A", Counts: a, Scope: "all"}, {Job: "j", Tool: "B", Counts: a, Scope: "all"}, {Job: "j", Tool: "C"}}
	if d := disagreements(same); len(d) != 0 {
		t.Errorf("disagreements of equal counts: %v", d)
	}
	differ := []Measurement{{Job: "j", Tool: "A", Counts: a, Scope: "all"}, {Job: "j", Tool: "B", Counts: b, Scope: "all"}}
	if d := disagreements(differ); len(d) != 1 || d[0] != "A vs B: 1 of 10 pairs differ" {
		t.Errorf("disagreements = %q", d)
	}
}
