package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
)

// Groupings of Stats.
const (
	GroupParty  = "party"
	GroupDomain = "domain"
	GroupAdmin1 = "admin1"
	GroupDay    = "day"
)

// StatsGroups lists the groupings Stats accepts.
var StatsGroups = []string{GroupParty, GroupDomain, GroupAdmin1, GroupDay}

// StatsFilter selects the incidents Stats counts and how it groups them.
type StatsFilter struct {
	// AgreementID, when set, counts only incidents judged against the
	// agreement as a violation or uncertain, with their verdicts; by
	// party, an incident then counts for the party the finding holds
	// responsible ("unattributed" when none).
	AgreementID string
	From, To    time.Time              // the incident's interval overlaps [From, To)
	Statuses    []truce.IncidentStatus // only these statuses; all if empty
	// Group is party (the parties the reports accuse, by code; "unknown"
	// for none), domain, admin1 ("unknown" for none) or day (the UTC
	// date the incident starts). An incident may count in several groups
	// (two accused parties, two domains), and once in Total.
	Group string
}

// StatRow counts the incidents of one group.
type StatRow struct {
	Key       string         `json:"key"`
	Incidents int            `json:"incidents"`
	ByStatus  map[string]int `json:"by_status"`
	Verdicts  map[string]int `json:"verdicts,omitempty"` // with an agreement
}

// Stats is the answer of Stats: one row per group, by key, and the total.
type Stats struct {
	Group string    `json:"group"`
	Rows  []StatRow `json:"rows"`
	Total StatRow   `json:"total"`
}

// Stats counts incidents (not merged away) by group. EINVALID for an
// unknown group; ENOTFOUND for an unknown agreement.
//
// The database does the counting: it groups the incidents by the raw
// column a group comes from (the perpetrators' JSON list, the day number)
// and their status, so that only a few hundred rows come back however
// many incidents there are; those raw values are then mapped to groups
// here (an actor name to its party's code, a list to its members).
func (db *DB) Stats(ctx context.Context, f StatsFilter) (Stats, error) {
	if !slices.Contains(StatsGroups, f.Group) {
		return Stats{}, truce.Invalid("group", "unknown grouping %q (party, domain, admin1, day)", f.Group)
	}
	withAgreement := f.AgreementID != ""
	var key string
	switch {
	case f.Group == GroupParty && withAgreement:
		key = "h.party"
	case f.Group == GroupParty:
		key = "i.perpetrators"
	case f.Group == GroupDomain:
		key = "i.domains"
	case f.Group == GroupAdmin1:
		key = "i.admin1"
	case f.Group == GroupDay:
		key = "i.from_us / 86400000000" // days since the epoch, UTC
	}
	cols := key + ", i.status"
	from := " FROM incidents i"
	where := []string{"i.merged_into IS NULL"}
	var args []any
	if withAgreement {
		if _, err := db.Agreement(ctx, f.AgreementID); err != nil {
			return Stats{}, err
		}
		cols += ", h.verdict"
		from += ` JOIN findings f ON f.subject_kind = ? AND f.subject_id = i.id AND f.agreement_id = ?
			JOIN finding_history h ON h.id = f.history_id`
		args = append(args, SubjectIncident, f.AgreementID)
		where = append(where, "h.verdict <> ?")
		args = append(args, truce.VerdictOutside)
	}
	if !f.From.IsZero() {
		where = append(where, "(i.to_us > ? OR i.from_us >= ?)")
		args = append(args, micros(f.From), micros(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "i.from_us < ?")
		args = append(args, micros(f.To))
	}
	if len(f.Statuses) > 0 {
		where = append(where, "i.status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	var match func(string) (string, bool)
	if f.Group == GroupParty && !withAgreement {
		parties, err := db.Parties(ctx)
		if err != nil {
			return Stats{}, err
		}
		match = incident.MatchParty(parties)
	}
	q := "SELECT " + cols + ", COUNT(*)" + from + " WHERE " + strings.Join(where, " AND ") + " GROUP BY " + cols
	rows, err := db.query(ctx, db.ro, q, args...)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	out := Stats{Group: f.Group, Total: newStatRow("total", withAgreement)}
	groups := map[string]*StatRow{}
	for rows.Next() {
		var (
			raw             []byte
			day             int64
			status, verdict string
			n               int
		)
		dst := []any{&raw, &status}
		if f.Group == GroupDay {
			dst[0] = &day
		}
		if withAgreement {
			dst = append(dst, &verdict)
		}
		if err := rows.Scan(append(dst, &n)...); err != nil {
			return Stats{}, fmt.Errorf("stats: %w", err)
		}
		keys, err := statKeys(f.Group, withAgreement, raw, day, match)
		if err != nil {
			return Stats{}, err
		}
		out.Total.add(status, verdict, n)
		for _, k := range keys {
			g := groups[k]
			if g == nil {
				r := newStatRow(k, withAgreement)
				g = &r
				groups[k] = g
			}
			g.add(status, verdict, n)
		}
	}
	if err := rows.Err(); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	out.Rows = []StatRow{}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		out.Rows = append(out.Rows, *groups[k])
	}
	return out, nil
}

// statKeys maps the raw value of a group's column to its groups.
func statKeys(group string, withAgreement bool, raw []byte, day int64, match func(string) (string, bool)) ([]string, error) {
	switch group {
	case GroupDay:
		return []string{time.Unix(day*86400, 0).UTC().Format(time.DateOnly)}, nil
	case GroupAdmin1:
		return []string{cmp.Or(string(raw), "unknown")}, nil
	case GroupDomain:
		var keys []string
		if err := scanList(raw, &keys); err != nil {
			return nil, fmt.Errorf("stats: domains: %w", err)
		}
		return keys, nil
	}
	if withAgreement {
		return []string{cmp.Or(string(raw), "unattributed")}, nil
	}
	var names, keys []string
	if err := scanList(raw, &names); err != nil {
		return nil, fmt.Errorf("stats: perpetrators: %w", err)
	}
	for _, n := range names {
		if code, ok := match(n); ok && !slices.Contains(keys, code) {
			keys = append(keys, code)
		}
	}
	if len(keys) == 0 {
		keys = []string{"unknown"}
	}
	return keys, nil
}

func newStatRow(key string, verdicts bool) StatRow {
	r := StatRow{Key: key, ByStatus: map[string]int{}}
	if verdicts {
		r.Verdicts = map[string]int{}
	}
	return r
}

func (r *StatRow) add(status, verdict string, n int) {
	r.Incidents += n
	r.ByStatus[status] += n
	if r.Verdicts != nil {
		r.Verdicts[verdict] += n
	}
}
