// Package truce holds the domain of a ceasefire monitoring mission: parties,
// agreements and their terms, reports, incidents, findings and claims, with
// their validation. It imports only the standard library; storage, the HTTP
// API, importers and the adjudication engine live under internal/.
package truce

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in exactly one place
// (internal/httpapi) and to one exit status in cmd/truce.
const (
	EINVALID      = "invalid"      // bad input: 400, exit 2
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409: a stale version or a duplicate
	EUNAUTHORIZED = "unauthorized" // 401: no or bad credentials
	EFORBIDDEN    = "forbidden"    // 403: authenticated but not allowed
	ETOOLARGE     = "too_large"    // 413
	ERATELIMIT    = "rate_limited" // 429
	EINTERNAL     = "internal"     // 500
)

// Error is a domain error with a code, a message meant for the user and,
// for invalid input, the field at fault.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming the field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the *Error's text, or
// a generic one for internal errors so that no internals leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// prefixField returns e with prefix prepended to its field, for errors
// reported from nested values ("window.tz", "sources[2].url").
func prefixField(prefix string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	if c.Field == "" {
		c.Field = prefix
	} else {
		c.Field = prefix + "." + c.Field
	}
	return &c
}
