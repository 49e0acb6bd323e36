// Package feedtest gives the tests of the feeds (stream, exports,
// webhooks, the Go client) a real store with a small mission in it: the
// parties and agreements of a terms file, reports by named users, two
// incidents, one verified and one disputed, and findings.
package feedtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

//go:embed testdata/terms.json
var termsJSON []byte

// Gazetteer loads the embedded gazetteer once per test binary.
var Gazetteer = sync.OnceValues(geo.Load)

// Open opens a fresh store, closed when the test ends: a SQLite file in
// tb.TempDir(), or, when TRUCE_TEST_POSTGRES holds a PostgreSQL URL, a new
// schema there, dropped at the end, so that the feeds' tests run on both.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	dsn := filepath.Join(tb.TempDir(), "truce.db")
	if base := os.Getenv("TRUCE_TEST_POSTGRES"); base != "" {
		dsn = freshSchema(tb, base)
	}
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// freshSchema creates a schema in the database at base and returns a URL
// whose connections use it.
func freshSchema(tb testing.TB, base string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	schema := "truce_feed_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Reporter identities of the seeded reports: what the public must never
// see.
const (
	LiaisonUA = "liaison-ua-reporter"
	Monitor   = "monitor-field-7"
)

// Mission is what Seed stored.
type Mission struct {
	Reports  []int64 // three reports
	Verified int64   // the incident of reports 0 and 1, verified
	Disputed int64   // the incident of report 2, disputed
}

// Seed stores the mission in db: the terms, three reports in the Easter
// truce (two of one shelling in Kharkiv oblast, one far away in Odesa
// oblast), grouped into two incidents; the first verified, the second
// disputed, each with a finding against the Easter truce, and a finding
// on report 2 alone.
func Seed(tb testing.TB, db *store.DB) Mission {
	tb.Helper()
	ctx := context.Background()
	gz, err := Gazetteer()
	if err != nil {
		tb.Fatal(err)
	}
	t, err := terms.Parse(bytes.NewReader(termsJSON), gz)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ImportTerms(ctx, t, "test"); err != nil {
		tb.Fatal(err)
	}
	at := time.Date(2025, 4, 20, 6, 0, 0, 0, time.UTC)
	var m Mission
	for i, r := range []struct {
		by, kind, name, party string
		lat, lon              float64
		desc                  string
	}{
		{LiaisonUA, "party", "General Staff of Ukraine", "UA", 49.99, 36.23, "=HYPERLINK(\"http://x\") shelling of Kharkiv outskirts"},
		{Monitor, "monitor", "Patrol 7", "", 49.991, 36.231, "Shelling heard at the north-east edge of Kharkiv"},
		{LiaisonUA, "party", "General Staff of Ukraine", "UA", 46.48, 30.72, "Drone strike on the Odesa port"},
	} {
		from, to := at, at.Add(time.Hour)
		rep := truce.Report{
			ExternalID:   fmt.Sprintf("seed-%d", i),
			SubmittedBy:  r.by,
			Source:       truce.ReportSource{Kind: r.kind, Name: r.name, Party: r.party},
			Occurred:     truce.Occurrence{From: &from, To: &to},
			Place:        truce.Point(r.lat, r.lon, 2),
			Domains:      []string{truce.DomainLand},
			Perpetrators: []string{"RU"},
			Description:  r.desc,
		}
		if _, err := db.CreateReport(ctx, &rep); err != nil {
			tb.Fatal(err)
		}
		m.Reports = append(m.Reports, rep.ID)
	}
	g, err := incident.NewGrouper(gz, incident.DefaultRules())
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.GroupNew(ctx, g); err != nil {
		tb.Fatal(err)
	}
	m.Verified = Move(tb, db, m.Reports[0], truce.IncidentVerified)
	m.Disputed = Move(tb, db, m.Reports[2], truce.IncidentDisputed)
	if a, _ := db.Report(ctx, m.Reports[1]); a.IncidentID == nil || *a.IncidentID != m.Verified {
		tb.Fatalf("reports 0 and 1 were not grouped together: %v", a.IncidentID)
	}
	now := time.Now()
	fs := []truce.Finding{
		{AgreementID: "easter-truce-2025", AgreementVersion: 1, SubjectKind: store.SubjectIncident, SubjectID: m.Verified,
			Verdict: truce.VerdictViolation, Party: "RU", Reason: "shelling in the window", ComputedAt: now},
		{AgreementID: "easter-truce-2025", AgreementVersion: 1, SubjectKind: store.SubjectIncident, SubjectID: m.Disputed,
			Verdict: truce.VerdictViolation, Party: "RU", Reason: "drone strike in the window", ComputedAt: now},
		{AgreementID: "easter-truce-2025", AgreementVersion: 1, SubjectKind: store.SubjectReport, SubjectID: m.Reports[2],
			Verdict: truce.VerdictViolation, Party: "RU", Reason: "drone strike in the window", ComputedAt: now},
	}
	if _, err := db.PutFindings(ctx, fs); err != nil {
		tb.Fatal(err)
	}
	return m
}

// Move transitions the incident of a report to a status and returns the
// incident's id.
func Move(tb testing.TB, db *store.DB, reportID int64, to truce.IncidentStatus) int64 {
	tb.Helper()
	ctx := context.Background()
	r, err := db.Report(ctx, reportID)
	if err != nil {
		tb.Fatal(err)
	}
	if r.IncidentID == nil {
		tb.Fatalf("report %d has no incident", reportID)
	}
	inc, err := db.Incident(ctx, *r.IncidentID)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = db.Transition(ctx, truce.Transition{IncidentID: inc.ID, To: to, Reason: "seen by patrol 7", By: Monitor}, inc.Version)
	if err != nil {
		tb.Fatal(err)
	}
	return inc.ID
}

// Tokens creates one user of each role (the liaison for UA) and returns
// an API token for each, by role.
func Tokens(tb testing.TB, db *store.DB) map[truce.Role]string {
	tb.Helper()
	ctx := context.Background()
	out := map[truce.Role]string{}
	for _, role := range truce.Roles {
		u := truce.User{Name: "test-" + string(role), Role: role}
		if role == truce.RoleLiaison {
			u.Party = "UA"
		}
		if err := db.CreateUser(ctx, &u, "", "test"); err != nil {
			tb.Fatal(err)
		}
		tok, hash, err := auth.NewToken()
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := db.CreateToken(ctx, u.ID, hash); err != nil {
			tb.Fatal(err)
		}
		out[role] = tok
	}
	return out
}
