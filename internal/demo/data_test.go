package demo

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
)

// shared is where the project's shared data lies beside the repository,
// here and in CI.
var shared = filepath.Join("..", "..", "..", "shared")

// readShared returns a file under shared/, skipping the test only if the
// file is absent (CI has it).
func readShared(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(shared, rel))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("shared data %s is absent; run beside ../shared to check against it", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTermsJSON(t *testing.T, name string) truce.Terms {
	t.Helper()
	var tm truce.Terms
	if err := decodeStrict(name, &tm); err != nil {
		t.Fatal(err)
	}
	return tm
}

func partySet(tms ...truce.Terms) map[string]bool {
	m := map[string]bool{}
	for _, tm := range tms {
		for _, p := range tm.Parties {
			m[p.Code] = true
		}
	}
	return m
}

func agreement(t *testing.T, tm truce.Terms, id string) truce.Agreement {
	t.Helper()
	for _, a := range tm.Agreements {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no agreement %q", id)
	return truce.Agreement{}
}

func utc(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v
}

// The windows below are worked out by hand from the declarations: Moscow
// is UTC+3 all year; Kyiv is UTC+3 in summer time (from 30 March 2025 and
// 29 March 2020) and UTC+2 in winter.
func TestTermsWindows(t *testing.T) {
	tests := []struct {
		file, id   string
		start, end string // UTC; "" end for open-ended
		status     truce.AgreementStatus
	}{
		{ScenarioTermsFile, "energy-moratorium-2025", "2025-03-17T21:00:00Z", "2025-04-16T21:00:00Z", truce.StatusExpired},
		{ScenarioTermsFile, "easter-truce-2025", "2025-04-19T15:00:00Z", "2025-04-20T21:00:00Z", truce.StatusExpired},
		{ScenarioTermsFile, "victory-day-truce-2025", "2025-05-07T21:00:00Z", "2025-05-10T21:00:00Z", truce.StatusExpired},
		{ScenarioTermsFile, "ceasefire-proposal-30-day-2025", "2025-05-11T21:00:00Z", "2025-06-10T21:00:00Z", truce.StatusProposed},
		{DonbasTermsFile, "donbas-ceasefire-measures-2020", "2020-07-26T21:01:00Z", "2022-02-23T22:00:00Z", truce.StatusCollapsed},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a := agreement(t, mustTermsJSON(t, tt.file), tt.id)
			start, end, err := a.Window.Resolve()
			if err != nil {
				t.Fatal(err)
			}
			if !start.Equal(utc(tt.start)) || !end.Equal(utc(tt.end)) {
				t.Errorf("window = %s – %s, want %s – %s", start, end, tt.start, tt.end)
			}
			if a.Status != tt.status {
				t.Errorf("status = %s, want %s", a.Status, tt.status)
			}
		})
	}
}

func TestTermsValidate(t *testing.T) {
	for _, name := range TermsFiles() {
		t.Run(name, func(t *testing.T) {
			tm := mustTermsJSON(t, name)
			known := partySet(tm)
			if len(known) != len(tm.Parties) {
				t.Errorf("duplicate party codes in %s", name)
			}
			for _, p := range tm.Parties {
				if err := p.Validate(); err != nil {
					t.Errorf("party %s: %v", p.Code, err)
				}
			}
			ids := map[string]bool{}
			for _, a := range tm.Agreements {
				if err := a.Validate(known); err != nil {
					t.Errorf("%s: %v", a.ID, err)
				}
				if ids[a.ID] {
					t.Errorf("agreement id %s twice", a.ID)
				}
				ids[a.ID] = true
				if a.Description == "" || a.Origin == "" || len(a.Sources) == 0 {
					t.Errorf("%s: description, origin and sources are all required in the demo", a.ID)
				}
			}
		})
	}
}

func TestScenarioTerms(t *testing.T) {
	tm := mustTermsJSON(t, ScenarioTermsFile)

	p := agreement(t, tm, "ceasefire-proposal-30-day-2025")
	if want := []string{"UA", "FR", "DE", "PL", "GB"}; !slices.Equal(p.DeclaredBy, want) {
		t.Errorf("proposers = %v, want %v", p.DeclaredBy, want)
	}
	if want := []string{"RU", "UA"}; !slices.Equal(p.Bound, want) {
		t.Errorf("bound = %v, want %v", p.Bound, want)
	}
	if p.Monitoring == nil || !slices.Equal(p.Monitoring.Lead, []string{"US"}) ||
		!slices.Equal(p.Monitoring.Supporting, []string{"FR", "DE", "PL", "GB"}) {
		t.Errorf("monitoring = %+v, want lead US, supporting FR DE PL GB", p.Monitoring)
	}
	if len(p.Consequences) != 1 || !strings.Contains(p.Consequences[0].Quote, "massive sanctions") {
		t.Errorf("consequences = %+v, want the massive sanctions", p.Consequences)
	}
	if !slices.Equal(p.Domains, []string{"land", "air", "sea"}) || !slices.Equal(p.Targets, []string{"any"}) {
		t.Errorf("domains %v targets %v, want land air sea / any", p.Domains, p.Targets)
	}

	e := agreement(t, tm, "energy-moratorium-2025")
	if !slices.Equal(e.Targets, []string{"energy"}) {
		t.Errorf("energy moratorium targets = %v", e.Targets)
	}
	if e.Area == nil || !slices.Equal(e.Area.Countries, []string{"UA", "RU"}) {
		t.Errorf("energy moratorium area = %+v, want UA and RU", e.Area)
	}

	// Who is bound is the judgement that decides verdicts: Ukraine
	// undertook to mirror the Easter truce but not the Victory Day one.
	bound := map[string][]string{
		"energy-moratorium-2025": {"RU", "UA"},
		"easter-truce-2025":      {"RU", "UA"},
		"victory-day-truce-2025": {"RU"},
	}
	for id, want := range bound {
		if got := agreement(t, tm, id).Bound; !slices.Equal(got, want) {
			t.Errorf("%s bound = %v, want %v", id, got, want)
		}
	}
	for _, id := range []string{"easter-truce-2025", "victory-day-truce-2025"} {
		if got := agreement(t, tm, id).DeclaredBy; !slices.Equal(got, []string{"RU"}) {
			t.Errorf("%s declared_by = %v, want RU", id, got)
		}
	}
}

// A party defined in both terms files must be defined identically, or
// loading one file after the other would change it back and forth and a
// second load would not be a no-op.
func TestSharedPartiesIdentical(t *testing.T) {
	seen := map[string]truce.Party{}
	for _, name := range TermsFiles() {
		for _, p := range mustTermsJSON(t, name).Parties {
			if q, ok := seen[p.Code]; ok {
				a, _ := json.Marshal(p)
				b, _ := json.Marshal(q)
				if !bytes.Equal(a, b) {
					t.Errorf("party %s differs between terms files:\n%s\n%s", p.Code, a, b)
				}
			}
			seen[p.Code] = p
		}
	}
	if _, ok := seen["UA"]; !ok {
		t.Fatal("no UA party")
	}
}

func TestClaims(t *testing.T) {
	cs, err := Claims()
	if err != nil {
		t.Fatal(err)
	}
	known := partySet(mustTermsJSON(t, ScenarioTermsFile))
	ids := map[string]bool{}
	for _, a := range mustTermsJSON(t, ScenarioTermsFile).Agreements {
		ids[a.ID] = true
	}
	for i, c := range cs {
		if err := c.Validate(known); err != nil {
			t.Errorf("claim %d: %v", i, err)
		}
		if !ids[c.AgreementID] {
			t.Errorf("claim %d: unknown agreement %q", i, c.AgreementID)
		}
		if c.Illustrative {
			t.Errorf("claim %d: the claims are the article's, not illustrative", i)
		}
	}
	if len(cs) != 4 {
		t.Fatalf("%d claims, want 4", len(cs))
	}
	may := cs[0]
	if may.Claimant != "RU" || may.Accused != "UA" || may.AgreementID != "victory-day-truce-2025" {
		t.Errorf("first claim = %s against %s on %s", may.Claimant, may.Accused, may.AgreementID)
	}
	want := []truce.Means{{Kind: "aerial_drone", Count: 524}, {Kind: "sea_drone", Count: 45}}
	if !slices.Equal(may.Means, want) {
		t.Errorf("means = %v, want %v", may.Means, want)
	}
	if !may.From.Equal(utc("2025-05-07T21:00:00Z")) || !may.To.Equal(utc("2025-05-10T21:00:00Z")) {
		t.Errorf("period = %s – %s", may.From, may.To)
	}
	if !strings.Contains(may.Summary, "missiles") {
		t.Error("the summary must say why the missiles carry no count")
	}
	counter := cs[3]
	if counter.Claimant != "UA" || counter.Accused != "RU" || len(counter.Means) != 0 {
		t.Errorf("Ukraine's counter-accusation = %+v; the article gives it no numbers", counter)
	}
}

// Every quote without a link is the article's, word for word.
func TestQuotesAreVerbatim(t *testing.T) {
	article := string(readShared(t, "scenario/2025-05-11-istanbul-talks-article.txt"))
	check := func(what string, s truce.Source) {
		t.Helper()
		if s.URL != "" {
			return // another source, cited for what the article lacks
		}
		if s.Quote == "" {
			t.Errorf("%s: a source without a link must quote the article", what)
			return
		}
		if !strings.Contains(article, s.Quote) {
			t.Errorf("%s: quote is not in the article: %q", what, s.Quote)
		}
		if s.Date != "2025-05-11" || s.Title == "" {
			t.Errorf("%s: the article's source needs its title and date 2025-05-11", what)
		}
	}
	n := 0
	for _, name := range TermsFiles() {
		for _, a := range mustTermsJSON(t, name).Agreements {
			for i, s := range a.Sources {
				check(fmt.Sprintf("%s sources[%d]", a.ID, i), s)
				n++
			}
			for _, c := range a.Consequences {
				if !strings.Contains(article, c.Quote) {
					t.Errorf("%s consequence: quote is not in the article: %q", a.ID, c.Quote)
				}
				n++
			}
		}
	}
	cs, err := Claims()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		check(fmt.Sprintf("claims[%d]", i), c.Source)
		n++
	}
	if n < 10 {
		t.Errorf("only %d quotes checked", n)
	}
}

func TestIllustrativeReports(t *testing.T) {
	rs, err := Reports()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || len(rs) > 15 {
		t.Fatalf("%d illustrative reports, want 1-15", len(rs))
	}
	known := partySet(mustTermsJSON(t, ScenarioTermsFile))
	vd := agreement(t, mustTermsJSON(t, ScenarioTermsFile), "victory-day-truce-2025")
	start, end, err := vd.Window.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rs {
		t.Run(r.ExternalID, func(t *testing.T) {
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			if !r.Illustrative {
				t.Error("not marked illustrative")
			}
			if !strings.HasPrefix(r.Description, "Illustrative") {
				t.Errorf("description does not start with Illustrative: %q", r.Description)
			}
			if !strings.Contains(r.Description, "location illustrative") {
				t.Error("the description must say the location is illustrative")
			}
			if len(r.Means) != 0 {
				t.Error("no weapon counts: the article gives none for a single attack")
			}
			if r.ExternalID == "" || ids[r.ExternalID] {
				t.Errorf("external id %q missing or repeated", r.ExternalID)
			}
			ids[r.ExternalID] = true
			if r.Source.Kind != truce.SourceParty && r.Source.Kind != truce.SourceMedia {
				t.Errorf("source kind %s, want party or media", r.Source.Kind)
			}
			for _, p := range r.Perpetrators {
				if !known[p] {
					t.Errorf("perpetrator %q is not a party", p)
				}
			}
			from, to, err := r.Occurred.Interval()
			if err != nil {
				t.Fatal(err)
			}
			if from.Before(start) || to.After(end) {
				t.Errorf("occurred %s – %s is outside the truce %s – %s", from, to, start, end)
			}
		})
	}
}

// The Donbas terms name the PA-X record they come from; its name and date
// must be the ones in PA-X.
func TestDonbasMatchesPAX(t *testing.T) {
	a := agreement(t, mustTermsJSON(t, DonbasTermsFile), "donbas-ceasefire-measures-2020")
	if a.Origin != "PA-X v9 AgtId 2440" {
		t.Fatalf("origin = %q", a.Origin)
	}
	cr := csv.NewReader(bytes.NewReader(readShared(t, "data/agreements/pax-v9.csv")))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(head, name) }
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			t.Fatal("AgtId 2440 is not in PA-X v9")
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec[col("AgtId")] != "2440" {
			continue
		}
		if got := rec[col("Agt")]; a.Sources[0].Title != got {
			t.Errorf("source title %q, PA-X name %q", a.Sources[0].Title, got)
		}
		// PA-X writes DD/MM/YYYY.
		if got, want := rec[col("Dat")], "22/07/2020"; got != want || a.Sources[0].Date != "2020-07-22" {
			t.Errorf("PA-X date %q, source date %q", got, a.Sources[0].Date)
		}
		if rec[col("Stage")] != "Cea" || rec[col("Con")] != "Ukraine" {
			t.Errorf("PA-X row is not a Ukraine ceasefire: %q %q", rec[col("Stage")], rec[col("Con")])
		}
		return
	}
}

// The embedded extract is the shared UCDP file, byte for byte, and every
// armed actor in it maps to a demo party.
func TestUCDPExtract(t *testing.T) {
	want := readShared(t, "data/ucdp/ged-ukraine-2014-2022.csv")
	rc, err := UCDP()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("embedded extract differs from the shared file (%d vs %d bytes)", len(got), len(want))
	}
	recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(recs) - 1; n != 3077 {
		t.Errorf("%d events, want 3077", n)
	}
	names := map[string]bool{}
	for _, name := range TermsFiles() {
		for _, p := range mustTermsJSON(t, name).Parties {
			names[strings.ToLower(p.Code)] = true
			names[strings.ToLower(p.Name)] = true
			for _, a := range p.Aliases {
				names[strings.ToLower(a)] = true
			}
		}
	}
	a, b := slices.Index(recs[0], "side_a"), slices.Index(recs[0], "side_b")
	for _, rec := range recs[1:] {
		for _, actor := range []string{rec[a], rec[b]} {
			// Maidan (the 2014 protest movement) is a side in six events
			// and a party to no ceasefire.
			if actor != "Maidan" && !names[strings.ToLower(actor)] {
				t.Fatalf("UCDP actor %q maps to no demo party", actor)
			}
		}
	}
}
