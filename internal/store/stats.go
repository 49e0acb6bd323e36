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
func (db *DB) Stats(ctx context.Context, f StatsFilter) (Stats, error) {
	if !slices.Contains(StatsGroups, f.Group) {
		return Stats{}, truce.Invalid("group", "unknown grouping %q (party, domain, admin1, day)", f.Group)
	}
	q := "SELECT i.status, i.from_us, i.admin1, i.domains, i.perpetrators"
	from := " FROM incidents i"
	where := []string{"i.merged_into IS NULL"}
	var args []any
	if f.AgreementID != "" {
		if _, err := db.Agreement(ctx, f.AgreementID); err != nil {
			return Stats{}, err
		}
		q += ", h.verdict, h.party"
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
	if f.Group == GroupParty && f.AgreementID == "" {
		parties, err := db.Parties(ctx)
		if err != nil {
			return Stats{}, err
		}
		match = incident.MatchParty(parties)
	}
	rows, err := db.query(ctx, db.ro, q+from+" WHERE "+strings.Join(where, " AND "), args...)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	out := Stats{Group: f.Group, Total: newStatRow("total", f.AgreementID != "")}
	groups := map[string]*StatRow{}
	for rows.Next() {
		var (
			status, admin1, verdict, party string
			fromUS                         int64
			domains, perps                 []byte
		)
		dst := []any{&status, &fromUS, &admin1, &domains, &perps}
		if f.AgreementID != "" {
			dst = append(dst, &verdict, &party)
		}
		if err := rows.Scan(dst...); err != nil {
			return Stats{}, fmt.Errorf("stats: %w", err)
		}
		var keys []string
		switch f.Group {
		case GroupDay:
			keys = []string{fromMicros(fromUS).Format(time.DateOnly)}
		case GroupAdmin1:
			keys = []string{cmp.Or(admin1, "unknown")}
		case GroupDomain:
			if err := scanList(domains, &keys); err != nil {
				return Stats{}, fmt.Errorf("stats: domains: %w", err)
			}
		case GroupParty:
			if f.AgreementID != "" {
				keys = []string{cmp.Or(party, "unattributed")}
				break
			}
			var names []string
			if err := scanList(perps, &names); err != nil {
				return Stats{}, fmt.Errorf("stats: perpetrators: %w", err)
			}
			for _, n := range names {
				if code, ok := match(n); ok && !slices.Contains(keys, code) {
					keys = append(keys, code)
				}
			}
			if len(keys) == 0 {
				keys = []string{"unknown"}
			}
		}
		out.Total.add(status, verdict)
		for _, k := range keys {
			g := groups[k]
			if g == nil {
				r := newStatRow(k, f.AgreementID != "")
				g = &r
				groups[k] = g
			}
			g.add(status, verdict)
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

func newStatRow(key string, verdicts bool) StatRow {
	r := StatRow{Key: key, ByStatus: map[string]int{}}
	if verdicts {
		r.Verdicts = map[string]int{}
	}
	return r
}

func (r *StatRow) add(status, verdict string) {
	r.Incidents++
	r.ByStatus[status]++
	if r.Verdicts != nil {
		r.Verdicts[verdict]++
	}
}
