package store

import (
	"context"
	"strings"
)

// StatsDirect counts from the incidents alone, without incident_rollup,
// for tests that compare the two.
func (db *DB) StatsDirect(ctx context.Context, f StatsFilter) (Stats, error) {
	return db.stats(ctx, f, false)
}

// RebackfillRollup empties incident_rollup and fills it again with the
// INSERT statements of the 0009 migrations, as an existing database gets
// it.
func (db *DB) RebackfillRollup(ctx context.Context) error {
	var sqls []string
	for _, name := range []string{"0009_incident_rollup", "0009_incident_rollup_days"} {
		b, err := migrationFiles.ReadFile("migrations/" + name + ".sql")
		if err != nil {
			return err
		}
		sqls = append(sqls, string(b))
	}
	return db.write(ctx, func(t *tx) error {
		if _, err := t.tx.ExecContext(ctx, "DELETE FROM incident_rollup"); err != nil {
			return err
		}
		for _, stmt := range strings.Split(strings.Join(sqls, ";"), ";") {
			if i := strings.Index(stmt, "INSERT INTO incident_rollup"); i >= 0 {
				if _, err := t.tx.ExecContext(ctx, stmt[i:]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// StatsEdgePlans returns SQLite's plan of each edge day's count of a
// window, one string per edge, one line per step.
func (db *DB) StatsEdgePlans(ctx context.Context, f StatsFilter) ([]string, error) {
	var out []string
	for _, e := range statsEdges(f) {
		q, args := statsDirectSQL(f, e)
		rows, err := db.query(ctx, db.ro, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			return nil, err
		}
		var lines []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				rows.Close()
				return nil, err
			}
			lines = append(lines, detail)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return out, nil
}

// StatsRollupPlan returns SQLite's plan of the rollup's count of f.
func (db *DB) StatsRollupPlan(ctx context.Context, f StatsFilter) (string, error) {
	q, args, err := db.statsRollupSQL(ctx, f)
	if err != nil {
		return "", err
	}
	rows, err := db.query(ctx, db.ro, "EXPLAIN QUERY PLAN "+q, args...)
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
