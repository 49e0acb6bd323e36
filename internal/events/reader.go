// Package events reads conflict events from CSV files in the ACLED export
// format and the UCDP GED format (contracts/ADJUDICATION.md §2): a
// streaming reader that yields one Record per well-formed row and a
// *RowError, naming file, line and column, for each malformed one.
//
// Where the contract is silent:
//   - Header names are matched after trimming, in any case, with a UTF-8
//     byte-order mark removed; of two columns with one name the first is read.
//   - A row that is not valid RFC 4180 (a bare or stray quote) is malformed,
//     reported with the line where it starts and skipped; an unterminated
//     quote swallows the rest of the file and is reported once.
//   - A row with fewer fields than the header is malformed (naming the first
//     column it lacks), and so is one with more, unless the surplus fields
//     are empty (a trailing comma).
//   - ACLED's YYYY-MM-DD takes no time part (the contract allows one only
//     after D/M/YYYY); UCDP dates may have one after a space or a "T". A time
//     part must look like one (HH:MM[:SS[.f]] [AM|PM] [zone]) so that junk
//     after a date is not ignored.
//   - Targets and perpetrators are read for every row, hostile or not.
package events

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/truce-monitor/truce"
)

// Format is the dataset format of a CSV file, told by its header.
type Format int

// The formats a Reader understands.
const (
	ACLED Format = iota + 1
	UCDP
)

func (f Format) String() string {
	switch f {
	case ACLED:
		return "ACLED"
	case UCDP:
		return "UCDP GED"
	}
	return "unknown"
}

// Required columns per format, in the order of the contract; a missing one
// names the first absent in this order.
var (
	acledRequired = []string{"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
		"actor1", "actor2", "country", "latitude", "longitude", "geo_precision"}
	acledOptional = []string{"notes", "civilian_targeting"}
	ucdpRequired  = []string{"id", "type_of_violence", "side_a", "side_b", "country", "latitude", "longitude",
		"where_prec", "date_start", "date_end"}
	ucdpOptional = []string{"source_headline", "where_description"}
)

// Reader streams the rows of one events file. It keeps no more than one
// record in memory.
type Reader struct {
	file   string
	format Format
	csv    *csv.Reader
	header []string        // column names as read, for messages
	col    map[string]int  // lower-case name → field index (first wins)
	at     [numColumns]int // the field index of each column read; -1 if absent
	width  int
	zones  zones
}

// NewReader reads the header of an events file and tells its format. file
// names the input in messages. The error is a *truce.Error (EINVALID) naming
// the file for a header that is neither ACLED nor UCDP GED, or that lacks a
// required column; other errors are I/O errors.
func NewReader(r io.Reader, file string) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // the row width is checked against the header here
	cr.LazyQuotes = false
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, truce.Errorf(truce.EINVALID, "%s: empty file: no header", file)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, truce.Errorf(truce.EINVALID, "%s:%d: malformed CSV header: %v", file, pe.Line, pe.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	rd := &Reader{file: file, csv: cr, header: append([]string(nil), head...), col: map[string]int{}, width: len(head), zones: newZones()}
	for i, h := range head {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheet programs write a byte-order mark
			rd.header[0] = h
		}
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := rd.col[k]; !dup {
			rd.col[k] = i
		}
	}
	for c, name := range columnNames {
		rd.at[c] = -1
		if i, ok := rd.col[name]; ok {
			rd.at[c] = i
		}
	}
	var required []string
	switch {
	case rd.has("event_id_cnty"):
		rd.format, required = ACLED, acledRequired
	case rd.has("where_prec") && rd.has("date_start"):
		rd.format, required = UCDP, ucdpRequired
	default:
		return nil, truce.Errorf(truce.EINVALID,
			"%s: not an ACLED or UCDP GED file: the header has neither event_id_cnty (ACLED) nor where_prec and date_start (UCDP GED)", file)
	}
	for _, c := range required {
		if !rd.has(c) {
			return nil, truce.Errorf(truce.EINVALID, "%s: missing required %s column %q", file, rd.format, c)
		}
	}
	return rd, nil
}

func (rd *Reader) has(col string) bool { _, ok := rd.col[col]; return ok }

// Format returns the file's format.
func (rd *Reader) Format() Format { return rd.format }

// File returns the name the reader reports in messages.
func (rd *Reader) File() string { return rd.file }

// Next returns the next well-formed row. It returns a *RowError for a
// malformed row, after which reading may go on; io.EOF at the end; any
// other error is the input's and ends the file.
func (rd *Reader) Next() (*Record, error) {
	rec, line, err := rd.read()
	if err != nil {
		return nil, err
	}
	return rd.parse(rec, line)
}

// Raw is one row as read from the file and split into fields, before it
// is interpreted: see ReadRaw.
type Raw struct {
	fields []string
	line   int
}

// ReadRaw returns the next row split into fields, to be interpreted by
// Parse, maybe on another goroutine: reading is sequential, interpreting
// need not be. Its errors are those of Next for a row that is not valid
// CSV, and io.EOF and the input's errors.
func (rd *Reader) ReadRaw() (Raw, error) {
	rec, line, err := rd.read()
	if err != nil {
		return Raw{}, err
	}
	return Raw{fields: append([]string(nil), rec...), line: line}, nil
}

// Parse interprets a row from ReadRaw as Next does: the Record, or a
// *RowError. It is safe for concurrent use.
func (rd *Reader) Parse(r Raw) (*Record, error) { return rd.parse(r.fields, r.line) }

// read returns the next CSV record (reused by the next call) and the line
// it starts on.
func (rd *Reader) read() ([]string, int, error) {
	rec, err := rd.csv.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, &RowError{File: rd.file, Line: pe.StartLine,
				Msg: fmt.Sprintf("malformed CSV at line %d, byte %d: %v", pe.Line, pe.Column, pe.Err)}
		}
		return nil, 0, err
	}
	line, _ := rd.csv.FieldPos(0)
	return rec, line, nil
}

func (rd *Reader) parse(rec []string, line int) (*Record, error) {
	row := row{rd: rd, rec: rec, line: line}
	if err := row.checkWidth(); err != nil {
		return nil, err
	}
	if rd.format == ACLED {
		return row.acled()
	}
	return row.ucdp()
}

// RowError is a malformed row: the file, the line where the record starts
// and the column at fault. Column is empty for a row that is not valid CSV
// or does not fit the header.
type RowError struct {
	File   string
	Line   int
	Column string
	Msg    string
}

func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: column %s: %s", e.File, e.Line, e.Column, e.Msg)
}
