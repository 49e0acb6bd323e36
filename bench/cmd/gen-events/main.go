// Command gen-events writes a UCDP-GED-format CSV of synthetic events for the
// adjudication benchmark: coordinates, dates, precision codes, actor names and
// texts are resampled from the real UCDP GED and NASA FIRMS files (see
// bench/resample). Seeded: the same flags give the same bytes.
//
//	go run ./bench/cmd/gen-events -n 1000000 -o events.csv
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/truce-monitor/truce/bench/resample"
)

// header holds the columns `truce adjudicate` requires of UCDP GED, plus the
// two text columns it reads for targets.
var header = []string{"id", "type_of_violence", "side_a", "side_b", "country", "latitude", "longitude",
	"where_prec", "date_start", "date_end", "source_headline", "where_description"}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen-events:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen-events", flag.ContinueOnError)
	n := fs.Int("n", 1_000_000, "number of events")
	seed := fs.Uint64("seed", 1, "random seed")
	from := fs.String("from", "2024-09-01", "first day of the events' window")
	days := fs.Int("days", 365, "length of the events' window in days")
	data := fs.String("data", "", "shared data directory (default: ../shared/data beside the repository)")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start, err := time.Parse(time.DateOnly, *from)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	if *days < 1 || *n < 0 {
		return fmt.Errorf("-days must be positive and -n not negative")
	}
	dir, err := resample.DataDir(*data)
	if err != nil {
		return err
	}
	pool, err := resample.Load(dir)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := write(bw, pool.Sampler(*seed), *n, start, *days); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && *out != "" {
		return f.Close()
	}
	return nil
}

func write(w io.Writer, s *resample.Sampler, n int, from time.Time, days int) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for i := range n {
		place := s.Place()
		sides := s.Sides()
		text := s.Text()
		d0 := s.Day(from, days)
		d1 := d0.AddDate(0, 0, s.SpanDays())
		rec[0] = strconv.Itoa(i + 1)
		rec[1] = sides.Violence
		rec[2] = sides.SideA
		rec[3] = sides.SideB
		rec[4] = place.Country
		rec[5] = strconv.FormatFloat(place.Lat, 'f', 5, 64)
		rec[6] = strconv.FormatFloat(place.Lon, 'f', 5, 64)
		rec[7] = strconv.Itoa(s.WherePrec())
		rec[8] = d0.Format(time.DateOnly)
		rec[9] = d1.Format(time.DateOnly)
		rec[10] = text.Headline
		rec[11] = text.Where
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
