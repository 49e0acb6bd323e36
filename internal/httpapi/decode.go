package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/truce-monitor/truce"
)

// maxBody bounds a request body: the report contract's 1 MiB, which every
// other body fits in easily.
const maxBody = 1 << 20

// decodeJSON reads r's body, at most maxBody bytes, as exactly one JSON
// value into v (a pointer). Unknown fields are rejected so that a typo is
// never silently dropped. Errors are EINVALID naming the field at fault
// ("source.kind", "evidence[2].sha256"; "body" for malformed JSON), and
// ETOOLARGE for an oversized body.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return truce.Errorf(truce.ETOOLARGE, "request body larger than %d bytes", tooLarge.Limit)
		}
		return truce.Invalid("body", "reading the body: %v", err)
	}
	return decodeStrict(data, v)
}

// decodeStrict decodes data into v like decodeJSON.
func decodeStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return truce.Invalid("body", "empty body: a JSON value is required")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var domain *truce.Error
		switch {
		case errors.As(err, &syntax):
			return truce.Invalid("body", "malformed JSON at byte %d: %v", syntax.Offset, syntax)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return truce.Invalid("body", "truncated JSON")
		case errors.As(err, &domain):
			return domain // a type's own UnmarshalJSON said what is wrong
		}
		field := locate(data, reflect.TypeOf(v), "")
		if field == "" {
			field = "body"
		}
		return truce.Invalid(field, "%s", describeDecodeError(err))
	}
	// Exactly one value: trailing data is a client bug worth reporting.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return truce.Invalid("body", "unexpected data after the JSON value")
	}
	return nil
}

// describeDecodeError says what is wrong without Go type names.
func describeDecodeError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("expected %s, got %s", jsonKind(typeErr.Type), typeErr.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field ") {
		return "unknown field"
	}
	return msg
}

// jsonKind names the JSON value a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another type"
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// locate returns the path of the first value in data (by key order
// within each object) that does not decode strictly into type t: an
// unknown field, a wrong type, a malformed time. The json package names
// neither the path of an unknown field nor array indices, and clients
// need both to find their mistake.
func locate(data []byte, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return path
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return path
		}
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			f, ok := jsonField(t, key)
			sub := joinPath(path, key)
			if !ok {
				return sub
			}
			if !decodes(obj[key], f.Type) {
				return locate(obj[key], f.Type, sub)
			}
		}
	case reflect.Slice, reflect.Array:
		var arr []json.RawMessage
		if json.Unmarshal(data, &arr) != nil {
			return path
		}
		for i, item := range arr {
			if !decodes(item, t.Elem()) {
				return locate(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return path
		}
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			if !decodes(obj[key], t.Elem()) {
				return locate(obj[key], t.Elem(), joinPath(path, key))
			}
		}
	}
	return path
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decodes reports whether data decodes strictly into a new value of t.
func decodes(data []byte, t reflect.Type) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(reflect.New(t).Interface()) == nil
}

// jsonField finds the field of struct t that the json package fills from
// key: by tag name or Go name, case-insensitively, through embedded
// structs.
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			continue // inlined: its fields are visible themselves
		}
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
