package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

func ptr[T any](v T) *T { return &v }

// fullReport sets every field a client or importer may set, in normal form.
func fullReport() truce.Report {
	return truce.Report{
		ExternalID:   "ua-jfo-2025-05-09-0142",
		Source:       truce.ReportSource{Kind: "party", Name: "General Staff of the Armed Forces of Ukraine", URL: "https://example.org/post/123", Party: "UA"},
		Occurred:     truce.Occurrence{From: ptr(time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC)), To: ptr(time.Date(2025, 5, 9, 11, 0, 0, 0, time.UTC))},
		Place:        truce.Point(48.28, 37.18, 5),
		Domains:      []string{"land", "air"},
		Targets:      []string{"civilian", "energy"},
		Means:        []truce.Means{{Kind: "artillery", Count: 12}, {Kind: "aerial_drone", Count: 3}},
		Perpetrators: []string{"RU", "Military Forces of Russia"},
		Description:  "Artillery fire on the outskirts of Pokrovsk <\"100%\" & more>.",
		Language:     "uk",
		Evidence: []truce.Evidence{{SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			URL: "https://example.org/photo.jpg", MediaType: "image/jpeg"}},
		EventType:    "Explosions/Remote violence",
		SubEventType: "Shelling/artillery/missile attack",
		Country:      "Ukraine",
		NotHostile:   true,
		Illustrative: true,
		SubmittedBy:  "liaison-ua",
	}
}

// datedReport uses the other forms of occurrence and place.
func datedReport() truce.Report {
	return truce.Report{
		Source:      truce.ReportSource{Kind: "dataset", Name: "UCDP GED 22.1"},
		Occurred:    truce.Occurrence{Date: "2020-07-27", Precision: "week", TZ: "Europe/Kyiv"},
		Place:       truce.Place{Admin1: "UA-14"},
		Domains:     []string{"land"},
		Description: "Shelling near Shumy.",
		Language:    "en",
		SubmittedBy: "import:ucdp-ged",
	}
}

func TestReportRoundTrip(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		for i, in := range []truce.Report{fullReport(), datedReport()} {
			r := in
			at := clk.peek()
			created, err := db.CreateReport(ctx, &r)
			if err != nil || !created {
				t.Fatalf("CreateReport = %v, %v", created, err)
			}
			want := in
			want.ID, want.ReceivedAt, want.LogIndex = int64(i+1), at, ptr(int64(i))
			if !reflect.DeepEqual(r, want) {
				t.Fatalf("CreateReport filled\n%+v\nwant\n%+v", r, want)
			}
			got, err := db.Report(ctx, r.ID)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("Report(%d) =\n%+v, %v\nwant\n%+v", r.ID, got, err, want)
			}
			rec, err := db.Record(ctx, ledger.KindReport, fmt.Sprint(r.ID))
			want.LogIndex = nil
			if err != nil || !reflect.DeepEqual(rec, want) {
				t.Fatalf("Record(report %d) = %+v, %v", r.ID, rec, err)
			}
		}
		if _, err := db.Report(ctx, 99); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("Report(99): %v, want ENOTFOUND", err)
		}
		entries := checkLog(t, db, 2)
		// The leaf holds the report as the API shows it, minus log_index.
		var leaf struct {
			Record map[string]any `json:"record"`
		}
		json.Unmarshal(entries[0].Data, &leaf)
		first, _ := db.Report(ctx, 1) // received after the migrations, each of which reads the clock
		if leaf.Record["id"] != 1.0 || leaf.Record["submitted_by"] != "liaison-ua" || leaf.Record["log_index"] != nil || leaf.Record["received_at"] != ledger.FormatTime(first.ReceivedAt) {
			t.Errorf("leaf record %v", leaf.Record)
		}
	})
}

func TestReportNormalized(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		kyiv := time.FixedZone("EEST", 3*3600)
		in := truce.Report{
			ID:          42, // ignored, like the other server fields
			IncidentID:  ptr(int64(7)),
			LogIndex:    ptr(int64(9)),
			ReceivedAt:  time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
			Source:      truce.ReportSource{Kind: "media", Name: "Suspilne"},
			Occurred:    truce.Occurrence{From: ptr(time.Date(2025, 5, 9, 13, 0, 0, 999, kyiv)), To: ptr(time.Date(2025, 5, 9, 14, 0, 0, 1999, kyiv))},
			Place:       truce.Point(math.Copysign(0, -1), 30.5, 0),
			Domains:     []string{"air"},
			Targets:     []string{},
			Means:       []truce.Means{},
			Description: "Drone debris.",
			SubmittedBy: "newsroom",
		}
		want := truce.Report{
			ID:          1,
			ReceivedAt:  clk.peek(),
			LogIndex:    ptr(int64(0)),
			Source:      truce.ReportSource{Kind: "media", Name: "Suspilne"},
			Occurred:    truce.Occurrence{From: ptr(time.Date(2025, 5, 9, 10, 0, 0, 0, time.UTC)), To: ptr(time.Date(2025, 5, 9, 11, 0, 0, 1000, time.UTC))},
			Place:       truce.Point(0, 30.5, 0),
			Domains:     []string{"air"},
			Description: "Drone debris.",
			Language:    "en",
			SubmittedBy: "newsroom",
		}
		r := in
		if _, err := db.CreateReport(ctx, &r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Report(ctx, 1)
		if err != nil || !reflect.DeepEqual(got, want) || !reflect.DeepEqual(r, want) {
			t.Fatalf("Report =\n%+v, %v\nwant\n%+v", got, err, want)
		}
		if math.Signbit(*got.Place.Lat) {
			t.Error("latitude -0 kept its sign")
		}
		checkLog(t, db, 1)
	})
}

func TestReportValidation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		cases := []struct {
			edit  func(*truce.Report)
			field string
		}{
			{func(r *truce.Report) { r.SubmittedBy = "" }, "submitted_by"},
			{func(r *truce.Report) { r.Source.Kind = "rumour" }, "source.kind"},
			{func(r *truce.Report) { r.Domains = nil }, "domains"},
			{func(r *truce.Report) {
				r.Occurred = truce.Occurrence{Date: "2025-05-09", Precision: "day", TZ: "Mars/Olympus_Mons"}
			}, "occurred.tz"},
			{func(r *truce.Report) { r.Occurred.To = ptr(r.Occurred.From.Add(-time.Hour)) }, "occurred.to"},
			{func(r *truce.Report) { r.Place.Lat = ptr(91.0) }, "place.lat"},
			{func(r *truce.Report) { r.Description = "bad \xc3\x28 utf-8" }, "description"},
			{func(r *truce.Report) { r.Source.URL = "nul\x00" }, "source.url"},
			{func(r *truce.Report) { r.Perpetrators = []string{"RU", "\xff"} }, "perpetrators[1]"},
			{func(r *truce.Report) { r.Evidence[0].MediaType = "\xff" }, "evidence[0].media_type"},
			{func(r *truce.Report) {
				r.Occurred.From, r.Occurred.To = ptr(time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)), ptr(time.Date(10000, 1, 1, 1, 0, 0, 0, time.UTC))
			}, "occurred.to"},
		}
		for _, c := range cases {
			r := fullReport()
			c.edit(&r)
			_, err := db.CreateReport(ctx, &r)
			var e *truce.Error
			if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != c.field {
				t.Errorf("CreateReport: %v, want EINVALID on %s", err, c.field)
			}
		}
		if n, err := db.CountReports(ctx); err != nil || n != 0 {
			t.Errorf("CountReports = %d, %v", n, err)
		}
		checkLog(t, db, 0)
	})
}

func TestReportDedupe(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		first := fullReport()
		if created, err := db.CreateReport(ctx, &first); err != nil || !created {
			t.Fatalf("CreateReport = %v, %v", created, err)
		}
		again := fullReport()
		again.Description = "the same report, sent twice"
		if created, err := db.CreateReport(ctx, &again); err != nil || created {
			t.Fatalf("CreateReport(duplicate) = %v, %v", created, err)
		}
		if !reflect.DeepEqual(again, first) {
			t.Errorf("duplicate filled with\n%+v\nwant the stored\n%+v", again, first)
		}
		other := fullReport()
		other.SubmittedBy = "monitor1" // another reporter may use the same id
		if created, err := db.CreateReport(ctx, &other); err != nil || !created || other.ID != 2 {
			t.Fatalf("CreateReport(other submitter) = %v, %v, id %d", created, err, other.ID)
		}
		for range 2 { // without external ids there is nothing to dedupe on
			r := datedReport()
			if created, err := db.CreateReport(ctx, &r); err != nil || !created {
				t.Fatalf("CreateReport(no external id) = %v, %v", created, err)
			}
		}
		if n, _ := db.CountReports(ctx); n != 4 {
			t.Errorf("CountReports = %d, want 4", n)
		}
		checkLog(t, db, 4)
	})
}

// batch returns n reports by submitter with external ids prefix-0 ...
func batch(n int, submitter, prefix string) []truce.Report {
	rs := make([]truce.Report, n)
	for i := range rs {
		r := fullReport()
		r.SubmittedBy = submitter
		r.ExternalID = fmt.Sprintf("%s-%d", prefix, i)
		r.Place = truce.Point(44+float64(i%10), 30+float64(i%7), 1)
		rs[i] = r
	}
	return rs
}

func TestImportReports(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		rs := batch(1200, "import:test", "a")
		rs = append(rs, datedReport(), datedReport()) // no external id: both added
		rs = append(rs, rs[5])                        // a duplicate inside the batch
		orig := slices.Clone(rs)
		at := clk.peek()
		added, present, err := db.ImportReports(ctx, rs)
		if err != nil || added != 1202 || present != 1 {
			t.Fatalf("ImportReports = %d, %d, %v; want 1202, 1", added, present, err)
		}
		if !reflect.DeepEqual(rs, orig) {
			t.Error("ImportReports modified its argument")
		}
		// Again, with 300 new ones: only those are added.
		more := append(batch(1200, "import:test", "a"), batch(300, "import:test", "b")...)
		added, present, err = db.ImportReports(ctx, more)
		if err != nil || added != 300 || present != 1200 {
			t.Fatalf("second ImportReports = %d, %d, %v; want 300, 1200", added, present, err)
		}
		if n, _ := db.CountReports(ctx); n != 1502 {
			t.Fatalf("CountReports = %d, want 1502", n)
		}
		// Stored as given, with the server fields; one batch leaf each.
		got, err := db.Report(ctx, 6)
		want := rs[5]
		want.ID, want.ReceivedAt, want.LogIndex = 6, at, ptr(int64(0))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Report(6) =\n%+v, %v\nwant\n%+v", got, err, want)
		}
		entries := checkLog(t, db, 2)
		if entries[0].Kind != store.KindReportBatch || entries[0].RecordID != "1-1202" || entries[1].RecordID != "1203-1502" {
			t.Fatalf("batch leaves %s %s, %s %s", entries[0].Kind, entries[0].RecordID, entries[1].Kind, entries[1].RecordID)
		}
		// One report checks against its batch leaf on its own: the item's
		// hash is that of the leaf it would have had by itself.
		var leaf struct{ Record store.Batch }
		if err := json.Unmarshal(entries[0].Data, &leaf); err != nil {
			t.Fatal(err)
		}
		if leaf.Record.Kind != ledger.KindReport || len(leaf.Record.Items) != 1202 || leaf.Record.Items[5].ID != 6 {
			t.Fatalf("batch record kind %s, %d items", leaf.Record.Kind, len(leaf.Record.Items))
		}
		own := got
		own.LogIndex = nil
		data, err := ledger.Encode(ledger.KindReport, "6", got.ReceivedAt, own)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if leaf.Record.Items[5].SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("batch item 5 hash %s, report 6 hashes to %x", leaf.Record.Items[5].SHA256, sum)
		}
	})
}

func TestImportReportsAtomic(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		rs := batch(600, "import:test", "a")
		rs[457].Domains = []string{"space"}
		_, _, err := db.ImportReports(ctx, rs)
		var e *truce.Error
		if !errors.As(err, &e) || e.Code != truce.EINVALID || e.Field != "reports[457].domains[0]" {
			t.Fatalf("ImportReports: %v, want EINVALID on reports[457].domains[0]", err)
		}
		if n, _ := db.CountReports(ctx); n != 0 {
			t.Fatalf("%d reports stored from a failed batch", n)
		}
		checkLog(t, db, 0)
		if added, present, err := db.ImportReports(ctx, nil); added != 0 || present != 0 || err != nil {
			t.Errorf("ImportReports(nil) = %d, %d, %v", added, present, err)
		}
	})
}

func TestReportFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		day := func(d, h int) *time.Time { return ptr(time.Date(2025, 5, d, h, 0, 0, 0, time.UTC)) }
		mk := func(ext string, edit func(*truce.Report)) truce.Report {
			r := fullReport()
			r.ExternalID = ext
			edit(&r)
			return r
		}
		rs := []truce.Report{
			// 1: Pokrovsk, 9 May 10-11h, party source, RU
			mk("1", func(r *truce.Report) {}),
			// 2: Kharkiv, 10 May 0-0h (an instant), media, perpetrator UA
			mk("2", func(r *truce.Report) {
				r.Source.Kind = "media"
				r.Occurred.From, r.Occurred.To = day(10, 0), day(10, 0)
				r.Place = truce.Point(49.99, 36.23, 2)
				r.Perpetrators = []string{"UA"}
				r.Description = "Explosions in KHARKIV overnight, 50% of power out"
			}),
			// 3: admin1 only, 11 May, no perpetrators, monitor
			mk("3", func(r *truce.Report) {
				r.Source.Kind = "monitor"
				r.Occurred.From, r.Occurred.To = day(11, 6), day(11, 9)
				r.Place = truce.Place{Admin1: "UA-65"}
				r.Perpetrators = nil
				r.Description = "Shelling of Kherson_city"
			}),
			// 4: Kamchatka (east of 150°E), 8 May 22h - 9 May 2h, RU and UA
			mk("4", func(r *truce.Report) {
				r.Occurred.From, r.Occurred.To = day(8, 22), day(9, 2)
				r.Place = truce.Point(53.0, 158.6, 10)
				r.Perpetrators = []string{"UA", "RU"}
			}),
		}
		if _, _, err := db.ImportReports(ctx, rs); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutParty(ctx, truce.Party{Code: "RU", Name: "Russia", Aliases: []string{"Military Forces of Russia"}}, "test"); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			f    store.ReportFilter
			want []int64
		}{
			{"all", store.ReportFilter{}, []int64{1, 2, 3, 4}},
			{"from 9 May 02h", store.ReportFilter{From: *day(9, 2)}, []int64{1, 2, 3}},
			{"to 9 May 10h", store.ReportFilter{To: *day(9, 10)}, []int64{4}},
			{"the instant", store.ReportFilter{From: *day(10, 0), To: *day(10, 1)}, []int64{2}},
			{"just after the instant", store.ReportFilter{From: day(10, 0).Add(time.Microsecond), To: *day(10, 1)}, nil},
			{"eastern Ukraine", store.ReportFilter{BBox: &[4]float64{35, 47, 40, 51}}, []int64{1, 2}},
			{"across the antimeridian", store.ReportFilter{BBox: &[4]float64{150, 40, -170, 60}}, []int64{4}},
			{"party RU", store.ReportFilter{Party: "RU"}, []int64{1, 4}},
			{"party alias", store.ReportFilter{Party: "Military Forces of Russia"}, []int64{1}},
			{"party UA", store.ReportFilter{Party: "UA"}, []int64{2, 4}},
			{"accused RU by code or alias", store.ReportFilter{Accused: "RU"}, []int64{1, 4}},
			{"accused unknown", store.ReportFilter{Accused: "XX"}, nil},
			{"source kind", store.ReportFilter{SourceKind: "monitor"}, []int64{3}},
			{"submitter", store.ReportFilter{SubmittedBy: "liaison-ua"}, []int64{1, 2, 3, 4}},
			{"nobody", store.ReportFilter{SubmittedBy: "nobody"}, nil},
			{"incident", store.ReportFilter{IncidentID: 1}, nil},
			{"text, any case", store.ReportFilter{Text: "kharkiv"}, []int64{2}},
			{"text with % literally", store.ReportFilter{Text: "50%"}, []int64{2}},
			{"text with %", store.ReportFilter{Text: "5%p"}, nil},
			{"text with _", store.ReportFilter{Text: "ns_in"}, nil},
			{"text with _ literally", store.ReportFilter{Text: "kherson_"}, []int64{3}},
			{"page", store.ReportFilter{AfterID: 1, Limit: 2}, []int64{2, 3}},
			{"combined", store.ReportFilter{Party: "RU", From: *day(9, 5), BBox: &[4]float64{30, 40, 40, 50}}, []int64{1}},
		}
		for _, c := range cases {
			got, err := db.Reports(ctx, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var ids []int64
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("%s: ids %v, want %v", c.name, ids, c.want)
			}
		}
	})
}

// TestConcurrentWriters: writers at once queue for the one writer (SQLite)
// or the advisory lock (PostgreSQL); none fails with SQLITE_BUSY, and the
// log stays whole.
func TestConcurrentWriters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					r := fullReport()
					r.ExternalID = fmt.Sprintf("w%d-%d", w, i)
					if _, err := db.CreateReport(ctx, &r); err != nil {
						errs <- err
					}
					if i%5 == 0 { // reads interleaved with the writes
						if _, err := db.Reports(ctx, store.ReportFilter{Limit: 10}); err != nil {
							errs <- err
						}
					}
				}
				if _, _, err := db.ImportReports(ctx, batch(50, "import:test", fmt.Sprintf("w%d", w))); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n, err := db.CountReports(ctx)
		if err != nil || n != writers*(each+50) {
			t.Fatalf("CountReports = %d, %v; want %d", n, err, writers*(each+50))
		}
		checkLog(t, db, writers*(each+1))
	})
}
