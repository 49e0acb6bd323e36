package truce

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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

// How a statement's quote relates to the speaker. The quote itself is
// always a verbatim extract of the source; what differs is whether the
// source gives the speaker's own words or its own account of them.
const (
	QuoteDirect   = "direct"   // the source quotes the speaker's words
	QuoteReported = "reported" // the source paraphrases the speaker
)

// Limits on free text, so that one record cannot swamp a page or the log.
const (
	maxNegotiationText = 4000 // quotes, summaries, outcomes, provisions
	maxNegotiationList = 50   // participants, mediators, sources, provisions
)

// NegotiationIssue is one thing that is negotiated: a ceasefire, direct
// talks, NATO membership, territory. The taxonomy is editable; every edit
// is a new version.
type NegotiationIssue struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Version     int    `json:"version,omitempty"`
}

// Validate checks an issue's code and name.
func (n NegotiationIssue) Validate() error {
	if !partyCode.MatchString(n.Code) {
		return Invalid("code", "%q is not an issue code (letters, digits, _ . -, up to 32)", n.Code)
	}
	if strings.TrimSpace(n.Name) == "" {
		return Invalid("name", "required")
	}
	return checkLength("description", n.Description)
}

// Statement is a dated position of a party on an issue, with its quote.
// Statements are records of what was said: they are never edited, and a
// changed position is a new statement.
type Statement struct {
	ID      int64  `json:"id,omitempty"`
	Party   string `json:"party"`
	Issue   string `json:"issue"`
	Stance  string `json:"stance"`
	Date    string `json:"date"` // YYYY-MM-DD the position was taken or reported
	Summary string `json:"summary,omitempty"`
	Quote   string `json:"quote"`
	// QuoteKind is QuoteDirect or QuoteReported.
	QuoteKind   string    `json:"quote_kind"`
	Source      Source    `json:"source"`
	Language    string    `json:"language,omitempty"`
	AgreementID string    `json:"agreement_id,omitempty"`
	ClaimID     int64     `json:"claim_id,omitempty"`
	RecordedAt  time.Time `json:"recorded_at"`
	RecordedBy  string    `json:"recorded_by,omitempty"`
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
	if !isDate(s.Date) {
		return Invalid("date", "%q is not a date YYYY-MM-DD", s.Date)
	}
	if strings.TrimSpace(s.Quote) == "" {
		return Invalid("quote", "required")
	}
	if s.QuoteKind != QuoteDirect && s.QuoteKind != QuoteReported {
		return Invalid("quote_kind", "%q is neither direct (the speaker's words) nor reported (the source's account)", s.QuoteKind)
	}
	if strings.TrimSpace(s.Source.Title) == "" && s.Source.URL == "" {
		return Invalid("source", "a title or a URL is required")
	}
	if s.ClaimID < 0 {
		return Invalid("claim_id", "must be positive")
	}
	for _, f := range [][2]string{{"summary", s.Summary}, {"quote", s.Quote}, {"source.quote", s.Source.Quote}} {
		if err := checkLength(f[0], f[1]); err != nil {
			return err
		}
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

// Validate checks that the condition names known things. Whether an
// agreement exists is the store's to check.
func (c Condition) Validate(parties, issues map[string]bool) error {
	switch c.Kind {
	case ConditionAction:
		if !parties[c.Party] {
			return Invalid("party", "unknown party %q", c.Party)
		}
		if !issues[c.Issue] {
			return Invalid("issue", "unknown issue %q", c.Issue)
		}
		if c.AgreementID != "" {
			return Invalid("agreement_id", "an action names a party and an issue, not an agreement")
		}
	case ConditionAgreement:
		if strings.TrimSpace(c.AgreementID) == "" {
			return Invalid("agreement_id", "required for an agreement condition")
		}
		if c.Party != "" || c.Issue != "" {
			return Invalid("party", "an agreement condition names only the agreement")
		}
	default:
		return Invalid("kind", "unknown condition kind %q (action, agreement)", c.Kind)
	}
	return nil
}

// Precondition records that Party will do Action only if Requires happens
// first. Met is set once Requires has happened, Withdrawn once the party
// dropped the condition; either way it no longer blocks anything, from
// Until on. Changes of state are new versions.
type Precondition struct {
	ID          int64     `json:"id,omitempty"`
	Version     int       `json:"version,omitempty"`
	Party       string    `json:"party"`
	Action      Condition `json:"action"`
	Requires    Condition `json:"requires"`
	StatementID int64     `json:"statement_id,omitempty"`
	Quote       string    `json:"quote,omitempty"`
	Since       string    `json:"since,omitempty"` // YYYY-MM-DD the position was taken
	Met         bool      `json:"met,omitempty"`
	Withdrawn   bool      `json:"withdrawn,omitempty"`
	Until       string    `json:"until,omitempty"` // YYYY-MM-DD it was met or withdrawn
	Note        string    `json:"note,omitempty"`  // why it was met or withdrawn
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
	if p.Action.Kind == ConditionAction && p.Action.Party != p.Party {
		return Invalid("action.party", "%q: a party states preconditions for its own actions (or for an agreement taking effect), not for %q's", p.Party, p.Action.Party)
	}
	if p.Action.Key() == p.Requires.Key() {
		return Invalid("requires", "a condition cannot require itself")
	}
	if p.Since != "" && !isDate(p.Since) {
		return Invalid("since", "%q is not a date YYYY-MM-DD", p.Since)
	}
	if p.Met && p.Withdrawn {
		return Invalid("withdrawn", "a precondition is either met or withdrawn, not both")
	}
	switch {
	case p.Until != "" && !p.Met && !p.Withdrawn:
		return Invalid("until", "only a met or withdrawn precondition has an end date")
	case p.Until != "" && !isDate(p.Until):
		return Invalid("until", "%q is not a date YYYY-MM-DD", p.Until)
	case p.Until != "" && p.Since != "" && p.Until < p.Since:
		return Invalid("until", "%s is before since %s", p.Until, p.Since)
	}
	if err := checkLength("quote", p.Quote); err != nil {
		return err
	}
	return checkLength("note", p.Note)
}

// ActiveOn reports whether the precondition blocked anything on date
// (YYYY-MM-DD): it had been stated (a precondition without Since always
// had) and was not yet met or withdrawn.
func (p Precondition) ActiveOn(date string) bool {
	if p.Since != "" && p.Since > date {
		return false
	}
	if p.Met || p.Withdrawn {
		return p.Until != "" && p.Until > date
	}
	return true
}

// Negotiation event kinds.
const (
	EventMeeting        = "meeting"
	EventTalks          = "talks"
	EventProposal       = "proposal"
	EventResponse       = "response"
	EventMediationOffer = "mediation_offer"
)

// EventKinds lists the valid negotiation event kinds.
var EventKinds = []string{EventMeeting, EventTalks, EventProposal, EventResponse, EventMediationOffer}

// NegotiationEvent is a meeting, a round of talks, a proposal or a
// response. AgreementID links a proposal (or talks about one) to the
// agreement it proposes, whose status then tells what came of it;
// RespondsTo links a response to the event it answers.
type NegotiationEvent struct {
	ID      int64  `json:"id,omitempty"`
	Version int    `json:"version,omitempty"`
	Kind    string `json:"kind"`
	Title   string `json:"title"`
	Date    string `json:"date"`
	Place   string `json:"place,omitempty"`
	// Participants are party codes; Mediators are names, since mediators
	// ("African states") are often no party of the mission.
	Participants []string `json:"participants,omitempty"`
	Mediators    []string `json:"mediators,omitempty"`
	Outcome      string   `json:"outcome,omitempty"`
	AgreementID  string   `json:"agreement_id,omitempty"`
	RespondsTo   int64    `json:"responds_to,omitempty"`
	Sources      []Source `json:"sources,omitempty"`
}

// Validate checks an event; parties holds the known party codes.
func (e NegotiationEvent) Validate(parties map[string]bool) error {
	if !slices.Contains(EventKinds, e.Kind) {
		return Invalid("kind", "unknown event kind %q (%s)", e.Kind, strings.Join(EventKinds, ", "))
	}
	if strings.TrimSpace(e.Title) == "" {
		return Invalid("title", "required")
	}
	if !isDate(e.Date) {
		return Invalid("date", "%q is not a date YYYY-MM-DD", e.Date)
	}
	if len(e.Participants) > maxNegotiationList || len(e.Mediators) > maxNegotiationList || len(e.Sources) > maxNegotiationList {
		return Invalid("participants", "at most %d participants, mediators and sources each", maxNegotiationList)
	}
	for i, p := range e.Participants {
		if !parties[p] {
			return Invalid(indexed("participants", i), "unknown party %q", p)
		}
	}
	for i, m := range e.Mediators {
		if strings.TrimSpace(m) == "" {
			return Invalid(indexed("mediators", i), "empty")
		}
	}
	if e.RespondsTo < 0 {
		return Invalid("responds_to", "must be positive")
	}
	if len(e.Sources) == 0 {
		return Invalid("sources", "at least one source is required")
	}
	return checkLength("outcome", e.Outcome)
}

// Draft statuses.
var DraftStatuses = []string{"under_negotiation", "initialled", "abandoned", "signed", "superseded"}

// Draft is a draft agreement with its provisions, kept in versions.
type Draft struct {
	ID         string      `json:"id"`
	Version    int         `json:"version,omitempty"`
	Title      string      `json:"title"`
	Date       string      `json:"date,omitempty"`
	Parties    []string    `json:"parties,omitempty"`
	Provisions []Provision `json:"provisions"`
	Status     string      `json:"status,omitempty"`
	Summary    string      `json:"summary,omitempty"`
	Sources    []Source    `json:"sources,omitempty"`
}

// Provision is one clause of a draft. QuoteKind says whether Text is the
// draft's own wording or a paraphrase from reports of it.
type Provision struct {
	Issue     string `json:"issue,omitempty"`
	Text      string `json:"text"`
	QuoteKind string `json:"quote_kind,omitempty"`
}

// Validate checks a draft; parties and issues hold the known codes.
func (d Draft) Validate(parties, issues map[string]bool) error {
	if !partyCode.MatchString(d.ID) {
		return Invalid("id", "%q is not a draft id (letters, digits, _ . -, up to 32)", d.ID)
	}
	if strings.TrimSpace(d.Title) == "" {
		return Invalid("title", "required")
	}
	if d.Date != "" && !isDate(d.Date) {
		return Invalid("date", "%q is not a date YYYY-MM-DD", d.Date)
	}
	if d.Status != "" && !slices.Contains(DraftStatuses, d.Status) {
		return Invalid("status", "unknown status %q (%s)", d.Status, strings.Join(DraftStatuses, ", "))
	}
	for i, p := range d.Parties {
		if !parties[p] {
			return Invalid(indexed("parties", i), "unknown party %q", p)
		}
	}
	if len(d.Provisions) == 0 {
		return Invalid("provisions", "at least one provision is required")
	}
	if len(d.Provisions) > maxNegotiationList || len(d.Sources) > maxNegotiationList {
		return Invalid("provisions", "at most %d provisions and sources each", maxNegotiationList)
	}
	for i, p := range d.Provisions {
		f := indexed("provisions", i)
		if p.Issue != "" && !issues[p.Issue] {
			return Invalid(f+".issue", "unknown issue %q", p.Issue)
		}
		if strings.TrimSpace(p.Text) == "" {
			return Invalid(f+".text", "required")
		}
		if p.QuoteKind != "" && p.QuoteKind != QuoteDirect && p.QuoteKind != QuoteReported {
			return Invalid(f+".quote_kind", "%q is neither direct nor reported", p.QuoteKind)
		}
		if err := checkLength(f+".text", p.Text); err != nil {
			return err
		}
	}
	return checkLength("summary", d.Summary)
}

func isDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func checkLength(field, s string) error {
	if n := utf8.RuneCountInString(s); n > maxNegotiationText {
		return Invalid(field, "%d characters, at most %d", n, maxNegotiationText)
	}
	return nil
}
