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
	var parts []string
	pick := func(o Outcome) bool {
		switch verdict {
		case Outside:
			return o == TestOutside
		case Uncertain:
			return o == TestUncertain
		}
		return true
	}
	if verdict == Outside && t.Hostile == TestOutside {
		parts = append(parts, "hostile: "+ev.Kind+" is not a hostile act")
	}
	if pick(t.Time) {
		parts = append(parts, a.timeText(ev, t.Time))
	}
	if pick(t.Place) {
		parts = append(parts, a.placeText(&ev.Place, t.Place))
	}
	if pick(t.Domain) && (verdict != Violation || !a.allDomains) {
		parts = append(parts, a.domainText(evDomains, t.Domain))
	}
	if pick(t.Target) && (verdict != Violation || !a.anyTarget) {
		parts = append(parts, a.targetText(evTargets, t.Target))
	}
	if pick(t.Perpetrator) {
		parts = append(parts, a.perpText(ps))
	}
	return strings.Join(parts, "; ")
}

func (a *agreement) timeText(ev *Event, o Outcome) string {
	rel := "partly inside"
	switch {
	case o == TestInside:
		rel = "inside"
	case o == TestOutside && ev.From.Before(a.start):
		rel = "before"
	case o == TestOutside:
		rel = "after"
	}
	return "time: " + ev.When + " " + rel + " " + a.window
}

func (a *agreement) placeText(p *Place, o Outcome) string {
	if a.area == nil {
		return "place: anywhere (the agreement has no area)"
	}
	var where string
	switch p.Kind {
	case PlaceUnknown:
		if p.Note != "" {
			return "place: unknown (" + p.Note + ")"
		}
		return "place: unknown"
	case PlaceAdmin1:
		where = p.Admin1
	default:
		where = num(p.Lat) + "," + num(p.Lon) + " ±" + num(p.RadiusKm) + " km"
	}
	switch o {
	case TestInside:
		return "place: " + where + " inside " + a.areaText
	case TestOutside:
		return "place: " + where + " outside " + a.areaText
	}
	return "place: " + where + " partly inside " + a.areaText
}

func (a *agreement) domainText(ev uint8, o Outcome) string {
	rel := "partly outside"
	switch o {
	case TestInside:
		rel = "inside"
	case TestOutside:
		rel = "outside"
	}
	return "domain: " + maskText(ev, domainBits) + " " + rel + " " + maskText(a.domains, domainBits)
}

func (a *agreement) targetText(ev uint8, o Outcome) string {
	if a.anyTarget {
		return "target: any"
	}
	if o == TestInside {
		return "target: " + maskText(ev&a.targets, targetBits)
	}
	return "target: none of " + maskText(a.targets, targetBits)
}

func (a *agreement) perpText(ps []perp) string {
	if len(ps) == 0 {
		return "perpetrator: none named"
	}
	var b strings.Builder
	b.WriteString("perpetrator: ")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(" and ")
		}
		b.WriteString(p.name)
		switch {
		case p.code == "":
			b.WriteString(" (no party)")
		case a.bound[p.code]:
			b.WriteString(" → " + p.code + " (bound)")
		default:
			b.WriteString(" → " + p.code + " (not bound)")
		}
	}
	return b.String()
}

var (
	domainBits = []struct {
		bit  uint8
		name string
	}{{bitLand, truce.DomainLand}, {bitAir, truce.DomainAir}, {bitSea, truce.DomainSea}}
	targetBits = []struct {
		bit  uint8
		name string
	}{{bitEnergy, truce.TargetEnergy}, {bitCivilian, truce.TargetCivilian}}
)

func maskText(m uint8, names []struct {
	bit  uint8
	name string
}) string {
	var s []string
	for _, n := range names {
		if m&n.bit != 0 {
			s = append(s, n.name)
		}
	}
	return "{" + strings.Join(s, ", ") + "}"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

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
