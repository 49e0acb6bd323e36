package store

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
)

// appendLeafParts writes the parts of a report's leaf record that
// PrepareReports encodes ahead (see leafParts) straight from the fields,
// as encoding/json would write leafReport(r) without HTML escaping:
// reflection made encoding a fifth of a bulk import's CPU time. What is
// not plain (strings that need escaping or hold U+2028, numbers in
// exponent form) goes through encoding/json itself, so the output stays
// its own byte for byte; TestLeafPartsMatchJSON compares them. ok is
// false if encoding/json refuses a value.
func appendLeafParts(r truce.Report) (lp leafParts, ok bool) {
	e := leafEncoder{buf: make([]byte, 0, 1024), ok: true}
	// a: from the first field after the id to the last before received_at.
	if r.ExternalID != "" {
		e.key(`"external_id":`)
		e.str(r.ExternalID)
		e.raw(',')
	}
	e.key(`"source":{"kind":`)
	e.str(r.Source.Kind)
	e.key(`,"name":`)
	e.str(r.Source.Name)
	if r.Source.URL != "" {
		e.key(`,"url":`)
		e.str(r.Source.URL)
	}
	if r.Source.Party != "" {
		e.key(`,"party":`)
		e.str(r.Source.Party)
	}
	e.key(`},"occurred":{`)
	first := true
	field := func(name string) {
		if !first {
			e.raw(',')
		}
		first = false
		e.key(name)
	}
	o := r.Occurred
	if o.From != nil {
		field(`"from":`)
		e.time(o.From)
	}
	if o.To != nil {
		field(`"to":`)
		e.time(o.To)
	}
	if o.Date != "" {
		field(`"date":`)
		e.str(o.Date)
	}
	if o.Precision != "" {
		field(`"precision":`)
		e.str(o.Precision)
	}
	if o.TZ != "" {
		field(`"tz":`)
		e.str(o.TZ)
	}
	e.key(`},"place":{`)
	first = true
	p := r.Place
	if p.Lat != nil {
		field(`"lat":`)
		e.float(*p.Lat)
	}
	if p.Lon != nil {
		field(`"lon":`)
		e.float(*p.Lon)
	}
	if p.RadiusKm != nil {
		field(`"radius_km":`)
		e.float(*p.RadiusKm)
	}
	if p.Admin1 != "" {
		field(`"admin1":`)
		e.str(p.Admin1)
	}
	e.key(`},"domains":`)
	if r.Domains == nil {
		e.key(`null`)
	} else {
		e.strs(r.Domains)
	}
	if len(r.Targets) > 0 {
		e.key(`,"targets":`)
		e.strs(r.Targets)
	}
	if len(r.Means) > 0 {
		e.key(`,"means":[`)
		for i, m := range r.Means {
			if i > 0 {
				e.raw(',')
			}
			e.key(`{"kind":`)
			e.str(m.Kind)
			e.key(`,"count":`)
			e.buf = strconv.AppendInt(e.buf, int64(m.Count), 10)
			e.raw('}')
		}
		e.raw(']')
	}
	if len(r.Perpetrators) > 0 {
		e.key(`,"perpetrators":`)
		e.strs(r.Perpetrators)
	}
	e.key(`,"description":`)
	e.str(r.Description)
	if r.Language != "" {
		e.key(`,"language":`)
		e.str(r.Language)
	}
	if len(r.Evidence) > 0 {
		e.key(`,"evidence":[`)
		for i, ev := range r.Evidence {
			if i > 0 {
				e.raw(',')
			}
			e.key(`{"sha256":`)
			e.str(ev.SHA256)
			if ev.URL != "" {
				e.key(`,"url":`)
				e.str(ev.URL)
			}
			if ev.MediaType != "" {
				e.key(`,"media_type":`)
				e.str(ev.MediaType)
			}
			e.raw('}')
		}
		e.raw(']')
	}
	if r.EventType != "" {
		e.key(`,"event_type":`)
		e.str(r.EventType)
	}
	if r.SubEventType != "" {
		e.key(`,"sub_event_type":`)
		e.str(r.SubEventType)
	}
	if r.Country != "" {
		e.key(`,"country":`)
		e.str(r.Country)
	}
	if r.NotHostile {
		e.key(`,"not_hostile":true`)
	}
	if r.Illustrative {
		e.key(`,"illustrative":true`)
	}
	e.raw(',')
	split := len(e.buf)
	// b: after received_at to the end (leafReport has no incident_id or
	// log_index).
	if r.SubmittedBy != "" {
		e.key(`,"submitted_by":`)
		e.str(r.SubmittedBy)
	}
	e.raw('}')
	if !e.ok {
		return leafParts{}, false
	}
	return leafParts{a: e.buf[:split:split], b: e.buf[split:], ok: true}, true
}

// leafEncoder appends JSON; ok turns false on a value encoding/json
// refuses.
type leafEncoder struct {
	buf []byte
	ok  bool
}

func (e *leafEncoder) raw(c byte)      { e.buf = append(e.buf, c) }
func (e *leafEncoder) key(s string)    { e.buf = append(e.buf, s...) }
func (e *leafEncoder) strs(l []string) { e.list(len(l), func(i int) { e.str(l[i]) }) }

func (e *leafEncoder) list(n int, item func(int)) {
	e.raw('[')
	for i := range n {
		if i > 0 {
			e.raw(',')
		}
		item(i)
	}
	e.raw(']')
}

// str writes s quoted. Only strings that encoding/json writes as they are
// (no byte below 0x20, '"' or '\\', valid UTF-8 without U+2028 and
// U+2029, whose first byte 0xE2 sends them the slow way) are written here.
func (e *leafEncoder) str(s string) {
	var high byte // the bits of every byte: an ASCII string is valid UTF-8
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == 0xE2 {
			e.slow(s)
			return
		}
		high |= c
	}
	if high >= utf8.RuneSelf && !utf8.ValidString(s) {
		e.slow(s)
		return
	}
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, '"')
}

// float writes f as encoding/json does: the shortest decimal form, or
// through encoding/json for the exponent form it uses outside 1e-6..1e21.
func (e *leafEncoder) float(f float64) {
	if a := math.Abs(f); a == 0 || a >= 1e-6 && a < 1e21 {
		e.buf = strconv.AppendFloat(e.buf, f, 'f', -1, 64)
		return
	}
	e.slow(f)
}

func (e *leafEncoder) time(t interface{ MarshalJSON() ([]byte, error) }) {
	b, err := t.MarshalJSON()
	if err != nil {
		e.ok = false
		return
	}
	e.buf = append(e.buf, b...)
}

func (e *leafEncoder) slow(v any) {
	b, err := marshal(v)
	if err != nil {
		e.ok = false
		return
	}
	e.buf = append(e.buf, b...)
}
