package httpapi

import (
	"fmt"
	"net/http"
)

// handleHealth reports ok once the database answers a query, for load
// balancers and smoke tests. The log size is the cheapest read every
// store has.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if _, err := s.db.LogSize(r.Context()); err != nil {
		s.writeError(w, r, fmt.Errorf("health: %w", err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}
