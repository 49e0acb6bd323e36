package adjudicate

import (
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/terms"
)

// reason names the decisive tests: for outside, every test that is
// outside; for uncertain, every test that is uncertain; for a violation,
// what establishes it: time, place and perpetrator, and domain and target
// where the agreement restricts them. Tests are separated by "; ".
func (a *agreement) reason(ev *Event, ps []perp, evDomains, evTargets uint8, t Tests, verdict string) string {
	return string(a.appendReason(nil, ev, ps, evDomains, evTargets, t, verdict, nil, nil))
}

// appendReason appends the reason to dst. when and where are the event's
// "time: ..." and "place: ..." as appendWhen and appendWhere write them,
// when the caller has them already (they are the same for every
// agreement, and formatting coordinates is the dearest part of a reason);
// nil to work them out here. Building reasons by appending to one buffer,
// from texts made once an event or once an agreement, keeps `truce
// adjudicate --all`, which writes ten million of them for a million
// events, free of allocation and quick.
func (a *agreement) appendReason(dst []byte, ev *Event, ps []perp, evDomains, evTargets uint8, t Tests, verdict string, when, where []byte) []byte {
	pick := func(o Outcome) bool {
		switch verdict {
		case Outside:
			return o == TestOutside
		case Uncertain:
			return o == TestUncertain
		}
		return true
	}
	n := 0
	sep := func() {
		if n > 0 {
			dst = append(dst, "; "...)
		}
		n++
	}
	if verdict == Outside && t.Hostile == TestOutside {
		sep()
		dst = append(dst, "hostile: "...)
		dst = append(dst, ev.Kind...)
		dst = append(dst, " is not a hostile act"...)
	}
	if pick(t.Time) {
		sep()
		dst = a.appendTime(dst, ev, t.Time, when)
	}
	if pick(t.Place) {
		sep()
		dst = a.appendPlace(dst, &ev.Place, t.Place, where)
	}
	if pick(t.Domain) && (verdict != Violation || !a.allDomains) {
		sep()
		dst = append(dst, a.domainText[evDomains&7][t.Domain]...)
	}
	if pick(t.Target) && (verdict != Violation || !a.anyTarget) {
		sep()
		dst = a.appendTarget(dst, evTargets, t.Target)
	}
	if pick(t.Perpetrator) {
		sep()
		dst = a.appendPerp(dst, ps)
	}
	return dst
}

// Kinds of time relation, indexes of agreement.timeText.
const (
	timeInside = iota
	timePartly
	timeBefore
	timeAfter
)

func (a *agreement) appendTime(dst []byte, ev *Event, o Outcome, when []byte) []byte {
	rel := timePartly
	switch {
	case o == TestInside:
		rel = timeInside
	case o == TestOutside && ev.From.Before(a.start):
		rel = timeBefore
	case o == TestOutside:
		rel = timeAfter
	}
	if when != nil {
		dst = append(dst, when...)
	} else {
		dst = appendWhen(dst, ev)
	}
	return append(dst, a.timeText[rel]...)
}

// appendWhen appends "time: " and when the event happened.
func appendWhen(dst []byte, ev *Event) []byte {
	dst = append(dst, "time: "...)
	return append(dst, ev.When...)
}

// appendWhere appends "place: " and where a point or admin-1 event is:
// "lat,lon ±r km" or the unit's code.
func appendWhere(dst []byte, p *Place) []byte {
	dst = append(dst, "place: "...)
	if p.Kind == PlaceAdmin1 {
		return append(dst, p.Admin1...)
	}
	dst = strconv.AppendFloat(dst, p.Lat, 'f', -1, 64)
	dst = append(dst, ',')
	dst = strconv.AppendFloat(dst, p.Lon, 'f', -1, 64)
	dst = append(dst, " ±"...)
	dst = strconv.AppendFloat(dst, p.RadiusKm, 'f', -1, 64)
	return append(dst, " km"...)
}

func (a *agreement) appendPlace(dst []byte, p *Place, o Outcome, where []byte) []byte {
	if a.area == nil {
		return append(dst, "place: anywhere (the agreement has no area)"...)
	}
	if p.Kind == PlaceUnknown {
		if p.Note != "" {
			dst = append(dst, "place: unknown ("...)
			dst = append(dst, p.Note...)
			return append(dst, ')')
		}
		return append(dst, "place: unknown"...)
	}
	if where != nil {
		dst = append(dst, where...)
	} else {
		dst = appendWhere(dst, p)
	}
	return append(dst, a.placeText[o]...)
}

// reasonTexts makes the agreement's parts of reasons once: the time
// relation and window, the place relation and area, every domain test.
func (a *agreement) reasonTexts() {
	a.timeText = [4]string{" inside " + a.window, " partly inside " + a.window, " before " + a.window, " after " + a.window}
	a.placeText[TestInside] = " inside " + a.areaText
	a.placeText[TestOutside] = " outside " + a.areaText
	a.placeText[TestUncertain] = " partly inside " + a.areaText
	for ev := range a.domainText {
		for o, rel := range map[Outcome]string{TestInside: " inside ", TestOutside: " outside ", TestUncertain: " partly outside "} {
			a.domainText[ev][o] = "domain: " + domainTexts[ev] + rel + domainTexts[a.domains&7]
		}
	}
}

func (a *agreement) appendTarget(dst []byte, ev uint8, o Outcome) []byte {
	if a.anyTarget {
		return append(dst, "target: any"...)
	}
	if o == TestInside {
		dst = append(dst, "target: "...)
		return append(dst, targetTexts[(ev&a.targets)>>3&3]...)
	}
	dst = append(dst, "target: none of "...)
	return append(dst, targetTexts[a.targets>>3&3]...)
}

func (a *agreement) appendPerp(dst []byte, ps []perp) []byte {
	if len(ps) == 0 {
		return append(dst, "perpetrator: none named"...)
	}
	dst = append(dst, "perpetrator: "...)
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, " and "...)
		}
		dst = append(dst, p.name...)
		switch {
		case p.code == "":
			dst = append(dst, " (no party)"...)
		case a.bound(p):
			dst = append(dst, " → "...)
			dst = append(dst, p.code...)
			dst = append(dst, " (bound)"...)
		default:
			dst = append(dst, " → "...)
			dst = append(dst, p.code...)
			dst = append(dst, " (not bound)"...)
		}
	}
	return dst
}

type maskName struct {
	bit  uint8
	name string
}

var (
	domainBits = []maskName{{bitLand, truce.DomainLand}, {bitAir, truce.DomainAir}, {bitSea, truce.DomainSea}}
	targetBits = []maskName{{bitEnergy, truce.TargetEnergy}, {bitCivilian, truce.TargetCivilian}}
	// The texts of every domain mask (land, air, sea: bits 0-2) and target
	// mask (energy, civilian: bits 3-4, shifted down), made once.
	domainTexts = maskTexts(domainBits, 8, 0)
	targetTexts = maskTexts(targetBits, 4, 3)
)

func maskTexts(names []maskName, n int, shift uint) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = maskText(uint8(i)<<shift, names)
	}
	return out
}

func maskText(m uint8, names []maskName) string {
	var s []string
	for _, n := range names {
		if m&n.bit != 0 {
			s = append(s, n.name)
		}
	}
	return "{" + strings.Join(s, ", ") + "}"
}

// windowText shows a window as written: "2025-04-19 18:00–2025-04-21 00:00
// Europe/Moscow"; an open end shows as "(open)".
func windowText(w truce.Window) string {
	end := "(open)"
	if w.End != nil {
		end = strings.Replace(*w.End, "T", " ", 1)
	}
	return strings.Replace(w.Start, "T", " ", 1) + "–" + end + " " + w.TZ
}

// areaText names an area by its codes, the first few of them.
func areaText(ar *truce.Area) string {
	names := append(append([]string(nil), ar.Countries...), ar.Admin1...)
	more := 0
	if len(names) > 4 {
		names, more = names[:4], len(names)-4
	}
	if len(names) > 0 && more > 0 {
		names = append(names, "+"+strconv.Itoa(more)+" more")
	}
	if terms.GeoJSON(ar) != nil {
		names = append(names, "the drawn area")
	}
	return "the area (" + strings.Join(names, ", ") + ")"
}
