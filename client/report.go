package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/truce-monitor/truce"
)

// reportIn is a report as a client files it (contracts/REPORTS.md): the
// server's fields left out, since the server refuses unknown fields.
type reportIn struct {
	ExternalID   string           `json:"external_id,omitempty"`
	Source       reportSourceIn   `json:"source"`
	Occurred     truce.Occurrence `json:"occurred"`
	Place        truce.Place      `json:"place"`
	Domains      []string         `json:"domains"`
	Targets      []string         `json:"targets,omitempty"`
	Means        []truce.Means    `json:"means,omitempty"`
	Perpetrators []string         `json:"perpetrators,omitempty"`
	Description  string           `json:"description"`
	Language     string           `json:"language,omitempty"`
	Evidence     []truce.Evidence `json:"evidence,omitempty"`
}

type reportSourceIn struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// CreateReport files a report and returns it as stored, with created
// false when the same user filed the same ExternalID before (the first
// report is returned). Fields the server assigns (ID, SubmittedBy, ...)
// are ignored. Invalid reports are EINVALID naming the field.
func (c *Client) CreateReport(ctx context.Context, r truce.Report) (truce.Report, bool, error) {
	in := reportIn{
		ExternalID: r.ExternalID, Source: reportSourceIn{Kind: r.Source.Kind, Name: r.Source.Name, URL: r.Source.URL},
		Occurred: r.Occurred, Place: r.Place, Domains: r.Domains, Targets: r.Targets, Means: r.Means,
		Perpetrators: r.Perpetrators, Description: r.Description, Language: r.Language, Evidence: r.Evidence,
	}
	b, err := json.Marshal(in)
	if err != nil {
		return truce.Report{}, false, err
	}
	return c.CreateReportJSON(ctx, b)
}

// CreateReportJSON files a report given as the contract's JSON, as is:
// the server checks it and names the field at fault.
func (c *Client) CreateReportJSON(ctx context.Context, body []byte) (truce.Report, bool, error) {
	var out truce.Report
	status, err := c.do(ctx, "POST", "reports", nil, body, &out)
	return out, status == http.StatusCreated, err
}

// Report returns one report; ENOTFOUND if there is none.
func (c *Client) Report(ctx context.Context, id int64) (truce.Report, error) {
	var out truce.Report
	_, err := c.do(ctx, "GET", "reports/"+itoa(id), nil, nil, &out)
	return out, err
}

// ReportQuery filters reports; zero fields do not filter.
type ReportQuery struct {
	From, To   time.Time
	BBox       *[4]float64 // west, south, east, north
	Party      string      // named among the perpetrators
	SourceKind string
	Agreement  string // reports whose time falls in its window
	Text       string // in the description
	Page
}

// Reports returns one page of reports, by id, and the next page's
// cursor ("" after the last).
func (c *Client) Reports(ctx context.Context, rq ReportQuery) ([]truce.Report, string, error) {
	q := url.Values{}
	setTime(q, "from", rq.From)
	setTime(q, "to", rq.To)
	setBBox(q, rq.BBox)
	setString(q, "party", rq.Party)
	setString(q, "source_kind", rq.SourceKind)
	setString(q, "agreement", rq.Agreement)
	setString(q, "text", rq.Text)
	var out struct {
		Reports    []truce.Report `json:"reports"`
		NextCursor string         `json:"next_cursor"`
	}
	_, err := c.do(ctx, "GET", "reports", rq.Page.values(q), nil, &out)
	return out.Reports, out.NextCursor, err
}
