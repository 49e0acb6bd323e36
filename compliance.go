package truce

import (
	"slices"
	"strings"
	"time"
)

// Kinds of alert rule. Each names the incidents that trip it.
const (
	// RuleVerifiedByParty trips when at least Count incidents verified as
	// violations of the agreement and attributed to one party (Party, or
	// any party when empty) began within WithinHours of each other.
	RuleVerifiedByParty = "verified_by_party"
	// RuleVerifiedTarget trips for every incident verified as a violation
	// of the agreement that struck Target (energy or civilian): run against
	// the energy moratorium it is "any verified violation against an
	// energy target during the moratorium".
	RuleVerifiedTarget = "verified_target"
	// RuleBaselineRatio trips for a reporting day (the agreement's own
	// time zone) whose incidents with a violation verdict, rejected ones
	// aside, outnumber Factor times the pre-truce baseline: the same
	// hours before the window opened, judged as if the truce had held.
	RuleBaselineRatio = "baseline_ratio"
)

// AlertRuleKinds lists the kinds of alert rule.
var AlertRuleKinds = []string{RuleVerifiedByParty, RuleVerifiedTarget, RuleBaselineRatio}

// AlertRule is a condition on the record, kept as data, that guarantors
// want to hear about the moment it holds.
type AlertRule struct {
	ID          int64     `json:"id,omitempty"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	AgreementID string    `json:"agreement_id"`
	Count       int       `json:"count,omitempty"`        // verified_by_party
	WithinHours int       `json:"within_hours,omitempty"` // verified_by_party
	Party       string    `json:"party,omitempty"`        // verified_by_party: one party only
	Target      string    `json:"target,omitempty"`       // verified_target
	Factor      float64   `json:"factor,omitempty"`       // baseline_ratio
	CreatedBy   string    `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
}

// Validate checks a rule's fields for its kind.
func (r AlertRule) Validate() error {
	if n := len(strings.TrimSpace(r.Name)); n == 0 || len(r.Name) > 200 {
		return Invalid("name", "required, up to 200 characters")
	}
	if strings.TrimSpace(r.AgreementID) == "" {
		return Invalid("agreement_id", "required")
	}
	switch r.Kind {
	case RuleVerifiedByParty:
		if r.Count < 1 || r.Count > 10000 {
			return Invalid("count", "must be 1-10000")
		}
		if r.WithinHours < 1 || r.WithinHours > 24*366 {
			return Invalid("within_hours", "must be 1-8784")
		}
	case RuleVerifiedTarget:
		if r.Target != TargetEnergy && r.Target != TargetCivilian {
			return Invalid("target", "unknown target %q (energy, civilian)", r.Target)
		}
	case RuleBaselineRatio:
		if !(r.Factor > 0 && r.Factor <= 1000) {
			return Invalid("factor", "must be more than 0 and at most 1000")
		}
	case "":
		return Invalid("kind", "required")
	default:
		return Invalid("kind", "unknown rule kind %q (%s)", r.Kind, strings.Join(AlertRuleKinds, ", "))
	}
	return nil
}

// Alert events. An alert opens when its rule's condition starts to hold
// for a key (a party's cluster, an incident, a day), stays open while it
// holds until a monitor acknowledges it, and is cleared when it stops
// holding. A key trips again only after it has stopped holding.
const (
	AlertOpened       = "opened"
	AlertAcknowledged = "acknowledged"
	AlertCleared      = "cleared"
)

// Alert is one logged step of an alert: opened by a rule at the record
// that made its condition true, acknowledged by a monitor, or cleared.
type Alert struct {
	ID          int64     `json:"id,omitempty"`
	RuleID      int64     `json:"rule_id"`
	AgreementID string    `json:"agreement_id"`
	Key         string    `json:"key"`
	Event       string    `json:"event"`
	OpenedID    int64     `json:"opened_id,omitempty"` // acknowledged, cleared: the alert that opened
	Incidents   []int64   `json:"incidents,omitempty"` // the incidents that trip the rule
	Summary     string    `json:"summary"`
	LogSize     int64     `json:"log_size"` // the log's size when the condition changed: the crossing record is leaf LogSize-1
	Note        string    `json:"note,omitempty"`
	By          string    `json:"by"`
	At          time.Time `json:"at,omitzero"`
}

// AccessRestriction is a monitors' record that they were denied access to
// a place, as observer missions list them in their daily reports.
type AccessRestriction struct {
	ID          int64     `json:"id,omitempty"`
	AgreementID string    `json:"agreement_id,omitempty"`
	Place       string    `json:"place"` // the place as monitors name it
	Lat         *float64  `json:"lat,omitempty"`
	Lon         *float64  `json:"lon,omitempty"`
	Admin1      string    `json:"admin1,omitempty"`
	At          time.Time `json:"at"` // when access was denied
	DeniedBy    string    `json:"denied_by,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	RecordedBy  string    `json:"recorded_by,omitempty"`
	RecordedAt  time.Time `json:"recorded_at,omitzero"`
}

// Validate checks an access restriction.
func (a AccessRestriction) Validate() error {
	if n := len(strings.TrimSpace(a.Place)); n == 0 || len(a.Place) > 200 {
		return Invalid("place", "required, up to 200 characters")
	}
	if (a.Lat == nil) != (a.Lon == nil) {
		return Invalid("lat", "lat and lon go together")
	}
	if a.Lat != nil && !(*a.Lat >= -90 && *a.Lat <= 90) {
		return Invalid("lat", "%v is outside -90..90", *a.Lat)
	}
	if a.Lon != nil && !(*a.Lon >= -180 && *a.Lon <= 180) {
		return Invalid("lon", "%v is outside -180..180", *a.Lon)
	}
	if a.Admin1 != "" && !admin1ISO.MatchString(a.Admin1) {
		return Invalid("admin1", "%q is not an ISO 3166-2 code", a.Admin1)
	}
	if a.At.IsZero() {
		return Invalid("at", "required")
	}
	if len(a.Reason) > MaxDescription || len(a.DeniedBy) > 200 {
		return Invalid("reason", "too long")
	}
	return nil
}

// ValidAlertEvent reports whether e is an alert event.
func ValidAlertEvent(e string) bool {
	return slices.Contains([]string{AlertOpened, AlertAcknowledged, AlertCleared}, e)
}
