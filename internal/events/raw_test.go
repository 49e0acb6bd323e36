package events

import (
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// TestReadRawParseMatchesNext: reading raw rows and parsing them on other
// goroutines (as truce adjudicate does) gives the records and row errors
// Next gives, in the same order.
func TestReadRawParseMatchesNext(t *testing.T) {
	malformed := acledHeader +
		"G1,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" +
		"B2,2025-13-01,1,Battles,Armed clash,A,B,Ukraine,48,37,1,,\n" +
		"B11,2025-01-01,1,Battles,Armed clash,A,B,Ukraine,48,37\n" +
		"B13,2025-01-01,1,Battles,Armed \"clash\",A,B,Ukraine,48,37,1,,\n" +
		"G2,2025-01-01,1,Explosions/Remote violence,Shelling/artillery/missile attack,A,B,Russia,50,36,2,\"drone hit a substation, power lines down\",\n"
	inputs := map[string]func(t *testing.T) string{
		"malformed": func(*testing.T) string { return malformed },
		"ucdp":      func(t *testing.T) string { return readFile(t, repoData(t, "ucdp/ged-ukraine-2014-2022.csv")) },
		"messy": func(t *testing.T) string {
			return readFile(t, repoData(t, "ucdp/ged-ukraine-2014-2023-cp1252-messy.csv"))
		},
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			text := input(t)
			wantRecs, wantErrs := readAll(t, name, text)
			if len(wantRecs)+len(wantErrs) == 0 {
				t.Fatal("no records: the test compares nothing")
			}
			rd, err := NewReader(strings.NewReader(text), name)
			if err != nil {
				t.Fatal(err)
			}
			var raws []Raw
			var csvErrs = map[int]string{} // index in raws → CSV-level error
			for {
				r, err := rd.ReadRaw()
				if err == io.EOF {
					break
				}
				var re *RowError
				if errors.As(err, &re) {
					csvErrs[len(raws)] += re.Error() + "\n"
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				raws = append(raws, r)
			}
			recs := make([]*Record, len(raws))
			errs := make([]error, len(raws))
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					for i := w; i < len(raws); i += 4 {
						recs[i], errs[i] = rd.Parse(raws[i])
					}
				})
			}
			wg.Wait()
			var gotRecs []*Record
			var gotErrs []string
			for i := range raws {
				if s, ok := csvErrs[i]; ok {
					gotErrs = append(gotErrs, strings.Split(strings.TrimSuffix(s, "\n"), "\n")...)
				}
				if errs[i] != nil {
					gotErrs = append(gotErrs, errs[i].Error())
					continue
				}
				gotRecs = append(gotRecs, recs[i])
			}
			if s, ok := csvErrs[len(raws)]; ok {
				gotErrs = append(gotErrs, strings.Split(strings.TrimSuffix(s, "\n"), "\n")...)
			}
			if !reflect.DeepEqual(gotErrs, wantErrs) {
				t.Errorf("row errors\n got %q\nwant %q", gotErrs, wantErrs)
			}
			if !reflect.DeepEqual(gotRecs, wantRecs) {
				t.Errorf("records differ (%d vs %d)", len(gotRecs), len(wantRecs))
			}
		})
	}
}

func readFile(t *testing.T, name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
