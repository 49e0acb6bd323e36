package httpapi

import (
	"encoding/json"
	"net/http"
)

// writeJSON replies with v as indented JSON. Encoding errors after the
// header is sent cannot reach the client, so they are only logged.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.logger.DebugContext(r.Context(), "write response", "path", r.URL.Path, "err", err)
	}
}
