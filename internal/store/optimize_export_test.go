package store

import (
	"context"
	"strings"
)

// StatTables lists the tables that have planner statistics
// (sqlite_stat1), by name; none when the store has never analyzed.
func (db *DB) StatTables(ctx context.Context) ([]string, error) {
	var exists int
	if err := db.ro.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'").Scan(&exists); err != nil || exists == 0 {
		return nil, err
	}
	return db.textColumn(ctx, db.ro, "SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl")
}

// ReportsBoxPlan returns SQLite's plan of a page of GET /reports in a box
// after a report id, the statement Reports builds for that filter.
func (db *DB) ReportsBoxPlan(ctx context.Context, box [4]float64, afterID int64) (string, error) {
	q := "EXPLAIN QUERY PLAN SELECT " + reportCols + " FROM reports WHERE lat >= ? AND lat <= ? AND lon >= ? AND lon <= ? AND id > ? ORDER BY id LIMIT 100"
	rows, err := db.query(ctx, db.ro, q, box[1], box[3], box[0], box[2], afterID)
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
