package truce

import (
	"slices"
	"time"
)

// IncidentStatus is where an incident stands in the verification workflow.
type IncidentStatus string

// The verification workflow: alleged → corroborated → verified, or disputed,
// or rejected. Only monitors verify, dispute or reject.
const (
	IncidentAlleged      IncidentStatus = "alleged"
	IncidentCorroborated IncidentStatus = "corroborated"
	IncidentVerified     IncidentStatus = "verified"
	IncidentDisputed     IncidentStatus = "disputed"
	IncidentRejected     IncidentStatus = "rejected"
)

// IncidentStatuses lists every incident status in workflow order.
var IncidentStatuses = []IncidentStatus{IncidentAlleged, IncidentCorroborated, IncidentVerified, IncidentDisputed, IncidentRejected}

// allowedTransitions says which states a monitor may move an incident to.
// Corrections are new transitions, so every state can be left again.
var allowedTransitions = map[IncidentStatus][]IncidentStatus{
	IncidentAlleged:      {IncidentCorroborated, IncidentVerified, IncidentDisputed, IncidentRejected},
	IncidentCorroborated: {IncidentVerified, IncidentDisputed, IncidentRejected},
	IncidentVerified:     {IncidentDisputed, IncidentRejected},
	IncidentDisputed:     {IncidentVerified, IncidentRejected, IncidentCorroborated},
	IncidentRejected:     {IncidentAlleged, IncidentDisputed},
}

// CanTransition reports whether an incident may move from one state to another.
func CanTransition(from, to IncidentStatus) bool {
	return slices.Contains(allowedTransitions[from], to)
}

// Incident groups the reports that describe one event. Version rises with
// every change so that two monitors cannot silently overwrite each other.
type Incident struct {
	ID           int64          `json:"id"`
	Status       IncidentStatus `json:"status"`
	Version      int            `json:"version"`
	ReportIDs    []int64        `json:"report_ids"`
	From         time.Time      `json:"from"`
	To           time.Time      `json:"to"`
	Lat          float64        `json:"lat"`
	Lon          float64        `json:"lon"`
	RadiusKm     float64        `json:"radius_km"`
	Admin1       string         `json:"admin1,omitempty"`
	Domains      []string       `json:"domains"`
	Targets      []string       `json:"targets,omitempty"`
	Perpetrators []string       `json:"perpetrators,omitempty"`
	Title        string         `json:"title,omitempty"`
	Sources      int            `json:"independent_sources"`
	Score        float64        `json:"corroboration_score"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	Findings     []Finding      `json:"findings,omitempty"`
}

// Transition is one step of an incident through the workflow, with who,
// when, why and the evidence behind it.
type Transition struct {
	ID         int64          `json:"id,omitempty"`
	IncidentID int64          `json:"incident_id"`
	From       IncidentStatus `json:"from"`
	To         IncidentStatus `json:"to"`
	Reason     string         `json:"reason"`
	Evidence   []string       `json:"evidence,omitempty"` // SHA-256 hex digests
	By         string         `json:"by"`
	At         time.Time      `json:"at"`
}

// Validate checks a requested transition before it is applied.
func (t Transition) Validate() error {
	if !slices.Contains(IncidentStatuses, t.To) {
		return Invalid("to", "unknown status %q", t.To)
	}
	if len(t.Reason) == 0 {
		return Invalid("reason", "required")
	}
	if len(t.Reason) > MaxDescription {
		return Invalid("reason", "longer than 10,000 characters")
	}
	for i, h := range t.Evidence {
		if !sha256Hex.MatchString(h) {
			return Invalid(indexed("evidence", i), "must be 64 lower-case hex digits")
		}
	}
	return nil
}

// Reply is the accused party's answer to an incident. It never changes the
// incident's state by itself.
type Reply struct {
	ID         int64     `json:"id,omitempty"`
	IncidentID int64     `json:"incident_id"`
	Party      string    `json:"party"`
	Body       string    `json:"body"`
	Status     string    `json:"status"` // e.g. "received", "acknowledged"
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}
