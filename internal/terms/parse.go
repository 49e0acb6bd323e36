// Package terms reads the terms file of contracts/ADJUDICATION.md §1:
// parties and agreements as strict JSON, checked in full before anything
// is adjudicated.
package terms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"

	_ "time/tzdata" // window zones must not depend on the host's tzdata
)

// MaxSize is the largest terms file read, far above any real one.
const MaxSize = 64 << 20

// Parse reads a terms file (contract §1). It is strict: unknown or repeated
// keys, values of the wrong JSON type, trailing data, unknown statuses,
// domains and targets, bad windows and zones, unknown area codes, invalid
// GeoJSON and party codes that are not in parties are all errors. The error
// is a *truce.Error with code EINVALID whose message names the agreement
// id and the field ("easter-truce-2025: window.tz: unknown time zone
// \"Europe/Kiev2\""); parties are named "parties[<i>] <code>". A syntax
// error gives its line and column.
func Parse(r io.Reader, gz *geo.Gazetteer) (truce.Terms, error) {
	t, err := Decode(r)
	if err != nil {
		return t, err
	}
	return t, Validate(t, gz)
}

// Decode reads a terms file strictly, as Parse does, but checks only its
// JSON: syntax, keys and value types. Callers that build the agreements'
// areas anyway (adjudicate.New) validate with ValidateAreas, so that each
// area is built once.
func Decode(r io.Reader) (truce.Terms, error) {
	var t truce.Terms
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return t, fmt.Errorf("read terms: %w", err)
	}
	if len(data) > MaxSize {
		return t, invalid("terms: larger than %d MiB", MaxSize>>20)
	}
	if err := checkShape(data); err != nil {
		return t, err
	}
	if err := json.Unmarshal(data, &t); err != nil { // the shape is checked: this cannot fail but for limits
		return t, invalid("terms: %v", err)
	}
	return t, nil
}

// Validate checks decoded terms: each party and agreement, unique party
// codes and agreement ids, party codes in bound and declared_by, and the
// area codes and GeoJSON with the gazetteer. Errors are as for Parse.
func Validate(t truce.Terms, gz *geo.Gazetteer) error {
	_, err := ValidateAreas(t, gz)
	return err
}

// ValidateAreas is Validate that also returns each agreement's area as
// built by the gazetteer, nil for an agreement without one (everywhere).
// Agreements whose areas are written alike share one *geo.Area.
func ValidateAreas(t truce.Terms, gz *geo.Gazetteer) ([]*geo.Area, error) {
	codes := map[string]bool{}
	folded := map[string]int{}
	for i, p := range t.Parties {
		name := partyName(i, p.Code)
		if err := p.Validate(); err != nil {
			return nil, invalid("%s: %s", name, truce.ErrorMessage(err))
		}
		// Actor names match codes case-insensitively, so "ru" and "RU"
		// could not be told apart.
		k := strings.ToLower(p.Code)
		if j, dup := folded[k]; dup {
			return nil, invalid("%s: code: duplicate party code %q (also parties[%d])", name, p.Code, j)
		}
		folded[k] = i
		codes[p.Code] = true
	}
	ids := map[string]int{}
	areas := make([]*geo.Area, len(t.Agreements))
	built := map[string]*geo.Area{}
	for i, a := range t.Agreements {
		name := AgreementName(i, a.ID)
		if j, dup := ids[a.ID]; dup {
			return nil, invalid("%s: id: duplicate agreement id (also agreements[%d])", name, j)
		}
		ids[a.ID] = i
		if err := a.Validate(codes); err != nil {
			return nil, invalid("%s: %s", name, truce.ErrorMessage(err))
		}
		if !a.Area.IsEmpty() {
			// Agreements often share an area (truces over the same
			// countries): build each distinct one once, and let the
			// engine judge the place once for all of them.
			key := areaKey(a.Area)
			if ar, ok := built[key]; ok {
				areas[i] = ar
				continue
			}
			ar, err := gz.NewArea(a.Area.Countries, a.Area.Admin1, GeoJSON(a.Area))
			if err != nil {
				return nil, invalid("%s: %s", name, AreaError(err))
			}
			areas[i], built[key] = ar, ar
		}
	}
	return areas, nil
}

// areaKey tells areas apart by their codes and GeoJSON exactly as written.
func areaKey(a *truce.Area) string {
	var b strings.Builder
	for _, c := range a.Countries {
		b.WriteString(c)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	for _, c := range a.Admin1 {
		b.WriteString(c)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	b.Write(GeoJSON(a))
	return b.String()
}

// GeoJSON returns the area's geometry, nil when absent or null.
func GeoJSON(a *truce.Area) []byte {
	if a == nil {
		return nil
	}
	g := bytes.TrimSpace(a.GeoJSON)
	if len(g) == 0 || string(g) == "null" {
		return nil
	}
	return g
}

// AreaError words an error of geo.Gazetteer.NewArea as "area.<field>:
// <message>"; nil stays nil.
func AreaError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "area.") && !strings.HasPrefix(msg, "area:") {
		msg = "area: " + msg
	}
	return errors.New(msg)
}

func partyName(i int, code string) string {
	if strings.TrimSpace(code) == "" {
		return fmt.Sprintf("parties[%d]", i)
	}
	return fmt.Sprintf("parties[%d] %s", i, quoteOdd(code))
}

// AgreementName is how messages name agreements[i]: by its id, or by its
// position when the id is blank.
func AgreementName(i int, id string) string {
	if strings.TrimSpace(id) == "" {
		return fmt.Sprintf("agreements[%d]", i)
	}
	return quoteOdd(id)
}

// quoteOdd quotes a name that could be misread at the head of a message
// ("a: b" or one with spaces or control characters); plain ids such as
// "easter-truce-2025" stay as they are.
func quoteOdd(s string) string {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./()[]+", r)) {
			return strconv.Quote(s)
		}
	}
	return s
}

func invalid(format string, args ...any) *truce.Error {
	return truce.Errorf(truce.EINVALID, format, args...)
}

// checkShape walks the whole document: syntax, exact keys, JSON types and
// nothing after the terms object.
func checkShape(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	section, index := "", -1
	w := &walker{dec: dec, data: data, at: func(s string, i int) { section, index = s, i }}
	err := w.value(reflect.TypeFor[truce.Terms](), "")
	if err == nil {
		if off, ok := trailing(data, dec.InputOffset()); ok {
			line, col := lineCol(data, off)
			return invalid("terms: line %d, column %d: unexpected data after the terms object", line, col)
		}
		return nil
	}
	var we *walkError
	if !errors.As(err, &we) {
		return invalid("terms: %v", err)
	}
	where, field := "terms", we.Path
	// Name the party or agreement the path lies in, by code or id when the
	// document can still be read.
	if section != "" {
		prefix := fmt.Sprintf("%s[%d]", section, index)
		if rest, ok := strings.CutPrefix(we.Path, prefix); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			where, field = prefix, strings.TrimPrefix(rest, ".")
			name := elementName(data, section, index)
			if name == "" {
				name = w.name // read before a syntax error
			}
			if name != "" {
				if section == "parties" {
					where = partyName(index, name)
				} else {
					where = quoteOdd(name)
				}
			}
		}
	}
	msg := we.Msg
	if we.Offset >= 0 {
		line, col := lineCol(data, we.Offset)
		msg = fmt.Sprintf("line %d, column %d: %s", line, col, strings.TrimPrefix(msg, "json: "))
	}
	if field == "" {
		return invalid("%s: %s", where, msg)
	}
	return invalid("%s: %s: %s", where, field, msg)
}

// elementName returns the code of parties[i] or the id of agreements[i],
// if the document is valid JSON and the value is a string.
func elementName(data []byte, section string, i int) string {
	var doc map[string][]map[string]json.RawMessage
	if json.Unmarshal(data, &doc) != nil || i >= len(doc[section]) {
		return ""
	}
	key := "id"
	if section == "parties" {
		key = "code"
	}
	var s string
	if json.Unmarshal(doc[section][i][key], &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// trailing reports the offset of the first non-space byte at or after off.
func trailing(data []byte, off int64) (int64, bool) {
	for ; off < int64(len(data)); off++ {
		switch data[off] {
		case ' ', '\t', '\r', '\n':
		default:
			return off, true
		}
	}
	return 0, false
}
