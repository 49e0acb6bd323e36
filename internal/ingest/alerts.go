package ingest

import (
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// Air-raid alert logs become observations of kind alert: an admin-1 unit
// (Admin1, its ISO 3166-2 code) under alert from started_at to finished_at.
//
// Two layouts, both UTC with an offset ("2022-03-15 16:10:34+00:00"):
//   - official: oblast, raion, hromada, level, started_at, finished_at,
//     source. A raion- or hromada-level alert is recorded on its oblast,
//     with level, raion and hromada in Attributes and the most specific
//     name first in Region. Source "alerts official".
//   - volunteer: region, started_at, finished_at, naive. naive=True means
//     the end was imputed as start + 30 minutes; it is kept in Attributes.
//     Source "alerts volunteer".
//
// ExternalID is the place as written and the start instant (RFC 3339),
// unique in both real logs. One official row names a raion in the oblast
// column and its oblast in the raion column; when the oblast column is no
// oblast but the raion column is, the two are read swapped.
type alertsReader struct {
	c                           *csvReader
	official                    bool
	region, raion, hromada, lvl int
	start, end, naive           int
	source                      string
}

func openAlerts(f *openFile) (Reader, error) {
	c := f.c
	r := &alertsReader{c: c}
	var names []string
	if c.has("oblast") {
		r.official, r.source = true, "alerts official"
		names = []string{"oblast", "started_at", "finished_at"}
	} else {
		r.source = "alerts volunteer"
		names = []string{"region", "started_at", "finished_at"}
	}
	idx, err := c.require(FormatAlerts, names...)
	if err != nil {
		return nil, err
	}
	r.region, r.start, r.end = idx[0], idx[1], idx[2]
	r.raion, r.hromada, r.lvl, r.naive = c.col("raion"), c.col("hromada"), c.col("level"), c.col("naive")
	return r, nil
}

func (r *alertsReader) Header() []string { return r.c.header }

func (r *alertsReader) Notes() []string {
	if r.official {
		return []string{"official layout"}
	}
	return []string{"volunteer layout"}
}

func (r *alertsReader) Next() (Item, error) {
	rec, line, err := r.c.next()
	if err != nil {
		return Item{Line: line}, err
	}
	oblast, raion, hromada := field(rec, r.region), field(rec, r.raion), field(rec, r.hromada)
	code, ok := oblastCode(oblast)
	if !ok && r.official {
		if c2, ok2 := oblastCode(raion); ok2 {
			code, ok = c2, true
			oblast, raion = raion, oblast
		}
	}
	if !ok {
		if oblast == "" {
			return Item{}, r.c.errorf(rec, line, r.region, "empty, want a Ukrainian oblast")
		}
		return Item{}, r.c.errorf(rec, line, r.region, "%q is not a Ukrainian oblast", oblast)
	}
	from, err := parseInstant(rec[r.start])
	if err != nil {
		return Item{}, r.c.errorf(rec, line, r.start, "%v", err)
	}
	to, err := parseInstant(rec[r.end])
	if err != nil {
		return Item{}, r.c.errorf(rec, line, r.end, "%v", err)
	}
	if to.Before(from) {
		return Item{}, r.c.errorf(rec, line, r.end, "%s is before started_at %s", strings.TrimSpace(rec[r.end]), strings.TrimSpace(rec[r.start]))
	}
	o := &truce.Observation{Kind: truce.ObservationAlert, Source: r.source, From: from, To: to, Admin1: code}
	var a attrs
	var id strings.Builder
	if r.official {
		level := field(rec, r.lvl)
		parts := []string{hromada, raion, oblast}
		parts = slices.DeleteFunc(parts, func(s string) bool { return s == "" })
		o.Region = strings.Join(parts, ", ")
		a.add("level", level)
		a.add("raion", raion)
		a.add("hromada", hromada)
		id.WriteString(level)
		id.WriteByte('/')
		id.WriteString(field(rec, r.region))
		id.WriteByte('/')
		id.WriteString(field(rec, r.raion))
		id.WriteByte('/')
		id.WriteString(hromada)
	} else {
		o.Region = oblast
		a.add("naive", field(rec, r.naive))
		id.WriteString(oblast)
	}
	id.WriteByte('@')
	id.WriteString(from.Format(time.RFC3339))
	o.ExternalID = id.String()
	o.Attributes = a.String()
	return Item{Line: line, Observation: o}, nil
}
