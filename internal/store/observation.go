package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// normObservation validates o and returns it as it will be stored. An
// observation without To is an instant: To becomes From.
func normObservation(o truce.Observation) (truce.Observation, error) {
	o.ID = 0
	switch o.Kind {
	case truce.ObservationFire, truce.ObservationAlert:
	case "":
		return o, truce.Invalid("kind", "required")
	default:
		return o, truce.Invalid("kind", "unknown observation kind %q (fire, alert)", o.Kind)
	}
	if strings.TrimSpace(o.Source) == "" {
		return o, truce.Invalid("source", "required")
	}
	if strings.TrimSpace(o.ExternalID) == "" {
		return o, truce.Invalid("external_id", "required")
	}
	if len(o.ExternalID) > 200 {
		return o, truce.Invalid("external_id", "longer than 200 characters")
	}
	if o.From.IsZero() {
		return o, truce.Invalid("from", "required")
	}
	if o.To.IsZero() {
		o.To = o.From
	}
	o.From, o.To = normTime(o.From), normTime(o.To)
	if err := checkTime("from", o.From); err != nil {
		return o, err
	}
	if err := checkTime("to", o.To); err != nil {
		return o, err
	}
	if o.To.Before(o.From) {
		return o, truce.Invalid("to", "is before from")
	}
	switch {
	case (o.Lat == nil) != (o.Lon == nil):
		return o, truce.Invalid("lat", "lat and lon go together")
	case o.Lat != nil && !(*o.Lat >= -90 && *o.Lat <= 90):
		return o, truce.Invalid("lat", "%v is outside -90..90", *o.Lat)
	case o.Lon != nil && !(*o.Lon >= -180 && *o.Lon <= 180):
		return o, truce.Invalid("lon", "%v is outside -180..180", *o.Lon)
	case !(o.RadiusKm >= 0 && o.RadiusKm <= truce.MaxRadiusKm):
		return o, truce.Invalid("radius_km", "%v is outside 0..1000", o.RadiusKm)
	}
	o.Lat, o.Lon, o.RadiusKm = normFloatPtr(o.Lat), normFloatPtr(o.Lon), normFloat(o.RadiusKm)
	err := checkTexts("source", o.Source, "external_id", o.ExternalID, "admin1", o.Admin1, "region", o.Region,
		"confidence", o.Confidence, "attributes", o.Attributes)
	return o, err
}

// ObservationFilter selects observations. Zero fields select everything.
type ObservationFilter struct {
	From, To time.Time   // the observation's [from, to] overlaps [From, To)
	BBox     *[4]float64 // west, south, east, north; only observations with a point
	Kind     string
	Source   string
	Admin1   string
	AfterID  int64 // for paging: observations with a larger id
	Limit    int   // at most this many; 0 means no limit
}

// ImportObservations stores a batch of observations in one transaction,
// skipping those whose (Source, ExternalID) is already stored or comes
// earlier in the batch, and logs them as one observation_batch leaf. It
// returns how many were added and how many were already present; EINVALID
// (field observations[i].…) if any is invalid, storing nothing.
func (db *DB) ImportObservations(ctx context.Context, obs []truce.Observation) (added, present int, err error) {
	if len(obs) == 0 {
		return 0, 0, nil
	}
	norm := make([]truce.Observation, len(obs))
	errs := make([]error, len(obs))
	parallel(len(obs), func(i int) { norm[i], errs[i] = normObservation(obs[i]) })
	for i, err := range errs {
		if err != nil {
			return 0, 0, wrapIndexed("observations", i, err)
		}
	}
	err = db.write(ctx, func(t *tx) error {
		n, err := t.addObservations(ctx, norm)
		added, present = n, len(norm)-n
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return added, present, nil
}

var observationColList = []string{"id", "kind", "source", "external_id", "from_us", "to_us", "lat", "lon", "radius_km",
	"admin1", "region", "confidence", "attributes", "received_at_us", "log_index"}

// addObservations assigns ids to observations, inserts those whose
// (Source, ExternalID) is not taken, logs them as one batch leaf and
// returns how many it added.
func (t *tx) addObservations(ctx context.Context, obs []truce.Observation) (int, error) {
	id0, err := t.nextID(ctx, "observations")
	if err != nil {
		return 0, err
	}
	idx, err := t.log.next(ctx)
	if err != nil {
		return 0, err
	}
	args := make([]any, 0, len(obs)*len(observationColList))
	for i := range obs {
		o := &obs[i]
		o.ID = id0 + int64(i)
		args = append(args, o.ID, o.Kind, o.Source, o.ExternalID, micros(o.From), micros(o.To), nullFloat(o.Lat), nullFloat(o.Lon), o.RadiusKm,
			o.Admin1, o.Region, o.Confidence, o.Attributes, micros(t.now), idx)
	}
	inserted, err := t.importNew(ctx, "observations", observationColList, args, "source, external_id")
	if err != nil || len(inserted) == 0 {
		return 0, err
	}
	moved, err := t.closeGaps(ctx, "observations", id0, inserted)
	if err != nil {
		return 0, err
	}
	stored := make([]truce.Observation, 0, len(inserted))
	for _, o := range obs {
		if inserted[o.ID] {
			if id, ok := moved[o.ID]; ok {
				o.ID = id
			}
			stored = append(stored, o)
		}
	}
	leaves, err := encodeLeaves(ledger.KindObservation, stored, func(o truce.Observation) (int64, any) { return o.ID, o }, t.now)
	if err != nil {
		return 0, err
	}
	_, err = t.log.addBatch(ctx, KindObservationBatch, ledger.KindObservation, func(i int) int64 { return stored[i].ID }, leaves)
	return len(stored), err
}

const observationCols = "id, kind, source, external_id, from_us, to_us, lat, lon, radius_km, admin1, region, confidence, attributes, received_at_us"

// Observations returns the observations that match f, by id.
func (db *DB) Observations(ctx context.Context, f ObservationFilter) ([]truce.Observation, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if !f.From.IsZero() {
		add("to_us >= ?", micros(f.From)) // [from, to] is closed: an instant has from = to
	}
	if !f.To.IsZero() {
		add("from_us < ?", micros(f.To))
	}
	if f.BBox != nil {
		addBBox(add, *f.BBox)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.Source != "" {
		add("source = ?", f.Source)
	}
	if f.Admin1 != "" {
		add("admin1 = ?", f.Admin1)
	}
	if f.AfterID != 0 {
		add("id > ?", f.AfterID)
	}
	q := "SELECT " + observationCols + " FROM observations"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	obs, _, err := db.observations(ctx, q, args...)
	return obs, err
}

// observations also returns each one's received_at, the time of its leaf.
func (db *DB) observations(ctx context.Context, query string, args ...any) ([]truce.Observation, []time.Time, error) {
	rows, err := db.query(ctx, db.ro, query, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("observations: %w", err)
	}
	defer rows.Close()
	var out []truce.Observation
	var received []time.Time
	for rows.Next() {
		var o truce.Observation
		var from, to, at int64
		var lat, lon sql.NullFloat64
		err := rows.Scan(&o.ID, &o.Kind, &o.Source, &o.ExternalID, &from, &to, &lat, &lon, &o.RadiusKm,
			&o.Admin1, &o.Region, &o.Confidence, &o.Attributes, &at)
		if err != nil {
			return nil, nil, fmt.Errorf("observations: %w", err)
		}
		o.From, o.To = fromMicros(from), fromMicros(to)
		o.Lat, o.Lon = floatPtr(lat), floatPtr(lon)
		out = append(out, o)
		received = append(received, fromMicros(at))
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("observations: %w", err)
	}
	return out, received, nil
}
