package httpapi

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"encoding/json"
	"github.com/truce-monitor/truce"
	"net/http"
	"strings"
	"testing"
)

func TestCSVSafe(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"Shelling of Kharkiv", "Shelling of Kharkiv"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		if got := csvSafe(tt.in); got != tt.want {
			t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func feedGet(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp, feedBody(t, resp)
}

// TestExportCSV exports as the public: only the verified incident, whose
// title (from a report that begins with a formula) comes out inert when
// a spreadsheet opens the file.
func TestExportCSV(t *testing.T) {
	a := newFeedAPI(t)
	resp, body := feedGet(t, a.srv.URL+"/api/v1/export/incidents.csv")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("status %d type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="incidents.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want the header and the verified incident:\n%s", len(rows), body)
	}
	row := map[string]string{}
	for i, h := range rows[0] {
		row[h] = rows[1][i]
	}
	want := map[string]string{
		"id":           "1",
		"status":       "verified",
		"title":        "'=HYPERLINK(\"http://x\") shelling of Kharkiv outskirts",
		"lon":          "36.2305",
		"perpetrators": "RU",
		"reports":      "2",
		"from":         "2025-04-20T06:00:00Z",
	}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %q, want %q", k, row[k], v)
		}
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
			t.Errorf("cell %s = %q would run as a formula", rows[0][i], cell)
		}
	}
}

func TestExportFormats(t *testing.T) {
	a := newFeedAPI(t)
	resp, body := feedGet(t, a.srv.URL+"/api/v1/export/incidents.geojson?from=2025-04-01T00:00:00Z&bbox=30,44,40,52")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("geojson: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			ID       int64
			Geometry struct {
				Type        string
				Coordinates []float64
			}
			Properties struct {
				Status string
				Title  string
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil {
		t.Fatalf("geojson: %v\n%s", err, body)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 1 {
		t.Fatalf("geojson: %+v", fc)
	}
	f := fc.Features[0]
	if f.ID != a.m.Verified || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 ||
		f.Geometry.Coordinates[0] != 36.2305 || f.Geometry.Coordinates[1] != 49.9905 || f.Properties.Status != "verified" {
		t.Errorf("feature %+v", f)
	}

	// A bbox around Odesa holds no verified incident: an empty collection.
	_, body = feedGet(t, a.srv.URL+"/api/v1/export/incidents.geojson?bbox=30,46,31,47")
	if err := json.Unmarshal([]byte(body), &fc); err != nil || len(fc.Features) != 0 {
		t.Errorf("empty geojson: %v %s", err, body)
	}

	resp, body = feedGet(t, a.srv.URL+"/api/v1/export/incidents.ndjson")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" || len(lines) != 1 {
		t.Fatalf("ndjson: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var inc struct {
		ID     int64
		Status string
	}
	if err := json.Unmarshal([]byte(lines[0]), &inc); err != nil || inc.ID != a.m.Verified || inc.Status != "verified" {
		t.Errorf("ndjson line %q: %v", lines[0], err)
	}
}

// TestExportBadQuery: bad filters name their parameter; the public may
// not ask for unverified incidents.
func TestExportBadQuery(t *testing.T) {
	a := newFeedAPI(t)
	for _, tt := range []struct {
		query  string
		status int
		field  string
	}{
		{"status=bogus", 400, "status"},
		{"from=yesterday", 400, "from"},
		{"bbox=1,2,3", 400, "bbox"},
		{"bbox=0,10,5,5", 400, "bbox"},
		{"bbox=0,-91,5,5", 400, "bbox"},
		{"status=disputed", 403, "status"},
	} {
		resp, body := feedGet(t, a.srv.URL+"/api/v1/export/incidents.csv?"+tt.query)
		var e errorBody
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatalf("%s: %v %s", tt.query, err, body)
		}
		if resp.StatusCode != tt.status || e.Field != tt.field {
			t.Errorf("%s: %d %+v, want %d naming %q", tt.query, resp.StatusCode, e, tt.status, tt.field)
		}
	}
}

// TestExportStaff: signed-in readers export every status, and an export
// larger than one page (exportPage) comes out whole, in id order.
func TestExportStaff(t *testing.T) {
	a := newFeedAPI(t)
	status, body := a.do(t, truce.RoleAnalyst, "GET", "/api/v1/export/incidents.ndjson?status=disputed", "")
	if lines := strings.Split(strings.TrimSpace(body), "\n"); status != 200 || len(lines) != 1 || !strings.Contains(lines[0], `"status":"disputed"`) {
		t.Errorf("analyst, disputed: %d %s", status, body)
	}

	// 1,200 more reports, each alone in its own week: 1,200 incidents.
	ctx := context.Background()
	var rs []truce.Report
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1200 {
		from := start.Add(time.Duration(i) * 7 * 24 * time.Hour)
		to := from.Add(time.Hour)
		rs = append(rs, truce.Report{
			ExternalID: fmt.Sprintf("bulk-%d", i), SubmittedBy: "bulk",
			Source:   truce.ReportSource{Kind: "media", Name: "Wire"},
			Occurred: truce.Occurrence{From: &from, To: &to}, Place: truce.Point(48, 37, 1),
			Domains: []string{"land"}, Description: "shelling",
		})
	}
	if _, _, err := a.db.ImportReports(ctx, rs); err != nil {
		t.Fatal(err)
	}
	groupAll(t, a.db)
	status, body = a.do(t, truce.RoleAnalyst, "GET", "/api/v1/export/incidents.csv", "")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || status != 200 {
		t.Fatalf("%d %v", status, err)
	}
	if len(rows) != 1+2+1200 {
		t.Fatalf("%d rows, want header + 1,202 incidents", len(rows))
	}
	for i, row := range rows[1:] {
		if row[0] != strconv.Itoa(i+1) {
			t.Fatalf("row %d has incident %s, want %d", i+1, row[0], i+1)
		}
	}
}
