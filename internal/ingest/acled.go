package ingest

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/truce-monitor/truce/internal/events"
)

// acledReader streams an ACLED export through internal/events straight
// from the file: the fast path, with no copy of the text in between.
type acledReader struct {
	header    []string
	ev        *events.Reader
	checkUTF8 bool // the file has bytes that are not UTF-8
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
	return &acledReader{header: f.c.header, ev: ev, checkUTF8: f.in.encoding == encodingBadUTF8}, nil
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
	if r.checkUTF8 {
		for _, f := range [][2]string{{"event_id_cnty", rec.ID}, {"event_type", rec.EventType}, {"sub_event_type", rec.SubEventType},
			{"actor1", rec.Actor1}, {"actor2", rec.Actor2}, {"country", rec.Country}, {"notes", rec.Notes}} {
			if !utf8.ValidString(f[1]) {
				return Item{}, &RowError{File: rec.File, Line: rec.Line, Column: f[0],
					Msg: fmt.Sprintf("invalid UTF-8 byte 0x%02X (the rest of the file is UTF-8)", f[1][badUTF8(f[1])])}
			}
		}
	}
	rep, err := recordReport(rec, FormatACLED)
	if err != nil {
		return Item{}, err
	}
	return Item{Line: rec.Line, Report: rep}, nil
}
