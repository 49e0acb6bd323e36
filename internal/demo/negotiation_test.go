package demo

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/negotiation"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

// withScenarioTerms opens a SQLite store holding the scenario's parties
// and agreements, which the negotiation track names.
func withScenarioTerms(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "neg.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b, err := Open(ScenarioTermsFile)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := terms.Parse(bytes.NewReader(b), mustGazetteer(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportTerms(ctx, tm, SubmittedBy); err != nil {
		t.Fatal(err)
	}
	return db
}

// The counts are read off negotiation-2025.json by hand: 11 issues, 22
// statements, 4 preconditions of which all 4 have a second version (met or
// withdrawn), 7 events, and one draft in 2 versions: 11+22+8+7+2 = 50.
func TestLoadNegotiationTwice(t *testing.T) {
	ctx := context.Background()
	db := withScenarioTerms(t)
	var first Summary
	if err := loadNegotiation(ctx, db, &first); err != nil {
		t.Fatal(err)
	}
	if first.NegotiationAdded != 50 || first.NegotiationPresent != 0 {
		t.Errorf("first load: %d added, %d present; want 50, 0", first.NegotiationAdded, first.NegotiationPresent)
	}
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var second Summary
	if err := loadNegotiation(ctx, db, &second); err != nil {
		t.Fatal(err)
	}
	again, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second.NegotiationAdded != 0 || second.NegotiationPresent != 50 || again != size {
		t.Errorf("second load: %d added, %d present, log %d → %d; want nothing new", second.NegotiationAdded, second.NegotiationPresent, size, again)
	}

	// The deadlock of 11 May 2025: Ukraine talks only after the ceasefire
	// (precondition 1), Russia's ceasefire only out of talks (2). Dropping
	// either one unblocks it. Russia's June 2024 conditions (3, 4) ended
	// that day, when it offered talks without preconditions.
	ps, err := db.Preconditions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g := negotiation.BuildGraph(ps, "2025-05-11")
	if len(g.Deadlocks) != 1 || len(g.Deadlocks[0].Cycles) != 1 {
		t.Fatalf("deadlocks on 11 May = %+v", g.Deadlocks)
	}
	c := g.Deadlocks[0].Cycles[0]
	if want := []string{"action:UA:direct_talks", "agreement:ceasefire-proposal-30-day-2025"}; !reflect.DeepEqual(c.Nodes, want) {
		t.Errorf("cycle nodes = %v, want %v", c.Nodes, want)
	}
	if c.Edges[0].Party != "UA" || c.Edges[1].Party != "RU" {
		t.Errorf("cycle = %s then %s, want UA then RU", c.Edges[0].Party, c.Edges[1].Party)
	}
	if got := g.Deadlocks[0].Unblocking; !reflect.DeepEqual(got, [][]int64{{1}, {2}}) {
		t.Errorf("unblocking = %v", got)
	}
	if g := negotiation.BuildGraph(ps, "2025-05-10"); len(g.Deadlocks) != 0 || g.Active != 2 {
		t.Errorf("10 May: %d deadlocks, %d active; want 0 and Russia's two 2024 conditions", len(g.Deadlocks), g.Active)
	}
	if g := negotiation.BuildGraph(ps, ""); len(g.Deadlocks) != 0 || g.Active != 0 {
		t.Errorf("now: %d deadlocks, %d active; want none after the talks of 16 May", len(g.Deadlocks), g.Active)
	}
	vs, err := db.PreconditionVersions(ctx, 1)
	if err != nil || len(vs) != 2 || vs[0].Withdrawn || !vs[1].Withdrawn || vs[1].Until != "2025-05-16" {
		t.Errorf("Ukraine's precondition versions = %+v, %v", vs, err)
	}

	// Who stands where on direct talks and the ceasefire, on 11 May.
	ss, err := db.Statements(ctx, store.StatementFilter{})
	if err != nil {
		t.Fatal(err)
	}
	m := negotiation.Positions(ss, nil, nil, "2025-05-11")
	stance := map[[2]string]string{}
	for _, cell := range m.Cells {
		stance[[2]string{cell.Party, cell.Issue}] = cell.Latest.Stance
	}
	for k, want := range map[[2]string]string{
		{"UA", "direct_talks"}:    truce.StanceConditions,
		{"RU", "direct_talks"}:    truce.StanceOffers,
		{"RU", "ceasefire"}:       truce.StanceConditions,
		{"UA", "ceasefire"}:       truce.StanceDemands,
		{"US", "ceasefire"}:       truce.StanceDemands,
		{"RU", "neutrality"}:      truce.StanceDemands,
		{"RU", "nato_membership"}: truce.StanceDemands,
	} {
		if stance[k] != want {
			t.Errorf("%s on %s: %q, want %q", k[0], k[1], stance[k], want)
		}
	}

	d, err := db.DraftVersions(ctx, "istanbul-2022")
	if err != nil || len(d) != 2 || d[0].Status != "under_negotiation" || d[1].Status != "abandoned" {
		t.Errorf("Istanbul draft versions = %+v, %v", d, err)
	}
	es, err := db.NegotiationEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]truce.NegotiationEvent{}
	for _, e := range es {
		byTitle[e.Title] = e
	}
	talks := byTitle["Direct talks in Istanbul (proposed for 15 May, held 16 May 2025)"]
	offer := byTitle["Russia answers with an offer of direct talks in Istanbul on 15 May, 'without preconditions'"]
	call := byTitle["Kyiv call for a full, unconditional 30-day ceasefire from 12 May"]
	if talks.RespondsTo != offer.ID || offer.RespondsTo != call.ID || call.ID == 0 || call.AgreementID != "ceasefire-proposal-30-day-2025" {
		t.Errorf("events do not link up: talks %+v, offer %+v, call %+v", talks, offer, call)
	}
}

// Every quote of the negotiation track without a link is the article's,
// word for word; paraphrases are marked.
func TestNegotiationQuotes(t *testing.T) {
	article := string(readShared(t, "scenario/2025-05-11-istanbul-talks-article.txt"))
	n, err := NegotiationData()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	in := func(what, quote string) {
		t.Helper()
		checked++
		if !strings.Contains(article, quote) {
			t.Errorf("%s: not in the article: %q", what, quote)
		}
	}
	for _, s := range n.Statements {
		if s.Source.URL != "" {
			t.Errorf("statement %s: every statement quotes the article", s.Ref)
		}
		in("statement "+s.Ref, s.Quote)
		if s.Source.Date != "2025-05-11" || s.Source.Title == "" {
			t.Errorf("statement %s: the article's source needs its title and date", s.Ref)
		}
	}
	for i, p := range n.Preconditions {
		in("precondition "+p.Statement, p.Quote)
		if p.Statement == "" {
			t.Errorf("preconditions[%d]: no statement", i)
		}
	}
	sources := func(what string, ss []truce.Source) {
		for _, s := range ss {
			if s.URL == "" {
				in(what, s.Quote)
			} else if !strings.Contains(s.Title, "paraphrased") {
				t.Errorf("%s: a linked source must say it is paraphrased, not quoted: %q", what, s.Title)
			}
		}
	}
	for _, e := range n.Events {
		sources("event "+e.Ref, e.Sources)
		if e.Date > "2025-05-11" && !strings.Contains(e.Outcome, "public record") {
			t.Errorf("event %s comes after the article: its outcome must say it is from the public record", e.Ref)
		}
	}
	for _, d := range n.Drafts {
		for _, v := range d.Versions {
			sources("draft "+v.ID, v.Sources)
			for _, p := range v.Provisions {
				if !strings.Contains(article, p.Text) && !strings.Contains(p.Text, "paraphrased") {
					t.Errorf("draft %s: provision %q is neither the article's words nor marked paraphrased", v.ID, p.Text)
				}
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d quotes checked", checked)
	}
}
