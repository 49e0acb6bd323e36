package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// incidentEnv has two incidents: one accusing UA (by an alias), which a
// monitor verified, and one accusing RU, alleged.
func incidentEnv(t *testing.T) (e *testEnv, verified, alleged int64) {
	t.Helper()
	e = newTestEnv(t, Config{})
	ctx := context.Background()
	at := func(d int) *time.Time { x := time.Date(2025, 5, d, 10, 0, 0, 0, time.UTC); return &x }
	for i, perp := range []string{"Military Forces of Ukraine", "RU"} {
		r := truce.Report{
			SubmittedBy: "reporter-secret-name", Source: truce.ReportSource{Kind: "monitor", Name: "Patrol of Jane Doe"},
			Occurred: truce.Occurrence{From: at(9 + i), To: at(9 + i)}, Place: truce.Point(48.28+float64(i), 37.18, 2),
			Domains: []string{"land"}, Perpetrators: []string{perp}, Description: "shelling",
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
	incs, err := e.db.Incidents(ctx, store.IncidentFilter{})
	if err != nil || len(incs) != 2 {
		t.Fatalf("incidents %+v %v", incs, err)
	}
	verified, alleged = incs[0].ID, incs[1].ID
	w := e.do(truce.RoleMonitor, "POST", fmt.Sprintf("/api/v1/incidents/%d/transitions", verified),
		fmt.Sprintf(`{"to":"verified","reason":"two sources","version":%d}`, incs[0].Version))
	decode[truce.Incident](t, w, 200)
	decode[truce.Reply](t, e.do(truce.RoleLiaison, "POST", fmt.Sprintf("/api/v1/incidents/%d/replies", verified), `{"body":"We deny it."}`), 201)
	return e, verified, alleged
}

// TestTransitionConflict: two monitors read the same version; the first
// step goes through, the second gets 409 and changes nothing; read again,
// it goes through.
func TestTransitionConflict(t *testing.T) {
	e, _, id := incidentEnv(t)
	path := fmt.Sprintf("/api/v1/incidents/%d/transitions", id)
	seen := decode[store.IncidentDetail](t, e.do(truce.RoleMonitor, "GET", fmt.Sprintf("/api/v1/incidents/%d", id), ""), 200)
	first := decode[truce.Incident](t, e.do(truce.RoleMonitor, "POST", path,
		fmt.Sprintf(`{"to":"verified","reason":"confirmed on site","evidence":["%s"],"version":%d}`, strings.Repeat("ab", 32), seen.Version)), 200)
	if first.Status != truce.IncidentVerified || first.Version != seen.Version+1 {
		t.Fatalf("after the first step %+v", first)
	}
	wantError(t, e.do(truce.RoleMonitor, "POST", path, fmt.Sprintf(`{"to":"rejected","reason":"fake","version":%d}`, seen.Version)),
		409, truce.ECONFLICT, "")
	// Admins manage the mission; they do not judge incidents.
	wantError(t, e.do(truce.RoleAdmin, "POST", path, fmt.Sprintf(`{"to":"rejected","reason":"fake","version":%d}`, seen.Version+1)),
		403, truce.EFORBIDDEN, "")
	d := decode[store.IncidentDetail](t, e.do(truce.RoleMonitor, "GET", fmt.Sprintf("/api/v1/incidents/%d", id), ""), 200)
	if d.Status != truce.IncidentVerified || len(d.History) != 1 || d.History[0].By != "monitor-user" || len(d.History[0].Evidence) != 1 {
		t.Fatalf("after the conflict %+v history %+v", d.Incident, d.History)
	}
	decode[truce.Incident](t, e.do(truce.RoleMonitor, "POST", path, fmt.Sprintf(`{"to":"rejected","reason":"fake","version":%d}`, d.Version)), 200)

	for body, field := range map[string]string{
		`{"to":"verified","reason":"x"}`:                           "version",
		`{"to":"won","reason":"x","version":9}`:                    "to",
		`{"to":"alleged","reason":"","version":9}`:                 "reason",
		`{"to":"alleged","reason":"x","version":"nine"}`:           "version",
		`{"to":"alleged","reason":"x","version":9,"by":"someone"}`: "by",
	} {
		wantError(t, e.do(truce.RoleMonitor, "POST", path, body), 400, truce.EINVALID, field)
	}
	wantError(t, e.do(truce.RoleMonitor, "POST", "/api/v1/incidents/999/transitions", `{"to":"verified","reason":"x","version":1}`), 404, truce.ENOTFOUND, "")
	for _, role := range []truce.Role{truce.RoleLiaison, truce.RoleAnalyst} {
		wantError(t, e.do(role, "POST", path, `{"to":"verified","reason":"x","version":1}`), 403, truce.EFORBIDDEN, "")
	}
}

// TestReplies: only a liaison of a party the incident accuses replies.
func TestReplies(t *testing.T) {
	e, verified, alleged := incidentEnv(t)
	wantError(t, e.do(truce.RoleLiaison, "POST", fmt.Sprintf("/api/v1/incidents/%d/replies", alleged), `{"body":"Not us."}`), 403, truce.EFORBIDDEN, "")
	wantError(t, e.do(truce.RoleLiaison, "POST", fmt.Sprintf("/api/v1/incidents/%d/replies", verified), `{"body":""}`), 400, truce.EINVALID, "body")
	d := decode[store.IncidentDetail](t, e.do(truce.RoleAnalyst, "GET", fmt.Sprintf("/api/v1/incidents/%d", verified), ""), 200)
	if len(d.Replies) != 1 || d.Replies[0].Party != "UA" || d.Replies[0].By != "liaison-user" || d.Status != truce.IncidentVerified {
		t.Errorf("replies %+v, status %s", d.Replies, d.Status)
	}
}

// TestPublicSeesVerifiedOnly: the public reads verified incidents only,
// never reports, and no one's name.
func TestPublicSeesVerifiedOnly(t *testing.T) {
	e, verified, alleged := incidentEnv(t)
	l := decode[incidentsJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/incidents", ""), 200)
	if len(l.Incidents) != 1 || l.Incidents[0].ID != verified {
		t.Errorf("public list %+v", l.Incidents)
	}
	if l := decode[incidentsJSON](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/incidents", ""), 200); len(l.Incidents) != 2 {
		t.Errorf("analyst sees %d incidents, want 2", len(l.Incidents))
	}
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/incidents?status=alleged", ""), 403, truce.EFORBIDDEN, "status")
	wantError(t, e.do(truce.RolePublic, "GET", fmt.Sprintf("/api/v1/incidents/%d", alleged), ""), 404, truce.ENOTFOUND, "")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/reports", ""), 401, truce.EUNAUTHORIZED, "")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/reports/1", ""), 401, truce.EUNAUTHORIZED, "")

	w := e.do(truce.RolePublic, "GET", fmt.Sprintf("/api/v1/incidents/%d", verified), "")
	d := decode[store.IncidentDetail](t, w, 200)
	if len(d.History) != 1 || len(d.Replies) != 1 || len(d.Corroboration.Sources) != 1 || d.Corroboration.Sources[0].Key != "monitor" {
		t.Errorf("public detail history %+v replies %+v sources %+v", d.History, d.Replies, d.Corroboration.Sources)
	}
	for _, name := range []string{"reporter-secret-name", "Jane Doe", "monitor-user", "liaison-user", "submitted_by"} {
		if strings.Contains(w.Body.String(), name) {
			t.Errorf("public incident shows %q: %s", name, w.Body)
		}
	}
	// Signed in, the names are there.
	staff := e.do(truce.RoleAnalyst, "GET", fmt.Sprintf("/api/v1/incidents/%d", verified), "").Body.String()
	if !strings.Contains(staff, "monitor-user") || !strings.Contains(staff, "liaison-user") {
		t.Errorf("analyst's view lacks the names: %s", staff)
	}
	// Public stats count verified incidents only.
	st := decode[store.Stats](t, e.do(truce.RolePublic, "GET", "/api/v1/stats?group=party", ""), 200)
	if st.Total.Incidents != 1 || len(st.Rows) != 1 || st.Rows[0].Key != "UA" {
		t.Errorf("public stats %+v", st)
	}
	if st := decode[store.Stats](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/stats?group=party", ""), 200); st.Total.Incidents != 2 {
		t.Errorf("analyst stats %+v", st)
	}
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/stats?group=week", ""), 400, truce.EINVALID, "group")
}

// TestFindingsPublished: the public sees findings on verified incidents
// only.
func TestFindingsPublished(t *testing.T) {
	e, verified, alleged := incidentEnv(t)
	ctx := context.Background()
	end := "2025-06-11T00:00"
	terms := truce.Terms{Agreements: []truce.Agreement{{ID: "cf30", Title: "30-day ceasefire", Status: truce.StatusInForce,
		DeclaredBy: []string{"UA"}, Bound: []string{"UA", "RU"}, Window: truce.Window{Start: "2025-05-08T00:00", End: &end, TZ: "Europe/Kyiv"},
		Domains: []string{"land"}, Targets: []string{"any"}}}}
	if _, err := e.db.ImportTerms(ctx, terms, "admin"); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC)
	if _, err := e.db.PutFindings(ctx, []truce.Finding{
		{AgreementID: "cf30", AgreementVersion: 1, SubjectKind: "incident", SubjectID: verified, Verdict: truce.VerdictViolation, Party: "UA", Reason: "r", ComputedAt: at},
		{AgreementID: "cf30", AgreementVersion: 1, SubjectKind: "incident", SubjectID: alleged, Verdict: truce.VerdictViolation, Party: "RU", Reason: "r", ComputedAt: at},
		{AgreementID: "cf30", AgreementVersion: 1, SubjectKind: "report", SubjectID: 1, Verdict: truce.VerdictViolation, Party: "UA", Reason: "r", ComputedAt: at},
	}); err != nil {
		t.Fatal(err)
	}
	pub := decode[findingsJSON](t, e.do(truce.RolePublic, "GET", "/api/v1/findings?agreement=cf30", ""), 200)
	if len(pub.Findings) != 1 || pub.Findings[0].SubjectID != verified {
		t.Errorf("public findings %+v", pub.Findings)
	}
	if all := decode[findingsJSON](t, e.do(truce.RoleMonitor, "GET", "/api/v1/findings?agreement=cf30", ""), 200); len(all.Findings) != 3 {
		t.Errorf("monitor sees %d findings, want 3", len(all.Findings))
	}
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/findings", ""), 400, truce.EINVALID, "agreement")
	wantError(t, e.do(truce.RolePublic, "GET", "/api/v1/findings?agreement=nope", ""), 404, truce.ENOTFOUND, "")
}

// TestCredentialsAtRest: the database files hold no password and no
// token or session secret in plain text; passwords are argon2id hashes.
func TestCredentialsAtRest(t *testing.T) {
	e := newTestEnv(t, Config{})
	w := e.login("admin-user", testPassword, "192.0.2.1:1")
	session := sessionCookieOf(t, w).Value
	_, hash, err := e.db.PasswordHash(context.Background(), "admin-user")
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$") {
		t.Fatalf("stored password %q %v", hash, err)
	}
	e.db.Close() // flush everything to the files
	files, _ := filepath.Glob(e.dbPath + "*")
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	secrets := []string{testPassword, session}
	for _, tok := range e.tokens {
		secrets = append(secrets, tok, strings.TrimPrefix(tok, "truce_"))
	}
	// The files read are the right ones: the tokens' digests are there.
	digest := auth.Hash(e.tokens[truce.RoleAdmin])
	found := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		found = found || bytes.Contains(b, digest[:])
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds the secret %q in plain text", filepath.Base(f), s)
			}
		}
	}
	if !found {
		t.Error("the admin token's SHA-256 is in none of the files: the test reads the wrong files")
	}
}

// TestStatsFollowWrites: stats are cached per log size, so a transition
// shows in the next answer.
func TestStatsFollowWrites(t *testing.T) {
	e, _, alleged := incidentEnv(t)
	byStatus := func() map[string]int {
		return decode[store.Stats](t, e.do(truce.RoleAnalyst, "GET", "/api/v1/stats?group=day", ""), 200).Total.ByStatus
	}
	if got := byStatus(); got["verified"] != 1 || got["alleged"] != 1 {
		t.Fatalf("before: %v", got)
	}
	byStatus() // from the cache
	inc, err := e.db.Incident(context.Background(), alleged)
	if err != nil {
		t.Fatal(err)
	}
	decode[truce.Incident](t, e.do(truce.RoleMonitor, "POST", fmt.Sprintf("/api/v1/incidents/%d/transitions", alleged),
		fmt.Sprintf(`{"to":"rejected","reason":"staged","version":%d}`, inc.Version)), 200)
	if got := byStatus(); got["verified"] != 1 || got["alleged"] != 0 || got["rejected"] != 1 {
		t.Errorf("after a transition: %v", got)
	}
}
