package client

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"github.com/truce-monitor/truce"
)

// IncidentQuery filters incidents; zero fields do not filter. The public
// sees verified incidents only.
type IncidentQuery struct {
	Status    truce.IncidentStatus
	From, To  time.Time
	BBox      *[4]float64 // west, south, east, north; the incident's centre
	Party     string      // accused by one of its reports
	Agreement string      // judged a violation of it, or uncertain
	Page
}

func (iq IncidentQuery) values() url.Values {
	q := url.Values{}
	setString(q, "status", string(iq.Status))
	setTime(q, "from", iq.From)
	setTime(q, "to", iq.To)
	setBBox(q, iq.BBox)
	setString(q, "party", iq.Party)
	setString(q, "agreement", iq.Agreement)
	return iq.Page.values(q)
}

// Incidents returns one page of incidents, by id, and the next page's
// cursor ("" after the last).
func (c *Client) Incidents(ctx context.Context, iq IncidentQuery) ([]truce.Incident, string, error) {
	var out struct {
		Incidents  []truce.Incident `json:"incidents"`
		NextCursor string           `json:"next_cursor"`
	}
	_, err := c.do(ctx, "GET", "incidents", iq.values(), nil, &out)
	return out.Incidents, out.NextCursor, err
}

// IncidentDetail is an incident with what explains it. Members (why each
// report belongs) and Corroboration are kept as the server's JSON.
type IncidentDetail struct {
	truce.Incident
	MergedInto    int64              `json:"merged_into,omitempty"`
	Hostile       bool               `json:"hostile"`
	Members       json.RawMessage    `json:"members"`
	Corroboration json.RawMessage    `json:"corroboration"`
	History       []truce.Transition `json:"history"`
	Replies       []truce.Reply      `json:"replies"`
}

// Incident returns one incident with its explanation, history and
// replies; ENOTFOUND if there is none (or, for the public, if it is not
// verified).
func (c *Client) Incident(ctx context.Context, id int64) (IncidentDetail, error) {
	var out IncidentDetail
	_, err := c.do(ctx, "GET", "incidents/"+itoa(id), nil, nil, &out)
	return out, err
}

// TransitionRequest is a step of the verification workflow. Version is
// the incident's version as the caller read it.
type TransitionRequest struct {
	To       truce.IncidentStatus `json:"to"`
	Reason   string               `json:"reason"`
	Evidence []string             `json:"evidence,omitempty"` // SHA-256 hex digests
	Version  int                  `json:"version"`
}

// Transition moves an incident through the workflow (monitors) and
// returns it as it now stands. ECONFLICT if it changed since Version.
func (c *Client) Transition(ctx context.Context, id int64, t TransitionRequest) (truce.Incident, error) {
	var out truce.Incident
	_, err := c.do(ctx, "POST", "incidents/"+itoa(id)+"/transitions", nil, t, &out)
	return out, err
}

// Reply files the accused party's reply to an incident (liaisons).
func (c *Client) Reply(ctx context.Context, id int64, body string) (truce.Reply, error) {
	var out truce.Reply
	_, err := c.do(ctx, "POST", "incidents/"+itoa(id)+"/replies", nil, map[string]string{"body": body}, &out)
	return out, err
}
