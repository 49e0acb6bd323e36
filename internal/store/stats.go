package store

import (
	"cmp"
	"context"
	"database/sql"
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
// The counts come from incident_rollup (stats_rollup.go), which holds
// them by the raw column a group comes from (the perpetrators' JSON list,
// admin1), the incidents' first and last UTC day and their status: a
// window of whole days is a range of its rows, O(days × groups) however
// many incidents there are. Only the incidents whose first day is the
// window's last, or whose last day is the window's first, may or may not
// overlap the window depending on the hour: those few are counted from
// the incidents themselves. The raw values are then mapped to groups
// here (an actor name to its party's code, a list to its members), so a
// change of a party's aliases shows at once.
func (db *DB) Stats(ctx context.Context, f StatsFilter) (Stats, error) {
	return db.stats(ctx, f, true)
}

// stats counts from the rollup, or from the incidents alone (for tests
// that compare the two).
func (db *DB) stats(ctx context.Context, f StatsFilter, rollup bool) (Stats, error) {
	if !slices.Contains(StatsGroups, f.Group) {
		return Stats{}, truce.Invalid("group", "unknown grouping %q (party, domain, admin1, day)", f.Group)
	}
	withAgreement := f.AgreementID != ""
	if withAgreement {
		if _, err := db.Agreement(ctx, f.AgreementID); err != nil {
			return Stats{}, err
		}
	}
	acc := statsAcc{group: f.Group, withAgreement: withAgreement, out: Stats{Group: f.Group, Total: newStatRow("total", withAgreement)},
		groups: map[string]*StatRow{}}
	if f.Group == GroupParty && !withAgreement {
		parties, err := db.Parties(ctx)
		if err != nil {
			return Stats{}, err
		}
		acc.match = incident.MatchParty(parties)
	}
	if !rollup {
		if err := db.statsDirect(ctx, f, statsEdge{}, &acc); err != nil {
			return Stats{}, err
		}
		return acc.result(), nil
	}
	if err := db.statsRollup(ctx, f, &acc); err != nil {
		return Stats{}, err
	}
	for _, e := range statsEdges(f) {
		if db.dialect != SQLite {
			e.index = ""
		}
		if err := db.statsDirect(ctx, f, e, &acc); err != nil {
			return Stats{}, err
		}
	}
	return acc.result(), nil
}

// statsEdge is a condition on the incidents of one edge day of a window,
// and the index that reads them on SQLite.
type statsEdge struct {
	cond  string
	args  []any
	index string
}

// statsEdges returns the edge days, which the rollup leaves out: the
// incidents that start on the window's last day, then those that end on
// its first and start before the last. Two queries rather than one with
// OR: each reads one range of its covering index (0011_incident_edges),
// where SQLite's OR of two indexes reads every row from the table, on a
// busy day 20,000 wide rows.
func statsEdges(f StatsFilter) []statsEdge {
	var edges []statsEdge
	if !f.To.IsZero() {
		d := dayOf(micros(f.To)) * microsPerDay
		edges = append(edges, statsEdge{"i.from_us >= ? AND i.from_us < ?", []any{d, d + microsPerDay}, "incidents_starts"})
	}
	if !f.From.IsZero() {
		d := dayOf(micros(f.From)) * microsPerDay
		e := statsEdge{"i.to_us >= ? AND i.to_us < ?", []any{d, d + microsPerDay}, "incidents_ends"}
		if !f.To.IsZero() {
			e.cond += " AND i.from_us < ?"
			e.args = append(e.args, dayOf(micros(f.To))*microsPerDay)
		}
		edges = append(edges, e)
	}
	return edges
}

// statsRollup counts the incidents of incident_rollup that surely
// overlap [f.From, f.To): those whose first day is before the last day of
// the window and whose last day is after its first.
func (db *DB) statsRollup(ctx context.Context, f StatsFilter, acc *statsAcc) error {
	q, args, err := db.statsRollupSQL(ctx, f)
	if err != nil {
		return err
	}
	return db.statsRows(ctx, q, args, true, acc)
}

// statsRollupSQL is the query of statsRollup.
func (db *DB) statsRollupSQL(ctx context.Context, f StatsFilter) (string, []any, error) {
	var grp string
	switch f.Group {
	case GroupParty:
		grp = rollupPerpetrators
		if f.AgreementID != "" {
			grp = rollupParty
		}
	case GroupDomain:
		grp = rollupDomains
	case GroupAdmin1:
		grp = rollupAdmin1
	case GroupDay:
		grp = rollupDay
	}
	key := "gkey"
	if f.Group == GroupDay {
		key = "from_day"
	}
	where := []string{"agreement_id = ?", "grp = ?"}
	args := []any{f.AgreementID, grp}
	if !f.To.IsZero() {
		where = append(where, "from_day < ?")
		args = append(args, dayOf(micros(f.To)))
	}
	if !f.From.IsZero() {
		where = append(where, "to_day > ?")
		args = append(args, dayOf(micros(f.From)))
		// An incident that ends after the window's first day starts at
		// most the longest incident's span (incidents_span) before it: a
		// lower bound on from_day, so that incident_rollup_window reads
		// the window's rows, not those of the years before it.
		var span sql.NullInt64
		if err := db.queryRow(ctx, db.ro, "SELECT MAX(to_us - from_us) FROM incidents").Scan(&span); err != nil {
			return "", nil, fmt.Errorf("stats: %w", err)
		}
		where = append(where, "from_day >= ?")
		args = append(args, dayOf(micros(f.From))-max(span.Int64, 0)/microsPerDay-1)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	cols := key + ", status, verdict"
	from := "incident_rollup"
	if db.dialect == SQLite && !f.From.IsZero() {
		// Named: SQLite would rather read incident_rollup_key, in the
		// GROUP BY's order, whole.
		from += " INDEXED BY incident_rollup_window"
	}
	return "SELECT " + cols + ", CAST(SUM(n) AS BIGINT) FROM " + from + " WHERE " + strings.Join(where, " AND ") + " GROUP BY " + cols, args, nil
}

// statsDirect counts the incidents themselves, those that also meet
// e.cond (with its args) when it is not empty, read through e.index when
// it is not empty (SQLite).
func (db *DB) statsDirect(ctx context.Context, f StatsFilter, e statsEdge, acc *statsAcc) error {
	q, args := statsDirectSQL(f, e)
	return db.statsRows(ctx, q, args, f.AgreementID != "", acc)
}

// statsDirectSQL is the query of statsDirect.
func statsDirectSQL(f StatsFilter, e statsEdge) (string, []any) {
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
		key = dayOfSQL("i.from_us") // days since the epoch, UTC
	}
	cols := key + ", i.status"
	from := " FROM incidents i"
	if e.index != "" {
		from += " INDEXED BY " + e.index
	}
	where := []string{"i.merged_into IS NULL"}
	var args []any
	if withAgreement {
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
	if e.cond != "" {
		where = append(where, e.cond)
		args = append(args, e.args...)
	}
	return "SELECT " + cols + ", COUNT(*)" + from + " WHERE " + strings.Join(where, " AND ") + " GROUP BY " + cols, args
}

// statsRows adds the rows of q to acc: the raw group value (the day
// number by day), the status, the verdict when withVerdict, the count.
func (db *DB) statsRows(ctx context.Context, q string, args []any, withVerdict bool, acc *statsAcc) error {
	rows, err := db.query(ctx, db.ro, q, args...)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			raw             []byte
			day             int64
			status, verdict string
			n               int
		)
		dst := []any{&raw, &status}
		if acc.group == GroupDay {
			dst[0] = &day
		}
		if withVerdict {
			dst = append(dst, &verdict)
		}
		if err := rows.Scan(append(dst, &n)...); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
		if err := acc.add(raw, day, status, verdict, n); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	return nil
}

// statsAcc adds counted rows up into groups.
type statsAcc struct {
	group         string
	withAgreement bool
	match         func(string) (string, bool)
	out           Stats
	groups        map[string]*StatRow
}

func (a *statsAcc) add(raw []byte, day int64, status, verdict string, n int) error {
	if n == 0 {
		return nil // a rollup row whose incidents all moved on
	}
	keys, err := statKeys(a.group, a.withAgreement, raw, day, a.match)
	if err != nil {
		return err
	}
	a.out.Total.add(status, verdict, n)
	for _, k := range keys {
		g := a.groups[k]
		if g == nil {
			r := newStatRow(k, a.withAgreement)
			g = &r
			a.groups[k] = g
		}
		g.add(status, verdict, n)
	}
	return nil
}

func (a *statsAcc) result() Stats {
	out := a.out
	out.Rows = []StatRow{}
	for _, k := range slices.Sorted(maps.Keys(a.groups)) {
		out.Rows = append(out.Rows, *a.groups[k])
	}
	return out
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
