// Package feed turns the tamper-evident log into the events that Truce
// pushes out: the live stream (GET /api/v1/stream) and webhooks. Events are
// read from the log rather than raised by the code that writes, so that
// every node of a cluster sees the same events in the same order, and the
// leaf index is a cursor that resumes exactly where a client left off.
//
// What an audience may see is decided here, in one place: the public gets
// no reports and no person's name, only what it may read through the
// API (incidents as they become verified, findings on verified incidents,
// agreements, and claims); a party liaison gets the events staff get, but
// the names of its own party's people only (Audience.SeesName: reporters,
// repliers), never a monitor's or an admin's.
package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// Event kinds, as sent. Each comes from one leaf kind.
const (
	KindReport          = "report"           // one report (leaf report)
	KindReports         = "reports"          // a bulk import (leaf report_batch)
	KindIncidents       = "incidents"        // grouping created or changed incidents (leaf incident_grouping)
	KindTransition      = "transition"       // a verification step (leaf transition)
	KindReply           = "reply"            // an accused party's reply (leaf reply)
	KindFinding         = "finding"          // a verdict against an agreement (leaf finding)
	KindClaim           = "claim"            // a party's claim (leaf claim)
	KindAgreement       = "agreement"        // a new agreement version (leaf agreement_version)
	KindAgreementStatus = "agreement_status" // an agreement's status change (leaf agreement_status)
	KindAlert           = "alert"            // an alert rule tripped (leaf alert)
)

// Kinds lists every event kind, for validating subscriptions.
var Kinds = []string{KindReport, KindReports, KindIncidents, KindTransition, KindReply, KindFinding,
	KindClaim, KindAgreement, KindAgreementStatus, KindAlert}

// leafKinds maps the leaf kinds that are sent to their event kinds. Leaves
// of other kinds (parties, observations, users, ...) are never sent.
var leafKinds = map[string]string{
	ledger.KindReport:           KindReport,
	store.KindReportBatch:       KindReports,
	store.KindIncidentGrouping:  KindIncidents,
	ledger.KindTransition:       KindTransition,
	ledger.KindReply:            KindReply,
	ledger.KindFinding:          KindFinding,
	ledger.KindClaim:            KindClaim,
	ledger.KindAgreementVersion: KindAgreement,
	ledger.KindAgreementStatus:  KindAgreementStatus,
	store.KindAlert:             KindAlert,
}

// publicKinds are the event kinds the public may receive at all; within
// them, Events filters record by record.
var publicKinds = []string{KindTransition, KindFinding, KindClaim, KindAgreement, KindAgreementStatus}

// Audience is who receives events: the public, staff, or a party
// liaison. Compare it with Public and Staff, or make it with Liaison or
// AudienceOf.
type Audience struct {
	signedIn bool
	liaison  bool
	party    string // a liaison's own party
}

var (
	// Public is the anonymous reader: only what is published.
	Public = Audience{}
	// Staff is an admin, monitor or analyst, and webhooks set up by an
	// admin: every event, reporter identities included.
	Staff = Audience{signedIn: true}
)

// Liaison is a party liaison's audience: every event staff receives, but
// the reporter of a report (submitted_by) only for the reports of its own
// party. A liaison's account name in another party's hands can point at a
// person in a conflict zone; and a liaison has no need to know which
// monitor or office filed what, only what was filed.
func Liaison(party string) Audience {
	return Audience{signedIn: true, liaison: true, party: party}
}

// AudienceOf is the audience of a caller: nil is the public.
func AudienceOf(u *truce.User) Audience {
	switch {
	case u == nil:
		return Public
	case u.Role == truce.RoleLiaison:
		return Liaison(u.Party)
	}
	return Staff
}

// SeesReporter says whether the audience may read who submitted r
// (r.SubmittedBy): staff always, a liaison for its own party's reports
// (the source party the server recorded, never what source.name says),
// the public never.
func (a Audience) SeesReporter(r truce.Report) bool {
	return a.SeesName(r.Source.Party)
}

// Redact removes from r what the audience may not read of it: the
// reporter. It is the one rule the API's report routes and the stream
// share.
func (a Audience) Redact(r *truce.Report) {
	if !a.SeesReporter(*r) {
		r.SubmittedBy = ""
	}
}

// RedactClaim removes from c what the audience may not read of it: the
// account name of the monitor who recorded it (recorded_by), for the
// public and party liaisons. Claims are published, but a monitor working
// in a conflict zone may need to stay anonymous; staff read it.
func (a Audience) RedactClaim(c *truce.Claim) {
	c.RecordedBy = a.StaffName(c.RecordedBy)
}

// Event is one event: the log leaf it comes from and its payload, the JSON
// of Payload.
type Event struct {
	ID   int64  // the leaf index: the SSE id and the resume cursor
	Kind string // one of Kinds
	Data []byte // the JSON payload, on one line
}

// Payload is what an event carries. Record is the leaf's record (see
// store.Record for the shape of each kind), trimmed for the public; a
// transition to verified also carries the incident as it now stands,
// with its findings, so that a public reader needs no second request.
type Payload struct {
	Index    int64           `json:"index"`
	Kind     string          `json:"kind"`
	RecordID string          `json:"record_id"`
	At       time.Time       `json:"at"`
	Record   json.RawMessage `json:"record"`
	Incident *truce.Incident `json:"incident,omitempty"`
}

// batchSummary is the record of a reports event: a bulk import is one
// leaf listing thousands of ids, which a feed has no use for.
type batchSummary struct {
	First int64 `json:"first"`
	Last  int64 `json:"last"`
	Count int   `json:"count"`
}

// groupingSummary is the record of an incidents event: what grouping did
// and which incidents it wrote, without the state hashes.
type groupingSummary struct {
	Kind      string  `json:"kind"`
	By        string  `json:"by"`
	Reason    string  `json:"reason"`
	Incidents []int64 `json:"incidents"`
}

// Filter selects events by kind; empty selects every kind.
type Filter []string

// ParseKinds checks a list of event kinds; EINVALID names field for an
// unknown one.
func ParseKinds(field string, kinds []string) (Filter, error) {
	for _, k := range kinds {
		if !slices.Contains(Kinds, k) {
			return nil, truce.Invalid(field, "unknown event kind %q (one of %v)", k, Kinds)
		}
	}
	return Filter(kinds), nil
}

func (f Filter) has(kind string) bool { return len(f) == 0 || slices.Contains(f, kind) }

// Events turns log entries into the events an audience may receive and
// the filter selects, in log order. Whether a finding is published
// depends on its incident's current status, read from db.
func Events(ctx context.Context, db *store.DB, entries []ledger.Entry, aud Audience, f Filter) ([]Event, error) {
	var out []Event
	verified := map[int64]*truce.Incident{} // incidents looked up in this batch; nil if not verified
	for _, e := range entries {
		kind, ok := leafKinds[e.Kind]
		if !ok || !f.has(kind) || (!aud.signedIn && !slices.Contains(publicKinds, kind)) {
			continue
		}
		var leaf struct {
			Record json.RawMessage `json:"record"`
		}
		if err := json.Unmarshal(e.Data, &leaf); err != nil {
			return nil, fmt.Errorf("feed: leaf %d: %w", e.Index, err)
		}
		p := Payload{Index: e.Index, Kind: kind, RecordID: e.RecordID, At: e.At, Record: leaf.Record}
		send, err := shape(ctx, db, &p, aud, verified)
		if err != nil {
			return nil, fmt.Errorf("feed: leaf %d (%s %s): %w", e.Index, e.Kind, e.RecordID, err)
		}
		if !send {
			continue
		}
		data, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("feed: leaf %d: %w", e.Index, err)
		}
		out = append(out, Event{ID: e.Index, Kind: kind, Data: data})
	}
	return out, nil
}

// shape rewrites p's record for the audience and says whether to send it.
func shape(ctx context.Context, db *store.DB, p *Payload, aud Audience, verified map[int64]*truce.Incident) (bool, error) {
	switch p.Kind {
	case KindReports:
		var b store.Batch
		if err := json.Unmarshal(p.Record, &b); err != nil {
			return false, err
		}
		s := batchSummary{Count: len(b.Items)}
		if len(b.Items) > 0 {
			s.First, s.Last = b.Items[0].ID, b.Items[len(b.Items)-1].ID
		}
		return true, remarshal(p, s)
	case KindIncidents:
		var g store.GroupingRecord
		if err := json.Unmarshal(p.Record, &g); err != nil {
			return false, err
		}
		s := groupingSummary{Kind: g.Kind, By: g.By, Reason: g.Reason, Incidents: make([]int64, len(g.States))}
		for i, st := range g.States {
			s.Incidents[i] = st.ID
		}
		if err := remarshal(p, s); err != nil {
			return false, err
		}
		return true, redactNames(p, aud)
	case KindAgreementStatus:
		if err := nameStatusChange(ctx, db, p, aud); err != nil {
			return false, err
		}
		return true, redactNames(p, aud)
	}
	if aud.signedIn {
		return true, redactNames(p, aud)
	}
	// The public from here on.
	switch p.Kind {
	case KindTransition:
		var t truce.Transition
		if err := json.Unmarshal(p.Record, &t); err != nil {
			return false, err
		}
		// A step to verified publishes the incident; a step away from
		// verified withdraws it, which a public reader must learn too.
		// Other steps concern incidents the public cannot read.
		if t.To != truce.IncidentVerified && t.From != truce.IncidentVerified {
			return false, nil
		}
		aud.RedactTransition(&t) // the monitor's account name is not published
		if t.To == truce.IncidentVerified {
			inc, err := verifiedIncident(ctx, db, t.IncidentID, verified)
			if err != nil {
				return false, err
			}
			p.Incident = inc // nil if it has moved on since
		}
		return true, remarshal(p, t)
	case KindFinding:
		var f truce.Finding
		if err := json.Unmarshal(p.Record, &f); err != nil {
			return false, err
		}
		if f.SubjectKind != store.SubjectIncident {
			return false, nil // findings on single reports judge unverified material
		}
		inc, err := verifiedIncident(ctx, db, f.SubjectID, verified)
		return inc != nil, err
	case KindClaim:
		return true, redactNames(p, aud)
	}
	return true, nil // agreements are public records
}

// nameStatusChange puts back, for an audience that reads staff names, the
// name of who changed an agreement's status (by) and its salt (by_salt)
// into a record whose leaf holds only a commitment to the name
// (truce.StatusChange), as the API's status_history gives them to staff.
// Other audiences get the record as the leaf holds it.
func nameStatusChange(ctx context.Context, db *store.DB, p *Payload, aud Audience) error {
	if !aud.SeesName("") {
		return nil
	}
	var c truce.StatusChange
	if err := json.Unmarshal(p.Record, &c); err != nil {
		return err
	}
	if c.ByCommitment == "" {
		return nil // logged with the name, or by no one
	}
	id, err := strconv.ParseInt(p.RecordID, 10, 64)
	if err != nil {
		return fmt.Errorf("status change id %q: %w", p.RecordID, err)
	}
	stored, err := db.StatusChange(ctx, id)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if stored.ByCommitment != c.ByCommitment {
		return nil // not the change the leaf logged: name no one
	}
	c.By, c.BySalt = stored.By, stored.BySalt
	return remarshal(p, c)
}

// redactNames rewrites p's record without the names of people the
// audience may not read (see SeesName): reporters, the monitors who
// recorded claims, took incidents through steps or acknowledged alerts,
// the liaisons who replied, the admins who changed an agreement's status.
// Staff read every name, and their records are sent as the log holds them
// (a status change with the name put back: nameStatusChange).
func redactNames(p *Payload, aud Audience) error {
	if aud == Staff {
		return nil
	}
	switch p.Kind {
	case KindReport:
		return redactRecord(p, func(r *truce.Report) bool { return r.SubmittedBy != "" && !aud.SeesReporter(*r) }, aud.Redact)
	case KindClaim:
		return redactRecord(p, func(c *truce.Claim) bool { return aud.StaffName(c.RecordedBy) != c.RecordedBy }, aud.RedactClaim)
	case KindTransition:
		return redactRecord(p, func(t *truce.Transition) bool { return aud.StaffName(t.By) != t.By }, aud.RedactTransition)
	case KindReply:
		return redactRecord(p, func(r *truce.Reply) bool { return r.By != "" && !aud.SeesName(r.Party) }, aud.RedactReply)
	case KindAgreementStatus:
		return redactRecord(p, func(c *truce.StatusChange) bool { return aud.StaffName(c.By) != c.By }, aud.RedactStatusChange)
	case KindAlert:
		return redactRecord(p, func(a *truce.Alert) bool { return aud.StaffName(a.By) != a.By }, func(a *truce.Alert) { a.By = aud.StaffName(a.By) })
	case KindIncidents:
		return redactRecord(p, func(g *groupingSummary) bool { return aud.StaffName(g.By) != g.By }, func(g *groupingSummary) { g.By = aud.StaffName(g.By) })
	}
	return nil
}

// redactRecord decodes p's record as a T and, when names says it holds a
// name to withhold, applies redact and encodes it again; otherwise the
// record is sent as it is.
func redactRecord[T any](p *Payload, names func(*T) bool, redact func(*T)) error {
	var v T
	if err := json.Unmarshal(p.Record, &v); err != nil {
		return err
	}
	if !names(&v) {
		return nil
	}
	redact(&v)
	return remarshal(p, v)
}

// verifiedIncident returns the incident if it is verified now, else nil;
// answers are kept in seen for the rest of the batch.
func verifiedIncident(ctx context.Context, db *store.DB, id int64, seen map[int64]*truce.Incident) (*truce.Incident, error) {
	if inc, ok := seen[id]; ok {
		return inc, nil
	}
	inc, err := db.Incident(ctx, id)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		seen[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if inc.Status != truce.IncidentVerified {
		seen[id] = nil
		return nil, nil
	}
	seen[id] = &inc
	return &inc, nil
}

func remarshal(p *Payload, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p.Record = b
	return nil
}
