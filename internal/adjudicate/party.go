package adjudicate

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
)

// yearSuffix is one trailing parenthesised year or year range, as ACLED
// writes "Military Forces of Russia (2000-)" or "(2014-2019)"; spaces are
// allowed inside. "(Soviet Union)" is not a year suffix.
var yearSuffix = regexp.MustCompile(`\s*\(\s*\d{4}\s*(?:[-–]\s*(?:\d{4}\s*)?)?\)$`)

// PartyMatcher maps actor names from event data to party codes (contract
// §1 "Parties and actor names"). It is immutable and safe for concurrent
// use.
type PartyMatcher struct {
	codes map[string]string // lower-case code → code
	names []partyName       // names and aliases, lower case
}

type partyName struct {
	text  string
	runes int
	code  string
}

// NewPartyMatcher compiles the names, aliases and codes of parties.
func NewPartyMatcher(parties []truce.Party) *PartyMatcher {
	m := &PartyMatcher{codes: map[string]string{}}
	for _, p := range parties {
		m.codes[strings.ToLower(strings.TrimSpace(p.Code))] = p.Code
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
				m.names = append(m.names, partyName{text: n, runes: utf8.RuneCountInString(n), code: p.Code})
			}
		}
	}
	return m
}

// NormalizeActor trims an actor name and removes one trailing
// parenthesised year suffix with the spaces before it.
func NormalizeActor(actor string) string {
	s := strings.TrimSpace(actor)
	return strings.TrimSpace(yearSuffix.ReplaceAllString(s, ""))
}

// Match returns the code of the party an actor name maps to. The name,
// normalised, must equal a party's code, name or alias, or start with the
// name or an alias followed by a space; case does not matter. Of several
// matching parties the one with the longest matching name or alias wins; a
// tie, no match or a blank name is unknown (ok false).
func (m *PartyMatcher) Match(actor string) (code string, ok bool) {
	s := strings.ToLower(NormalizeActor(actor))
	if s == "" {
		return "", false
	}
	best, tie := -1, false
	consider := func(c string, n int) {
		switch {
		case n > best:
			best, code, tie = n, c, false
		case n == best && c != code:
			tie = true
		}
	}
	if c, found := m.codes[s]; found {
		consider(c, utf8.RuneCountInString(c))
	}
	for _, n := range m.names {
		if len(s) < len(n.text) {
			continue
		}
		if s == n.text || (strings.HasPrefix(s, n.text) && s[len(n.text)] == ' ') {
			consider(n.code, n.runes)
		}
	}
	if best < 0 || tie {
		return "", false
	}
	return code, true
}
