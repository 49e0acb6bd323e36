package ingest

import (
	"fmt"
	"strings"
)

// RowError is a row that was rejected: where it is and why. Column is the
// column's name in the file's header ("" when the row as a whole is at
// fault, such as a wrong number of fields). Raw holds the row's fields for
// the rejects file when the reader has them at hand (GeoJSON: the feature);
// rows of CSV files are read again from the file when rejects are written.
type RowError struct {
	File   string
	Line   int
	Column string
	Msg    string
	Raw    []string
}

// Error returns "FILE:LINE: COLUMN: MSG", the form of compilers and grep, so
// editors can jump to the row.
func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	if e.Column != "" {
		b.WriteString(e.Column)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Reason is the error without the file name, for the rejects file's
// reason column.
func (e *RowError) Reason() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// FileError is a problem that makes a whole file unusable: not CSV, an
// unknown header, a missing required column. Run stops at the first one;
// the command exits with status 2.
type FileError struct {
	File string
	Msg  string
}

func (e *FileError) Error() string { return e.File + ": " + e.Msg }
