package httpapi

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/compliance"
	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/store"
)

// complianceRoutes registers the daily compliance report, the alert rules
// and their alerts, and the access restrictions monitors record.
//
// The report is public, like the incidents it counts (its notable
// incidents are verified ones, and it names no one but parties and
// sources). Rules are the guarantors' configuration, for admins; alerts
// are read by the signed-in and acknowledged by monitors. Access
// restrictions are recorded by monitors and public, as missions publish
// them.
func (s *Server) complianceRoutes() {
	s.handle("GET /api/v1/compliance/daily", anyone, s.handleComplianceDaily)
	s.handle("GET /api/v1/alert-rules", adminOnly, s.handleAlertRules)
	s.handle("POST /api/v1/alert-rules", adminOnly, s.handleCreateAlertRule)
	s.handle("GET /api/v1/alerts", signedIn, s.handleAlerts)
	s.handle("POST /api/v1/alerts/{id}/acknowledge", monitors, s.handleAcknowledgeAlert)
	s.handle("GET /api/v1/access-restrictions", anyone, s.handleAccessRestrictions)
	s.handle("POST /api/v1/access-restrictions", monitors, s.handleCreateAccessRestriction)
	s.describeAll(complianceDocs)
}

var complianceDocs = map[string]op{
	"GET /api/v1/compliance/daily": {Summary: "The daily compliance report of an agreement",
		Description: "Counts by verdict and status per party, domain, region and means, beside the previous day, the pre-truce baseline and the running total; ranges; claims against evidence; notable incidents; access restrictions; a map and a chart. " +
			"The reporting day is counted in the agreement's time zone. The report states the log size and root hash it was computed from; as_of rebuilds it byte for byte.",
		Params: []param{
			{Name: "agreement", Required: true, Description: "agreement id"},
			{Name: "date", Required: true, Format: "date", Description: "YYYY-MM-DD, the reporting day in the agreement's time zone"},
			{Name: "format", Enum: compliance.Formats, Description: "html, json (default), csv, md or pdf (text and tables; the map and chart are in html)"},
			{Name: "as_of", Type: "integer", Description: "the log size to compute from (default: the log's current size)"},
		},
		Response: compliance.Report{}},
	"GET /api/v1/alert-rules":  {Summary: "List the alert rules", Paged: true, Response: alertRulesJSON{}},
	"POST /api/v1/alert-rules": {Summary: "Add an alert rule (logged)", Body: truce.AlertRule{}, Response: truce.AlertRule{}, Status: http.StatusCreated},
	"GET /api/v1/alerts": {Summary: "List alerts, newest first, with their acknowledgements and clearings",
		Params: []param{{Name: "open", Type: "boolean", Description: "only alerts not cleared"}, {Name: "agreement", Description: "agreement id"}}, Paged: true,
		Response: alertsJSON{}},
	"POST /api/v1/alerts/{id}/acknowledge": {Summary: "Acknowledge an open alert (logged)", Body: ackJSON{}, Response: truce.Alert{}, Status: http.StatusCreated},
	"GET /api/v1/access-restrictions":      {Summary: "List the places monitors were denied access to", Paged: true, Response: accessRestrictionsJSON{}},
	"POST /api/v1/access-restrictions": {Summary: "Record that monitors were denied access to a place (logged)",
		Body: truce.AccessRestriction{}, Response: truce.AccessRestriction{}, Status: http.StatusCreated},
}

func (s *Server) handleComplianceDaily(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	agreement, date, format := q.Get("agreement"), q.Get("date"), q.Get("format")
	if format == "" {
		format = "json"
	}
	switch {
	case agreement == "":
		s.writeError(w, r, truce.Invalid("agreement", "required"))
		return
	case date == "":
		s.writeError(w, r, truce.Invalid("date", "required"))
		return
	}
	if compliance.ContentType(format) == "application/octet-stream" {
		s.writeError(w, r, truce.Invalid("format", "unknown format %q (html, json, csv, md, pdf)", format))
		return
	}
	asOf := int64(-1)
	if v := q.Get("as_of"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.writeError(w, r, truce.Invalid("as_of", "%q is not a log size", v))
			return
		}
		asOf = n
	}
	g, err := s.grouper()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := compliance.Daily(r.Context(), s.db, g, agreement, date, asOf)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := rep.Render(&b, format); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", compliance.ContentType(format))
	if format == "html" {
		// Self-contained: no script, no outside asset; framed only by the
		// UI's own compliance page.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
	}
	if format == "csv" || format == "md" || format == "pdf" {
		w.Header().Set("Content-Disposition", `attachment; filename="compliance-`+agreement+`-`+date+`.`+format+`"`)
	}
	w.Write(b.Bytes())
}

// The compliance lists are short and read whole, in id order (alerts:
// newest first), then paged like every other list.
type alertRulesJSON struct {
	AlertRules []truce.AlertRule `json:"alert_rules"`
	NextCursor string            `json:"next_cursor"`
}

type alertsJSON struct {
	Alerts     []store.AlertView `json:"alerts"`
	NextCursor string            `json:"next_cursor"`
}

type accessRestrictionsJSON struct {
	AccessRestrictions []truce.AccessRestriction `json:"access_restrictions"`
	NextCursor         string                    `json:"next_cursor"`
}

func (s *Server) handleAlertRules(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rules, err := s.db.AlertRules(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rules, next := pageOf(rules, p, func(a truce.AlertRule) string { return idKey(a.ID) })
	s.writeJSON(w, r, http.StatusOK, alertRulesJSON{AlertRules: nonNil(rules), NextCursor: next})
}

func (s *Server) handleCreateAlertRule(w http.ResponseWriter, r *http.Request) {
	var rule truce.AlertRule
	if err := s.decodeJSON(w, r, &rule); err != nil {
		s.writeError(w, r, err)
		return
	}
	rule.CreatedBy = caller(r.Context()).Name
	if err := s.db.CreateAlertRule(r.Context(), &rule); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, rule)
}

func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := store.AlertFilter{AgreementID: q.Get("agreement")}
	switch q.Get("open") {
	case "", "false":
	case "true":
		f.Open = true
	default:
		s.writeError(w, r, truce.Invalid("open", "%q is not true or false", q.Get("open")))
		return
	}
	views, err := s.db.Alerts(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	views, next := pageOf(views, p, func(a store.AlertView) string { return idKey(a.ID) })
	// The monitors who acknowledged are named to staff only (a liaison
	// reads the steps without them: feed.Audience).
	aud := feed.AudienceOf(caller(r.Context()))
	for i := range views {
		aud.RedactAlert(&views[i])
	}
	s.writeJSON(w, r, http.StatusOK, alertsJSON{Alerts: nonNil(views), NextCursor: next})
}

// ackJSON is the body of an acknowledgement.
type ackJSON struct {
	Note string `json:"note"`
}

func (s *Server) handleAcknowledgeAlert(w http.ResponseWriter, r *http.Request) {
	id, err := idPath(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body ackJSON
	if err := s.decodeJSON(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := truce.Alert{Event: truce.AlertAcknowledged, OpenedID: id, Note: body.Note, By: caller(r.Context()).Name}
	if err := s.db.AddAlert(r.Context(), &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, a)
}

func (s *Server) handleAccessRestrictions(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	as, err := s.accessRestrictions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	as, next := pageOf(as, p, func(a truce.AccessRestriction) string { return idKey(a.ID) })
	s.writeJSON(w, r, http.StatusOK, accessRestrictionsJSON{AccessRestrictions: nonNil(as), NextCursor: next})
}

func (s *Server) handleCreateAccessRestriction(w http.ResponseWriter, r *http.Request) {
	var a truce.AccessRestriction
	if err := s.decodeJSON(w, r, &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	a.RecordedBy = caller(r.Context()).Name
	if err := s.db.CreateAccessRestriction(r.Context(), &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, a)
}
