package truce

import (
	"slices"
	"strings"
	"time"
)

// Stances a party may take on a negotiation issue.
const (
	StanceDemands    = "demands"
	StanceOffers     = "offers"
	StanceAccepts    = "accepts"
	StanceRejects    = "rejects"
	StanceConditions = "conditions"
)

// Stances lists the valid stances.
var Stances = []string{StanceDemands, StanceOffers, StanceAccepts, StanceRejects, StanceConditions}

// NegotiationIssue is one thing that is negotiated: a ceasefire, direct
// talks, NATO membership, territory. The taxonomy is editable.
type NegotiationIssue struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Validate checks an issue's code and name.
func (n NegotiationIssue) Validate() error {
	if !partyCode.MatchString(n.Code) {
		return Invalid("code", "%q is not an issue code (letters, digits, _ . -, up to 32)", n.Code)
	}
	if strings.TrimSpace(n.Name) == "" {
		return Invalid("name", "required")
	}
	return nil
}

// Statement is a dated position of a party on an issue, with its quote.
type Statement struct {
	ID          int64  `json:"id,omitempty"`
	Party       string `json:"party"`
	Issue       string `json:"issue"`
	Stance      string `json:"stance"`
	Date        string `json:"date"` // YYYY-MM-DD
	Summary     string `json:"summary,omitempty"`
	Quote       string `json:"quote"`
	Source      Source `json:"source"`
	Language    string `json:"language,omitempty"`
	AgreementID string `json:"agreement_id,omitempty"`
	ClaimID     int64  `json:"claim_id,omitempty"`
}

// Validate checks a statement; parties and issues hold the known codes.
func (s Statement) Validate(parties, issues map[string]bool) error {
	if !parties[s.Party] {
		return Invalid("party", "unknown party %q", s.Party)
	}
	if !issues[s.Issue] {
		return Invalid("issue", "unknown issue %q", s.Issue)
	}
	if !slices.Contains(Stances, s.Stance) {
		return Invalid("stance", "unknown stance %q (demands, offers, accepts, rejects, conditions)", s.Stance)
	}
	if _, err := time.Parse("2006-01-02", s.Date); err != nil {
		return Invalid("date", "%q is not a date YYYY-MM-DD", s.Date)
	}
	if strings.TrimSpace(s.Quote) == "" {
		return Invalid("quote", "required")
	}
	return nil
}

// Condition kinds: an action by a party on an issue, or an agreement
// taking effect.
const (
	ConditionAction    = "action"
	ConditionAgreement = "agreement"
)

// Condition is one side of a precondition: "RU holds direct talks" or
// "the 30-day ceasefire takes effect".
type Condition struct {
	Kind        string `json:"kind"`
	Party       string `json:"party,omitempty"`        // for actions
	Issue       string `json:"issue,omitempty"`        // for actions: what the party does
	AgreementID string `json:"agreement_id,omitempty"` // for agreements
}

// Key identifies the condition as a node of the precondition graph.
func (c Condition) Key() string {
	if c.Kind == ConditionAgreement {
		return "agreement:" + c.AgreementID
	}
	return "action:" + c.Party + ":" + c.Issue
}

// Validate checks that the condition names known things.
func (c Condition) Validate(parties, issues map[string]bool) error {
	switch c.Kind {
	case ConditionAction:
		if !parties[c.Party] {
			return Invalid("party", "unknown party %q", c.Party)
		}
		if !issues[c.Issue] {
			return Invalid("issue", "unknown issue %q", c.Issue)
		}
	case ConditionAgreement:
		if strings.TrimSpace(c.AgreementID) == "" {
			return Invalid("agreement_id", "required for an agreement condition")
		}
	default:
		return Invalid("kind", "unknown condition kind %q (action, agreement)", c.Kind)
	}
	return nil
}

// Precondition records that Party will do Action only if Requires happens
// first. Met is set once Requires has happened; a met precondition no
// longer blocks anything.
type Precondition struct {
	ID          int64     `json:"id,omitempty"`
	Party       string    `json:"party"`
	Action      Condition `json:"action"`
	Requires    Condition `json:"requires"`
	StatementID int64     `json:"statement_id,omitempty"`
	Quote       string    `json:"quote,omitempty"`
	Since       string    `json:"since,omitempty"` // YYYY-MM-DD the position was taken
	Met         bool      `json:"met,omitempty"`
	Withdrawn   bool      `json:"withdrawn,omitempty"`
}

// Validate checks a precondition; parties and issues hold the known codes.
func (p Precondition) Validate(parties, issues map[string]bool) error {
	if !parties[p.Party] {
		return Invalid("party", "unknown party %q", p.Party)
	}
	if err := p.Action.Validate(parties, issues); err != nil {
		return prefixField("action", err)
	}
	if err := p.Requires.Validate(parties, issues); err != nil {
		return prefixField("requires", err)
	}
	if p.Action.Key() == p.Requires.Key() {
		return Invalid("requires", "a condition cannot require itself")
	}
	return nil
}

// NegotiationEvent is a meeting, a round of talks, a proposal or a response.
type NegotiationEvent struct {
	ID           int64    `json:"id,omitempty"`
	Kind         string   `json:"kind"` // meeting, talks, proposal, response, mediation_offer
	Title        string   `json:"title"`
	Date         string   `json:"date"`
	Place        string   `json:"place,omitempty"`
	Participants []string `json:"participants,omitempty"`
	Mediators    []string `json:"mediators,omitempty"`
	Outcome      string   `json:"outcome,omitempty"`
	AgreementID  string   `json:"agreement_id,omitempty"`
	Sources      []Source `json:"sources,omitempty"`
}

// Draft is a draft agreement with its provisions, kept in versions.
type Draft struct {
	ID         string      `json:"id"`
	Version    int         `json:"version,omitempty"`
	Title      string      `json:"title"`
	Date       string      `json:"date,omitempty"`
	Parties    []string    `json:"parties,omitempty"`
	Provisions []Provision `json:"provisions"`
	Status     string      `json:"status,omitempty"`
	Sources    []Source    `json:"sources,omitempty"`
}

// Provision is one clause of a draft.
type Provision struct {
	Issue string `json:"issue,omitempty"`
	Text  string `json:"text"`
}
