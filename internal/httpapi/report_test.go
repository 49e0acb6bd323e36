package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// contractReport is the example of ../shared/contracts/REPORTS.md.
const contractReport = `{
  "external_id": "ua-jfo-2025-05-09-0142",
  "source": {"kind": "party", "name": "General Staff of the Armed Forces of Ukraine",
             "url": "https://example.org/post/123"},
  "occurred": {"from": "2025-05-09T10:00:00Z", "to": "2025-05-09T11:00:00Z"},
  "place": {"lat": 48.28, "lon": 37.18, "radius_km": 5},
  "domains": ["land"],
  "targets": ["civilian"],
  "means": [{"kind": "artillery", "count": 12}],
  "perpetrators": ["RU"],
  "description": "Artillery fire on the outskirts of Pokrovsk.",
  "language": "en",
  "evidence": [{"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "url": "https://example.org/photo.jpg", "media_type": "image/jpeg"}]
}`

func TestCreateReportContract(t *testing.T) {
	e := newTestEnv(t, Config{})
	w := e.do(truce.RoleMonitor, "POST", "/api/v1/reports", contractReport)
	got := decode[truce.Report](t, w, 201)
	if got.ID != 1 || got.SubmittedBy != "monitor-user" || got.ReceivedAt.IsZero() || got.LogIndex == nil {
		t.Errorf("server fields %+v", got)
	}
	if got.ExternalID != "ua-jfo-2025-05-09-0142" || got.Means[0] != (truce.Means{Kind: "artillery", Count: 12}) ||
		*got.Place.RadiusKm != 5 || got.Evidence[0].MediaType != "image/jpeg" || got.Source.URL != "https://example.org/post/123" {
		t.Errorf("report as stored %+v", got)
	}
	// GET returns it back.
	back := decode[truce.Report](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/reports/1", ""), 200)
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		t.Errorf("GET returned\n%s\nPOST returned\n%s", b, a)
	}
	// The same external_id from the same user returns the first: 200.
	again := decode[truce.Report](t, e.do(truce.RoleMonitor, "POST", "/api/v1/reports", contractReport), 200)
	if again.ID != 1 {
		t.Errorf("duplicate created report %d", again.ID)
	}
	// From another user it is another report.
	if other := decode[truce.Report](t, e.do(truce.RoleAdmin, "POST", "/api/v1/reports", contractReport), 201); other.ID != 2 {
		t.Errorf("another user's report has id %d", other.ID)
	}
	// A dated occurrence and a place by admin-1 unit are the other forms.
	dated := strings.NewReplacer(
		`{"from": "2025-05-09T10:00:00Z", "to": "2025-05-09T11:00:00Z"}`, `{"date": "2025-05-09", "precision": "day", "tz": "Europe/Kyiv"}`,
		`{"lat": 48.28, "lon": 37.18, "radius_km": 5}`, `{"admin1": "UA-14"}`,
		`ua-jfo-2025-05-09-0142`, `dated-1`).Replace(contractReport)
	if d := decode[truce.Report](t, e.do(truce.RoleMonitor, "POST", "/api/v1/reports", dated), 201); d.Place.Admin1 != "UA-14" || d.Occurred.Precision != "day" {
		t.Errorf("dated report %+v", d)
	}
}

func TestCreateReportBadInput(t *testing.T) {
	e := newTestEnv(t, Config{})
	edit := func(old, new string) string {
		if !strings.Contains(contractReport, old) {
			t.Fatalf("no %q in the example", old)
		}
		return strings.Replace(contractReport, old, new, 1)
	}
	tests := []struct {
		name, body string
		status     int
		code       string
		field      string
	}{
		{"unknown field", edit(`"language": "en"`, `"langauge": "en"`), 400, truce.EINVALID, "langauge"},
		{"unknown nested field", edit(`"radius_km": 5`, `"radius": 5`), 400, truce.EINVALID, "place.radius"},
		{"server field", edit(`"language": "en"`, `"submitted_by": "someone else"`), 400, truce.EINVALID, "submitted_by"},
		{"source party is the server's", edit(`"url": "https://example.org/post/123"`, `"party": "RU"`), 400, truce.EINVALID, "source.party"},
		{"wrong type", edit(`"domains": ["land"]`, `"domains": "land"`), 400, truce.EINVALID, "domains"},
		{"wrong type in a list", edit(`"count": 12`, `"count": "12"`), 400, truce.EINVALID, "means[0].count"},
		{"malformed JSON", contractReport[:40], 400, truce.EINVALID, "body"},
		{"unknown source kind", edit(`"kind": "party"`, `"kind": "blog"`), 400, truce.EINVALID, "source.kind"},
		{"no description", edit(`"Artillery fire on the outskirts of Pokrovsk."`, `""`), 400, truce.EINVALID, "description"},
		{"latitude out of range", edit(`"lat": 48.28`, `"lat": 95`), 400, truce.EINVALID, "place.lat"},
		{"place in two forms", edit(`"radius_km": 5`, `"radius_km": 5, "admin1": "UA-14"`), 400, truce.EINVALID, "place"},
		{"to before from", edit(`"to": "2025-05-09T11:00:00Z"`, `"to": "2025-05-09T09:00:00Z"`), 400, truce.EINVALID, "occurred.to"},
		{"time not RFC 3339", edit(`"from": "2025-05-09T10:00:00Z"`, `"from": "9 May 2025"`), 400, truce.EINVALID, "occurred.from"},
		{"unknown domain", edit(`"domains": ["land"]`, `"domains": ["space"]`), 400, truce.EINVALID, "domains[0]"},
		{"no domains", edit(`"domains": ["land"]`, `"domains": []`), 400, truce.EINVALID, "domains"},
		{"means count 0", edit(`"count": 12`, `"count": 0`), 400, truce.EINVALID, "means[0].count"},
		{"evidence digest", edit(`"9f86d081`, `"9F86D081`), 400, truce.EINVALID, "evidence[0].sha256"},
		{"too large", edit(`"Artillery fire on the outskirts of Pokrovsk."`, `"`+strings.Repeat("x", 1<<20)+`"`), 413, truce.ETOOLARGE, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(truce.RoleMonitor, "POST", "/api/v1/reports", tt.body), tt.status, tt.code, tt.field)
		})
	}
	if n, _ := e.db.CountReports(t.Context()); n != 0 {
		t.Errorf("%d reports stored from bad input", n)
	}
}

// TestCreateReportLiaison: a liaison files party reports only, and the
// source party is its own whatever the body says.
func TestCreateReportLiaison(t *testing.T) {
	e := newTestEnv(t, Config{})
	r := decode[truce.Report](t, e.do(truce.RoleLiaison, "POST", "/api/v1/reports",
		strings.Replace(contractReport, `"General Staff of the Armed Forces of Ukraine"`, `"Ministry of Defence of Russia"`, 1)), 201)
	if r.Source.Party != "UA" || r.SubmittedBy != "liaison-user" {
		t.Errorf("liaison's report source %+v by %q", r.Source, r.SubmittedBy)
	}
	wantError(t, e.do(truce.RoleLiaison, "POST", "/api/v1/reports", strings.Replace(contractReport, `"kind": "party"`, `"kind": "media"`, 1)),
		403, truce.EFORBIDDEN, "source.kind")
	wantError(t, e.do(truce.RoleAnalyst, "POST", "/api/v1/reports", contractReport), 403, truce.EFORBIDDEN, "")
	wantError(t, e.do(truce.RolePublic, "POST", "/api/v1/reports", contractReport), 401, truce.EUNAUTHORIZED, "")
}

func TestReportListFiltersAndPages(t *testing.T) {
	e := newTestEnv(t, Config{})
	bodies := []string{
		contractReport, // 1: RU, 9 May, Pokrovsk, party
		strings.NewReplacer(`"ua-jfo-2025-05-09-0142"`, `"2"`, `"perpetrators": ["RU"]`, `"perpetrators": ["Military Forces of Ukraine"]`,
			`"kind": "party"`, `"kind": "media"`, "Pokrovsk", "Kharkiv", `"lat": 48.28, "lon": 37.18`, `"lat": 49.99, "lon": 36.23`).Replace(contractReport),
		strings.NewReplacer(`"ua-jfo-2025-05-09-0142"`, `"3"`, `2025-05-09T1`, `2025-05-11T1`).Replace(contractReport),
	}
	for _, b := range bodies {
		decode[truce.Report](t, e.do(truce.RoleMonitor, "POST", "/api/v1/reports", b), 201)
	}
	ids := func(q string) []int64 {
		t.Helper()
		l := decode[reportsJSON](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/reports"+q, ""), 200)
		var out []int64
		for _, r := range l.Reports {
			out = append(out, r.ID)
		}
		return out
	}
	for q, want := range map[string][]int64{
		"":                                    {1, 2, 3},
		"?party=RU":                           {1, 3},
		"?party=UA":                           {2},
		"?source_kind=media":                  {2},
		"?text=kharkiv":                       {2},
		"?from=2025-05-10T00:00:00Z":          {3},
		"?to=2025-05-10T00:00:00Z":            {1, 2},
		"?bbox=36,49.5,37,50.5":               {2},
		"?party=RU&from=2025-05-10T00:00:00Z": {3},
	} {
		if got := ids(q); !slices.Equal(got, want) {
			t.Errorf("GET /reports%s = %v, want %v", q, got, want)
		}
	}
	for q, field := range map[string]string{"?from=yesterday": "from", "?bbox=1,2,3": "bbox", "?source_kind=blog": "source_kind",
		"?limit=0": "limit", "?cursor=zzz": "cursor", "?agreement=nope": "agreement"} {
		wantError(t, e.do(truce.RoleAnalyst, "GET", "/api/v1/reports"+q, ""), 400, truce.EINVALID, field)
	}
	// Pages of one join up to the whole list.
	var all []int64
	q := "?limit=1"
	for range 5 {
		l := decode[reportsJSON](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/reports"+q, ""), 200)
		for _, r := range l.Reports {
			all = append(all, r.ID)
		}
		if l.NextCursor == "" {
			break
		}
		q = "?limit=1&cursor=" + l.NextCursor
	}
	if !slices.Equal(all, []int64{1, 2, 3}) {
		t.Errorf("pages joined %v", all)
	}
}
