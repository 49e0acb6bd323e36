package client

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
)

// Parties returns every party.
func (c *Client) Parties(ctx context.Context) ([]truce.Party, error) {
	return all(func(p Page) ([]truce.Party, string, error) {
		var out struct {
			Parties    []truce.Party `json:"parties"`
			NextCursor string        `json:"next_cursor"`
		}
		_, err := c.do(ctx, "GET", "parties", p.values(nil), nil, &out)
		return out.Parties, out.NextCursor, err
	})
}

// Party returns one party by code; ENOTFOUND if there is none.
func (c *Client) Party(ctx context.Context, code string) (truce.Party, error) {
	var out truce.Party
	_, err := c.do(ctx, "GET", "parties/"+url.PathEscape(code), nil, nil, &out)
	return out, err
}

// Agreements returns the latest version of every agreement.
func (c *Client) Agreements(ctx context.Context) ([]truce.Agreement, error) {
	return all(func(p Page) ([]truce.Agreement, string, error) {
		var out struct {
			Agreements []truce.Agreement `json:"agreements"`
			NextCursor string            `json:"next_cursor"`
		}
		_, err := c.do(ctx, "GET", "agreements", p.values(nil), nil, &out)
		return out.Agreements, out.NextCursor, err
	})
}

// AgreementDetail is an agreement with its history.
type AgreementDetail struct {
	truce.Agreement
	Versions      []truce.Agreement    `json:"versions"`
	StatusHistory []truce.StatusChange `json:"status_history"`
}

// Agreement returns the latest version of one agreement, with every
// version and its status history; ENOTFOUND if there is none.
func (c *Client) Agreement(ctx context.Context, id string) (AgreementDetail, error) {
	var out AgreementDetail
	_, err := c.do(ctx, "GET", "agreements/"+url.PathEscape(id), nil, nil, &out)
	return out, err
}

// Findings returns the current findings against an agreement (for the
// public, those on verified incidents).
func (c *Client) Findings(ctx context.Context, agreementID string) ([]truce.Finding, error) {
	return all(func(p Page) ([]truce.Finding, string, error) {
		var out struct {
			Findings   []truce.Finding `json:"findings"`
			NextCursor string          `json:"next_cursor"`
		}
		_, err := c.do(ctx, "GET", "findings", p.values(url.Values{"agreement": {agreementID}}), nil, &out)
		return out.Findings, out.NextCursor, err
	})
}

// Claims returns every claim.
func (c *Client) Claims(ctx context.Context) ([]truce.Claim, error) {
	return all(func(p Page) ([]truce.Claim, string, error) {
		var out struct {
			Claims     []truce.Claim `json:"claims"`
			NextCursor string        `json:"next_cursor"`
		}
		_, err := c.do(ctx, "GET", "claims", p.values(nil), nil, &out)
		return out.Claims, out.NextCursor, err
	})
}

// Claim returns one claim; ENOTFOUND if there is none.
func (c *Client) Claim(ctx context.Context, id int64) (truce.Claim, error) {
	var out truce.Claim
	_, err := c.do(ctx, "GET", "claims/"+itoa(id), nil, nil, &out)
	return out, err
}

// StatsQuery selects what Stats counts. Group is party (the default),
// domain, admin1 or day.
type StatsQuery struct {
	Agreement string
	From, To  time.Time
	Group     string
}

// StatRow counts the incidents of one group.
type StatRow struct {
	Key       string         `json:"key"`
	Incidents int            `json:"incidents"`
	ByStatus  map[string]int `json:"by_status"`
	Verdicts  map[string]int `json:"verdicts,omitempty"`
}

// Stats is one row per group and the total.
type Stats struct {
	Group string    `json:"group"`
	Rows  []StatRow `json:"rows"`
	Total StatRow   `json:"total"`
}

// Stats counts incidents (for the public, verified ones).
func (c *Client) Stats(ctx context.Context, sq StatsQuery) (Stats, error) {
	q := url.Values{}
	setString(q, "agreement", sq.Agreement)
	setString(q, "group", sq.Group)
	setTime(q, "from", sq.From)
	setTime(q, "to", sq.To)
	var out Stats
	_, err := c.do(ctx, "GET", "stats", q, nil, &out)
	return out, err
}

// Checkpoint is a signed statement of the tamper-evident log at one
// size. Note is the signed note; check it with `truce log verify` or
// golang.org/x/mod/sumdb/note against the key at /api/v1/log/key.
type Checkpoint struct {
	Size int64     `json:"size"`
	Root string    `json:"root"` // base64 of the tree hash
	Note string    `json:"note"`
	At   time.Time `json:"at"`
}

// Checkpoint returns the log's latest signed checkpoint.
func (c *Client) Checkpoint(ctx context.Context) (Checkpoint, error) {
	var out Checkpoint
	_, err := c.do(ctx, "GET", "log/checkpoint", nil, nil, &out)
	return out, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
