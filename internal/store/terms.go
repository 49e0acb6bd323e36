package store

import (
	"context"

	"github.com/truce-monitor/truce"
)

// TermsSummary counts what ImportTerms did.
type TermsSummary struct {
	PartiesAdded, PartiesChanged, PartiesUnchanged             int
	AgreementsAdded, AgreementsNewVersion, AgreementsUnchanged int
}

// ImportTerms stores the parties and agreements of a terms file in one
// transaction. It is idempotent: importing the same terms twice changes
// nothing. A changed party or agreement becomes a new version; an
// agreement whose status differs from its previous version's also gets a
// status-history entry with reason "terms import". It returns EINVALID,
// with the field as parties[i].… or agreements[i].…, and stores nothing
// if any party or agreement is invalid.
func (db *DB) ImportTerms(ctx context.Context, terms truce.Terms, by string) (TermsSummary, error) {
	var sum TermsSummary
	parties := make([]truce.Party, len(terms.Parties))
	seen := map[string]bool{}
	for i, p := range terms.Parties {
		p, err := normParty(p)
		if err != nil {
			return sum, wrapIndexed("parties", i, err)
		}
		if seen[p.Code] {
			return sum, wrapIndexed("parties", i, truce.Invalid("code", "party %q listed twice", p.Code))
		}
		seen[p.Code] = true
		parties[i] = p
	}
	agreements := make([]truce.Agreement, len(terms.Agreements))
	seen = map[string]bool{}
	for i, a := range terms.Agreements {
		a, err := normAgreement(a)
		if err != nil {
			return sum, wrapIndexed("agreements", i, err)
		}
		if seen[a.ID] {
			return sum, wrapIndexed("agreements", i, truce.Invalid("id", "agreement %q listed twice", a.ID))
		}
		seen[a.ID] = true
		agreements[i] = a
	}
	err := db.write(ctx, func(t *tx) error {
		for _, p := range parties {
			res, err := t.putParty(ctx, p, by)
			if err != nil {
				return err
			}
			switch res {
			case added:
				sum.PartiesAdded++
			case changed:
				sum.PartiesChanged++
			default:
				sum.PartiesUnchanged++
			}
		}
		codes, err := t.partyCodes(ctx)
		if err != nil {
			return err
		}
		for i, a := range agreements {
			if err := a.Validate(codes); err != nil {
				return wrapIndexed("agreements", i, err)
			}
			_, res, err := t.putAgreement(ctx, a, by, "terms import")
			if err != nil {
				return err
			}
			switch res {
			case added:
				sum.AgreementsAdded++
			case changed:
				sum.AgreementsNewVersion++
			default:
				sum.AgreementsUnchanged++
			}
		}
		return nil
	})
	if err != nil {
		return TermsSummary{}, err
	}
	return sum, nil
}
