package adjudicate

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/terms"
)

// Verdicts of contract §3.
const (
	Violation = "violation"
	Uncertain = "uncertain"
	Outside   = "outside"
)

// Outcome is the result of one test: inside, outside or uncertain.
type Outcome int8

// Outcomes of a test.
const (
	TestOutside Outcome = iota
	TestInside
	TestUncertain
)

func (o Outcome) String() string {
	switch o {
	case TestInside:
		return "inside"
	case TestUncertain:
		return "uncertain"
	}
	return "outside"
}

// Tests are the outcomes of the six tests for one event and agreement.
type Tests struct {
	Hostile, Time, Place, Domain, Target, Perpetrator Outcome
}

// Verdict is the judgement of one event against one agreement.
type Verdict struct {
	AgreementID string
	Verdict     string // Violation, Uncertain or Outside
	Party       string // the responsible party's code, when known; empty on Outside
	Reason      string // the decisive tests in words
	Tests       Tests
}

// Skipped is an agreement that is validated but not adjudicated.
type Skipped struct {
	Index  int
	ID     string
	Reason string
}

// Engine judges events against compiled agreements. It is immutable after
// New and safe for concurrent use.
type Engine struct {
	parties    *PartyMatcher
	partyIndex map[string]int // party code → index in the terms' parties
	agreements []*agreement   // the adjudicated ones, in file order
	areas      []*geo.Area    // the agreements' distinct areas
	skipped    []Skipped
}

// agreement is one agreement compiled for fast judging.
type agreement struct {
	index      int
	id         string
	idField    []byte // id as a CSV field, and its comma
	start, end time.Time
	open       bool
	window     string // "2025-04-19 18:00–2025-04-21 00:00 Europe/Moscow"

	area      *geo.Area // nil: everywhere
	slot      int       // area's index among the engine's distinct areas; -1 for none
	areaText  string
	countries map[string]bool
	admin1    map[string]bool
	// shapes is the GeoJSON part of the area alone, nil if none. Only
	// events placed in a whole admin-1 unit (stored reports) need it, so
	// it is built on first use.
	shapes func() *geo.Area

	domains    uint8
	allDomains bool
	anyTarget  bool
	targets    uint8
	boundCodes map[string]bool
	boundParty []bool // by party index: the bound parties, for the tests' inner loops

	// Parts of reasons, made once (see reasonTexts).
	timeText   [4]string    // by timeInside, timePartly, timeBefore, timeAfter
	placeText  [3]string    // by the place test's Outcome
	domainText [8][3]string // by the event's domain mask and the Outcome
}

// New compiles the agreements of t. Agreements that did not take effect
// (proposed, rejected) or whose terms need review are validated and then
// skipped (see Skipped). The error is a *truce.Error (EINVALID) naming the
// agreement and the field.
func New(t truce.Terms, gz *geo.Gazetteer) (*Engine, error) {
	areas, err := terms.ValidateAreas(t, gz)
	if err != nil {
		return nil, err
	}
	e := &Engine{parties: NewPartyMatcher(t.Parties), partyIndex: map[string]int{}}
	for i, p := range t.Parties {
		if _, dup := e.partyIndex[p.Code]; !dup {
			e.partyIndex[p.Code] = i
		}
	}
	for i, a := range t.Agreements {
		switch {
		case !a.Status.TookEffect():
			e.skipped = append(e.skipped, Skipped{i, a.ID, fmt.Sprintf("status %s: the agreement did not take effect", a.Status)})
			continue
		case a.TermsNeedReview:
			e.skipped = append(e.skipped, Skipped{i, a.ID, "its terms need review"})
			continue
		}
		c := compile(i, a, areas[i], gz)
		// Agreements with one area (terms.ValidateAreas shares it) share
		// the place test of each event.
		c.slot = -1
		if c.area != nil {
			c.slot = slices.Index(e.areas, c.area)
			if c.slot < 0 {
				c.slot = len(e.areas)
				e.areas = append(e.areas, c.area)
			}
		}
		c.boundParty = make([]bool, len(t.Parties))
		for code, i := range e.partyIndex {
			c.boundParty[i] = c.boundCodes[code]
		}
		e.agreements = append(e.agreements, c)
	}
	return e, nil
}

// compile prepares an agreement that terms.ValidateAreas has validated.
func compile(i int, a truce.Agreement, area *geo.Area, gz *geo.Gazetteer) *agreement {
	c := &agreement{index: i, id: a.ID, boundCodes: map[string]bool{}, area: area}
	c.idField = append(appendField(nil, a.ID), ',')
	c.start, c.end, _ = a.Window.Resolve() // validated already
	c.open = a.Window.End == nil
	c.window = windowText(a.Window)
	if area != nil {
		c.countries, c.admin1 = upperSet(a.Area.Countries), upperSet(a.Area.Admin1)
		if g := terms.GeoJSON(a.Area); g != nil {
			c.shapes = sync.OnceValue(func() *geo.Area {
				// The GeoJSON built into area already, so it builds alone;
				// an error would leave every disk crossing it.
				sh, err := gz.NewArea(nil, nil, g)
				if err != nil {
					return nil
				}
				return sh
			})
		}
		c.areaText = areaText(a.Area)
	}
	c.domains = domainMask(a.Domains)
	c.allDomains = c.domains == domainMask(truce.Domains)
	for _, t := range a.Targets {
		if t == truce.TargetAny {
			c.anyTarget = true
		}
	}
	c.targets = targetMask(a.Targets)
	for _, b := range a.Bound {
		c.boundCodes[b] = true
	}
	c.reasonTexts()
	return c
}

// Skipped lists the agreements that are not adjudicated, in file order.
func (e *Engine) Skipped() []Skipped { return e.skipped }

// Adjudicated returns the number of agreements that are adjudicated.
func (e *Engine) Adjudicated() int { return len(e.agreements) }

// Parties returns the engine's actor-name matcher.
func (e *Engine) Parties() *PartyMatcher { return e.parties }

// perp is a perpetrator mapped to a party.
type perp struct {
	name  string
	code  string // "" when unknown
	party int    // the party's index in the terms; -1 when unknown
}

// bound reports whether p's party is bound by a.
func (a *agreement) bound(p perp) bool { return p.party >= 0 && a.boundParty[p.party] }

// Judge judges ev against every adjudicated agreement in file order and
// calls fn with the agreement's index in the terms and the verdict: for
// every agreement when all is set, else only where the verdict is not
// outside.
func (e *Engine) Judge(ev *Event, all bool, fn func(agreementIndex int, v Verdict)) {
	var perps []perp
	for _, name := range ev.Perpetrators {
		perps = append(perps, e.perp(name))
	}
	evDomains, evTargets := domainMask(ev.Domains), targetMask(ev.Targets)
	e.judge(ev, all, perps, evDomains, evTargets, func(a *agreement, t Tests, verdict string) {
		v := Verdict{AgreementID: a.id, Tests: t, Verdict: verdict}
		if verdict != Outside {
			v.Party = a.party(perps)
		}
		v.Reason = a.reason(ev, perps, evDomains, evTargets, t, verdict)
		fn(a.index, v)
	})
}

// perp maps an actor name to its party.
func (e *Engine) perp(name string) perp {
	p := perp{name: name, party: -1}
	p.code, _ = e.parties.Match(name)
	if i, ok := e.partyIndex[p.code]; ok && p.code != "" {
		p.party = i
	}
	return p
}

// judge runs the tests of ev against every agreement in file order and
// calls fn with the outcomes and the verdict: for every agreement when all
// is set, else only where the verdict is not outside.
func (e *Engine) judge(ev *Event, all bool, perps []perp, evDomains, evTargets uint8, fn func(a *agreement, t Tests, verdict string)) {
	// places[k] is 1 + the place outcome for distinct area k, once known.
	var places [16]uint8
	for _, a := range e.agreements {
		var t Tests
		if !ev.Hostile {
			if !all {
				continue
			}
			t.Hostile = TestOutside
		} else {
			t.Hostile = TestInside
		}
		// Cheap tests first: without --all an outside one ends the work
		// before the place test, the only costly one.
		t.Time = a.timeTest(ev)
		t.Domain = domainTest(evDomains, a.domains)
		t.Target = a.targetTest(evTargets)
		t.Perpetrator = a.perpTest(perps)
		if !all && (t.Hostile == TestOutside || t.Time == TestOutside || t.Domain == TestOutside ||
			t.Target == TestOutside || t.Perpetrator == TestOutside) {
			continue
		}
		switch k := a.slot; {
		case k < 0 || k >= len(places):
			t.Place = a.placeTest(&ev.Place)
		case places[k] != 0:
			t.Place = Outcome(places[k] - 1)
		default:
			t.Place = a.placeTest(&ev.Place)
			places[k] = uint8(t.Place) + 1
		}
		verdict := combine(t)
		if verdict == Outside && !all {
			continue
		}
		fn(a, t, verdict)
	}
}

// combine: any outside → outside; all inside → violation; else uncertain.
func combine(t Tests) string {
	os := [...]Outcome{t.Hostile, t.Time, t.Place, t.Domain, t.Target, t.Perpetrator}
	v := Violation
	for _, o := range os {
		switch o {
		case TestOutside:
			return Outside
		case TestUncertain:
			v = Uncertain
		}
	}
	return v
}

// timeTest: [t0,t1) within [start,end) → inside; no overlap → outside;
// else uncertain. An instant (t0 = t1) is inside or outside.
func (a *agreement) timeTest(ev *Event) Outcome {
	if !ev.To.After(ev.From) {
		if !ev.From.Before(a.start) && (a.open || ev.From.Before(a.end)) {
			return TestInside
		}
		return TestOutside
	}
	if !ev.To.After(a.start) || (!a.open && !ev.From.Before(a.end)) {
		return TestOutside
	}
	if !ev.From.Before(a.start) && (a.open || !ev.To.After(a.end)) {
		return TestInside
	}
	return TestUncertain
}

// placeTest: no area → inside; unknown place → uncertain; else how the
// disk lies to the area.
func (a *agreement) placeTest(p *Place) Outcome {
	if a.area == nil {
		return TestInside
	}
	switch p.Kind {
	case PlacePoint:
		return relation(a.area.Disk(p.Lat, p.Lon, p.RadiusKm))
	case PlaceAdmin1:
		return a.admin1Test(p)
	}
	return TestUncertain
}

// admin1Test places a whole admin-1 unit. The unit is inside when the area
// lists it or its country. Against the other listed units and countries it
// is outside: political units do not overlap, although their boundary data
// (geoBoundaries for Ukraine, Natural Earth elsewhere) do at the edges by
// a few hundred metres, which must not make "somewhere in Chernihiv
// oblast" uncertain for an area of Belarus. Against a drawn GeoJSON area the
// disk covering the unit decides: inside or outside when it lies wholly in
// or out, uncertain otherwise.
func (a *agreement) admin1Test(p *Place) Outcome {
	country, _, _ := strings.Cut(p.Admin1, "-")
	if a.admin1[strings.ToUpper(p.Admin1)] || a.countries[strings.ToUpper(country)] {
		return TestInside
	}
	if a.shapes == nil {
		return TestOutside
	}
	shapes := a.shapes()
	if shapes == nil {
		return TestUncertain
	}
	switch shapes.Disk(p.Lat, p.Lon, p.RadiusKm) {
	case geo.Inside:
		return TestInside
	case geo.Outside:
		return TestOutside
	}
	return TestUncertain
}

func relation(r geo.Relation) Outcome {
	switch r {
	case geo.Inside:
		return TestInside
	case geo.Outside:
		return TestOutside
	}
	return TestUncertain
}

// domainTest: ⊆ → inside; disjoint → outside; else uncertain.
func domainTest(ev, ag uint8) Outcome {
	switch {
	case ev&^ag == 0:
		return TestInside
	case ev&ag == 0:
		return TestOutside
	}
	return TestUncertain
}

// targetTest: any → inside; one of the listed targets → inside; else
// outside.
func (a *agreement) targetTest(ev uint8) Outcome {
	if a.anyTarget || ev&a.targets != 0 {
		return TestInside
	}
	return TestOutside
}

// perpTest: none named → uncertain; all bound → inside; none bound →
// outside; else uncertain. An actor of no known party is not bound.
func (a *agreement) perpTest(ps []perp) Outcome {
	if len(ps) == 0 {
		return TestUncertain
	}
	n := 0
	for _, p := range ps {
		if a.bound(p) {
			n++
		}
	}
	switch n {
	case len(ps):
		return TestInside
	case 0:
		return TestOutside
	}
	return TestUncertain
}

// party is the code when every perpetrator maps to one and the same bound
// party, else "".
func (a *agreement) party(ps []perp) string {
	if len(ps) == 0 {
		return ""
	}
	c := ps[0].code
	for _, p := range ps {
		if p.code != c {
			return ""
		}
	}
	if c == "" || !a.bound(ps[0]) {
		return ""
	}
	return c
}

const (
	bitLand uint8 = 1 << iota
	bitAir
	bitSea
	bitEnergy
	bitCivilian
)

func domainMask(ds []string) uint8 {
	var m uint8
	for _, d := range ds {
		switch d {
		case truce.DomainLand:
			m |= bitLand
		case truce.DomainAir:
			m |= bitAir
		case truce.DomainSea:
			m |= bitSea
		}
	}
	return m
}

func targetMask(ts []string) uint8 {
	var m uint8
	for _, t := range ts {
		switch t {
		case truce.TargetEnergy:
			m |= bitEnergy
		case truce.TargetCivilian:
			m |= bitCivilian
		}
	}
	return m
}

// upperSet holds area codes in upper case: the gazetteer takes "ua" for
// "UA", so the code checks must too.
func upperSet(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[strings.ToUpper(strings.TrimSpace(x))] = true
	}
	return m
}
