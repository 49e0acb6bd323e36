package adjudicate

import (
	"strings"
	"unicode/utf8"

	"github.com/truce-monitor/truce"
)

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
// parenthesised year suffix with the spaces before it: a year or a year
// range as ACLED writes "Military Forces of Russia (2000-)" or
// "(2014-2019)", spaces allowed inside. "(Soviet Union)" is not a year
// suffix and stays.
func NormalizeActor(actor string) string {
	s := strings.TrimSpace(actor)
	open := strings.LastIndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") || !isYears(s[open+1:len(s)-1]) {
		return s
	}
	return strings.TrimSpace(s[:open])
}

// isYears reports whether s is "YYYY", "YYYY-" or "YYYY-YYYY" with spaces
// allowed around the parts; the dash may be an en dash.
func isYears(s string) bool {
	year := func(s string) (string, bool) {
		s = strings.TrimLeft(s, " \t")
		if len(s) < 4 {
			return s, false
		}
		for _, c := range []byte(s[:4]) {
			if c < '0' || c > '9' {
				return s, false
			}
		}
		return strings.TrimLeft(s[4:], " \t"), true
	}
	rest, ok := year(s)
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	if r, ok := strings.CutPrefix(rest, "-"); ok {
		rest = r
	} else if r, ok := strings.CutPrefix(rest, "–"); ok {
		rest = r
	} else {
		return false
	}
	if strings.TrimSpace(rest) == "" {
		return true
	}
	rest, ok = year(rest)
	return ok && rest == ""
}

// Match returns the code of the party an actor name maps to. The name,
// normalised, must equal a party's code, name or alias, or start with the
// name or an alias followed by a space; case does not matter. Of several
// matching parties the one with the longest matching name or alias wins (a
// code counts with its own length); a tie, no match or a blank name is
// unknown (ok false).
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
