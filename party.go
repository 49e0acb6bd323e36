package truce

import (
	"regexp"
	"strings"
)

// Party is a side to a ceasefire, or a state that proposes, guarantees or
// monitors one. Aliases are the names conflict datasets use for its forces
// ("Military Forces of Russia (2000-)" maps through "Military Forces of Russia").
type Party struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
}

var partyCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

// Validate reports the first problem with p as an EINVALID error.
func (p Party) Validate() error {
	switch {
	case strings.TrimSpace(p.Code) == "":
		return Invalid("code", "required")
	case !partyCode.MatchString(p.Code):
		return Invalid("code", "%q is not a party code (letters, digits, _ . -, up to 32)", p.Code)
	case strings.TrimSpace(p.Name) == "":
		return Invalid("name", "required")
	case len(p.Name) > 200:
		return Invalid("name", "longer than 200 characters")
	}
	for i, a := range p.Aliases {
		if strings.TrimSpace(a) == "" {
			return Invalid(indexed("aliases", i), "empty alias")
		}
	}
	return nil
}
