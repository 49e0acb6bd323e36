package adjudicate

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/truce-monitor/truce/internal/events"
	"github.com/truce-monitor/truce/internal/terms"
)

// testParties are the parties of contract §1's example.
const testParties = `[
 {"code": "RU", "name": "Russian Federation", "aliases": ["Military Forces of Russia", "Government of Russia"]},
 {"code": "UA", "name": "Ukraine", "aliases": ["Military Forces of Ukraine", "Government of Ukraine"]}]`

// agreementJSON returns an agreement with the contract example's terms
// (Easter truce, Moscow time, all domains, any target, no area) and some
// fields replaced, given as JSON members.
func agreementJSON(id, fields string) string {
	base := map[string]string{
		"status": `"in_force"`, "bound": `["RU", "UA"]`,
		"window":  `{"start": "2025-04-19T18:00", "end": "2025-04-21T00:00", "tz": "Europe/Moscow"}`,
		"domains": `["land", "air", "sea"]`, "targets": `["any"]`,
	}
	order := []string{"status", "bound", "window", "domains", "targets"}
	parts := []string{`"id": "` + id + `"`}
	for _, k := range order {
		if !strings.Contains(fields, `"`+k+`":`) {
			parts = append(parts, `"`+k+`": `+base[k])
		}
	}
	if fields != "" {
		parts = append(parts, fields)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// newEngine compiles agreements (JSON objects) with testParties.
func newEngine(t testing.TB, agreements ...string) *Engine {
	t.Helper()
	doc := `{"parties": ` + testParties + `, "agreements": [` + strings.Join(agreements, ",\n") + `]}`
	tm, err := terms.Parse(strings.NewReader(doc), gz(t))
	if err != nil {
		t.Fatalf("terms: %v\n%s", err, doc)
	}
	e, err := New(tm, gz(t))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var acledColumns = []string{"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
	"actor1", "actor2", "country", "latitude", "longitude", "geo_precision", "notes", "civilian_targeting"}

// acled reads one ACLED row given as "column=value" overrides of an air
// strike by Russian forces in Donetsk on 20 April 2025.
func acled(t testing.TB, kv ...string) Event {
	t.Helper()
	row := map[string]string{
		"event_id_cnty": "UKR1", "event_date": "2025-04-20", "time_precision": "1",
		"event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
		"actor1": "Military Forces of Russia (2000-)", "actor2": "Civilians (Ukraine)", "country": "Ukraine",
		"latitude": "48.0", "longitude": "37.8", "geo_precision": "1",
	}
	for _, s := range kv {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			t.Fatalf("bad override %q", s)
		}
		row[k] = v
	}
	return readOne(t, acledColumns, row)
}

var ucdpColumns = []string{"id", "type_of_violence", "side_a", "side_b", "country", "latitude", "longitude",
	"where_prec", "date_start", "date_end", "source_headline", "where_description"}

// ucdp reads one UCDP GED row given as overrides of a state-based
// conflict event in Donetsk on 20 April 2025.
func ucdp(t testing.TB, kv ...string) Event {
	t.Helper()
	row := map[string]string{
		"id": "1", "type_of_violence": "1", "side_a": "Government of Russia (Soviet Union)", "side_b": "Government of Ukraine",
		"country": "Ukraine", "latitude": "48.0", "longitude": "37.8", "where_prec": "1",
		"date_start": "2025-04-20", "date_end": "2025-04-20",
	}
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		row[k] = v
	}
	return readOne(t, ucdpColumns, row)
}

func readOne(t testing.TB, cols []string, row map[string]string) Event {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(cols)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = row[c]
	}
	w.Write(rec)
	w.Flush()
	rd, err := events.NewReader(strings.NewReader(b.String()), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	r, err := rd.Next()
	if err != nil {
		t.Fatalf("row: %v", err)
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("more than one row: %v", err)
	}
	return EventFromRecord(r)
}

// judgeAll returns the verdicts of ev against every adjudicated agreement.
func judgeAll(e *Engine, ev Event) []Verdict {
	var vs []Verdict
	e.Judge(&ev, true, func(_ int, v Verdict) { vs = append(vs, v) })
	return vs
}

// judgeOne returns the only verdict of ev against a one-agreement engine.
func judgeOne(t testing.TB, e *Engine, ev Event) Verdict {
	t.Helper()
	vs := judgeAll(e, ev)
	if len(vs) != 1 {
		t.Fatalf("%d verdicts, want 1", len(vs))
	}
	return vs[0]
}
