package ingest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/events"
)

// Conflict-event rows (ACLED, UCDP GED) are read by internal/events, which
// applies the adjudication contract's rules (§2): the local days in the
// country's zone, the radius of each precision code, the domain, target and
// perpetrator keywords. recordReport turns such a record into a report:
//
//   - Source {dataset, "ACLED" | "UCDP GED"}, ExternalID the event id,
//     SubmittedBy "import:acled" | "import:ucdp-ged".
//   - ACLED occurred {date, precision day|week|month, tz}; UCDP occurred
//     {from, to}, the instants of its local days date_start..date_end.
//   - Place: the point and its radius. UCDP where_prec 7 (water or
//     airspace) has no usable place: the report keeps the dataset's
//     representative point with the largest radius a report allows
//     (1,000 km), so that it never passes for a located event.
//   - Domains from the rules. A row the rules find no hostile act in (an
//     ACLED protest, riot or strategic development) is NotHostile, with
//     domains {land} because a report needs one: NotHostile keeps it out
//     of adjudication.
//   - Description: ACLED notes; UCDP source_headline and where_description;
//     cut to 10,000 characters; the event type and id when empty.
func recordReport(rec *events.Record, format string) (*truce.Report, error) {
	r := &truce.Report{
		ExternalID:   rec.ID,
		Source:       truce.ReportSource{Kind: truce.SourceDataset, Name: rec.Format.String()},
		Targets:      rec.Targets,
		Perpetrators: rec.Perpetrators,
		EventType:    strings.TrimSpace(rec.EventType),
		SubEventType: strings.TrimSpace(rec.SubEventType),
		Country:      strings.TrimSpace(rec.Country),
		SubmittedBy:  "import:" + format,
	}
	if rec.Format == events.ACLED {
		r.Occurred = truce.Occurrence{Date: rec.FirstDay.Format(time.DateOnly), Precision: "day", TZ: rec.Zone.String()}
		switch rec.TimePrecision {
		case 2:
			r.Occurred.Date, r.Occurred.Precision = rec.FirstDay.AddDate(0, 0, 3).Format(time.DateOnly), "week"
		case 3:
			r.Occurred.Precision = "month"
		}
	} else {
		from, to := rec.From, rec.To
		if to.Sub(from) > truce.MaxReportSpan {
			return nil, &RowError{File: rec.File, Line: rec.Line, Column: "date_end", Msg: fmt.Sprintf("%s spans more than 366 days, the longest a report may", rec.When())}
		}
		r.Occurred = truce.Occurrence{From: &from, To: &to}
	}
	if rec.HasPlace {
		r.Place = truce.Point(rec.Lat, rec.Lon, rec.RadiusKm)
	}
	r.Domains = rec.Domains
	if !rec.Hostile() {
		r.Domains, r.NotHostile = []string{truce.DomainLand}, true
	}
	for _, p := range r.Perpetrators {
		if len(p) > 200 {
			col := "actor1"
			if rec.Format == events.UCDP {
				col = "side_a"
			}
			return nil, &RowError{File: rec.File, Line: rec.Line, Column: col, Msg: "an actor name longer than 200 characters"}
		}
	}
	var d string
	if rec.Format == events.ACLED {
		d = strings.TrimSpace(rec.Notes)
	} else {
		d = join("\nWhere: ", strings.TrimSpace(rec.Headline), strings.TrimSpace(rec.WhereDescription))
		if strings.TrimSpace(rec.Headline) == "" && d != "" {
			d = "Where: " + d
		}
	}
	if d == "" {
		d = fmt.Sprintf("%s event %s: %s", rec.Format, rec.ID, rec.Kind())
	}
	r.Description = truncateRunes(d, truce.MaxDescription)
	return r, nil
}

// eventsError converts the events package's errors into ours.
func eventsError(err error) error {
	var re *events.RowError
	if errors.As(err, &re) {
		return &RowError{File: re.File, Line: re.Line, Column: re.Column, Msg: re.Msg}
	}
	var te *truce.Error
	if errors.As(err, &te) {
		// NewReader names the file itself: "FILE: message".
		if file, msg, ok := strings.Cut(te.Message, ": "); ok {
			return &FileError{File: file, Msg: msg}
		}
		return &FileError{Msg: te.Message}
	}
	return err
}
