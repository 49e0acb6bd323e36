package terms

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
)

// walker checks a JSON document against the shape of a Go type before it
// is decoded: every key must be a field's exact json name and appear once,
// every value must have the field's JSON type. encoding/json alone matches
// keys case-insensitively, keeps the last of duplicate keys and reports an
// unknown key without saying where it is; a terms file is a contract that
// outside users script against, so a typo must be reported at its place.
type walker struct {
	dec  *json.Decoder
	data []byte
	// at is called with each element's position as the walk enters it, so
	// that the caller can name the party or agreement at fault.
	at func(section string, index int)
	// name is the code or id of the current party or agreement, once read.
	name string
}

// walkError is a problem at a path inside the document. Offset is the byte
// offset of a syntax error, or -1.
type walkError struct {
	Path   string
	Msg    string
	Offset int64
}

func (e *walkError) Error() string { return e.Path + ": " + e.Msg }

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// value walks one JSON value that should decode into t.
func (w *walker) value(t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := w.token(path)
	if err != nil {
		return err
	}
	if tok == nil { // null leaves the Go value zero; validation says if that is allowed
		return nil
	}
	if t == rawMessageType {
		return w.skip(tok, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		if tok != json.Delim('{') {
			return w.mismatch(path, "an object", tok)
		}
		return w.object(t, path)
	case reflect.Slice:
		if tok != json.Delim('[') {
			return w.mismatch(path, "an array", tok)
		}
		for i := 0; w.dec.More(); i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			if w.at != nil && (path == "parties" || path == "agreements") {
				w.at(path, i)
				w.name = ""
			}
			if err := w.value(t.Elem(), p); err != nil {
				return err
			}
		}
		_, err := w.token(path) // ']'
		return err
	case reflect.String:
		s, ok := tok.(string)
		if !ok {
			return w.mismatch(path, "a string", tok)
		}
		if strings.HasSuffix(path, "].id") && strings.HasPrefix(path, "agreements[") ||
			strings.HasSuffix(path, "].code") && strings.HasPrefix(path, "parties[") && strings.Count(path, ".") == 1 {
			w.name = strings.TrimSpace(s)
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return w.mismatch(path, "true or false", tok)
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		f, ok := tok.(float64)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
			return w.mismatch(path, "a whole number", tok)
		}
	default:
		return &walkError{Path: path, Msg: fmt.Sprintf("cannot be read (%s)", t), Offset: -1}
	}
	return nil
}

// object walks the members of an object whose '{' has been read.
func (w *walker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.token(path)
		if err != nil {
			return err
		}
		key, _ := tok.(string) // the decoder guarantees object keys are strings
		p := join(path, key)
		ft, ok := fields[key]
		if !ok {
			return &walkError{Path: p, Msg: "unknown field" + suggest(key, fields), Offset: -1}
		}
		if seen[key] {
			return &walkError{Path: p, Msg: "given twice", Offset: -1}
		}
		seen[key] = true
		if err := w.value(ft, p); err != nil {
			return err
		}
	}
	_, err := w.token(path) // '}'
	return err
}

// skip consumes the rest of a value whose first token is tok.
func (w *walker) skip(tok json.Token, path string) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := w.token(path)
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func (w *walker) token(path string) (json.Token, error) {
	tok, err := w.dec.Token()
	if err == nil {
		return tok, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, &walkError{Path: path, Msg: se.Error(), Offset: se.Offset}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &walkError{Path: path, Msg: "unexpected end of JSON input", Offset: int64(len(w.data))}
	}
	return nil, &walkError{Path: path, Msg: err.Error(), Offset: w.dec.InputOffset()}
}

func (w *walker) mismatch(path, want string, tok json.Token) error {
	got := "null"
	switch v := tok.(type) {
	case json.Delim:
		got = map[json.Delim]string{'{': "an object", '[': "an array"}[v]
	case string:
		got = fmt.Sprintf("the string %q", v)
	case float64:
		got = fmt.Sprintf("the number %v", v)
	case bool:
		got = fmt.Sprintf("%v", v)
	}
	return &walkError{Path: path, Msg: fmt.Sprintf("must be %s, not %s", want, got), Offset: -1}
}

// jsonFields maps the exact json names of t's exported fields to their
// types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

// suggest names a known field that differs from key only in case, the
// likeliest typo in hand-written terms.
func suggest(key string, fields map[string]reflect.Type) string {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lineCol returns the 1-based line and column (in characters) of byte
// offset off in data.
func lineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	prefix := string(data[:off])
	line = strings.Count(prefix, "\n") + 1
	start := strings.LastIndexByte(prefix, '\n') + 1
	col = len([]rune(prefix[start:])) + 1
	return line, col
}
