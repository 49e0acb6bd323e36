package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// baseTerms returns testdata/terms.json decoded generically, for tests to
// break one thing at a time.
func baseTerms(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/terms.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// editTerms returns testdata/terms.json with each old string replaced by
// its new one, written to a file. Editing the text, not re-encoding it,
// keeps everything else byte for byte as imported before.
func editTerms(t *testing.T, oldnew ...string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/terms.json")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for i := 0; i < len(oldnew); i += 2 {
		if n := strings.Count(text, oldnew[i]); n != 1 {
			t.Fatalf("%q occurs %d times in terms.json, want once", oldnew[i], n)
		}
		text = strings.Replace(text, oldnew[i], oldnew[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), "terms.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// easterCollapsed are the edits that collapse the Easter truce early.
func easterCollapsed() []string {
	return []string{
		`"status": "in_force"`, `"status": "collapsed"`,
		`"end": "2025-04-21T00:00"`, `"end": "2025-04-20T18:00"`,
	}
}

func agreement(m map[string]any, i int) map[string]any {
	return m["agreements"].([]any)[i].(map[string]any)
}

func party(m map[string]any, i int) map[string]any {
	return m["parties"].([]any)[i].(map[string]any)
}

func window(m map[string]any, i int) map[string]any {
	return agreement(m, i)["window"].(map[string]any)
}

func area(m map[string]any, i int) map[string]any {
	return agreement(m, i)["area"].(map[string]any)
}

// writeJSON writes v to a file in dir and returns its path.
func writeTermsFile(t *testing.T, dir string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "terms.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTermsImportIdempotent(t *testing.T) {
	dsn := tempDB(t)
	code, out, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json")
	if code != 0 {
		t.Fatalf("first import: exit %d: %s", code, errOut)
	}
	if want := "parties: 3 added, 0 changed, 0 unchanged; agreements: 3 added, 0 new versions, 0 unchanged"; !strings.Contains(out, want) {
		t.Errorf("first import printed %q, want %q", out, want)
	}
	first := dbState(t, dsn)

	// Flags after the file work too.
	code, out, errOut = runTruce(t, "", "terms", "import", "testdata/terms.json", "--db", dsn)
	if code != 0 {
		t.Fatalf("second import: exit %d: %s", code, errOut)
	}
	if want := "parties: 0 added, 0 changed, 3 unchanged; agreements: 0 added, 0 new versions, 3 unchanged"; !strings.Contains(out, want) {
		t.Errorf("second import printed %q, want %q", out, want)
	}
	if second := dbState(t, dsn); second != first {
		t.Errorf("second import changed the database:\nbefore:\n%s\nafter:\n%s", first, second)
	}
}

func TestTermsImportNewVersion(t *testing.T) {
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	// Read from standard input this time.
	b, err := os.ReadFile(editTerms(t, easterCollapsed()...))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runTruce(t, string(b), "terms", "import", "--db", dsn, "-")
	if code != 0 {
		t.Fatalf("changed import: exit %d: %s", code, errOut)
	}
	if want := "agreements: 0 added, 1 new versions, 2 unchanged"; !strings.Contains(out, want) {
		t.Errorf("changed import printed %q, want %q", out, want)
	}
	state := dbState(t, dsn)
	for _, want := range []string{
		"agreement easter-truce-2025 v2 collapsed versions=2",
		"agreement victory-day-truce-2025 v1 expired versions=1",
	} {
		if !strings.Contains(state, want) {
			t.Errorf("database state lacks %q:\n%s", want, state)
		}
	}
}

// TestTermsImportBadInput breaks the terms file one way at a time (contract
// §1, "Bad terms"): each must exit 2 with a message naming the agreement or
// party and the field, and leave the database exactly as it was.
func TestTermsImportBadInput(t *testing.T) {
	dsn := tempDB(t)
	if code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, "testdata/terms.json"); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	before := dbState(t, dsn)

	const easter = "easter-truce-2025"
	tests := []struct {
		name   string
		raw    string                 // the file's text, when not derived from the base
		break_ func(m map[string]any) // one change to the base terms
		want   []string               // all must appear in stderr
	}{
		{name: "malformed JSON", raw: `{"parties": [`, want: []string{"terms.json"}},
		{name: "not an object", raw: `[1, 2]`, want: []string{"terms.json"}},
		{name: "trailing garbage", raw: `{"parties": [], "agreements": []} x`, want: []string{"terms.json"}},
		{name: "unknown top-level key", break_: func(m map[string]any) { m["agreement"] = []any{} }, want: []string{"agreement"}},
		{name: "unknown agreement key", break_: func(m map[string]any) { agreement(m, 0)["windw"] = 1 }, want: []string{easter, "windw"}},
		{name: "unknown window key", break_: func(m map[string]any) { window(m, 0)["zone"] = "UTC" }, want: []string{easter, "zone"}},
		{name: "unknown party key", break_: func(m map[string]any) { party(m, 0)["alias"] = "x" }, want: []string{"RU", "alias"}},

		{name: "missing party code", break_: func(m map[string]any) { delete(party(m, 1), "code") }, want: []string{"parties[1]", "code"}},
		{name: "missing party name", break_: func(m map[string]any) { delete(party(m, 1), "name") }, want: []string{"UA", "name"}},
		{name: "missing agreement id", break_: func(m map[string]any) { delete(agreement(m, 1), "id") }, want: []string{"agreements[1]", "id"}},
		{name: "missing status", break_: func(m map[string]any) { delete(agreement(m, 0), "status") }, want: []string{easter, "status"}},
		{name: "missing bound", break_: func(m map[string]any) { delete(agreement(m, 0), "bound") }, want: []string{easter, "bound"}},
		{name: "missing window", break_: func(m map[string]any) { delete(agreement(m, 0), "window") }, want: []string{easter, "window"}},
		{name: "missing window.start", break_: func(m map[string]any) { delete(window(m, 0), "start") }, want: []string{easter, "window.start"}},
		{name: "missing window.tz", break_: func(m map[string]any) { delete(window(m, 0), "tz") }, want: []string{easter, "window.tz"}},
		{name: "missing domains", break_: func(m map[string]any) { delete(agreement(m, 0), "domains") }, want: []string{easter, "domains"}},
		{name: "empty domains", break_: func(m map[string]any) { agreement(m, 0)["domains"] = []any{} }, want: []string{easter, "domains"}},
		{name: "missing targets", break_: func(m map[string]any) { delete(agreement(m, 0), "targets") }, want: []string{easter, "targets"}},

		{name: "unknown status", break_: func(m map[string]any) { agreement(m, 0)["status"] = "active" }, want: []string{easter, "status", "active"}},
		{name: "unknown domain", break_: func(m map[string]any) { agreement(m, 0)["domains"] = []any{"land", "space"} }, want: []string{easter, "domains", "space"}},
		{name: "unknown target", break_: func(m map[string]any) { agreement(m, 0)["targets"] = []any{"military"} }, want: []string{easter, "targets", "military"}},
		{name: "any with energy", break_: func(m map[string]any) { agreement(m, 0)["targets"] = []any{"any", "energy"} }, want: []string{easter, "targets", "any"}},

		{name: "time with offset", break_: func(m map[string]any) { window(m, 0)["start"] = "2025-04-19T18:00+03:00" }, want: []string{easter, "window.start"}},
		{name: "time with a space", break_: func(m map[string]any) { window(m, 0)["start"] = "2025-04-19 18:00" }, want: []string{easter, "window.start"}},
		{name: "impossible date", break_: func(m map[string]any) { window(m, 0)["end"] = "2025-02-30T00:00" }, want: []string{easter, "window.end"}},
		{name: "time skipped by DST", break_: func(m map[string]any) {
			w := window(m, 0)
			w["start"], w["end"], w["tz"] = "2025-03-30T03:30", "2025-04-01T00:00", "Europe/Kyiv"
		}, want: []string{easter, "window.start", "2025-03-30T03:30"}},
		{name: "unknown zone", break_: func(m map[string]any) { window(m, 0)["tz"] = "Europe/Kiev2" }, want: []string{easter, "window.tz", "Europe/Kiev2"}},
		{name: "Local zone", break_: func(m map[string]any) { window(m, 0)["tz"] = "Local" }, want: []string{easter, "window.tz"}},
		{name: "end equals start", break_: func(m map[string]any) { window(m, 0)["end"] = "2025-04-19T18:00" }, want: []string{easter, "window.end"}},
		{name: "end before start", break_: func(m map[string]any) { window(m, 0)["end"] = "2025-04-18T18:00" }, want: []string{easter, "window.end"}},

		{name: "unknown country", break_: func(m map[string]any) { area(m, 0)["countries"] = []any{"UA", "XX"} }, want: []string{easter, "area.countries", "XX"}},
		{name: "unknown admin1", break_: func(m map[string]any) { area(m, 0)["admin1"] = []any{"UA-99"} }, want: []string{easter, "area.admin1", "UA-99"}},
		{name: "geojson point", break_: func(m map[string]any) {
			area(m, 0)["geojson"] = map[string]any{"type": "Point", "coordinates": []any{30.5, 50.4}}
		}, want: []string{easter, "area.geojson"}},
		{name: "geojson open ring", break_: func(m map[string]any) {
			area(m, 0)["geojson"] = map[string]any{"type": "Polygon", "coordinates": []any{[]any{[]any{30.0, 50.0}, []any{31.0, 50.0}, []any{31.0, 51.0}}}}
		}, want: []string{easter, "area.geojson"}},
		{name: "geojson latitude out of range", break_: func(m map[string]any) {
			area(m, 0)["geojson"] = map[string]any{"type": "Polygon", "coordinates": []any{[]any{[]any{30.0, 50.0}, []any{31.0, 95.0}, []any{31.0, 51.0}, []any{30.0, 50.0}}}}
		}, want: []string{easter, "area.geojson"}},

		{name: "bound not in parties", break_: func(m map[string]any) { agreement(m, 0)["bound"] = []any{"RU", "BY"} }, want: []string{easter, "bound", "BY"}},
		{name: "declared_by not in parties", break_: func(m map[string]any) { agreement(m, 0)["declared_by"] = []any{"FR"} }, want: []string{easter, "declared_by", "FR"}},

		{name: "duplicate agreement id", break_: func(m map[string]any) {
			as := m["agreements"].([]any)
			m["agreements"] = append(as, agreement(m, 0))
		}, want: []string{easter, "id"}},
		{name: "duplicate party code", break_: func(m map[string]any) {
			ps := m["parties"].([]any)
			m["parties"] = append(ps, map[string]any{"code": "UA", "name": "Ukraine again"})
		}, want: []string{"UA", "code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each only reads the shared database
			dir := t.TempDir()
			var path string
			if tt.raw != "" {
				path = filepath.Join(dir, "terms.json")
				if err := os.WriteFile(path, []byte(tt.raw), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				m := baseTerms(t)
				tt.break_(m)
				path = writeTermsFile(t, dir, m)
			}
			code, out, errOut := runTruce(t, "", "terms", "import", "--db", dsn, path)
			if code != 2 {
				t.Errorf("exit %d, want 2\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not name %q", errOut, w)
				}
			}
			if after := dbState(t, dsn); after != before {
				t.Errorf("database changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// TestTermsImportBadInputCreatesNothing checks that bad terms do not even
// create the database file.
func TestTermsImportBadInputCreatesNothing(t *testing.T) {
	dsn := tempDB(t)
	m := baseTerms(t)
	window(m, 0)["tz"] = "Europe/Kiev2"
	path := writeTermsFile(t, t.TempDir(), m)
	if code, _, _ := runTruce(t, "", "terms", "import", "--db", dsn, path); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if _, err := os.Stat(dsn); !os.IsNotExist(err) {
		t.Errorf("database file exists after a failed import (stat: %v)", err)
	}
	code, _, errOut := runTruce(t, "", "terms", "import", "--db", dsn, filepath.Join(t.TempDir(), "missing.json"))
	if code != 2 || !strings.Contains(errOut, "missing.json") {
		t.Errorf("missing file: exit %d, stderr %q; want 2 naming the file", code, errOut)
	}
}
