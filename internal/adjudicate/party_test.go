package adjudicate

import (
	"testing"

	"github.com/truce-monitor/truce"
)

func TestPartyMatcher(t *testing.T) {
	m := NewPartyMatcher([]truce.Party{
		{Code: "RU", Name: "Russian Federation", Aliases: []string{"Military Forces of Russia", "Government of Russia"}},
		{Code: "UA", Name: "Ukraine", Aliases: []string{"Military Forces of Ukraine", "Government of Ukraine"}},
		{Code: "USSR", Name: "Soviet remnant", Aliases: []string{"Government of Russia (Soviet Union)"}},
		{Code: "WAG", Name: "Wagner Group", Aliases: []string{"Military Forces of Russia (2000-) Wagner"}},
		{Code: "A", Name: "Police Forces"},
		{Code: "B", Name: "Other", Aliases: []string{"Police Forces"}},
		{Code: "DPR", Name: "Armed formations of certain areas of Donetsk oblast (DPR)"},
		{Code: "Alpha", Name: "Alpha Brigade", Aliases: []string{"dpr"}},
	})
	tests := []struct {
		actor, want string
	}{
		{"Military Forces of Russia", "RU"},
		{"Military Forces of Russia (2000-)", "RU"},           // year suffix removed
		{"Military Forces of Russia (2000- )", "RU"},          // spaces inside
		{"Military Forces of Russia ( 2014 - 2019 )", "RU"},   // range with spaces
		{"Military Forces of Russia(2000-)", "RU"},            // no space before
		{"  Military Forces of Russia (2000-)  ", "RU"},       // trimmed
		{"Military Forces of Russia (2019)", "RU"},            // a single year
		{"MILITARY FORCES OF UKRAINE (2019-)", "UA"},          // any case
		{"military forces of ukraine (2014-2019)", "UA"},      //
		{"Military Forces of Russia (2000-) Air Force", "RU"}, // prefix followed by a space
		{"Military Forces of Russia (2000-) Wagner", "WAG"},   // longest matching alias wins
		{"Military Forces of Russia (2000-) Wagner (2022-)", "WAG"},
		{"Government of Russia (Soviet Union)", "USSR"},         // "(Soviet Union)" stays: 35 characters beat 20
		{"Government of Russia (Soviet Union) (1991-)", "USSR"}, // only the year suffix goes
		{"Government of Russia", "RU"},
		{"Government of Russia (2000-) (2014-2019)", "RU"}, // one suffix removed; the rest is a prefix match
		{"Government of Russians", ""},                     // a prefix must be followed by a space
		{"Military Forces of Russia-", ""},
		{"Military Forces", ""},                  // shorter than any name
		{"Police Forces", ""},                    // equally long matches of two parties: unknown
		{"Police Forces of Ukraine (2019-)", ""}, // the tie holds for a prefix match too
		{"ru", "RU"},                             // code, any case
		{"RU forces", ""},                        // codes match only whole
		{"Russian Federation", "RU"},             // name
		{"Russian Federation Navy", "RU"},        // name as prefix
		{"DPR", ""},                              // code of DPR and alias of Alpha, both three letters: a tie
		{"Ukraine (Soviet Union)", "UA"},         // name followed by a space
		{"", ""},
		{"   ", ""},
		{"(2000-)", ""},
		{"Unidentified Armed Group (Ukraine)", ""},
	}
	for _, tt := range tests {
		got, ok := m.Match(tt.actor)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Match(%q) = %q, %v; want %q", tt.actor, got, ok, tt.want)
		}
	}
}

func TestNormalizeActor(t *testing.T) {
	tests := map[string]string{
		"Military Forces of Russia (2000-)":  "Military Forces of Russia",
		"X (2014-2019)":                      "X",
		"X ( 2014 - 2019 )":                  "X",
		"X (2014–2019)":                      "X", // en dash
		"X (Soviet Union)":                   "X (Soviet Union)",
		"X (2000-) (2014-2019)":              "X (2000-)",
		"X (200-)":                           "X (200-)",
		"X (2000-) Y":                        "X (2000-) Y",
		" X ":                                "X",
		"Civilians (Ukraine)":                "Civilians (Ukraine)",
		"Protesters (International) (2022-)": "Protesters (International)",
	}
	for in, want := range tests {
		if got := NormalizeActor(in); got != want {
			t.Errorf("NormalizeActor(%q) = %q, want %q", in, got, want)
		}
	}
}
