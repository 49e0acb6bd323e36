package store

import (
	"context"
	"fmt"
	"reflect"
	"strconv"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// What a put did.
type putResult int

const (
	unchanged putResult = iota
	added
	changed
)

// normParty validates p and returns it as it will be stored.
func normParty(p truce.Party) (truce.Party, error) {
	p.Aliases = normStrings(p.Aliases)
	if err := p.Validate(); err != nil {
		return p, err
	}
	if err := checkTexts("code", p.Code, "name", p.Name); err != nil {
		return p, err
	}
	return p, checkList("aliases", p.Aliases)
}

// versionID is the record id of a versioned record's leaf: "UA@2".
func versionID(id string, version int) string { return id + "@" + strconv.Itoa(version) }

const partySelect = `SELECT v.code, v.name, v.aliases FROM parties p
	JOIN party_versions v ON v.code = p.code AND v.version = p.version`

// Parties returns every party in first-insertion order.
func (db *DB) Parties(ctx context.Context) ([]truce.Party, error) {
	return db.parties(ctx, db.ro, partySelect+" ORDER BY p.seq")
}

// Party returns the party with the code, or ENOTFOUND.
func (db *DB) Party(ctx context.Context, code string) (truce.Party, error) {
	ps, err := db.parties(ctx, db.ro, partySelect+" WHERE p.code = ?", code)
	if err != nil {
		return truce.Party{}, err
	}
	if len(ps) == 0 {
		return truce.Party{}, truce.Errorf(truce.ENOTFOUND, "party %q not found", code)
	}
	return ps[0], nil
}

func (db *DB) parties(ctx context.Context, q querier, query string, args ...any) ([]truce.Party, error) {
	rows, err := db.query(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("parties: %w", err)
	}
	defer rows.Close()
	var out []truce.Party
	for rows.Next() {
		var p truce.Party
		var aliases []byte
		if err := rows.Scan(&p.Code, &p.Name, &aliases); err != nil {
			return nil, fmt.Errorf("parties: %w", err)
		}
		if err := scanList(aliases, &p.Aliases); err != nil {
			return nil, fmt.Errorf("party %s: aliases: %w", p.Code, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("parties: %w", err)
	}
	return out, nil
}

// PutParty adds a party or changes its name or aliases; the new version
// is logged. Putting an unchanged party changes nothing and returns false.
func (db *DB) PutParty(ctx context.Context, p truce.Party, by string) (bool, error) {
	p, err := normParty(p)
	if err != nil {
		return false, err
	}
	var res putResult
	err = db.write(ctx, func(t *tx) error {
		res, err = t.putParty(ctx, p, by)
		return err
	})
	return res != unchanged, err
}

// putParty stores a normalized party.
func (t *tx) putParty(ctx context.Context, p truce.Party, by string) (putResult, error) {
	cur, err := t.db.parties(ctx, t.tx, partySelect+" WHERE p.code = ?", p.Code)
	if err != nil {
		return 0, err
	}
	res, version := added, 1
	if len(cur) > 0 {
		if reflect.DeepEqual(cur[0], p) {
			return unchanged, nil
		}
		if err := t.queryRow(ctx, "SELECT version + 1 FROM parties WHERE code = ?", p.Code).Scan(&version); err != nil {
			return 0, fmt.Errorf("party %s: %w", p.Code, err)
		}
		res = changed
	}
	idx, err := t.log.appendLeaf(ctx, ledger.KindParty, versionID(p.Code, version), p)
	if err != nil {
		return 0, err
	}
	if res == added {
		seq, err := t.nextSeq(ctx, "parties")
		if err != nil {
			return 0, err
		}
		_, err = t.exec(ctx, "INSERT INTO parties (code, seq, version) VALUES (?, ?, ?)", p.Code, seq, version)
		if err != nil {
			return 0, fmt.Errorf("party %s: %w", p.Code, err)
		}
	} else if _, err := t.exec(ctx, "UPDATE parties SET version = ? WHERE code = ?", version, p.Code); err != nil {
		return 0, fmt.Errorf("party %s: %w", p.Code, err)
	}
	aliases, err := jsonList(p.Aliases)
	if err != nil {
		return 0, err
	}
	_, err = t.exec(ctx, `INSERT INTO party_versions (code, version, name, aliases, created_at_us, created_by, log_index)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, p.Code, version, p.Name, aliases, micros(t.now), by, idx)
	if err != nil {
		return 0, fmt.Errorf("party %s: %w", p.Code, err)
	}
	return res, nil
}

// nextSeq returns the next insertion-order number of table.
func (t *tx) nextSeq(ctx context.Context, table string) (int64, error) {
	var seq int64
	if err := t.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM "+table).Scan(&seq); err != nil {
		return 0, fmt.Errorf("next %s seq: %w", table, err)
	}
	return seq, nil
}

// partyCodes returns the codes of every stored party.
func (t *tx) partyCodes(ctx context.Context) (map[string]bool, error) {
	rows, err := t.query(ctx, "SELECT code FROM parties")
	if err != nil {
		return nil, fmt.Errorf("party codes: %w", err)
	}
	defer rows.Close()
	codes := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("party codes: %w", err)
		}
		codes[c] = true
	}
	return codes, rows.Err()
}

// partyVersion reads one logged version of a party, for verification.
func (db *DB) partyVersion(ctx context.Context, code string, version int) (truce.Party, int64, error) {
	var p truce.Party
	var aliases []byte
	var at int64
	err := db.queryRow(ctx, db.ro, "SELECT code, name, aliases, created_at_us FROM party_versions WHERE code = ? AND version = ?", code, version).
		Scan(&p.Code, &p.Name, &aliases, &at)
	if notFound(err) {
		return p, 0, truce.Errorf(truce.ENOTFOUND, "party %s version %d not found", code, version)
	}
	if err != nil {
		return p, 0, fmt.Errorf("party %s version %d: %w", code, version, err)
	}
	if err := scanList(aliases, &p.Aliases); err != nil {
		return p, 0, fmt.Errorf("party %s: aliases: %w", code, err)
	}
	return p, at, nil
}
