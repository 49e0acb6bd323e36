package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
)

// agreementJSON is an agreement as the API shows it: the terms as given,
// with the window also resolved to UTC instants so that clients need no
// time-zone database. Its Window shadows the embedded one.
type agreementJSON struct {
	truce.Agreement
	Window windowJSON `json:"window"`
}

// windowJSON is a window in its own zone and in UTC. EndUTC is null for an
// open-ended window.
type windowJSON struct {
	Start    string     `json:"start"`
	End      *string    `json:"end"`
	TZ       string     `json:"tz"`
	StartUTC *time.Time `json:"start_utc"`
	EndUTC   *time.Time `json:"end_utc"`
}

// agreementDetailJSON adds an agreement's history: every version, oldest
// first, and every status change.
type agreementDetailJSON struct {
	agreementJSON
	Versions      []agreementJSON      `json:"versions"`
	StatusHistory []truce.StatusChange `json:"status_history"`
}

func newAgreementJSON(a truce.Agreement) agreementJSON {
	w := windowJSON{Start: a.Window.Start, End: a.Window.End, TZ: a.Window.TZ}
	// Stored agreements were validated on the way in, so Resolve only fails
	// on a zone database older than the one that accepted them; the UTC
	// fields then stay null rather than failing the whole listing.
	if start, end, err := a.Window.Resolve(); err == nil {
		w.StartUTC = &start
		if !end.IsZero() {
			w.EndUTC = &end
		}
	}
	return agreementJSON{Agreement: a, Window: w}
}

// handleAgreements lists the latest version of every agreement, in the
// order they were added.
func (s *Server) handleAgreements(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	as, err := s.db.Agreements(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	as, next := pageOf(as, p, func(a truce.Agreement) string { return a.ID })
	out := make([]agreementJSON, len(as))
	for i, a := range as {
		out[i] = newAgreementJSON(a)
	}
	s.writeJSON(w, r, http.StatusOK, agreementsJSON{Agreements: out, NextCursor: next})
}

// handleAgreement returns the latest version of one agreement with its
// versions and status history; ENOTFOUND is a 404.
func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	a, err := s.db.Agreement(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	versions, err := s.db.AgreementVersions(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	history, err := s.db.StatusHistory(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := agreementDetailJSON{
		agreementJSON: newAgreementJSON(a),
		Versions:      make([]agreementJSON, len(versions)),
		StatusHistory: history,
	}
	for i, v := range versions {
		out.Versions[i] = newAgreementJSON(v)
	}
	if out.StatusHistory == nil {
		out.StatusHistory = []truce.StatusChange{}
	}
	// The admin who changed the status is named to staff only.
	aud := feed.AudienceOf(caller(ctx))
	for i := range out.StatusHistory {
		aud.RedactStatusChange(&out.StatusHistory[i])
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

type agreementsJSON struct {
	Agreements []agreementJSON `json:"agreements"`
	NextCursor string          `json:"next_cursor"`
}

// handleCreateAgreement stores a new agreement as version 1 (201);
// ECONFLICT if the id is taken (new versions go to .../versions).
func (s *Server) handleCreateAgreement(w http.ResponseWriter, r *http.Request) {
	var a truce.Agreement
	if err := s.decodeJSON(w, r, &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	if a.ID != "" {
		if _, err := s.db.Agreement(ctx, a.ID); err == nil {
			s.writeError(w, r, truce.Errorf(truce.ECONFLICT, "agreement %q exists: POST a new version to /api/v1/agreements/%s/versions", a.ID, a.ID))
			return
		} else if truce.ErrorCode(err) != truce.ENOTFOUND {
			s.writeError(w, r, err)
			return
		}
	}
	s.putAgreement(w, r, a, http.StatusCreated)
}

// handleAgreementVersion stores a new version of an agreement (201), or
// nothing if it is unchanged (200). The id is the path's.
func (s *Server) handleAgreementVersion(w http.ResponseWriter, r *http.Request) {
	var a truce.Agreement
	if err := s.decodeJSON(w, r, &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if a.ID != "" && a.ID != id {
		s.writeError(w, r, truce.Invalid("id", "%q is not the agreement of the path, %q", a.ID, id))
		return
	}
	a.ID = id
	if _, err := s.db.Agreement(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.putAgreement(w, r, a, http.StatusCreated)
}

func (s *Server) putAgreement(w http.ResponseWriter, r *http.Request, a truce.Agreement, status int) {
	ctx := r.Context()
	if err := s.checkAreas(a); err != nil {
		s.writeError(w, r, err)
		return
	}
	_, isNew, err := s.db.PutAgreement(ctx, a, caller(ctx).Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !isNew {
		status = http.StatusOK
	}
	stored, err := s.db.Agreement(ctx, a.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, status, newAgreementJSON(stored))
}

// checkAreas checks an agreement's countries and admin-1 units against
// the gazetteer, which the domain's validation leaves to it.
func (s *Server) checkAreas(a truce.Agreement) error {
	if s.gz == nil || a.Area == nil {
		return nil
	}
	for i, code := range a.Area.Countries {
		if !s.gz.HasCountry(code) {
			return truce.Invalid(indexedField("area.countries", i), "unknown country %q", code)
		}
	}
	for i, code := range a.Area.Admin1 {
		if !s.gz.HasAdmin1(code) {
			return truce.Invalid(indexedField("area.admin1", i), "unknown admin-1 unit %q", code)
		}
	}
	return nil
}

func indexedField(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }

type statusRequest struct {
	Status truce.AgreementStatus `json:"status"`
	At     *time.Time            `json:"at,omitempty"` // when it took effect; now if absent
	Reason string                `json:"reason,omitempty"`
}

// handleAgreementStatus moves an agreement to a new status and returns
// it with its history.
func (s *Server) handleAgreementStatus(w http.ResponseWriter, r *http.Request) {
	var req statusRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	c := truce.StatusChange{AgreementID: r.PathValue("id"), Status: req.Status, Reason: req.Reason, By: caller(ctx).Name}
	if req.At != nil {
		c.At = *req.At
	}
	if err := s.db.SetAgreementStatus(ctx, c); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.handleAgreement(w, r)
}

var agreementDocs = map[string]op{
	"GET /api/v1/agreements": {Summary: "List agreements (latest versions), windows also in UTC",
		Paged: true, Response: agreementsJSON{}},
	"GET /api/v1/agreements/{id}": {Summary: "One agreement with every version and its status history",
		Description: "status_history[].by, the admin who changed the status, and by_salt are given to admins, monitors and analysts only; " +
			"by_commitment, the hex SHA-256 of by_salt's 32 bytes followed by the name, is public (the log's agreement_status leaf holds it), " +
			"so that a name and salt shown to anyone can be checked against the log. Changes logged before commitments have no by_commitment.",
		Response: agreementDetailJSON{}},
	"POST /api/v1/agreements": {Summary: "Add an agreement (version 1)", Description: "409 if the id exists: add versions instead.",
		Body: truce.Agreement{}, Response: agreementJSON{}, Status: http.StatusCreated},
	"POST /api/v1/agreements/{id}/versions": {Summary: "Add a version of an agreement",
		Description: "201 with the new version; 200 and nothing written when nothing changed. Earlier versions are kept.",
		Body:        truce.Agreement{}, Response: agreementJSON{}, Status: http.StatusCreated},
	"POST /api/v1/agreements/{id}/status": {Summary: "Change an agreement's status (recorded in its status history)",
		Body: statusRequest{}, Response: agreementDetailJSON{}},
}
