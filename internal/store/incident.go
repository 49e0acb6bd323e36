package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
)

// Leaf kinds of grouping, beside the ledger.Kind* constants. A grouping
// run or a monitor's split or merge is one incident_grouping leaf (record
// GroupingRecord, id the grouping's id); each incident state it wrote is
// an item of it, hashed as the incident_state leaf it would have had
// alone (record IncidentState, id "incident@version").
const (
	KindIncidentGrouping = "incident_grouping"
	KindIncidentState    = "incident_state"
)

// ReplyReceived is the status of a reply as filed.
const ReplyReceived = "received"

// IncidentState is an incident as a grouping left it: its reports and
// what they say together. Every state is kept and logged.
type IncidentState struct {
	ID           int64                `json:"id"`
	Version      int                  `json:"version"`
	Status       truce.IncidentStatus `json:"status"`
	MergedInto   int64                `json:"merged_into,omitempty"`
	ReportIDs    []int64              `json:"report_ids"`
	From         time.Time            `json:"from"`
	To           time.Time            `json:"to"`
	Lat          float64              `json:"lat"`
	Lon          float64              `json:"lon"`
	RadiusKm     float64              `json:"radius_km"`
	Admin1       string               `json:"admin1,omitempty"`
	ByUnit       bool                 `json:"by_unit,omitempty"`
	Hostile      bool                 `json:"hostile"`
	Domains      []string             `json:"domains"`
	Targets      []string             `json:"targets,omitempty"`
	Perpetrators []string             `json:"perpetrators,omitempty"`
	Title        string               `json:"title,omitempty"`
	Sources      int                  `json:"independent_sources"`
	Score        float64              `json:"corroboration_score"`
}

// GroupingRecord is the record of an incident_grouping leaf: who grouped
// and why, the decision's reports, and the incident states it wrote.
type GroupingRecord struct {
	Kind      string      `json:"kind"` // new, regroup, split, merge, sensors (see GroupingSensors)
	By        string      `json:"by"`
	Reason    string      `json:"reason"`
	ReportID  int64       `json:"report_id,omitempty"`  // split: the report taken out
	Incidents []int64     `json:"incidents,omitempty"`  // merge: the two incidents
	Reports   []int64     `json:"report_ids,omitempty"` // split: kept apart from; merge: kept together
	States    []BatchItem `json:"states"`               // incident id and SHA-256 of its incident_state leaf
}

// IncidentFilter selects incidents. Zero fields select everything; an
// incident merged into another is never listed.
type IncidentFilter struct {
	Status      truce.IncidentStatus
	From, To    time.Time   // the incident's interval overlaps [From, To)
	BBox        *[4]float64 // west, south, east, north; the incident's centre; west > east crosses the antimeridian
	Party       string      // a report of the incident names the party (by code, name or alias) among the perpetrators
	AgreementID string      // the incident's finding against the agreement is violation or uncertain
	AfterID     int64       // for paging: incidents with a larger id
	Limit       int         // at most this many; 0 means no limit
}

// IncidentDetail is an incident with what explains it: why each report
// belongs, how it is corroborated, its history and the replies to it.
type IncidentDetail struct {
	truce.Incident
	MergedInto    int64                  `json:"merged_into,omitempty"`
	Hostile       bool                   `json:"hostile"`
	ByUnit        bool                   `json:"by_unit,omitempty"`
	Members       []incident.Membership  `json:"members"`
	Corroboration incident.Corroboration `json:"corroboration"`
	History       []truce.Transition     `json:"history"`
	Replies       []truce.Reply          `json:"replies"`
}

// incidentRow is an incidents row.
type incidentRow struct {
	inc             truce.Incident
	mergedInto      int64
	hostile, byUnit bool
	corroboration   []byte
	explanation     []byte
}

const incidentCols = `id, status, version, from_us, to_us, lat, lon, radius_km, admin1, domains, targets, perpetrators, title,
	sources, score, created_at_us, updated_at_us, merged_into, hostile, by_unit, corroboration, explanation`

// incidentListCols are incidentCols without the explanation and
// corroboration, which a list does not show: long JSON that SQLite keeps
// on overflow pages, read for nothing.
const incidentListCols = `id, status, version, from_us, to_us, lat, lon, radius_km, admin1, domains, targets, perpetrators, title,
	sources, score, created_at_us, updated_at_us, merged_into, hostile, by_unit, NULL, NULL`

func (db *DB) incidentRows(ctx context.Context, q querier, where string, args ...any) ([]incidentRow, error) {
	return db.incidentRowsOf(ctx, q, incidentCols, where, args...)
}

// incidentRowsOf reads the rows of incidents through cols (incidentCols
// or incidentListCols).
func (db *DB) incidentRowsOf(ctx context.Context, q querier, cols, where string, args ...any) ([]incidentRow, error) {
	rows, err := db.query(ctx, q, "SELECT "+cols+" FROM incidents "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	var out []incidentRow
	for rows.Next() {
		var (
			r                          incidentRow
			status                     string
			from, to, created, updated int64
			domains, targets, perps    []byte
			merged                     sql.NullInt64
		)
		err := rows.Scan(&r.inc.ID, &status, &r.inc.Version, &from, &to, &r.inc.Lat, &r.inc.Lon, &r.inc.RadiusKm, &r.inc.Admin1,
			&domains, &targets, &perps, &r.inc.Title, &r.inc.Sources, &r.inc.Score, &created, &updated, &merged,
			&r.hostile, &r.byUnit, &r.corroboration, &r.explanation)
		if err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		r.inc.Status = truce.IncidentStatus(status)
		r.inc.From, r.inc.To = fromMicros(from), fromMicros(to)
		r.inc.CreatedAt, r.inc.UpdatedAt = fromMicros(created), fromMicros(updated)
		r.mergedInto = merged.Int64
		for _, l := range []struct {
			b   []byte
			dst *[]string
		}{{domains, &r.inc.Domains}, {targets, &r.inc.Targets}, {perps, &r.inc.Perpetrators}} {
			if err := scanList(l.b, l.dst); err != nil {
				return nil, fmt.Errorf("incident %d: %w", r.inc.ID, err)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return out, nil
}

// incidentRow returns one incident, or ENOTFOUND.
func (db *DB) incidentRow(ctx context.Context, q querier, id int64) (incidentRow, error) {
	rs, err := db.incidentRows(ctx, q, "WHERE id = ?", id)
	if err != nil {
		return incidentRow{}, err
	}
	if len(rs) == 0 {
		return incidentRow{}, truce.Errorf(truce.ENOTFOUND, "incident %d not found", id)
	}
	return rs[0], nil
}

// Incidents returns the incidents that match f, by id, each with its
// report ids (without findings: see Incident).
//
// On SQLite a filter by time or box reads the page's ids from the
// incidents' R*Tree (incident_window.go) in one read transaction with
// the rows; otherwise from the incidents table.
func (db *DB) Incidents(ctx context.Context, f IncidentFilter) ([]truce.Incident, error) {
	var q querier = db.ro
	var ids []int64
	var err error
	if db.dialect == SQLite && (!f.From.IsZero() || !f.To.IsZero() || f.BBox != nil) {
		// One snapshot for every probe of the tree and the page's rows.
		rtx, err := db.ro.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		defer rtx.Rollback()
		q = rtx
		ids, err = db.windowIDs(ctx, rtx, f)
		if err != nil {
			return nil, err
		}
	} else if ids, err = db.incidentIDs(ctx, f); err != nil {
		return nil, err
	}
	var rs []incidentRow
	for chunk := range slices.Chunk(ids, 500) {
		r, err := db.incidentRowsOf(ctx, q, incidentListCols, "WHERE id IN ("+placeholders(len(chunk))+") ORDER BY id", int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r...)
	}
	out := make([]truce.Incident, len(rs))
	ids = make([]int64, len(rs))
	for i, r := range rs {
		out[i], ids[i] = r.inc, r.inc.ID
	}
	members, err := db.incidentReports(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].ReportIDs = members[out[i].ID]
		if out[i].ReportIDs == nil {
			out[i].ReportIDs = []int64{}
		}
	}
	return out, nil
}

// incidentIDs returns the ids of the incidents that match f, ascending,
// from the incidents table.
func (db *DB) incidentIDs(ctx context.Context, f IncidentFilter) ([]int64, error) {
	where, args, none, err := db.incidentConds(ctx, f, "")
	if err != nil || none {
		return nil, err
	}
	where = append([]string{"merged_into IS NULL"}, where...)
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if !f.From.IsZero() {
		add("(to_us > ? OR from_us >= ?)", micros(f.From), micros(f.From))
		// An overlapping incident starts at most the longest incident's
		// span before the window: a bound that lets incidents_window
		// read one range of starts instead of every incident before the
		// window's end.
		var span sql.NullInt64
		if err := db.queryRow(ctx, db.ro, "SELECT MAX(to_us - from_us) FROM incidents").Scan(&span); err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		if span.Valid {
			add("from_us >= ?", micros(f.From)-max(span.Int64, 0))
		}
	}
	if !f.To.IsZero() {
		add("from_us < ?", micros(f.To))
	}
	if f.BBox != nil {
		addBBox(add, *f.BBox)
	}
	if f.AfterID != 0 {
		add("id > ?", f.AfterID)
	}
	q := "SELECT id FROM incidents WHERE " + strings.Join(where, " AND ") + " ORDER BY id"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	// The page's ids first, from the columns incidents_window covers
	// (PostgreSQL), then the whole rows of the page only.
	ids, err := db.int64Column(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return ids, nil
}

// incidentConds returns the conditions of f on an incident's status,
// parties and findings, on the columns of the incidents table named with
// prefix ("i." or ""). none is true when no incident can match.
func (db *DB) incidentConds(ctx context.Context, f IncidentFilter, prefix string) (where []string, args []any, none bool, err error) {
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Status != "" {
		add(prefix+"status = ?", string(f.Status))
	}
	if f.Party != "" {
		names, err := db.actorNames(ctx, f.Party)
		if err != nil {
			return nil, nil, false, err
		}
		if len(names) == 0 {
			return nil, nil, true, nil
		}
		a := make([]any, len(names))
		for i, n := range names {
			a[i] = n
		}
		add(prefix+"id IN (SELECT r.incident_id FROM reports r JOIN report_perpetrators p ON p.report_id = r.id WHERE p.party IN ("+placeholders(len(names))+"))", a...)
	}
	if f.AgreementID != "" {
		add(prefix+`id IN (SELECT f.subject_id FROM findings f JOIN finding_history h ON h.id = f.history_id
			WHERE f.agreement_id = ? AND f.subject_kind = ? AND h.verdict <> ?)`, f.AgreementID, SubjectIncident, truce.VerdictOutside)
	}
	return where, args, false, nil
}

// actorNames returns the perpetrator names in the record that map to a
// party, by its code, name or aliases.
func (db *DB) actorNames(ctx context.Context, party string) ([]string, error) {
	parties, err := db.Parties(ctx)
	if err != nil {
		return nil, err
	}
	match := incident.MatchParty(parties)
	rows, err := db.query(ctx, db.ro, "SELECT DISTINCT party FROM report_perpetrators")
	if err != nil {
		return nil, fmt.Errorf("actor names: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("actor names: %w", err)
		}
		if code, ok := match(name); ok && code == party {
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// int64Column runs a query of one integer column on the read pool.
func (db *DB) int64Column(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := db.query(ctx, db.ro, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// incidentReports returns the report ids of incidents, ascending.
func (db *DB) incidentReports(ctx context.Context, q querier, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.query(ctx, q, "SELECT id, incident_id FROM reports WHERE incident_id IN ("+placeholders(len(chunk))+") ORDER BY id", args...)
		if err != nil {
			return nil, fmt.Errorf("incident reports: %w", err)
		}
		for rows.Next() {
			var id, inc int64
			if err := rows.Scan(&id, &inc); err != nil {
				rows.Close()
				return nil, fmt.Errorf("incident reports: %w", err)
			}
			out[inc] = append(out[inc], id)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("incident reports: %w", err)
		}
	}
	return out, nil
}

// Incident returns one incident with its report ids and its findings, or
// ENOTFOUND. An incident merged into another has no reports left; see
// IncidentDetail for where they went.
func (db *DB) Incident(ctx context.Context, id int64) (truce.Incident, error) {
	return db.incident(ctx, db.ro, id)
}

func (db *DB) incident(ctx context.Context, q querier, id int64) (truce.Incident, error) {
	r, err := db.incidentRow(ctx, q, id)
	if err != nil {
		return truce.Incident{}, err
	}
	members, err := db.incidentReports(ctx, q, []int64{id})
	if err != nil {
		return truce.Incident{}, err
	}
	inc := r.inc
	inc.ReportIDs = members[id]
	if inc.ReportIDs == nil {
		inc.ReportIDs = []int64{}
	}
	if inc.Findings, err = db.findings(ctx, q, findingSelect+"WHERE f.subject_kind = ? AND f.subject_id = ? ORDER BY f.agreement_id", SubjectIncident, id); err != nil {
		return truce.Incident{}, err
	}
	return inc, nil
}

// IncidentDetail returns an incident with why each report belongs to it,
// its corroboration, its workflow history and the replies to it, or
// ENOTFOUND.
func (db *DB) IncidentDetail(ctx context.Context, id int64) (IncidentDetail, error) {
	inc, err := db.Incident(ctx, id)
	if err != nil {
		return IncidentDetail{}, err
	}
	r, err := db.incidentRow(ctx, db.ro, id)
	if err != nil {
		return IncidentDetail{}, err
	}
	d := IncidentDetail{Incident: inc, MergedInto: r.mergedInto, Hostile: r.hostile, ByUnit: r.byUnit}
	if len(r.explanation) > 0 {
		if err := json.Unmarshal(r.explanation, &d.Members); err != nil {
			return d, fmt.Errorf("incident %d: explanation: %w", id, err)
		}
	}
	if len(r.corroboration) > 0 {
		if err := json.Unmarshal(r.corroboration, &d.Corroboration); err != nil {
			return d, fmt.Errorf("incident %d: corroboration: %w", id, err)
		}
	}
	if d.History, err = db.IncidentHistory(ctx, id); err != nil {
		return d, err
	}
	if d.Replies, err = db.Replies(ctx, id); err != nil {
		return d, err
	}
	return d, nil
}

// IncidentStates returns every state grouping gave an incident, by
// version (the versions in between are workflow transitions), or
// ENOTFOUND.
func (db *DB) IncidentStates(ctx context.Context, id int64) ([]IncidentState, error) {
	if _, err := db.incidentRow(ctx, db.ro, id); err != nil {
		return nil, err
	}
	ss, _, err := db.incidentStates(ctx, db.ro, "WHERE incident_id = ? ORDER BY version", id)
	return ss, err
}

// incidentStates also returns each state's grouping id.
func (db *DB) incidentStates(ctx context.Context, q querier, where string, args ...any) ([]IncidentState, []int64, error) {
	rows, err := db.query(ctx, q, "SELECT grouping_id, data FROM incident_states "+where, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("incident states: %w", err)
	}
	defer rows.Close()
	var out []IncidentState
	var groupings []int64
	for rows.Next() {
		var gid int64
		var data []byte
		if err := rows.Scan(&gid, &data); err != nil {
			return nil, nil, fmt.Errorf("incident states: %w", err)
		}
		var s IncidentState
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, nil, fmt.Errorf("incident state: %w", err)
		}
		out = append(out, s)
		groupings = append(groupings, gid)
	}
	return out, groupings, rows.Err()
}
