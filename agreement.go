package truce

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// AgreementStatus is where an agreement stands in its lifecycle.
type AgreementStatus string

// The statuses of the terms contract. Only agreements that took effect are
// adjudicated.
const (
	StatusProposed   AgreementStatus = "proposed"
	StatusRejected   AgreementStatus = "rejected"
	StatusInForce    AgreementStatus = "in_force"
	StatusExpired    AgreementStatus = "expired"
	StatusCollapsed  AgreementStatus = "collapsed"
	StatusSuperseded AgreementStatus = "superseded"
)

// AgreementStatuses lists every status in lifecycle order.
var AgreementStatuses = []AgreementStatus{StatusProposed, StatusRejected, StatusInForce, StatusExpired, StatusCollapsed, StatusSuperseded}

// TookEffect reports whether agreements in status s are adjudicated.
func (s AgreementStatus) TookEffect() bool {
	switch s {
	case StatusInForce, StatusExpired, StatusCollapsed, StatusSuperseded:
		return true
	}
	return false
}

// Domains of hostile acts.
const (
	DomainLand = "land"
	DomainAir  = "air"
	DomainSea  = "sea"
)

// Domains lists the valid domains.
var Domains = []string{DomainLand, DomainAir, DomainSea}

// Protected targets of an agreement. TargetAny stands alone.
const (
	TargetAny      = "any"
	TargetEnergy   = "energy"
	TargetCivilian = "civilian"
)

// Agreement holds the terms of one ceasefire as data: who declared it, whom
// it binds, when (in its own time zone), where and which kinds of attack it
// covers. A change of terms is a new Version; old versions are kept.
type Agreement struct {
	ID         string          `json:"id"`
	Version    int             `json:"version,omitempty"`
	Title      string          `json:"title,omitempty"`
	Status     AgreementStatus `json:"status"`
	DeclaredBy []string        `json:"declared_by,omitempty"`
	Bound      []string        `json:"bound"`
	Window     Window          `json:"window"`
	Domains    []string        `json:"domains"`
	Targets    []string        `json:"targets"`
	Area       *Area           `json:"area,omitempty"`
	Sources    []Source        `json:"sources,omitempty"`

	// Extensions to the terms contract.
	Description     string        `json:"description,omitempty"`
	Monitoring      *Monitoring   `json:"monitoring,omitempty"`
	Consequences    []Consequence `json:"consequences,omitempty"`
	TermsNeedReview bool          `json:"terms_need_review,omitempty"` // imported without coded terms (PA-X): never adjudicated
	Illustrative    bool          `json:"illustrative,omitempty"`      // not a fact of the public record
	Origin          string        `json:"origin,omitempty"`            // where the record came from, e.g. "PA-X v9 AgtId 2345"
}

// Window is when an agreement applies: local wall-clock times in the IANA
// zone TZ, Start inclusive and End exclusive. A nil End is open-ended.
type Window struct {
	Start string  `json:"start"`
	End   *string `json:"end"`
	TZ    string  `json:"tz"`
}

// Area is the union of countries (ISO 3166-1 alpha-2), admin-1 units
// (ISO 3166-2) and a GeoJSON polygon geometry. An empty area is everywhere.
type Area struct {
	Countries []string        `json:"countries"`
	Admin1    []string        `json:"admin1"`
	GeoJSON   json.RawMessage `json:"geojson"`
}

// IsEmpty reports whether the area lists nothing, which means everywhere.
func (a *Area) IsEmpty() bool {
	if a == nil {
		return true
	}
	g := strings.TrimSpace(string(a.GeoJSON))
	return len(a.Countries) == 0 && len(a.Admin1) == 0 && (g == "" || g == "null")
}

// Source is a document behind a record: a statement, an article, a dataset.
type Source struct {
	URL      string `json:"url,omitempty"`
	Title    string `json:"title,omitempty"`
	Quote    string `json:"quote,omitempty"`
	Language string `json:"language,omitempty"`
	Date     string `json:"date,omitempty"`
}

// Monitoring is who watches over an agreement.
type Monitoring struct {
	Lead       []string `json:"lead,omitempty"`
	Supporting []string `json:"supporting,omitempty"`
	Notes      string   `json:"notes,omitempty"`
}

// Consequence is an announced response to breaches ("massive sanctions").
type Consequence struct {
	By          []string `json:"by,omitempty"`
	Description string   `json:"description"`
	Quote       string   `json:"quote,omitempty"`
}

// StatusChange is one step in an agreement's status history.
//
// By, the admin who changed the status, is a person's name and public
// log leaves must not hold it: a change's log leaf holds ByCommitment
// instead, NameCommitment(BySalt, By), with BySalt a random per-change
// salt kept in the store. Whoever is given By and BySalt (staff are) can
// prove who made the change against the public leaf; without the salt
// the commitment tells nothing of the name. Changes logged before the
// commitment existed hold By in their leaf and have neither.
type StatusChange struct {
	AgreementID  string          `json:"agreement_id"`
	Status       AgreementStatus `json:"status"`
	At           time.Time       `json:"at"`
	Reason       string          `json:"reason,omitempty"`
	By           string          `json:"by,omitempty"`
	ByCommitment string          `json:"by_commitment,omitempty"` // hex SHA-256, see NameCommitment
	BySalt       string          `json:"by_salt,omitempty"`       // hex, 32 random bytes; never in a leaf
}

// NameCommitment returns the commitment to name under salt (hex): the
// hex SHA-256 of the salt's bytes followed by the name's UTF-8 bytes. The
// salt has a fixed length, so no two (salt, name) pairs share the input.
// It returns EINVALID if salt is not 32 bytes of hex.
func NameCommitment(salt, name string) (string, error) {
	b, err := hex.DecodeString(salt)
	if err != nil || len(b) != NameSaltSize {
		return "", Invalid("by_salt", "not %d bytes of hex", NameSaltSize)
	}
	sum := sha256.Sum256(append(b, name...))
	return hex.EncodeToString(sum[:]), nil
}

// NameSaltSize is the length in bytes of a name commitment's salt.
const NameSaltSize = 32

// Validate checks an agreement against the terms contract. parties holds
// the known party codes. Errors name the field, e.g. "window.tz"; the
// caller adds the agreement id. Area codes are checked by the gazetteer.
func (a Agreement) Validate(parties map[string]bool) error {
	if strings.TrimSpace(a.ID) == "" {
		return Invalid("id", "required")
	}
	if len(a.ID) > 200 {
		return Invalid("id", "longer than 200 characters")
	}
	if a.Status == "" {
		return Invalid("status", "required")
	}
	if !slices.Contains(AgreementStatuses, a.Status) {
		return Invalid("status", "unknown status %q", a.Status)
	}
	for i, code := range a.DeclaredBy {
		if !parties[code] {
			return Invalid(indexed("declared_by", i), "party %q is not in parties", code)
		}
	}
	if a.TermsNeedReview {
		// Imported without coded terms (PA-X): window, domains, targets and
		// who is bound wait for an analyst, and the agreement is never
		// adjudicated until then. What is given must still be valid.
		return a.validatePartialTerms(parties)
	}
	if a.Bound == nil {
		return Invalid("bound", "required")
	}
	for i, code := range a.Bound {
		if !parties[code] {
			return Invalid(indexed("bound", i), "party %q is not in parties", code)
		}
	}
	if _, _, err := a.Window.Resolve(); err != nil {
		return prefixField("window", err)
	}
	if err := validateDomains(a.Domains); err != nil {
		return err
	}
	if err := validateTargets(a.Targets); err != nil {
		return err
	}
	return nil
}

func (a Agreement) validatePartialTerms(parties map[string]bool) error {
	for i, code := range a.Bound {
		if !parties[code] {
			return Invalid(indexed("bound", i), "party %q is not in parties", code)
		}
	}
	if a.Window.Start != "" || a.Window.TZ != "" {
		if _, _, err := a.Window.Resolve(); err != nil {
			return prefixField("window", err)
		}
	}
	if len(a.Domains) > 0 {
		if err := validateDomains(a.Domains); err != nil {
			return err
		}
	}
	if len(a.Targets) > 0 {
		return validateTargets(a.Targets)
	}
	return nil
}

func validateDomains(ds []string) error {
	if len(ds) == 0 {
		return Invalid("domains", "required: a non-empty subset of land, air, sea")
	}
	seen := map[string]bool{}
	for i, d := range ds {
		if !slices.Contains(Domains, d) {
			return Invalid(indexed("domains", i), "unknown domain %q (land, air, sea)", d)
		}
		if seen[d] {
			return Invalid(indexed("domains", i), "domain %q listed twice", d)
		}
		seen[d] = true
	}
	return nil
}

func validateTargets(ts []string) error {
	if len(ts) == 0 {
		return Invalid("targets", `required: ["any"] or a subset of energy, civilian`)
	}
	seen := map[string]bool{}
	for i, t := range ts {
		switch t {
		case TargetAny:
			if len(ts) > 1 {
				return Invalid("targets", `"any" cannot be combined with other targets`)
			}
		case TargetEnergy, TargetCivilian:
		default:
			return Invalid(indexed("targets", i), "unknown target %q (any, energy, civilian)", t)
		}
		if seen[t] {
			return Invalid(indexed("targets", i), "target %q listed twice", t)
		}
		seen[t] = true
	}
	return nil
}

// Window layouts: minutes, optionally seconds, never an offset.
var windowLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// Resolve returns the window's instants. End is the zero time when the
// window is open-ended. A local time skipped by a clock change is an error;
// one that occurs twice resolves to the earlier instant.
func (w Window) Resolve() (start, end time.Time, err error) {
	if w.Start == "" {
		return start, end, Invalid("start", "required")
	}
	if w.TZ == "" {
		return start, end, Invalid("tz", "required")
	}
	loc, err := LoadZone(w.TZ)
	if err != nil {
		return start, end, Invalid("tz", "unknown time zone %q", w.TZ)
	}
	start, err = ParseLocal(w.Start, loc)
	if err != nil {
		return start, end, prefixField("start", err)
	}
	if w.End == nil {
		return start, time.Time{}, nil
	}
	end, err = ParseLocal(*w.End, loc)
	if err != nil {
		return start, end, prefixField("end", err)
	}
	if !end.After(start) {
		return start, end, Invalid("end", "%s is not after start %s", *w.End, w.Start)
	}
	return start, end, nil
}

// LoadZone loads an IANA zone, refusing "Local" and names that only the
// host's configuration would give a meaning.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}

// ParseLocal reads a wall-clock time YYYY-MM-DDTHH:MM[:SS] in loc. A time
// that does not exist in loc is an error; an ambiguous one is the earlier
// of its two instants.
func ParseLocal(s string, loc *time.Location) (time.Time, error) {
	var naive time.Time
	var err error
	for _, layout := range windowLayouts {
		if naive, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, Invalid("", "%q is not a local time YYYY-MM-DDTHH:MM[:SS]", s)
	}
	return LocalInstant(naive, loc)
}

// LocalInstant returns the instant at which clocks in loc show the wall
// time of naive (read as if in UTC). Go's time.Date leaves the choice
// between two instants unspecified, so the candidates are worked out from
// the offsets in force a day either side.
func LocalInstant(naive time.Time, loc *time.Location) (time.Time, error) {
	var best time.Time
	found := false
	for _, probe := range []time.Duration{-36 * time.Hour, 0, 36 * time.Hour} {
		_, off := naive.Add(probe).In(loc).Zone()
		t := naive.Add(-time.Duration(off) * time.Second)
		if !sameWallClock(t.In(loc), naive) {
			continue
		}
		if !found || t.Before(best) {
			best, found = t, true
		}
	}
	if !found {
		return time.Time{}, Invalid("", "%s does not exist in %s (skipped by a clock change)", naive.Format("2006-01-02T15:04:05"), loc)
	}
	return best.UTC(), nil
}

func sameWallClock(t, naive time.Time) bool {
	y1, m1, d1 := t.Date()
	y2, m2, d2 := naive.Date()
	return y1 == y2 && m1 == m2 && d1 == d2 && t.Hour() == naive.Hour() && t.Minute() == naive.Minute() && t.Second() == naive.Second()
}

func indexed(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// Terms is the content of a terms file: parties and agreements.
type Terms struct {
	Parties    []Party     `json:"parties"`
	Agreements []Agreement `json:"agreements"`
}
