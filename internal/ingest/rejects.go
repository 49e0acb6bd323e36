package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// rejectsWriter writes rejected rows as CSV: the file's own header plus a
// reject_reason column, so the file can be fixed and imported as it is
// (every reader ignores extra columns). Files with another header go to a
// sibling file named with -2, -3... before the extension.
type rejectsWriter struct {
	path  string
	files []*rejectsFile
}

type rejectsFile struct {
	header []string
	f      *os.File
	w      *csv.Writer
}

// ReasonColumn is the column the rejects file adds to each row.
const ReasonColumn = "reject_reason"

// writeFile writes one file's rejected rows in line order. Rows the reader
// did not hand over as read are found again in the file: a second pass,
// made only when there are rejects, so that no reader copies its rows
// just in case.
func (r *rejectsWriter) writeFile(name string, header []string, csvFile bool, errs []*RowError) error {
	slices.SortStableFunc(errs, func(a, b *RowError) int { return a.Line - b.Line })
	missing := slices.ContainsFunc(errs, func(e *RowError) bool { return e.Raw == nil })
	if missing && csvFile {
		if err := fillRaw(name, errs); err != nil {
			return err
		}
	}
	for _, e := range errs {
		if err := r.write(header, e); err != nil {
			return err
		}
	}
	return nil
}

// fillRaw reads the file again and sets Raw of each error from the record
// that starts on its line. A row that does not parse as CSV stays empty;
// its reason says why.
func fillRaw(name string, errs []*RowError) error {
	in, err := openInput(name)
	if err != nil {
		return err
	}
	defer in.Close()
	c, err := newCSVReader(in)
	if err != nil {
		return err
	}
	i := 0
	for i < len(errs) {
		rec, line, err := c.next()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			rec = re.Raw
		} else if err != nil {
			return err
		}
		for i < len(errs) && errs[i].Line < line {
			i++
		}
		for ; i < len(errs) && errs[i].Line == line; i++ {
			if errs[i].Raw == nil && rec != nil {
				errs[i].Raw = slices.Clone(rec)
			}
		}
	}
	return nil
}

// newRejectsWriter creates (or empties) path at once, so that a stale file
// from an earlier run never passes for this run's rejects.
func newRejectsWriter(path string) (*rejectsWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &rejectsWriter{path: path, files: []*rejectsFile{{f: f, w: csv.NewWriter(f)}}}, nil
}

func (r *rejectsWriter) write(header []string, e *RowError) error {
	rf, err := r.fileFor(header)
	if err != nil {
		return err
	}
	row := make([]string, 0, len(rf.header))
	row = append(row, e.Raw...)
	for len(row) < len(rf.header)-1 {
		row = append(row, "")
	}
	if len(row) > len(rf.header)-1 {
		// A row with too many fields keeps them all; its reason comes last.
		row = append(row[:len(row):len(row)], e.Reason())
	} else {
		row = append(row, e.Reason())
	}
	return rf.w.Write(row)
}

func (r *rejectsWriter) fileFor(header []string) (*rejectsFile, error) {
	full := append(slices.Clone(header), ReasonColumn)
	for _, rf := range r.files {
		if rf.header == nil {
			rf.header = full
			return rf, rf.w.Write(full)
		}
		if slices.Equal(rf.header, full) {
			return rf, nil
		}
	}
	ext := filepath.Ext(r.path)
	name := fmt.Sprintf("%s-%d%s", strings.TrimSuffix(r.path, ext), len(r.files)+1, ext)
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	rf := &rejectsFile{header: full, f: f, w: csv.NewWriter(f)}
	r.files = append(r.files, rf)
	return rf, rf.w.Write(full)
}

// Close flushes and closes every rejects file.
func (r *rejectsWriter) Close() error {
	var first error
	for _, rf := range r.files {
		rf.w.Flush()
		if err := rf.w.Error(); err != nil && first == nil {
			first = err
		}
		if err := rf.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
