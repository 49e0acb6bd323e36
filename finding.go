package truce

import "time"

// Verdicts of the adjudication engine: three-valued, never a guess.
const (
	VerdictViolation = "violation"
	VerdictUncertain = "uncertain"
	VerdictOutside   = "outside"
)

// Finding is the verdict on one subject (a report, an incident or a
// dataset event) against one version of one agreement.
type Finding struct {
	AgreementID      string    `json:"agreement_id"`
	AgreementVersion int       `json:"agreement_version"`
	SubjectKind      string    `json:"subject_kind"` // "report" or "incident"
	SubjectID        int64     `json:"subject_id"`
	Verdict          string    `json:"verdict"`
	Party            string    `json:"party,omitempty"`
	Reason           string    `json:"reason"`
	ComputedAt       time.Time `json:"computed_at"`
}
