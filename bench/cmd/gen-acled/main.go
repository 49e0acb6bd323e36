// Command gen-acled writes an ACLED-export-format CSV of synthetic events for
// the import benchmark. ACLED's terms forbid redistributing its rows, so the
// values come from real open data instead (bench/resample): coordinates and
// dates from UCDP GED and NASA FIRMS, texts and sources from UCDP headlines;
// event types, actors and precision codes follow ACLED's Ukraine mix.
// Seeded: the same flags give the same bytes.
//
//	go run ./bench/cmd/gen-acled -n 1000000 -o acled.csv
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce/bench/resample"
)

// header is ACLED's export column set, in its order.
var header = []string{"event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
	"sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
	"civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
	"longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp"}

// kind is one ACLED event shape with its share of the mix (per mille).
type kind struct {
	perMille                    int
	disorder, event, sub        string
	actor1, actor2              string
	inter1, inter2, interaction string
	civilian                    string
}

const (
	russia    = "Military Forces of Russia (2000-)"
	ukraine   = "Military Forces of Ukraine (2019-)"
	civilians = "Civilians (Ukraine)"
)

// mix approximates ACLED's Ukraine data since 2022: mostly shelling and
// strikes, then clashes, then strategic developments and protests.
var mix = []kind{
	{560, "Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack", russia, "", "8", "", "80", ""},
	{60, "Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack", ukraine, "", "1", "", "10", ""},
	{110, "Political violence", "Explosions/Remote violence", "Air/drone strike", russia, "", "8", "", "80", ""},
	{30, "Political violence", "Explosions/Remote violence", "Air/drone strike", ukraine, "", "1", "", "10", ""},
	{25, "Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED", "", civilians, "0", "7", "07", "Civilian targeting"},
	{130, "Political violence", "Battles", "Armed clash", russia, ukraine, "8", "1", "18", ""},
	{5, "Political violence", "Battles", "Government regains territory", ukraine, russia, "1", "8", "18", ""},
	{5, "Political violence", "Battles", "Non-state actor overtakes territory", russia, ukraine, "8", "1", "18", ""},
	{15, "Political violence", "Violence against civilians", "Attack", russia, civilians, "8", "7", "78", "Civilian targeting"},
	{35, "Strategic developments", "Strategic developments", "Disrupted weapons use", ukraine, "", "1", "", "10", ""},
	{5, "Strategic developments", "Strategic developments", "Other", ukraine, "", "1", "", "10", ""},
	{20, "Demonstrations", "Protests", "Peaceful protest", "Protesters (Ukraine)", "", "6", "", "60", ""},
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen-acled:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen-acled", flag.ContinueOnError)
	n := fs.Int("n", 1_000_000, "number of events")
	seed := fs.Uint64("seed", 1, "random seed")
	data := fs.String("data", "", "shared data directory (default: ../shared/data beside the repository)")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 0 {
		return fmt.Errorf("-n must not be negative")
	}
	total := 0
	for _, k := range mix {
		total += k.perMille
	}
	if total != 1000 {
		return fmt.Errorf("event mix adds up to %d per mille", total)
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
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := write(bw, pool.Sampler(*seed), *n); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

func write(w io.Writer, s *resample.Sampler, n int) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for i := range n {
		k := pick(s)
		place := s.Place()
		text := s.Text()
		day := s.RealDay()
		rec[0] = "UKR" + strconv.Itoa(i+1)
		rec[1] = day.Format(time.DateOnly)
		rec[2] = strconv.Itoa(day.Year())
		rec[3] = precision(s, 850, 130)
		rec[4] = k.disorder
		rec[5] = k.event
		rec[6] = k.sub
		rec[7] = k.actor1
		rec[8] = ""
		rec[9] = k.inter1
		rec[10] = k.actor2
		rec[11] = ""
		rec[12] = k.inter2
		rec[13] = k.interaction
		rec[14] = k.civilian
		rec[15] = "804"
		rec[16] = "Europe"
		rec[17] = "Ukraine"
		rec[18] = strings.TrimSuffix(place.Admin1, " oblast")
		rec[19] = place.Admin2
		rec[20] = ""
		rec[21] = text.Where
		rec[22] = strconv.FormatFloat(place.Lat, 'f', 4, 64)
		rec[23] = strconv.FormatFloat(place.Lon, 'f', 4, 64)
		rec[24] = precision(s, 700, 280)
		rec[25] = strings.ReplaceAll(text.Sources, ";", "; ")
		rec[26] = "National-International"
		rec[27] = "On " + day.Format("2 January 2006") + ", " + text.Headline + " [" + text.Where + "]."
		rec[28] = text.Deaths
		rec[29] = ""
		rec[30] = strconv.FormatInt(day.Unix()+int64(s.IntN(86400*14)), 10)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func pick(s *resample.Sampler) kind {
	r := s.IntN(1000)
	for _, k := range mix {
		if r < k.perMille {
			return k
		}
		r -= k.perMille
	}
	return mix[len(mix)-1]
}

// precision returns "1" with p1 per mille, "2" with p2, else "3".
func precision(s *resample.Sampler, p1, p2 int) string {
	r := s.IntN(1000)
	switch {
	case r < p1:
		return "1"
	case r < p1+p2:
		return "2"
	}
	return "3"
}
