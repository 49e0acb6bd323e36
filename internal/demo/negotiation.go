package demo

import (
	"context"
	"fmt"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// NegotiationFile holds the negotiation track of the May 2025 scenario:
// the article's statements with their quotes, both parties' preconditions
// and the deadlock between them, the talks and proposals around it, and
// the 2022 Istanbul draft. Records name each other by ref, since store ids
// are only known once stored.
const NegotiationFile = "data/negotiation-2025.json"

// Negotiation is the content of NegotiationFile.
type Negotiation struct {
	Issues        []truce.NegotiationIssue  `json:"issues"`
	Statements    []NegotiationStatement    `json:"statements"`
	Preconditions []NegotiationPrecondition `json:"preconditions"`
	Events        []NegotiationEvent        `json:"events"`
	Drafts        []NegotiationDraft        `json:"drafts"`
}

// NegotiationStatement is a statement with the ref others name it by.
type NegotiationStatement struct {
	Ref string `json:"ref"`
	truce.Statement
}

// NegotiationPrecondition is a precondition naming its statement by ref.
// Its state (met or withdrawn) is stored as a second version, so that the
// history shows the condition as first stated.
type NegotiationPrecondition struct {
	Statement string `json:"statement"`
	truce.Precondition
}

// NegotiationEvent is an event with a ref, naming the event it responds
// to by ref.
type NegotiationEvent struct {
	Ref           string `json:"ref"`
	RespondsToRef string `json:"responds_to_ref,omitempty"`
	truce.NegotiationEvent
}

// NegotiationDraft is a draft in its versions, oldest first.
type NegotiationDraft struct {
	Versions []truce.Draft `json:"versions"`
}

// NegotiationData returns the decoded NegotiationFile.
func NegotiationData() (Negotiation, error) {
	var n Negotiation
	err := decodeStrict(NegotiationFile, &n)
	return n, err
}

// loadNegotiation stores the negotiation track. Every step is idempotent:
// issues and drafts are put (unchanged ones change nothing; a draft's
// versions already stored are skipped), statements, preconditions and
// events are deduplicated by the store, and a precondition's state is set
// only if it differs.
func loadNegotiation(ctx context.Context, db *store.DB, sum *Summary) error {
	n, err := NegotiationData()
	if err != nil {
		return err
	}
	count := func(added bool) {
		if added {
			sum.NegotiationAdded++
		} else {
			sum.NegotiationPresent++
		}
	}
	where := func(what string, i int, err error) error {
		return fmt.Errorf("demo %s: %s[%d]: %w", NegotiationFile, what, i, err)
	}
	for i, is := range n.Issues {
		_, changed, err := db.PutNegotiationIssue(ctx, is, SubmittedBy)
		if err != nil {
			return where("issues", i, err)
		}
		count(changed)
	}
	statements := map[string]int64{}
	for i, s := range n.Statements {
		st := s.Statement
		st.RecordedBy = SubmittedBy
		created, err := db.CreateStatement(ctx, &st)
		if err != nil {
			return where("statements", i, err)
		}
		statements[s.Ref] = st.ID
		count(created)
	}
	for i, p := range n.Preconditions {
		pre := p.Precondition
		if p.Statement != "" {
			id, ok := statements[p.Statement]
			if !ok {
				return where("preconditions", i, truce.Invalid("statement", "no statement with ref %q", p.Statement))
			}
			pre.StatementID = id
		}
		state := store.PreconditionState{Met: pre.Met, Withdrawn: pre.Withdrawn, Until: pre.Until, Note: pre.Note}
		pre.Met, pre.Withdrawn, pre.Until, pre.Note = false, false, "", ""
		created, err := db.CreatePrecondition(ctx, &pre, SubmittedBy)
		if err != nil {
			return where("preconditions", i, err)
		}
		count(created)
		if state.Met || state.Withdrawn {
			after, err := db.SetPreconditionState(ctx, pre.ID, state, SubmittedBy)
			if err != nil {
				return where("preconditions", i, err)
			}
			count(after.Version != pre.Version)
		}
	}
	events := map[string]int64{}
	for i, e := range n.Events {
		ev := e.NegotiationEvent
		if e.RespondsToRef != "" {
			id, ok := events[e.RespondsToRef]
			if !ok {
				return where("events", i, truce.Invalid("responds_to_ref", "no earlier event with ref %q", e.RespondsToRef))
			}
			ev.RespondsTo = id
		}
		created, err := db.SaveNegotiationEvent(ctx, &ev, SubmittedBy)
		if err != nil {
			return where("events", i, err)
		}
		events[e.Ref] = ev.ID
		count(created)
	}
	for i, d := range n.Drafts {
		if len(d.Versions) == 0 {
			return where("drafts", i, truce.Invalid("versions", "at least one version is required"))
		}
		stored, err := db.DraftVersions(ctx, d.Versions[0].ID)
		if err != nil && truce.ErrorCode(err) != truce.ENOTFOUND {
			return where("drafts", i, err)
		}
		for j, v := range d.Versions {
			if j < len(stored) {
				sum.NegotiationPresent++
				continue
			}
			if _, _, err := db.PutDraft(ctx, v, SubmittedBy); err != nil {
				return where("drafts", i, fmt.Errorf("version %d: %w", j+1, err))
			}
			sum.NegotiationAdded++
		}
	}
	return nil
}
