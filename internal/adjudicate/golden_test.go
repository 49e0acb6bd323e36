package adjudicate

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/truce-monitor/truce/internal/events"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/terms"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// gazetteer loads the embedded gazetteer once per test binary.
var gazetteer = sync.OnceValues(geo.Load)

func gz(t testing.TB) *geo.Gazetteer {
	t.Helper()
	g, err := gazetteer()
	if err != nil {
		t.Fatalf("geo.Load: %v", err)
	}
	return g
}

// sharedData resolves a file of the shared real data, which lies beside
// the repository.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared data: %v", err)
	}
	return p
}

const gedFile = "ucdp/ged-ukraine-2014-2022.csv"

// engineFromFile compiles a terms file of testdata.
func engineFromFile(t testing.TB, name string) *Engine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tm, err := terms.Parse(f, gz(t))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(tm, gz(t))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// judgeFile judges every row of an events file and writes the rows of
// contract §4 to a CSV buffer, as `truce adjudicate` does.
func judgeFile(t testing.TB, e *Engine, path string, all bool) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := events.NewReader(f, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"event_id", "agreement_id", "verdict", "party", "reason"})
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%v", err)
		}
		ev := EventFromRecord(rec)
		e.Judge(&ev, all, func(_ int, v Verdict) {
			w.Write([]string{ev.ID, v.AgreementID, v.Verdict, v.Party, v.Reason})
		})
	}
	w.Flush()
	return buf.Bytes()
}

// TestGoldenDonbas2020 judges the UCDP GED Ukraine extract (3,077 events,
// 2014 to February 2022) against the July 2020 Donbas ceasefire measures.
// Run with -update to rewrite testdata/donbas-2020.golden.csv after a
// deliberate change, and review the diff.
func TestGoldenDonbas2020(t *testing.T) {
	e := engineFromFile(t, "donbas-2020.json")
	got := judgeFile(t, e, sharedData(t, gedFile), false)
	golden := filepath.Join("testdata", "donbas-2020.golden.csv")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := 0; i < min(len(gl), len(wl)); i++ {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("line %d differs:\n got  %s\n want %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("got %d lines, want %d", len(gl), len(wl))
	}
}
