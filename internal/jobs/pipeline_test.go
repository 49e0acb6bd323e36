package jobs_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/jobs"
	"github.com/truce-monitor/truce/internal/store"
)

const pgEnv = "TRUCE_TEST_POSTGRES"

var gazetteer = sync.OnceValues(geo.Load)

// openStore opens a fresh store: a SQLite file, or a new schema of the
// TRUCE_TEST_POSTGRES database.
func openStore(t *testing.T, dialect string) *store.DB {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "truce.db")
	if dialect == store.Postgres {
		dsn = freshSchema(t)
	}
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func freshSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv(pgEnv)
	if base == "" {
		t.Skip(pgEnv + " is not set: PostgreSQL run skipped")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "truce_jobs_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func grouper(t *testing.T) *incident.Grouper {
	t.Helper()
	gz, err := gazetteer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// truceOf is a three-day truce binding Ukraine and Russia on all of
// Ukraine, ending at end (Kyiv time).
func truceOf(end string) truce.Agreement {
	return truce.Agreement{
		ID: "may-truce", Title: "May truce", Status: truce.StatusInForce,
		Bound:   []string{"UA", "RU"},
		Window:  truce.Window{Start: "2025-05-08T00:00", End: &end, TZ: "Europe/Kyiv"},
		Domains: []string{"land", "air", "sea"}, Targets: []string{"any"},
		Area: &truce.Area{Countries: []string{"UA"}},
	}
}

// shelling is a report of Russian shelling at a place, 10:00-11:00 UTC on
// 9 May 2025, told by source.
func shelling(ext, kind, source string, lat, lon float64) truce.Report {
	from, to := time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC), time.Date(2025, 5, 9, 11, 0, 0, 0, time.UTC)
	return truce.Report{
		ExternalID:   ext,
		Source:       truce.ReportSource{Kind: kind, Name: source},
		Occurred:     truce.Occurrence{From: &from, To: &to},
		Place:        truce.Point(lat, lon, 2),
		Domains:      []string{truce.DomainLand},
		Perpetrators: []string{"RU"},
		Description:  "Shelling reported by " + source,
		SubmittedBy:  "test",
	}
}

// steps collects the pipeline's steps.
type steps struct {
	mu  sync.Mutex
	all []jobs.Step
}

func (s *steps) add(st jobs.Step) { s.mu.Lock(); s.all = append(s.all, st); s.mu.Unlock() }

// eventually polls cond until it holds, within a generous bound (not a
// speed goal: the pipeline only has to get there).
func eventually(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var ok bool
		if ok, err = cond(); ok {
			return
		}
	}
	t.Fatalf("never: %s (last error %v)", what, err)
}

// TestPipeline: reports written to the store while the pipeline runs are
// grouped into incidents, each incident gets its finding against the
// truce, and a new version of the truce has every finding judged again.
func TestPipeline(t *testing.T) {
	for _, d := range []string{store.SQLite, store.Postgres} {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := openStore(t, d)
			for _, p := range []truce.Party{{Code: "UA", Name: "Ukraine"}, {Code: "RU", Name: "Russia"}} {
				if _, err := db.PutParty(ctx, p, "admin"); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := db.PutAgreement(ctx, truceOf("2025-05-11T00:00"), "admin"); err != nil {
				t.Fatal(err)
			}
			p := jobs.NewPipeline(db, grouper(t), nil)
			var seen steps
			p.Step = seen.add
			pctx, pcancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); p.Lead(pctx) }()
			defer func() { pcancel(); <-done }()

			// Two accounts of one shelling in Pokrovsk (a party's and a
			// monitor's, 1 km apart), and one in Kharkiv.
			reports := []truce.Report{
				shelling("a", truce.SourceParty, "General Staff", 48.28, 37.18),
				shelling("b", truce.SourceMonitor, "Mission patrol", 48.285, 37.19),
				shelling("c", truce.SourceMonitor, "Mission patrol", 49.99, 36.23),
			}
			for i := range reports {
				if _, err := db.CreateReport(ctx, &reports[i]); err != nil {
					t.Fatal(err)
				}
			}
			incidentOf := func(r truce.Report) (int64, error) {
				got, err := db.Report(ctx, r.ID)
				if err != nil || got.IncidentID == nil {
					return 0, err
				}
				return *got.IncidentID, nil
			}
			var pokrovsk, kharkiv int64
			eventually(t, "every report in an incident", func() (bool, error) {
				var ids [3]int64
				for i, r := range reports {
					id, err := incidentOf(r)
					if err != nil || id == 0 {
						return false, err
					}
					ids[i] = id
				}
				if ids[0] != ids[1] || ids[0] == ids[2] {
					return false, fmt.Errorf("incidents %v: want the first two together, the third apart", ids)
				}
				pokrovsk, kharkiv = ids[0], ids[2]
				return true, nil
			})

			// Each incident is a violation by Russia of version 1.
			finding := func(id int64) (truce.Finding, error) {
				fs, err := db.SubjectFindings(ctx, "incident", id)
				if err != nil || len(fs) != 1 {
					return truce.Finding{}, fmt.Errorf("incident %d findings %+v: %v", id, fs, err)
				}
				return fs[0], nil
			}
			want := func(version int, verdict, party string) func() (bool, error) {
				return func() (bool, error) {
					for _, id := range []int64{pokrovsk, kharkiv} {
						f, err := finding(id)
						if err != nil {
							return false, err
						}
						if f.AgreementID != "may-truce" || f.AgreementVersion != version || f.Verdict != verdict || f.Party != party {
							return false, fmt.Errorf("incident %d: %+v", id, f)
						}
					}
					return true, nil
				}
			}
			eventually(t, "violation findings on version 1", want(1, truce.VerdictViolation, "RU"))

			// A monitor splits the second account off: the incident it
			// forms, written by someone else, is judged too.
			sum, err := db.SplitReport(ctx, grouper(t), reports[1].ID, "monitor-1", "a different strike")
			if err != nil || len(sum.Created) != 1 {
				t.Fatalf("SplitReport = %+v, %v; want one new incident", sum, err)
			}
			split := sum.Created[0]
			eventually(t, "a finding on the split-off incident", func() (bool, error) {
				f, err := finding(split)
				if err != nil {
					return false, err
				}
				return f.Verdict == truce.VerdictViolation && f.Party == "RU" && f.AgreementVersion == 1, fmt.Errorf("finding %+v", f)
			})

			// The truce now ends before the shelling: version 2, and every
			// incident is outside it.
			if v, _, err := db.PutAgreement(ctx, truceOf("2025-05-09T00:00"), "admin"); err != nil || v != 2 {
				t.Fatalf("PutAgreement = version %d, %v; want 2", v, err)
			}
			eventually(t, "outside findings on version 2", want(2, truce.VerdictOutside, ""))
			if f, err := finding(split); err != nil || f.AgreementVersion != 2 || f.Verdict != truce.VerdictOutside {
				t.Errorf("split-off incident after version 2: %+v, %v", f, err)
			}

			seen.mu.Lock()
			defer seen.mu.Unlock()
			grouped, rejudged := 0, false
			for _, s := range seen.all {
				grouped += s.Grouped.Reports
				rejudged = rejudged || s.Rejudged
			}
			if grouped != 3 || !rejudged {
				t.Errorf("steps grouped %d reports (want 3), rejudged %v (want true): %+v", grouped, rejudged, seen.all)
			}

			// Another leader (a restart, another node) resumes from the
			// cursor: it groups a new report without judging everything
			// again, since the terms have not changed.
			pcancel()
			<-done
			cursor, ok, err := db.JobCursor(ctx, jobs.PipelineJob)
			if err != nil || !ok || cursor == 0 {
				t.Fatalf("JobCursor = %d, %v, %v", cursor, ok, err)
			}
			ctx2, cancel2 := context.WithCancel(ctx)
			p2 := jobs.NewPipeline(db, grouper(t), nil)
			var seen2 steps
			p2.Step = seen2.add
			done2 := make(chan struct{})
			go func() { defer close(done2); p2.Lead(ctx2) }()
			defer func() { cancel2(); <-done2 }()
			late := shelling("d", truce.SourceMonitor, "Mission patrol", 46.64, 32.62)
			if _, err := db.CreateReport(ctx, &late); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the new report grouped and judged", func() (bool, error) {
				id, err := incidentOf(late)
				if err != nil || id == 0 {
					return false, err
				}
				f, err := finding(id)
				return err == nil && f.AgreementVersion == 2, err
			})
			seen2.mu.Lock()
			defer seen2.mu.Unlock()
			for _, s := range seen2.all {
				if s.Rejudged {
					t.Errorf("the resumed pipeline judged everything again: %+v", seen2.all)
				}
			}
		})
	}
}
