// Command tally counts the verdicts in `truce adjudicate` output (without
// --all: only the rows that are not outside) and writes them in the counts
// format the peers write: scope,agreement,test,value,n. Outside counts are
// what is left of events × agreements, so the run that is counted need not
// print 10 million outside rows.
//
//	truce adjudicate --terms T --events E | tally -events 1000000 -sub 100000 -agreements ids.txt
//
// Scope "all" counts every event; scope "sub" only events whose numeric id
// is at most -sub (the generator's ids run 1..n in random order of place
// and time, so that is a random sample: the one the geopandas peer runs on).
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tally:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("tally", flag.ContinueOnError)
	events := fs.Int("events", 0, "number of events adjudicated")
	sub := fs.Int("sub", 0, "also count events with id <= sub (0: no sample)")
	ids := fs.String("agreements", "", "agreement ids, comma-separated (those adjudicated, in file order)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	agreements := strings.Split(*ids, ",")
	counts, err := count(stdin, *sub)
	if err != nil {
		return err
	}
	w := csv.NewWriter(stdout)
	w.Write([]string{"scope", "agreement", "test", "value", "n"})
	scopes := []struct {
		name  string
		total int
	}{{"all", *events}, {"sub", min(*sub, *events)}}
	for _, sc := range scopes {
		if sc.name == "sub" && *sub == 0 {
			continue
		}
		for _, a := range agreements {
			left := sc.total
			for _, v := range []string{"uncertain", "violation"} {
				n := counts[key{sc.name, a, v}]
				left -= n
				if n > 0 {
					w.Write([]string{sc.name, a, "verdict", v, strconv.Itoa(n)})
				}
			}
			if left > 0 {
				w.Write([]string{sc.name, a, "verdict", "outside", strconv.Itoa(left)})
			}
		}
	}
	for k := range counts {
		if !slices.Contains(agreements, k.agreement) {
			return fmt.Errorf("agreement %q in the output is not in -agreements", k.agreement)
		}
	}
	w.Flush()
	return w.Error()
}

type key struct{ scope, agreement, verdict string }

func count(r io.Reader, sub int) (map[key]int, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<20))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 5
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if strings.Join(header, ",") != "event_id,agreement_id,verdict,party,reason" {
		return nil, fmt.Errorf("unexpected header %q", strings.Join(header, ","))
	}
	counts := map[key]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return counts, nil
		}
		if err != nil {
			return nil, err
		}
		counts[key{"all", rec[1], rec[2]}]++
		if sub > 0 {
			if id, err := strconv.Atoi(rec[0]); err == nil && id <= sub {
				counts[key{"sub", rec[1], rec[2]}]++
			}
		}
	}
}
