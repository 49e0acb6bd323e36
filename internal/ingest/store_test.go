package ingest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/truce-monitor/truce/internal/store"
)

// testStores returns the databases the store-backed tests run on: a
// SQLite file always, and a fresh PostgreSQL schema when
// TRUCE_TEST_POSTGRES holds a connection URL (as CI sets it). Values are
// [driver, dsn].
func testStores(t testing.TB) map[string][2]string {
	t.Helper()
	out := map[string][2]string{"sqlite": {"sqlite", filepath.Join(t.TempDir(), "truce.db")}}
	pg := os.Getenv("TRUCE_TEST_POSTGRES")
	if pg == "" {
		return out
	}
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := "ingest_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	out["postgres"] = [2]string{"pgx", u.String()}
	return out
}

// tableCounts counts rows and distinct keys of a table straight in SQL, apart
// from the store's code.
func tableCounts(t testing.TB, driver, dsn, table, key string) (rows, keys int) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := "SELECT COUNT(*), COUNT(DISTINCT " + key + ") FROM " + table
	if err := db.QueryRow(q).Scan(&rows, &keys); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows, keys
}

// The real files go into a real database with the counts of the fake sink
// (see realFiles), and a second import adds nothing. The agreement files
// are in TestAgreementFilesIntoStore.
func TestRealFilesIntoStore(t *testing.T) {
	files := []string{"ucdp/ged-ukraine-2014-2022.csv", "firms/viirs-snpp-nrt-ukraine-2023.csv", "firms/ukraine-2022-trimmed.csv",
		"alerts/official_data_en_2022-03-15_2024-04-22.csv", "alerts/volunteer_data_en_2022-02-25_2024-10-10.csv"}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = sharedData(t, f)
	}
	const reports, observations = 3077, 42415 + 133979 + 43031 + 54514
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, s[1], store.Options{Now: time.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			sum, err := Run(ctx, db, Options{}, paths...)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Imported != reports+observations || sum.Rejected != 0 {
				t.Errorf("first: %+v", sum)
			}
			again, err := Run(ctx, db, Options{}, paths...)
			if err != nil || again.Imported != 0 || again.Present != reports+observations {
				t.Errorf("second: imported %d present %d, %v", again.Imported, again.Present, err)
			}
			if n, k := tableCounts(t, s[0], s[1], "reports", "submitted_by || '|' || external_id"); n != reports || k != reports {
				t.Errorf("reports: %d rows, %d keys; want %d", n, k, reports)
			}
			if n, k := tableCounts(t, s[0], s[1], "observations", "source || '|' || external_id"); n != observations || k != observations {
				t.Errorf("observations: %d rows, %d keys; want %d", n, k, observations)
			}
		})
	}
}

// The agreement files go into a real database too: PA-X ceasefire rows
// and the corridors, flagged for review where their terms are not coded
// (the store's validation admits them), and a second import adds nothing.
func TestAgreementFilesIntoStore(t *testing.T) {
	paths := []string{sharedData(t, "agreements/pax-v9.csv"), sharedData(t, "agreements/ukraine-humanitarian-corridors-2022.csv")}
	const pax, corridors = 463, 282
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, s[1], store.Options{Now: time.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			sum, err := Run(ctx, db, Options{}, paths...)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Imported != pax+corridors || sum.Rejected != 0 {
				t.Errorf("first: %+v", sum)
			}
			again, err := Run(ctx, db, Options{}, paths...)
			if err != nil || again.Imported != 0 || again.Present != pax+corridors {
				t.Errorf("second: imported %d present %d, %v", again.Imported, again.Present, err)
			}
			if n, k := tableCounts(t, s[0], s[1], "agreements", "id"); n != pax+corridors || k != pax+corridors {
				t.Errorf("agreements: %d rows, %d ids; want %d", n, k, pax+corridors)
			}
			a, err := db.Agreement(ctx, "pax-2440")
			if err != nil {
				t.Fatal(err)
			}
			if !a.TermsNeedReview {
				t.Errorf("pax-2440: terms not flagged for review: %+v", a)
			}
		})
	}
}
