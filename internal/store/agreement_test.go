package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

func testParties() []truce.Party {
	return []truce.Party{
		{Code: "UA", Name: "Ukraine", Aliases: []string{"Government of Ukraine", "Military Forces of Ukraine"}},
		{Code: "RU", Name: "Russia", Aliases: []string{"Government of Russia (Soviet Union)", "Military Forces of Russia"}},
		{Code: "US", Name: "United States"},
		{Code: "FR", Name: "France"},
	}
}

// fullAgreement sets every field of an agreement, in normal form.
func fullAgreement() truce.Agreement {
	end := "2025-06-12T00:00"
	return truce.Agreement{
		ID:         "ua-ru-30day-2025",
		Title:      "Unconditional 30-day ceasefire <air, land, sea & infrastructure>",
		Status:     truce.StatusProposed,
		DeclaredBy: []string{"UA", "FR"},
		Bound:      []string{"UA", "RU"},
		Window:     truce.Window{Start: "2025-05-12T00:00", End: &end, TZ: "Europe/Kyiv"},
		Domains:    []string{"land", "air", "sea"},
		Targets:    []string{"any"},
		Area: &truce.Area{
			Countries: []string{"UA"},
			Admin1:    []string{"UA-14", "UA-09"},
			GeoJSON:   json.RawMessage(`{"type":"Polygon","coordinates":[[[37,48],[38,48],[38,49],[37,48]]]}`),
		},
		Sources: []truce.Source{{URL: "https://example.org/kyiv-statement", Title: "Joint statement", Quote: "a full and unconditional ceasefire for at least 30 days", Language: "en", Date: "2025-05-10"}},

		Description: "Called for by the leaders of Ukraine, France, Germany, Poland and the UK.",
		Monitoring:  &truce.Monitoring{Lead: []string{"US"}, Supporting: []string{"FR"}, Notes: "with the support of European countries"},
		Consequences: []truce.Consequence{
			{By: []string{"FR", "US"}, Description: "massive sanctions", Quote: "massive sanctions"},
			{Description: "further sanctions"},
		},
		TermsNeedReview: true,
		Illustrative:    true,
		Origin:          "scenario 2025-05-11",
	}
}

func TestParties(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		for _, p := range testParties() {
			changed, err := db.PutParty(ctx, p, "admin")
			if err != nil || !changed {
				t.Fatalf("PutParty(%s) = %v, %v", p.Code, changed, err)
			}
		}
		got, err := db.Parties(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, testParties()) {
			t.Fatalf("Parties = %+v\nwant %+v", got, testParties())
		}
		// Unchanged: nothing happens. Empty aliases are the same as none.
		us := truce.Party{Code: "US", Name: "United States", Aliases: []string{}}
		if changed, err := db.PutParty(ctx, us, "admin"); err != nil || changed {
			t.Fatalf("PutParty(unchanged) = %v, %v", changed, err)
		}
		us.Aliases = []string{"Government of United States of America"}
		if changed, err := db.PutParty(ctx, us, "admin"); err != nil || !changed {
			t.Fatalf("PutParty(changed) = %v, %v", changed, err)
		}
		p, err := db.Party(ctx, "US")
		if err != nil || !reflect.DeepEqual(p, us) {
			t.Fatalf("Party(US) = %+v, %v; want %+v", p, err, us)
		}
		if _, err := db.Party(ctx, "XX"); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("Party(XX): %v, want ENOTFOUND", err)
		}
		for _, bad := range []truce.Party{{Code: "", Name: "x"}, {Code: "UA", Name: ""}, {Code: "a b", Name: "x"}, {Code: "X", Name: "bad \xff"}, {Code: "X", Name: "nul\x00"}} {
			if _, err := db.PutParty(ctx, bad, "admin"); truce.ErrorCode(err) != truce.EINVALID {
				t.Errorf("PutParty(%+v): %v, want EINVALID", bad, err)
			}
		}
		entries := checkLog(t, db, 5)
		// Both versions of US stay verifiable.
		if entries[2].RecordID != "US@1" || entries[4].RecordID != "US@2" {
			t.Errorf("record ids %s, %s", entries[2].RecordID, entries[4].RecordID)
		}
		rec, err := db.Record(ctx, ledger.KindParty, "US@1")
		if err != nil || !reflect.DeepEqual(rec, testParties()[2]) {
			t.Errorf("Record(party US@1) = %+v, %v", rec, err)
		}
	})
}

func TestAgreementRoundTrip(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		for _, p := range testParties() {
			if _, err := db.PutParty(ctx, p, "admin"); err != nil {
				t.Fatal(err)
			}
		}
		a := fullAgreement()
		v, changed, err := db.PutAgreement(ctx, a, "admin")
		if err != nil || v != 1 || !changed {
			t.Fatalf("PutAgreement = %d, %v, %v", v, changed, err)
		}
		want := fullAgreement()
		want.Version = 1
		got, err := db.Agreement(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Agreement =\n%+v\nwant\n%+v", got, want)
		}
		// The stored agreement is the one in the leaf.
		rec, err := db.Record(ctx, ledger.KindAgreementVersion, a.ID+"@1")
		if err != nil || !reflect.DeepEqual(rec, want) {
			t.Fatalf("Record = %+v, %v", rec, err)
		}
		checkLog(t, db, 4+2) // parties, agreement version 1, initial status
	})
}

// TestAgreementNormalized checks that what is read back is the normal
// form of what was written, and that the normal form is not a change.
func TestAgreementNormalized(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		for _, p := range testParties() {
			db.PutParty(ctx, p, "admin")
		}
		in := truce.Agreement{
			ID: "easter-2025", Version: 7, Status: truce.StatusInForce, DeclaredBy: []string{},
			Bound:   []string{"RU"},
			Window:  truce.Window{Start: "2025-04-19T18:00", TZ: "Europe/Moscow"},
			Domains: []string{"land"}, Targets: []string{"any"},
			Area:         &truce.Area{Countries: []string{}, GeoJSON: json.RawMessage(" null ")},
			Sources:      []truce.Source{},
			Monitoring:   &truce.Monitoring{Lead: []string{}},
			Consequences: []truce.Consequence{},
		}
		want := truce.Agreement{
			ID: "easter-2025", Version: 1, Status: truce.StatusInForce,
			Bound:   []string{"RU"},
			Window:  truce.Window{Start: "2025-04-19T18:00", TZ: "Europe/Moscow"},
			Domains: []string{"land"}, Targets: []string{"any"},
		}
		if _, _, err := db.PutAgreement(ctx, in, "admin"); err != nil {
			t.Fatal(err)
		}
		got, err := db.Agreement(ctx, "easter-2025")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Agreement = %+v, %v\nwant %+v", got, err, want)
		}
		if v, changed, err := db.PutAgreement(ctx, want, "admin"); err != nil || changed || v != 1 {
			t.Fatalf("PutAgreement(normal form) = %d, %v, %v; want 1, unchanged", v, changed, err)
		}
		// GeoJSON is kept compact; an empty bound list is not a nil one.
		in2 := want
		in2.ID = "geo"
		in2.Bound = []string{}
		in2.Area = &truce.Area{GeoJSON: json.RawMessage("{ \"type\": \"Point\",\n \"coordinates\": [30.5, 50.4] }")}
		if _, _, err := db.PutAgreement(ctx, in2, "admin"); err != nil {
			t.Fatal(err)
		}
		got, err = db.Agreement(ctx, "geo")
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Area.GeoJSON) != `{"type":"Point","coordinates":[30.5,50.4]}` || got.Bound == nil || len(got.Bound) != 0 {
			t.Errorf("Agreement(geo) area %s bound %#v", got.Area.GeoJSON, got.Bound)
		}
		checkLog(t, db, 4+2+2)
	})
}

func TestAgreementValidation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		for _, p := range testParties() {
			db.PutParty(ctx, p, "admin")
		}
		cases := []struct {
			name  string
			edit  func(*truce.Agreement)
			field string
		}{
			{"unknown party", func(a *truce.Agreement) { a.Bound = []string{"UA", "XX"} }, "bound[1]"},
			{"no id", func(a *truce.Agreement) { a.ID = "" }, "id"},
			{"bad zone", func(a *truce.Agreement) { a.Window.TZ = "Mars/Olympus" }, "window.tz"},
			{"bad geojson", func(a *truce.Agreement) { a.Area.GeoJSON = json.RawMessage(`{"type":`) }, "area.geojson"},
			{"bad text", func(a *truce.Agreement) { a.Sources[0].Quote = "\xfe" }, "sources[0].quote"},
		}
		for _, c := range cases {
			a := fullAgreement()
			c.edit(&a)
			_, _, err := db.PutAgreement(ctx, a, "admin")
			var e *truce.Error
			if truce.ErrorCode(err) != truce.EINVALID || !errors.As(err, &e) || e.Field != c.field {
				t.Errorf("%s: %v, want EINVALID on %s", c.name, err, c.field)
			}
		}
		if as, err := db.Agreements(ctx); err != nil || len(as) != 0 {
			t.Errorf("Agreements after invalid puts = %d, %v", len(as), err)
		}
		checkLog(t, db, 4)
	})
}

func TestAgreementVersionsAndStatus(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		terms := truce.Terms{Parties: testParties(), Agreements: []truce.Agreement{fullAgreement()}}
		t1 := clk.peek()
		sum, err := db.ImportTerms(ctx, terms, "importer")
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.TermsSummary{PartiesAdded: 4, AgreementsAdded: 1}); sum != want {
			t.Fatalf("first import %+v, want %+v", sum, want)
		}
		// Same terms twice: nothing changes.
		sum, err = db.ImportTerms(ctx, terms, "importer")
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.TermsSummary{PartiesUnchanged: 4, AgreementsUnchanged: 1}); sum != want {
			t.Fatalf("second import %+v, want %+v", sum, want)
		}
		checkLog(t, db, 4+2)

		// A changed field (not the status): version 2, no status entry.
		terms.Agreements[0].Description = "Amended."
		terms.Agreements[0].Version = 99 // ignored
		sum, err = db.ImportTerms(ctx, terms, "importer")
		if err != nil || sum.AgreementsNewVersion != 1 {
			t.Fatalf("third import %+v, %v", sum, err)
		}
		// A status change: version 3 and a history entry.
		terms.Agreements[0].Status = truce.StatusInForce
		terms.Parties[2].Name = "United States of America"
		t4 := clk.peek()
		sum, err = db.ImportTerms(ctx, terms, "importer")
		if want := (store.TermsSummary{PartiesChanged: 1, PartiesUnchanged: 3, AgreementsNewVersion: 1}); err != nil || sum != want {
			t.Fatalf("fourth import %+v, %v; want %+v", sum, err, want)
		}
		vs, err := db.AgreementVersions(ctx, fullAgreement().ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 3 {
			t.Fatalf("%d versions, want 3", len(vs))
		}
		v1 := fullAgreement()
		v1.Version = 1
		if !reflect.DeepEqual(vs[0], v1) {
			t.Errorf("version 1 = %+v\nwant %+v", vs[0], v1)
		}
		if vs[1].Version != 2 || vs[1].Description != "Amended." || vs[1].Status != truce.StatusProposed {
			t.Errorf("version 2 = %+v", vs[1])
		}
		if vs[2].Version != 3 || vs[2].Status != truce.StatusInForce {
			t.Errorf("version 3 = %+v", vs[2])
		}

		// An admin's status change with its own effective time.
		collapsed := time.Date(2025, 5, 12, 3, 0, 0, 0, time.UTC)
		c := truce.StatusChange{AgreementID: fullAgreement().ID, Status: truce.StatusCollapsed, At: collapsed, Reason: "mass drone attack", By: "monitor1"}
		if err := db.SetAgreementStatus(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.SetAgreementStatus(ctx, c); err != nil { // already collapsed: nothing
			t.Fatal(err)
		}
		hist, err := db.StatusHistory(ctx, fullAgreement().ID)
		if err != nil {
			t.Fatal(err)
		}
		id := fullAgreement().ID
		wantHist := []truce.StatusChange{
			{AgreementID: id, Status: truce.StatusProposed, At: t1, Reason: "terms import", By: "importer"},
			{AgreementID: id, Status: truce.StatusInForce, At: t4, Reason: "terms import", By: "importer"},
			c,
		}
		// Each change is named, with its commitment and salt (checked in
		// agreement_status_test.go); compared here without them.
		plain := slices.Clone(hist)
		for i := range plain {
			if len(plain[i].BySalt) != 64 || len(plain[i].ByCommitment) != 64 {
				t.Errorf("status change %d: salt %q, commitment %q, want 32 bytes of hex each", i, plain[i].BySalt, plain[i].ByCommitment)
			}
			plain[i].BySalt, plain[i].ByCommitment = "", ""
		}
		if !reflect.DeepEqual(plain, wantHist) {
			t.Fatalf("StatusHistory =\n%+v\nwant\n%+v", plain, wantHist)
		}
		latest, err := db.Agreement(ctx, id)
		if err != nil || latest.Version != 4 || latest.Status != truce.StatusCollapsed {
			t.Fatalf("latest = v%d %s, %v", latest.Version, latest.Status, err)
		}
		all, err := db.Agreements(ctx)
		if err != nil || len(all) != 1 || !reflect.DeepEqual(all[0], latest) {
			t.Fatalf("Agreements = %+v, %v", all, err)
		}
		// Leaves: 4 parties + v1 + status; v2; US@2 + v3 + status; v4 + status.
		entries := checkLog(t, db, 6+1+3+2)
		wantKinds := "party party party party agreement_version agreement_status agreement_version party agreement_version agreement_status agreement_version agreement_status"
		if got := strings.Join(kinds(entries), " "); got != wantKinds {
			t.Errorf("leaf kinds %s\nwant %s", got, wantKinds)
		}

		for _, bad := range []truce.StatusChange{
			{AgreementID: "nope", Status: truce.StatusExpired},
			{AgreementID: id, Status: "paused"},
		} {
			err := db.SetAgreementStatus(ctx, bad)
			if want := map[bool]string{true: truce.ENOTFOUND, false: truce.EINVALID}[bad.AgreementID == "nope"]; truce.ErrorCode(err) != want {
				t.Errorf("SetAgreementStatus(%+v): %v, want %s", bad, err, want)
			}
		}
		for _, f := range []func() error{
			func() error { _, err := db.Agreement(ctx, "nope"); return err },
			func() error { _, err := db.AgreementVersions(ctx, "nope"); return err },
			func() error { _, err := db.StatusHistory(ctx, "nope"); return err },
		} {
			if err := f(); truce.ErrorCode(err) != truce.ENOTFOUND {
				t.Errorf("got %v, want ENOTFOUND", err)
			}
		}
	})
}

// TestImportTermsAtomic: a terms file with a bad agreement late in it
// stores nothing, not even the parties and agreements before it.
func TestImportTermsAtomic(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		good := fullAgreement()
		bad := fullAgreement()
		bad.ID = "bad"
		bad.Bound = []string{"UA", "ZZ"} // known only inside the transaction to be unknown
		terms := truce.Terms{Parties: testParties(), Agreements: []truce.Agreement{good, bad}}
		_, err := db.ImportTerms(ctx, terms, "importer")
		var e *truce.Error
		if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != "agreements[1].bound[1]" {
			t.Fatalf("ImportTerms: %v, want EINVALID on agreements[1].bound[1]", err)
		}
		if ps, err := db.Parties(ctx); err != nil || len(ps) != 0 {
			t.Errorf("parties after a failed import: %d, %v", len(ps), err)
		}
		if as, err := db.Agreements(ctx); err != nil || len(as) != 0 {
			t.Errorf("agreements after a failed import: %d, %v", len(as), err)
		}
		checkLog(t, db, 0)

		dup := truce.Terms{Parties: append(testParties(), truce.Party{Code: "UA", Name: "again"})}
		if _, err := db.ImportTerms(ctx, dup, "importer"); !errors.As(err, &e) || e.Field != "parties[4].code" {
			t.Errorf("duplicate party: %v", err)
		}
	})
}

// TestAgreementGeoJSONResubmitted: the same area geometry sent again,
// with its keys in another order, other whitespace and its numbers
// written otherwise, is not a new version and logs nothing; a moved
// vertex is a new version.
func TestAgreementGeoJSONResubmitted(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		for _, p := range testParties() {
			if _, err := db.PutParty(ctx, p, "admin"); err != nil {
				t.Fatal(err)
			}
		}
		withGeoJSON := func(g string) truce.Agreement {
			a := fullAgreement()
			a.Area.GeoJSON = json.RawMessage(g)
			return a
		}
		put := func(a truce.Agreement) (int, bool) {
			t.Helper()
			v, changed, err := db.PutAgreement(ctx, a, "admin")
			if err != nil {
				t.Fatal(err)
			}
			return v, changed
		}
		feature := `{"type":"Feature","properties":{"name":"line","zone":1},"geometry":{"type":"Polygon","coordinates":[[[37,48],[38,48],[38,49],[37,48]]]}}`
		if v, changed := put(withGeoJSON(feature)); v != 1 || !changed {
			t.Fatalf("first put: version %d, changed %v", v, changed)
		}
		const size = 4 + 2 // parties, version 1, its status
		checkLog(t, db, size)

		for _, same := range []string{
			feature,
			// Keys reordered at every level, whitespace, 37.0, 3.8e1, 48.000, 1.0.
			`{ "geometry" : { "coordinates" : [ [ [37.0, 48], [3.8e1, 48.000], [38, 49], [37, 48] ] ], "type" : "Polygon" },
			   "properties": {"zone": 1.0, "name": "line"}, "type": "Feature" }`,
			// Duplicate key: the last counts, as for every JSON reader here.
			`{"type":"Feature","properties":{"name":"line","zone":1},"geometry":{"type":"Point","coordinates":[0,0]},"geometry":{"type":"Polygon","coordinates":[[[37,48],[38,48],[38,49],[37,48]]]}}`,
		} {
			if v, changed := put(withGeoJSON(same)); v != 1 || changed {
				t.Errorf("identical geometry %s: version %d, changed %v; want 1, unchanged", same, v, changed)
			}
		}
		checkLog(t, db, size)

		// A real change: one vertex moved by a tenth of a degree.
		moved := `{"type":"Feature","properties":{"name":"line","zone":1},"geometry":{"type":"Polygon","coordinates":[[[37,48],[38.1,48],[38,49],[37,48]]]}}`
		if v, changed := put(withGeoJSON(moved)); v != 2 || !changed {
			t.Errorf("moved vertex: version %d, changed %v; want 2, changed", v, changed)
		}
		// A property changed is a change of the record too.
		renamed := strings.Replace(moved, `"line"`, `"front line"`, 1)
		if v, changed := put(withGeoJSON(renamed)); v != 3 || !changed {
			t.Errorf("renamed feature: version %d, changed %v; want 3, changed", v, changed)
		}
		vs, err := db.AgreementVersions(ctx, fullAgreement().ID)
		if err != nil || len(vs) != 3 {
			t.Fatalf("%d versions, %v", len(vs), err)
		}
		// Each version keeps the geometry as it was sent (compacted).
		if got := string(vs[1].Area.GeoJSON); got != moved {
			t.Errorf("version 2 geojson %s\nwant %s", got, moved)
		}
		checkLog(t, db, size+2)

		// JSON whose number no float64 holds cannot be compared: refused.
		_, _, err = db.PutAgreement(ctx, withGeoJSON(`{"type":"Polygon","coordinates":[[[1e400,48],[38,48],[38,49],[37,48]]]}`), "admin")
		var e *truce.Error
		if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != "area.geojson" {
			t.Errorf("out-of-range number: %v, want EINVALID naming area.geojson", err)
		}
	})
}
