package store

import (
	"context"

	"github.com/truce-monitor/truce"
)

// PutDraft stores a draft agreement: a new one as version 1, a changed one
// (any field but Version) as the next version, keeping the old ones; an
// unchanged one changes nothing. It returns the version now latest and
// whether it is new, or EINVALID for an invalid draft or one naming
// unknown parties or issues.
func (db *DB) PutDraft(ctx context.Context, d truce.Draft, by string) (int, bool, error) {
	d.Version = 0
	d.Parties = normStrings(d.Parties)
	if len(d.Sources) == 0 {
		d.Sources = nil
	}
	if err := checkStrings(d); err != nil {
		return 0, false, err
	}
	var version int
	var changed bool
	err := db.write(ctx, func(t *tx) error {
		parties, err := t.partyCodes(ctx)
		if err != nil {
			return err
		}
		issues, err := t.issueCodes(ctx)
		if err != nil {
			return err
		}
		if err := d.Validate(parties, issues); err != nil {
			return err
		}
		cur, err := db.drafts(ctx, t.tx, "WHERE h.id = ?", d.ID)
		if err != nil {
			return err
		}
		version = 1
		if len(cur) > 0 {
			d.Version = cur[0].Version
			if same, err := sameRecord(cur[0], d); err != nil || same {
				version = cur[0].Version
				return err
			}
			version = cur[0].Version + 1
		}
		d.Version = version
		changed = true
		return t.putVersion(ctx, draftTable, d.ID, version, d, by, "")
	})
	if err != nil {
		return 0, false, err
	}
	return version, changed, nil
}

// Drafts returns the latest version of every draft, in the order they
// were first stored.
func (db *DB) Drafts(ctx context.Context) ([]truce.Draft, error) {
	return db.drafts(ctx, db.ro, "")
}

// Draft returns the latest version of a draft, or ENOTFOUND.
func (db *DB) Draft(ctx context.Context, id string) (truce.Draft, error) {
	ds, err := db.drafts(ctx, db.ro, "WHERE h.id = ?", id)
	if err != nil {
		return truce.Draft{}, err
	}
	if len(ds) == 0 {
		return truce.Draft{}, truce.Errorf(truce.ENOTFOUND, "draft %q not found", id)
	}
	return ds[0], nil
}

// DraftVersions returns every version of a draft, oldest first, or
// ENOTFOUND.
func (db *DB) DraftVersions(ctx context.Context, id string) ([]truce.Draft, error) {
	ds, err := db.history(ctx, draftTable, id)
	if err != nil {
		return nil, err
	}
	return decodeAll[truce.Draft](ds)
}

func (db *DB) drafts(ctx context.Context, q querier, where string, args ...any) ([]truce.Draft, error) {
	ds, err := db.latest(ctx, q, draftTable, where, args...)
	if err != nil {
		return nil, err
	}
	return decodeAll[truce.Draft](ds)
}
