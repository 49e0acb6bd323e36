package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// handleStats counts incidents by party, domain, admin-1 unit or day,
// with their statuses and, against an agreement, their verdicts. The
// public's counts are of verified incidents only, so that no count of
// one reveals an unverified incident.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.StatsFilter{AgreementID: q.Get("agreement"), Group: q.Get("group")}
	if f.Group == "" {
		f.Group = store.GroupParty
	}
	var err error
	if f.From, f.To, err = queryRange(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	if caller(r.Context()) == nil {
		f.Statuses = []truce.IncidentStatus{truce.IncidentVerified}
	}
	st, err := s.stats.get(r.Context(), s.db, f)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		err = truce.Invalid("agreement", "unknown agreement %q", f.AgreementID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, st)
}

// statsCache keeps answers of store.Stats for the log size they were
// computed at. Every change to incidents and findings appends to the log,
// so an answer is exact as long as the log has not grown: many readers of
// one dashboard cost one query. The store counts from its rollup table
// (milliseconds at a million incidents, bench/api/RESULTS.md), so the
// cache serves the many identical reads of open dashboards.
type statsCache struct {
	mu   sync.Mutex
	size int64
	m    map[string]store.Stats
}

// maxStatsCached bounds the cache: filters are many (any time range).
const maxStatsCached = 256

func (c *statsCache) get(ctx context.Context, db *store.DB, f store.StatsFilter) (store.Stats, error) {
	size, err := db.LogSize(ctx)
	if err != nil {
		return store.Stats{}, err
	}
	key := fmt.Sprintf("%s|%s|%d|%d|%v", f.AgreementID, f.Group, f.From.UnixMicro(), f.To.UnixMicro(), f.Statuses)
	c.mu.Lock()
	if c.size != size || c.m == nil {
		c.size, c.m = size, map[string]store.Stats{}
	}
	st, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	if st, err = db.Stats(ctx, f); err != nil {
		return st, err
	}
	c.mu.Lock()
	// Computed at this size or later: good for anyone who read this size.
	// A full cache starts again rather than refusing new answers, so that
	// many one-off ranges cannot shut the dashboards' common ones out.
	if c.size == size {
		if len(c.m) >= maxStatsCached {
			clear(c.m)
		}
		c.m[key] = st
	}
	c.mu.Unlock()
	return st, nil
}

var statsDocs = map[string]op{
	"GET /api/v1/stats": {Summary: "Incident counts by party, domain, admin-1 unit or day",
		Description: "By status, and by verdict when an agreement is given (then only incidents judged a violation or uncertain, " +
			"by the party held responsible). The public's counts are of verified incidents only. " +
			"A statistic is one row per group, not a list of records: it is not paginated.",
		Params: []param{
			{Name: "agreement", Description: "an agreement id"},
			fromParam, toParam,
			{Name: "group", Enum: store.StatsGroups, Description: "default party"},
		},
		Response: store.Stats{}},
}
