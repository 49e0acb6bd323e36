package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// csvReader reads the records of a CSV file (RFC 4180; a quoted field may
// span lines) with their line numbers, after its header.
type csvReader struct {
	file      string
	cr        *csv.Reader
	header    []string
	cols      map[string]int // trimmed, lower-case name → index (the first)
	exact     map[string]int // trimmed name as written → index
	checkUTF8 bool           // the file has bad bytes: check every field
}

// newCSVReader reads the header of in. A file whose first record does not
// parse as CSV is not CSV at all.
func newCSVReader(in *input) (*csvReader, error) {
	cr := csv.NewReader(in.r)
	cr.FieldsPerRecord = -1 // a wrong field count is a row error, reported by next
	cr.ReuseRecord = true
	h, err := cr.Read()
	if err == io.EOF {
		return nil, &FileError{File: in.name, Msg: "empty file: no header"}
	}
	if err != nil {
		return nil, &FileError{File: in.name, Msg: fmt.Sprintf("not a CSV file: %v", csvMessage(err))}
	}
	c := &csvReader{file: in.name, cr: cr, header: slices.Clone(h), cols: map[string]int{}, exact: map[string]int{}, checkUTF8: in.encoding == encodingBadUTF8}
	for i, name := range c.header {
		c.header[i] = strings.TrimSpace(name)
		if _, dup := c.exact[c.header[i]]; !dup {
			c.exact[c.header[i]] = i
		}
		key := strings.ToLower(c.header[i])
		if _, dup := c.cols[key]; !dup {
			c.cols[key] = i
		}
	}
	return c, nil
}

// has reports whether every named column is in the header.
func (c *csvReader) has(names ...string) bool {
	for _, n := range names {
		if _, ok := c.cols[n]; !ok {
			return false
		}
	}
	return true
}

// col returns the index of the named column (lower case), -1 if absent.
// A column spelt exactly so wins over one that differs in case (the
// corridors file has both "Date", DD.MM.YY, and "date", ISO).
func (c *csvReader) col(name string) int {
	if i, ok := c.exact[name]; ok {
		return i
	}
	if i, ok := c.cols[name]; ok {
		return i
	}
	return -1
}

// require returns the indexes of the named columns, or a FileError naming
// the first one missing.
func (c *csvReader) require(format string, names ...string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		j := c.col(n)
		if j < 0 {
			return nil, &FileError{File: c.file, Msg: fmt.Sprintf("%s: missing required column %q", format, n)}
		}
		idx[i] = j
	}
	return idx, nil
}

// next returns the next record and the line it starts on. The record is
// reused by the following call. A record that does not parse, has the
// wrong number of fields or holds invalid UTF-8 is a *RowError.
func (c *csvReader) next() ([]string, int, error) {
	rec, err := c.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, &RowError{File: c.file, Line: pe.StartLine, Msg: csvMessage(err)}
		}
		return nil, 0, err
	}
	line, _ := c.cr.FieldPos(0)
	if len(rec) != len(c.header) {
		msg := fmt.Sprintf("%d fields, the header has %d", len(rec), len(c.header))
		if len(rec) < len(c.header) {
			msg += fmt.Sprintf(" (%s and later missing; is the line cut short?)", c.header[len(rec)])
		}
		return nil, line, &RowError{File: c.file, Line: line, Msg: msg, Raw: slices.Clone(rec)}
	}
	if c.checkUTF8 {
		for i, f := range rec {
			if !utf8.ValidString(f) {
				return nil, line, c.errorf(rec, line, i, "invalid UTF-8 byte 0x%02X (the rest of the file is UTF-8)", f[badUTF8(f)])
			}
		}
	}
	return rec, line, nil
}

// errorf returns a RowError for column i of rec.
func (c *csvReader) errorf(rec []string, line, i int, format string, args ...any) *RowError {
	e := &RowError{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...), Raw: slices.Clone(rec)}
	if i >= 0 && i < len(c.header) {
		e.Column = c.header[i]
	}
	return e
}

func badUTF8(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return 0
}

// csvMessage words a csv.ParseError without repeating the line number,
// which the RowError carries.
func csvMessage(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
		// A quote not closed by the end of the file (a cut-short file) is
		// an ErrQuote at the last character.
		return fmt.Sprintf(`%v (line %d, character %d)`, pe.Err, pe.Line, pe.Column)
	}
	return fmt.Sprintf("%v (line %d)", pe.Err, pe.Line)
}
