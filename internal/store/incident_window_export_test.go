package store

import (
	"context"
	"fmt"
	"strings"
)

// IncidentTree returns the ids and exact columns the incidents' R*Tree
// holds (SQLite), by id, as "id from_us to_us lat lon".
func (db *DB) IncidentTree(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, db.ro, "SELECT id, from_us, to_us, lat, lon FROM incidents_rtree ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, from, to int64
		var lat, lon float64
		if err := rows.Scan(&id, &from, &to, &lat, &lon); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%d %d %d %g %g", id, from, to, lat, lon))
	}
	return out, rows.Err()
}

// RebackfillIncidentTree empties the incidents' R*Tree and fills it again
// with the INSERT of migration 0011_incident_rtree, as an existing
// database gets it.
func (db *DB) RebackfillIncidentTree(ctx context.Context) error {
	b, err := migrationFiles.ReadFile("migrations/0011_incident_rtree-sqlite.sql")
	if err != nil {
		return err
	}
	s := string(b)
	i := strings.Index(s, "CREATE TEMP TABLE incidents_0011")
	j := strings.Index(s, "DROP TABLE incidents_0011;")
	if i < 0 || j < 0 {
		return fmt.Errorf("no backfill in 0011_incident_rtree-sqlite.sql")
	}
	return db.write(ctx, func(t *tx) error {
		if _, err := t.tx.ExecContext(ctx, "DELETE FROM incidents_rtree"); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(ctx, s[i:j+len("DROP TABLE incidents_0011;")])
		return err
	})
}

// IncidentWindowPlan returns SQLite's plan of one probe of the list's
// R*Tree for f, one line per step.
func (db *DB) IncidentWindowPlan(ctx context.Context, f IncidentFilter) (string, error) {
	p, _, err := db.newWindowProbe(ctx, f)
	if err != nil {
		return "", err
	}
	rows, err := db.query(ctx, db.ro, "EXPLAIN QUERY PLAN "+p.sql+" LIMIT ?", append(append([]any{1, 100, 1, 100}, p.args...), 201)...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n"), rows.Err()
}
