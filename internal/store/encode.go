package store

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
)

// Values are normalized before they are stored and logged, so that what
// is read back is exactly what was encoded into the leaf: times in UTC at
// microseconds, empty optional lists as nil, no negative zero.

// normTime returns t in UTC truncated to microseconds, what both dialects
// keep (as BIGINT microseconds since the epoch).
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func normTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := normTime(*t)
	return &n
}

// micros and fromMicros convert times to and from their column form.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func microsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromMicrosPtr(us sql.NullInt64) *time.Time {
	if !us.Valid {
		return nil
	}
	t := fromMicros(us.Int64)
	return &t
}

// checkTime rejects times that JSON (and so the log) cannot hold.
func checkTime(field string, t time.Time) error {
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return truce.Invalid(field, "year %d is outside 1..9999", y)
	}
	return nil
}

// normFloat turns -0 into 0: SQLite keeps integral REALs as integers,
// which would read -0 back as 0 and change the leaf's bytes.
func normFloat(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

func normFloatPtr(f *float64) *float64 {
	if f == nil {
		return nil
	}
	n := normFloat(*f)
	return &n
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// normStrings returns nil for an empty list.
func normStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// checkText rejects strings a column or the log cannot hold unchanged:
// invalid UTF-8 (JSON would replace it) and NUL (PostgreSQL refuses it).
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return truce.Invalid(field, "not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return truce.Invalid(field, "contains a NUL character")
	}
	return nil
}

// checkTexts applies checkText to field/value pairs.
func checkTexts(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := checkText(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func checkList(field string, list []string) error {
	for i, s := range list {
		// The field is named only for a bad item: formatting it for each
		// was a tenth of a bulk import's checks.
		if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
			continue
		}
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), s); err != nil {
			return err
		}
	}
	return nil
}

// marshal encodes v as compact JSON without HTML escaping, the way
// ledger.Encode does: a json.RawMessage inside v is then stored and
// logged byte for byte alike.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// jsonList encodes an optional list column: NULL when empty.
func jsonList[T any](list []T) (any, error) {
	if len(list) == 0 {
		return nil, nil
	}
	b, err := marshal(list)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// jsonStrings is jsonList for a list of strings, written without
// reflection (see leafEncoder), byte for byte as jsonList writes it.
func jsonStrings(list []string) any {
	if len(list) == 0 {
		return nil
	}
	n := 2
	for _, s := range list {
		n += len(s) + 3
	}
	e := leafEncoder{buf: make([]byte, 0, n), ok: true}
	e.strs(list)
	if !e.ok {
		v, _ := jsonList(list) // fails the same way later, where checked
		return v
	}
	return string(e.buf)
}

// scanList decodes an optional list column.
func scanList[T any](b []byte, dst *[]T) error {
	*dst = nil
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, dst)
}

// wrapIndexed prefixes the field of a *truce.Error with name[i], for
// errors about one item of a batch.
func wrapIndexed(name string, i int, err error) error {
	return prefixField(fmt.Sprintf("%s[%d]", name, i), err)
}

func prefixField(prefix string, err error) error {
	var e *truce.Error
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

// checkStrings applies checkText to every string inside v (structs,
// pointers, slices), naming fields by their JSON keys. It is for records
// with many nested strings (agreements, claims); reports, which come by
// the hundred thousand, are checked field by field.
func checkStrings(v any) error {
	return walkStrings(reflect.ValueOf(v), "")
}

func walkStrings(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.String:
		return checkText(path, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkStrings(v.Elem(), path)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // []byte, json.RawMessage
			if v.Kind() == reflect.Slice && !utf8.Valid(v.Bytes()) {
				return truce.Invalid(path, "not valid UTF-8")
			}
			return nil
		}
		for i := range v.Len() {
			if err := walkStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return nil
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if path != "" {
				name = path + "." + name
			}
			if err := walkStrings(v.Field(i), name); err != nil {
				return err
			}
		}
	}
	return nil
}
