package truce

import (
	"strings"
	"time"
)

// Claim is a party's aggregate accusation ("524 aerial drones between 8 and
// 10 May"), recorded so it can be set beside what the record supports.
type Claim struct {
	ID           int64     `json:"id,omitempty"`
	Claimant     string    `json:"claimant"`
	Accused      string    `json:"accused"`
	AgreementID  string    `json:"agreement_id,omitempty"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Means        []Means   `json:"means,omitempty"`
	Summary      string    `json:"summary"`
	Source       Source    `json:"source"`
	Illustrative bool      `json:"illustrative,omitempty"`
	RecordedAt   time.Time `json:"recorded_at,omitzero"`
	RecordedBy   string    `json:"recorded_by,omitempty"`
}

// Validate checks a claim; parties holds the known party codes.
func (c Claim) Validate(parties map[string]bool) error {
	if !parties[c.Claimant] {
		return Invalid("claimant", "unknown party %q", c.Claimant)
	}
	if !parties[c.Accused] {
		return Invalid("accused", "unknown party %q", c.Accused)
	}
	if c.From.IsZero() || c.To.IsZero() {
		return Invalid("from", "period required (from, to)")
	}
	if !c.To.After(c.From) {
		return Invalid("to", "is not after from")
	}
	for i, m := range c.Means {
		if m.Count < 1 {
			return Invalid(indexed("means", i)+".count", "must be at least 1")
		}
	}
	if strings.TrimSpace(c.Summary) == "" {
		return Invalid("summary", "required")
	}
	if strings.TrimSpace(c.Source.Quote) == "" && c.Source.URL == "" {
		return Invalid("source", "a quote or a URL is required")
	}
	return nil
}
