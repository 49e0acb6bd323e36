package store

import (
	"context"

	"github.com/truce-monitor/truce"
)

// PutNegotiationIssue adds an issue to the taxonomy or changes its name or
// description; each change is a new, logged version. Putting an unchanged
// issue changes nothing. It returns the version now latest and whether it
// is new, or EINVALID for an invalid issue.
func (db *DB) PutNegotiationIssue(ctx context.Context, n truce.NegotiationIssue, by string) (int, bool, error) {
	n.Version = 0
	if err := n.Validate(); err != nil {
		return 0, false, err
	}
	if err := checkStrings(n); err != nil {
		return 0, false, err
	}
	var version int
	var changed bool
	err := db.write(ctx, func(t *tx) error {
		cur, err := db.issues(ctx, t.tx, "WHERE h.code = ?", n.Code)
		if err != nil {
			return err
		}
		version = 1
		if len(cur) > 0 {
			n.Version = cur[0].Version
			if same, err := sameRecord(cur[0], n); err != nil || same {
				version = cur[0].Version
				return err
			}
			version = cur[0].Version + 1
		}
		n.Version = version
		changed = true
		return t.putVersion(ctx, issueTable, n.Code, version, n, by, "")
	})
	if err != nil {
		return 0, false, err
	}
	return version, changed, nil
}

// NegotiationIssues returns the latest version of every issue, in the
// order they were first stored.
func (db *DB) NegotiationIssues(ctx context.Context) ([]truce.NegotiationIssue, error) {
	return db.issues(ctx, db.ro, "")
}

// NegotiationIssue returns the latest version of an issue, or ENOTFOUND.
func (db *DB) NegotiationIssue(ctx context.Context, code string) (truce.NegotiationIssue, error) {
	ns, err := db.issues(ctx, db.ro, "WHERE h.code = ?", code)
	if err != nil {
		return truce.NegotiationIssue{}, err
	}
	if len(ns) == 0 {
		return truce.NegotiationIssue{}, truce.Errorf(truce.ENOTFOUND, "negotiation issue %q not found", code)
	}
	return ns[0], nil
}

// NegotiationIssueVersions returns every version of an issue, oldest
// first, or ENOTFOUND.
func (db *DB) NegotiationIssueVersions(ctx context.Context, code string) ([]truce.NegotiationIssue, error) {
	ds, err := db.history(ctx, issueTable, code)
	if err != nil {
		return nil, err
	}
	return decodeAll[truce.NegotiationIssue](ds)
}

func (db *DB) issues(ctx context.Context, q querier, where string, args ...any) ([]truce.NegotiationIssue, error) {
	ds, err := db.latest(ctx, q, issueTable, where, args...)
	if err != nil {
		return nil, err
	}
	return decodeAll[truce.NegotiationIssue](ds)
}
