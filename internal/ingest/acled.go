package ingest

import (
	"io"

	"github.com/truce-monitor/truce/internal/events"
)

// acledReader streams an ACLED export through internal/events straight
// from the file: the fast path, with no copy of the text in between.
type acledReader struct {
	header []string
	ev     *events.Reader
}

func openACLED(f *openFile) (Reader, error) {
	// The header was read for detection by a reader that buffers ahead;
	// events reads the file again from its first byte.
	if err := f.in.rewind(); err != nil {
		return nil, err
	}
	ev, err := events.NewReader(f.in.r, f.in.name)
	if err != nil {
		return nil, eventsError(err)
	}
	if ev.Format() != events.ACLED {
		return nil, &FileError{File: f.in.name, Msg: "acled: missing required column \"event_id_cnty\""}
	}
	return &acledReader{header: f.c.header, ev: ev}, nil
}

func (r *acledReader) Header() []string { return r.header }

func (r *acledReader) Next() (Item, error) {
	rec, err := r.ev.Next()
	if err == io.EOF {
		return Item{}, io.EOF
	}
	if err != nil {
		return Item{}, eventsError(err)
	}
	rep, err := recordReport(rec, FormatACLED)
	if err != nil {
		return Item{}, err
	}
	return Item{Line: rec.Line, Report: rep}, nil
}
