package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/truce-monitor/truce"
)

// Error codes of the HTTP layer itself: the domain has no notion of
// methods, nor of a server too busy to take another connection.
const (
	codeMethodNotAllowed = "method_not_allowed"
	codeUnavailable      = "unavailable"
)

// errorStatus maps an error code to its HTTP status. It is the only place
// that does; anything unknown is a 500.
func errorStatus(code string) int {
	switch code {
	case truce.EINVALID:
		return http.StatusBadRequest
	case truce.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case truce.EFORBIDDEN:
		return http.StatusForbidden
	case truce.ENOTFOUND:
		return http.StatusNotFound
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case codeUnavailable:
		return http.StatusServiceUnavailable
	case truce.ECONFLICT:
		return http.StatusConflict
	case truce.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case truce.ERATELIMIT:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON shape of every error response. Field names the
// input at fault for EINVALID and is empty otherwise.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

// writeError replies with err as JSON. Internal errors are logged and
// replaced by a generic message so that no internals leak to clients.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	body := errorBody{Code: truce.ErrorCode(err), Message: truce.ErrorMessage(err)}
	var e *truce.Error
	if errors.As(err, &e) {
		body.Field = e.Field
	}
	status := errorStatus(body.Code)
	if status == http.StatusInternalServerError {
		body.Code, body.Message, body.Field = truce.EINTERNAL, "internal error", ""
		level := slog.LevelError
		if r.Context().Err() != nil {
			level = slog.LevelDebug // the client went away; nothing is broken
		}
		s.logger.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.writeJSON(w, r, status, body)
}

// notFound returns an ENOTFOUND error.
func notFound(format string, args ...any) error {
	return truce.Errorf(truce.ENOTFOUND, format, args...)
}
