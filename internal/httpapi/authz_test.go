package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
)

// sample is a request that exercises one route of the authorization
// matrix for TestAuthorizationMatrix.
type sample struct {
	path string // the pattern's path with its wildcards filled in
	// body returns the request body for a role ("" for none); nil means
	// no body. It may read the store (a version to send).
	body func(e *testEnv, role truce.Role) string
	// ok is the exact status of a role the policy lets in; 0 accepts any
	// 2xx (for routes whose answer depends on what ran before, such as
	// a PUT that creates, then updates).
	ok int
	// want overrides the status for some roles: the finer rules a
	// handler applies after the policy (a liaison's own party).
	want map[truce.Role]int
	// stream: the response never ends; the request is cancelled after a
	// moment and only the status is checked.
	stream bool
}

func static(body string) func(*testEnv, truce.Role) string {
	return func(*testEnv, truce.Role) string { return body }
}

// matrixSamples has a sample for every route registered with handle,
// keyed by pattern. A capability that adds routes adds their samples,
// from its own test file: func init() { addMatrixSamples(...) }.
var matrixSamples = map[string]sample{}

func addMatrixSamples(m map[string]sample) {
	for k, v := range m {
		if _, dup := matrixSamples[k]; dup {
			panic("two samples for " + k)
		}
		matrixSamples[k] = v
	}
}

// matrixMission is what the samples refer to: made by matrixEnv.
type matrixMission struct {
	verified, alleged int64 // incidents: verified (accuses UA), alleged (accuses RU)
	claim             int64
	webhook, deleted  int64
}

// matrixEnv is negotiationEnv's server (parties, users, agreement cf30,
// the negotiation track) with reports grouped into incidents, a claim
// and a webhook.
func matrixEnv(t *testing.T) (*testEnv, matrixMission) {
	t.Helper()
	e := negotiationEnv(t)
	ctx := context.Background()
	var m matrixMission
	at := func(d int) *time.Time { x := time.Date(2025, 5, d, 10, 0, 0, 0, time.UTC); return &x }
	for i, perp := range []string{"UA", "RU"} {
		r := truce.Report{
			SubmittedBy: "monitor-user", Source: truce.ReportSource{Kind: "media", Name: "Outlet"},
			Occurred: truce.Occurrence{From: at(13 + i), To: at(13 + i)}, Place: truce.Point(48.28+float64(i), 37.18, 2),
			Domains: []string{"land"}, Perpetrators: []string{perp}, Description: "shelling " + perp,
		}
		if _, err := e.db.CreateReport(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	g, err := incident.NewGrouper(nil, incident.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.GroupNew(ctx, g); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{1, 2} {
		rep, err := e.db.Report(ctx, id)
		if err != nil || rep.IncidentID == nil {
			t.Fatalf("report %d: %+v %v", id, rep, err)
		}
		if id == 1 {
			m.verified = *rep.IncidentID
		} else {
			m.alleged = *rep.IncidentID
		}
	}
	inc, err := e.db.Incident(ctx, m.verified)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Transition(ctx, truce.Transition{IncidentID: m.verified, To: truce.IncidentVerified, Reason: "seen", By: "monitor-user"}, inc.Version); err != nil {
		t.Fatal(err)
	}
	c := truce.Claim{Claimant: "UA", Accused: "RU", AgreementID: "cf30", From: *at(12), To: *at(20), Summary: "many strikes",
		Source: truce.Source{Quote: "many strikes"}, RecordedBy: "monitor-user"}
	if _, err := e.db.CreateClaim(ctx, &c); err != nil {
		t.Fatal(err)
	}
	m.claim = c.ID
	// Two webhooks: the sample deletes the second, so that the first
	// stays for the reads whatever the order of the routes.
	for i := range 2 {
		w := e.do(truce.RoleAdmin, "POST", "/api/v1/webhooks", `{"url":"https://example.org/hook","secret":"a-secret-of-some-length"}`)
		hook := decode[struct{ ID int64 }](t, w, 201)
		if i == 0 {
			m.webhook = hook.ID
		} else {
			m.deleted = hook.ID
		}
	}
	// A negotiation event and draft for the reads of one.
	for _, req := range [][3]string{
		{"POST", "/api/v1/negotiation/events", `{"kind":"proposal","title":"Kyiv call","date":"2025-05-10","participants":["UA"],"agreement_id":"cf30","sources":[{"title":"t"}]}`},
		{"PUT", "/api/v1/negotiation/drafts/d1", `{"title":"Istanbul draft","provisions":[{"issue":"ceasefire","text":"x"}]}`},
	} {
		if w := e.do(truce.RoleAdmin, req[0], req[1], req[2]); w.Code != 201 && w.Code != 200 {
			t.Fatalf("%s %s: %d %s", req[0], req[1], w.Code, w.Body)
		}
	}
	return e, m
}

// coreSamples are the samples of the API's own routes and, until their
// owners move them to their files, of the feed routes.
func coreSamples(m matrixMission) map[string]sample {
	id := func(n int64) string { return fmt.Sprint(n) }
	reportBody := static(`{"source":{"kind":"party","name":"General Staff"},"occurred":{"from":"2025-05-13T10:00:00Z","to":"2025-05-13T11:00:00Z"},` +
		`"place":{"lat":48.3,"lon":37.2,"radius_km":5},"domains":["land"],"perpetrators":["RU"],"description":"Artillery fire."}`)
	agreement := `{"id":"%s","title":"%s","status":"proposed","declared_by":["UA"],"bound":["UA","RU"],` +
		`"window":{"start":"2025-05-12T00:00","end":"2025-06-11T00:00","tz":"Europe/Kyiv"},"domains":["land"],"targets":["any"]}`
	return map[string]sample{
		"GET /api/v1/openapi.json":    {path: "/api/v1/openapi.json", ok: 200},
		"GET /api/docs":               {path: "/api/docs", ok: 200},
		"POST /api/v1/auth/login":     {path: "/api/v1/auth/login", body: static(`{"username":"analyst-user","password":"` + testPassword + `"}`), ok: 200},
		"POST /api/v1/auth/logout":    {path: "/api/v1/auth/logout", ok: 204},
		"GET /api/v1/auth/me":         {path: "/api/v1/auth/me", ok: 200},
		"GET /api/v1/parties":         {path: "/api/v1/parties", ok: 200},
		"GET /api/v1/parties/{code}":  {path: "/api/v1/parties/UA", ok: 200},
		"POST /api/v1/parties":        {path: "/api/v1/parties", body: static(`{"code":"MD","name":"Moldova"}`), ok: 201},
		"GET /api/v1/agreements":      {path: "/api/v1/agreements", ok: 200},
		"GET /api/v1/agreements/{id}": {path: "/api/v1/agreements/cf30", ok: 200},
		"POST /api/v1/agreements":     {path: "/api/v1/agreements", body: static(fmt.Sprintf(agreement, "cf-new", "A new one")), ok: 201},
		"POST /api/v1/agreements/{id}/versions": {path: "/api/v1/agreements/cf30/versions",
			body: static(fmt.Sprintf(agreement, "cf30", "30-day ceasefire, retitled")), ok: 201},
		"POST /api/v1/agreements/{id}/status": {path: "/api/v1/agreements/cf30/status", body: static(`{"status":"in_force","reason":"signed"}`), ok: 200},
		"POST /api/v1/reports":                {path: "/api/v1/reports", body: reportBody, ok: 201},
		"GET /api/v1/reports":                 {path: "/api/v1/reports?party=RU", ok: 200},
		"GET /api/v1/reports/{id}":            {path: "/api/v1/reports/1", ok: 200},
		"GET /api/v1/incidents":               {path: "/api/v1/incidents", ok: 200},
		"GET /api/v1/incidents/{id}":          {path: "/api/v1/incidents/" + id(m.verified), ok: 200},
		"POST /api/v1/incidents/{id}/transitions": {path: "/api/v1/incidents/" + id(m.alleged) + "/transitions", ok: 200,
			body: func(e *testEnv, _ truce.Role) string {
				inc, err := e.db.Incident(context.Background(), m.alleged)
				if err != nil {
					e.t.Fatal(err)
				}
				to := truce.IncidentVerified
				if inc.Status == to {
					to = truce.IncidentDisputed
				}
				return fmt.Sprintf(`{"to":%q,"reason":"checked","version":%d}`, to, inc.Version)
			}},
		"POST /api/v1/incidents/{id}/replies": {path: "/api/v1/incidents/" + id(m.verified) + "/replies", body: static(`{"body":"We deny it."}`), ok: 201},
		"GET /api/v1/findings":                {path: "/api/v1/findings?agreement=cf30", ok: 200},
		"GET /api/v1/claims":                  {path: "/api/v1/claims", ok: 200},
		"GET /api/v1/claims/{id}":             {path: "/api/v1/claims/" + id(m.claim), ok: 200},
		"POST /api/v1/claims": {path: "/api/v1/claims", ok: 201, body: func(_ *testEnv, role truce.Role) string {
			return `{"claimant":"RU","accused":"UA","from":"2025-05-12T00:00:00Z","to":"2025-05-14T00:00:00Z","summary":"claim by ` +
				string(role) + `","source":{"quote":"q"}}`
		}},
		"GET /api/v1/claims/{id}/evidence": {path: "/api/v1/claims/" + id(m.claim) + "/evidence", ok: 200},
		"GET /api/v1/stats":                {path: "/api/v1/stats?group=day", ok: 200},

		// The feed's routes.
		"GET /api/v1/stream":                   {path: "/api/v1/stream", ok: 200, stream: true},
		"GET /api/v1/export/incidents.csv":     {path: "/api/v1/export/incidents.csv", ok: 200},
		"GET /api/v1/export/incidents.geojson": {path: "/api/v1/export/incidents.geojson", ok: 200},
		"GET /api/v1/export/incidents.ndjson":  {path: "/api/v1/export/incidents.ndjson", ok: 200},
		"POST /api/v1/webhooks":                {path: "/api/v1/webhooks", body: static(`{"url":"https://example.org/other"}`), ok: 201},
		"GET /api/v1/webhooks":                 {path: "/api/v1/webhooks", ok: 200},
		"GET /api/v1/webhooks/{id}":            {path: "/api/v1/webhooks/" + id(m.webhook), ok: 200},
		"DELETE /api/v1/webhooks/{id}":         {path: "/api/v1/webhooks/" + id(m.webhook), ok: 204},
		"GET /api/v1/webhooks/{id}/deliveries": {path: "/api/v1/webhooks/" + id(m.webhook) + "/deliveries", ok: 200},
	}
}

// TestAuthorizationMatrix walks every route of s.matrix (including
// routes added later: a route without a sample fails the test) for every
// role, the public included, and checks the exact status: 401 for the
// public where the policy wants someone signed in, 403 for a role the
// policy leaves out, the sample's success status for the others.
func TestAuthorizationMatrix(t *testing.T) {
	e, m := matrixEnv(t)
	samples := coreSamples(m)
	for k, v := range matrixSamples {
		samples[k] = v
	}
	for _, rp := range e.srv.matrix {
		s, ok := samples[rp.Pattern]
		if !ok {
			t.Errorf("route %s has no sample: add one to matrixSamples (addMatrixSamples in the capability's test file)", rp.Pattern)
			continue
		}
		method, _ := splitPattern(rp.Pattern)
		for _, role := range testRoles {
			var u *truce.User
			if role != truce.RolePublic {
				x := e.users[role]
				u = &x
			}
			want := s.ok
			switch {
			case rp.Policy.allows(u):
			case u == nil:
				want = http.StatusUnauthorized
			default:
				want = http.StatusForbidden
			}
			if w, ok := s.want[role]; ok {
				want = w
			}
			body := ""
			if s.body != nil {
				body = s.body(e, role)
			}
			got, resp := e.matrixDo(role, method, s.path, body, s.stream)
			switch {
			case want == 0 && (got < 200 || got > 299):
				t.Errorf("%s as %s: %d, want 2xx: %s", rp.Pattern, role, got, resp)
			case want != 0 && got != want:
				t.Errorf("%s as %s: %d, want %d: %s", rp.Pattern, role, got, want, resp)
			}
		}
	}
	// A sample for a route that no longer exists is a stale test.
	for k := range samples {
		if !slices.ContainsFunc(e.srv.matrix, func(rp routePolicy) bool { return rp.Pattern == k }) {
			t.Errorf("sample for %s, which is not a route", k)
		}
	}
}

// matrixDo sends one request and returns the status and the start of
// the body, for messages.
func (e *testEnv) matrixDo(role truce.Role, method, path, body string, stream bool) (int, string) {
	ctx := context.Background()
	if stream {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
	}
	r := httptest.NewRequestWithContext(ctx, method, path, strings.NewReader(body))
	if tok := e.tokens[role]; tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	out := w.Body.String()
	if len(out) > 300 {
		out = out[:300]
	}
	return w.Code, out
}
