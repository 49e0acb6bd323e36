package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/ingest"
	"github.com/truce-monitor/truce/internal/store"
)

// withMedia returns the real UCDP GED events and media reports made up
// around a third of them: within a few kilometres and inside the event's
// first day, from five outlets; every tenth of those placed loosely
// (120 km), so that it attaches rather than links.
func withMedia(t testing.TB) []truce.Report {
	ucdp := readShared(t, ingest.FormatUCDP, "ucdp/ged-ukraine-2014-2022.csv").reports
	rng := rand.New(rand.NewPCG(3, 4))
	all := slices.Clone(ucdp)
	for i, r := range ucdp {
		if i%3 != 0 || r.Place.Lat == nil || *r.Place.RadiusKm > 50 {
			continue
		}
		from := r.Occurred.From.Add(time.Duration(rng.IntN(20*60)) * time.Minute)
		to := from.Add(time.Hour)
		radius := 3.0
		if i%10 == 0 {
			radius = 120
		}
		lat, lon := *r.Place.Lat+(rng.Float64()-0.5)*0.1, *r.Place.Lon+(rng.Float64()-0.5)*0.1
		all = append(all, truce.Report{
			ExternalID:   fmt.Sprintf("media-%d", i),
			Source:       truce.ReportSource{Kind: truce.SourceMedia, Name: fmt.Sprintf("Outlet %d", rng.IntN(5))},
			Occurred:     truce.Occurrence{From: &from, To: &to},
			Place:        truce.Point(lat, lon, radius),
			Domains:      []string{truce.DomainLand},
			Perpetrators: r.Perpetrators,
			Description:  "Shelling reported near " + r.ExternalID,
			SubmittedBy:  "newsroom",
		})
	}
	return all
}

// byExternalID returns a store's incidents as sorted lists of the
// reports' external ids: what two stores that numbered the same reports
// differently can compare.
func byExternalID(t testing.TB, db *store.DB) [][]string {
	t.Helper()
	rs, err := db.Reports(context.Background(), store.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ext := map[int64]string{}
	for _, r := range rs {
		ext[r.ID] = r.ExternalID
	}
	var out [][]string
	for _, p := range partition(t, db) {
		var names []string
		for _, id := range p {
			names = append(names, ext[id])
		}
		slices.Sort(names)
		out = append(out, names)
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// TestGroupIncremental imports the real UCDP events and media reports
// around them in two orders, in batches of different sizes, grouping
// after each: both stores end with the same incidents, they are those the
// pure grouping of all reports gives at once, and a full regroup of
// either changes nothing.
func TestGroupIncremental(t *testing.T) {
	all := withMedia(t)
	g := grouper(t)
	// What grouping everything at once gives, worked out without a store.
	its := make([]incident.Item, len(all))
	for i, r := range all {
		r.ID = int64(i + 1)
		it, err := g.ItemOf(r)
		if err != nil {
			t.Fatal(err)
		}
		its[i] = it
	}
	var want [][]string
	for _, gp := range g.Group(its, nil, nil) {
		var names []string
		for _, id := range gp.Members {
			names = append(names, all[id-1].ExternalID)
		}
		slices.Sort(names)
		want = append(want, names)
	}
	slices.SortFunc(want, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if len(want) > len(all)*9/10 || len(want) < len(all)/3 {
		t.Fatalf("%d incidents of %d reports: the data should group some", len(want), len(all))
	}

	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			orders := map[string][]truce.Report{"file order": all}
			shuffled := slices.Clone(all)
			rand.New(rand.NewPCG(5, 6)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			orders["shuffled"] = shuffled
			var got [][][]string
			for _, name := range []string{"file order", "shuffled"} {
				db := mustOpen(t, d, newClock())
				rng := rand.New(rand.NewPCG(7, uint64(len(name))))
				rs := orders[name]
				for len(rs) > 0 {
					n := min(len(rs), []int{1, 40, 700, 6000}[rng.IntN(4)])
					if _, _, err := db.ImportReports(ctx, rs[:n]); err != nil {
						t.Fatal(err)
					}
					rs = rs[n:]
					groupNew(t, db, g)
				}
				p := byExternalID(t, db)
				if !reflect.DeepEqual(p, want) {
					w := map[string]bool{}
					for _, x := range want {
						w[fmt.Sprint(x)] = true
					}
					var extra []string
					for _, x := range p {
						if !w[fmt.Sprint(x)] {
							extra = append(extra, fmt.Sprint(x))
						}
					}
					t.Fatalf("%s: %d incidents; want %d; not wanted: %v", name, len(p), len(want), extra[:min(10, len(extra))])
				}
				got = append(got, p)
				before := logSize(t, db)
				s, err := db.Regroup(ctx, g)
				if err != nil || len(s.Changed) > 0 || len(s.Groupings) > 0 {
					t.Fatalf("%s: Regroup = %+v, %v; want no change", name, s, err)
				}
				checkLog(t, db, before)
			}
		})
	}
}
