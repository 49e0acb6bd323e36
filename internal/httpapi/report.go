package httpapi

import (
	"net/http"
	"slices"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/store"
)

// reportIn is a report exactly as ../shared/contracts/REPORTS.md defines
// it: only the fields a reporter may send, so that anything else (a
// typo, a server field) is rejected by name.
type reportIn struct {
	ExternalID   string           `json:"external_id"`
	Source       reportSourceIn   `json:"source"`
	Occurred     truce.Occurrence `json:"occurred"`
	Place        truce.Place      `json:"place"`
	Domains      []string         `json:"domains"`
	Targets      []string         `json:"targets"`
	Means        []truce.Means    `json:"means"`
	Perpetrators []string         `json:"perpetrators"`
	Description  string           `json:"description"`
	Language     string           `json:"language"`
	Evidence     []truce.Evidence `json:"evidence"`
}

type reportSourceIn struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

func (in reportIn) report() truce.Report {
	return truce.Report{
		ExternalID:   in.ExternalID,
		Source:       truce.ReportSource{Kind: in.Source.Kind, Name: in.Source.Name, URL: in.Source.URL},
		Occurred:     in.Occurred,
		Place:        in.Place,
		Domains:      in.Domains,
		Targets:      in.Targets,
		Means:        in.Means,
		Perpetrators: in.Perpetrators,
		Description:  in.Description,
		Language:     in.Language,
		Evidence:     in.Evidence,
	}
}

// handleCreateReport files a report: 201 with the report as stored, or
// 200 with the first one when the same user sent the same external_id
// before. A liaison files party reports only, and the source party is
// always the liaison's own, whatever source.name says.
func (s *Server) handleCreateReport(w http.ResponseWriter, r *http.Request) {
	var in reportIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	u := caller(ctx)
	rep := in.report()
	rep.SubmittedBy = u.Name
	if u.Role == truce.RoleLiaison {
		if rep.Source.Kind != truce.SourceParty {
			s.writeError(w, r, &truce.Error{Code: truce.EFORBIDDEN, Field: "source.kind",
				Message: "a liaison files reports with source kind \"party\" only"})
			return
		}
		rep.Source.Party = u.Party
	}
	if err := rep.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if a := rep.Place.Admin1; a != "" && s.gz != nil && !s.gz.HasAdmin1(a) {
		s.writeError(w, r, truce.Invalid("place.admin1", "unknown admin-1 unit %q", a))
		return
	}
	created, err := s.db.CreateReport(ctx, &rep)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.writeJSON(w, r, status, rep)
}

type reportsJSON struct {
	Reports    []truce.Report `json:"reports"`
	NextCursor string         `json:"next_cursor"`
}

// handleReports lists reports by id, filtered. A liaison reads who
// submitted a report only for its own party's reports (feed.Audience).
func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) {
	f, p, err := s.reportQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var rs []truce.Report
	if f.Limit > 0 {
		if rs, err = s.db.Reports(r.Context(), f); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	rs, next := trimPage(rs, p, func(r truce.Report) string { return idKey(r.ID) })
	aud := feed.AudienceOf(caller(r.Context()))
	for i := range rs {
		aud.Redact(&rs[i])
	}
	s.writeJSON(w, r, http.StatusOK, reportsJSON{Reports: nonNil(rs), NextCursor: next})
}

// reportQuery reads the filters and page of GET /reports. A zero Limit
// means that nothing can match.
func (s *Server) reportQuery(r *http.Request) (store.ReportFilter, page, error) {
	var f store.ReportFilter
	lw, err := queryListWindow(r)
	p := lw.page
	if err != nil {
		return f, p, err
	}
	f.AfterID, f.Limit, f.From, f.To, f.BBox = lw.afterID, lw.limit, lw.from, lw.to, lw.bbox
	q := r.URL.Query()
	f.Accused = q.Get("party")
	if k := q.Get("source_kind"); k != "" {
		if !slices.Contains(truce.SourceKinds, k) {
			return f, p, truce.Invalid("source_kind", "unknown source kind %q (party, monitor, media, sensor, dataset)", k)
		}
		f.SourceKind = k
	}
	f.Text = q.Get("text")
	if len(f.Text) > 200 {
		return f, p, truce.Invalid("text", "longer than 200 characters")
	}
	if id := q.Get("agreement"); id != "" {
		// Reports that fall in the agreement's window: the time it binds.
		a, err := s.db.Agreement(r.Context(), id)
		if truce.ErrorCode(err) == truce.ENOTFOUND {
			return f, p, truce.Invalid("agreement", "unknown agreement %q", id)
		}
		if err != nil {
			return f, p, err
		}
		start, end, err := a.Window.Resolve()
		if err != nil {
			return f, p, truce.Invalid("agreement", "agreement %q: %v", id, err)
		}
		if f.From.IsZero() || f.From.Before(start) {
			f.From = start
		}
		if !end.IsZero() && (f.To.IsZero() || f.To.After(end)) {
			f.To = end
		}
		if !f.To.IsZero() && !f.To.After(f.From) {
			f.Limit = 0 // the ranges do not meet
		}
	}
	return f, p, nil
}

// handleReport returns one report; to a liaison, without who submitted
// it unless it is its own party's.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	id, err := idPath(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.db.Report(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	feed.AudienceOf(caller(r.Context())).Redact(&rep)
	s.writeJSON(w, r, http.StatusOK, rep)
}

var reportDocs = map[string]op{
	"POST /api/v1/reports": {Summary: "File a report (contracts/REPORTS.md)",
		Description: "Unknown fields are rejected naming the field; the body is limited to 1 MiB. A second report from the same user " +
			"with the same external_id returns the first (200). A liaison files only source kind party, for its own party.",
		Body: reportIn{}, Response: truce.Report{}, Status: http.StatusCreated},
	"GET /api/v1/reports": {Summary: "List reports, filtered", Paged: true, Response: reportsJSON{},
		Description: "submitted_by is left out for a liaison on the reports that are not its own party's (source.party).",
		Params: []param{fromParam, toParam, bboxParam,
			{Name: "party", Description: "a party code: reports naming it among the perpetrators (by code, name or alias)"},
			{Name: "source_kind", Enum: truce.SourceKinds},
			{Name: "agreement", Description: "an agreement id: reports whose time falls in its window"},
			{Name: "text", Description: "words in the description, case-insensitive"},
		}},
	"GET /api/v1/reports/{id}": {Summary: "One report, with the server's fields", Response: truce.Report{},
		Description: "submitted_by is left out for a liaison unless the report is its own party's (source.party)."},
}
