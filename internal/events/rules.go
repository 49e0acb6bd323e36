package events

import (
	"strings"

	"github.com/truce-monitor/truce"
)

// The keyword lists of contract §2, verbatim.
var (
	domainKeywords = NewKeywords(
		Category{truce.DomainLand, []string{"artillery", "shelling", "shelled", "mortar", "MLRS", "Grad", "howitzer", "tank"}},
		Category{truce.DomainAir, []string{"missile", "ballistic", "drone", "UAV", "Shahed", "aircraft", "airstrike", "air strike", "bomb", "KAB"}},
		Category{truce.DomainSea, []string{"sea drone", "naval drone", "unmanned surface vessel", "USV", "ship", "boat", "naval"}},
	)
	energyKeywords = NewKeywords(
		Category{truce.TargetEnergy, []string{"energy", "power plant", "power station", "thermal power", "TPP", "CHP", "hydroelectric", "HPP",
			"nuclear power", "NPP", "substation", "power line", "electricity", "oil refinery", "refinery", "oil depot", "fuel depot", "gas",
			"pipeline", "pumping station", "oil terminal"}},
	)
)

// ACLED sub-event types by the domains of the hostile act they describe.
// Every other sub-event type is not a hostile act.
var (
	acledLandSubEvents = []string{"Armed clash", "Attack", "Government regains territory", "Non-state actor overtakes territory",
		"Remote explosive/landmine/IED", "Grenade", "Suicide bomb", "Abduction/forced disappearance", "Sexual violence"}
)

const (
	acledAirStrike = "Air/drone strike"
	acledShelling  = "Shelling/artillery/missile attack"

	acledBattles            = "Battles"
	acledExplosions         = "Explosions/Remote violence"
	acledViolenceCivilians  = "Violence against civilians"
	acledCivilianTargetingV = "Civilian targeting"
)

// same compares dataset codes: trimmed, case-insensitive, so that a
// spreadsheet's "battles " still reads as ACLED's "Battles".
func same(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), b) }

// KeywordDomains returns the domains (land, air, sea, in that order) whose
// keywords appear in text.
func KeywordDomains(text string) []string { return keywordDomains(&sharedText{s: text}) }

func keywordDomains(t *sharedText) []string { return domainKeywords.names(domainKeywords.matchText(t)) }

// HasEnergyKeyword reports whether an energy-target keyword appears in any
// of the texts.
// It stops at the first text that has one and allocates nothing.
func HasEnergyKeyword(texts ...string) bool {
	for _, t := range texts {
		if energyKeywords.match(t) != 0 {
			return true
		}
	}
	return false
}

// ACLEDHostile reports whether an ACLED sub-event type is a hostile act.
func ACLEDHostile(subEventType string) bool {
	return ACLEDDomains(subEventType, "") != nil
}

// ACLEDDomains returns the domains of an ACLED event from its sub-event
// type and notes; nil means the event is not a hostile act.
func ACLEDDomains(subEventType, notes string) []string {
	return acledDomains(subEventType, &sharedText{s: notes})
}

// acledDomains is ACLEDDomains with notes shared with acledTargets.
func acledDomains(subEventType string, notes *sharedText) []string {
	switch {
	case same(subEventType, acledAirStrike):
		return []string{truce.DomainAir}
	case same(subEventType, acledShelling):
		if d := keywordDomains(notes); len(d) > 0 {
			return d
		}
		return []string{truce.DomainLand, truce.DomainAir}
	}
	for _, s := range acledLandSubEvents {
		if same(subEventType, s) {
			return []string{truce.DomainLand}
		}
	}
	return nil
}

// ACLEDTargets returns the agreement targets (energy, civilian) an ACLED
// event hit.
func ACLEDTargets(eventType, civilianTargeting, notes string) []string {
	return acledTargets(eventType, civilianTargeting, &sharedText{s: notes})
}

// acledTargets is ACLEDTargets with notes shared with acledDomains.
func acledTargets(eventType, civilianTargeting string, notes *sharedText) []string {
	var t []string
	if energyKeywords.matchText(notes) != 0 {
		t = append(t, truce.TargetEnergy)
	}
	if same(civilianTargeting, acledCivilianTargetingV) || same(eventType, acledViolenceCivilians) {
		t = append(t, truce.TargetCivilian)
	}
	return t
}

// ACLEDPerpetrators returns the actors of an ACLED event who may have
// committed it: actor1 for explosions and violence against civilians, both
// actors of a battle (who fired first is unknown), nobody otherwise.
func ACLEDPerpetrators(eventType, actor1, actor2 string) []string {
	switch {
	case same(eventType, acledExplosions), same(eventType, acledViolenceCivilians):
		return nonBlank(actor1)
	case same(eventType, acledBattles):
		return nonBlank(actor1, actor2)
	}
	return nil
}

// UCDPDomains returns the domains of a UCDP GED event: {air, sea} when
// where_prec is 7 (water or airspace), else {land, air}.
func UCDPDomains(wherePrec int) []string {
	if wherePrec == 7 {
		return []string{truce.DomainAir, truce.DomainSea}
	}
	return []string{truce.DomainLand, truce.DomainAir}
}

// UCDPTargets returns the agreement targets of a UCDP GED event: energy by
// keywords in the headline or place description, civilian for one-sided
// violence (type_of_violence 3).
func UCDPTargets(typeOfViolence, headline, whereDescription string) []string {
	var t []string
	if HasEnergyKeyword(headline, whereDescription) {
		t = append(t, truce.TargetEnergy)
	}
	if strings.TrimSpace(typeOfViolence) == "3" {
		t = append(t, truce.TargetCivilian)
	}
	return t
}

// UCDPPerpetrators returns side_a for one-sided violence (type 3), else
// both sides.
func UCDPPerpetrators(typeOfViolence, sideA, sideB string) []string {
	if strings.TrimSpace(typeOfViolence) == "3" {
		return nonBlank(sideA)
	}
	return nonBlank(sideA, sideB)
}

// nonBlank returns the trimmed non-blank names, in one allocation, or nil
// for none.
func nonBlank(names ...string) []string {
	n := 0
	for _, name := range names {
		if strings.TrimSpace(name) != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for _, name := range names {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}
