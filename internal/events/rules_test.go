package events

import (
	"slices"
	"testing"
)

func TestACLEDDomains(t *testing.T) {
	land, air, sea := "land", "air", "sea"
	tests := []struct {
		sub, notes string
		want       []string // nil: not a hostile act
	}{
		{"Air/drone strike", "artillery fire", []string{air}}, // the sub-event type decides, not the notes
		{"Shelling/artillery/missile attack", "", []string{land, air}},
		{"Shelling/artillery/missile attack", "Russian forces shelled the village", []string{land}},
		{"Shelling/artillery/missile attack", "a sea drone hit the port", []string{sea}},
		{"Shelling/artillery/missile attack", "Shahed-136 drones and a ship", []string{air, sea}},
		{"Shelling/artillery/missile attack", "an attack on the village", []string{land, air}}, // no keyword
		{"Armed clash", "drone", []string{land}},
		{"Attack", "", []string{land}},
		{"Government regains territory", "", []string{land}},
		{"Non-state actor overtakes territory", "", []string{land}},
		{"Remote explosive/landmine/IED", "", []string{land}},
		{"Grenade", "", []string{land}},
		{"Suicide bomb", "", []string{land}},
		{"Abduction/forced disappearance", "", []string{land}},
		{"Sexual violence", "", []string{land}},
		{"armed clash ", "", []string{land}}, // spreadsheet case and spacing
		{"Peaceful protest", "", nil},
		{"Protest with intervention", "", nil},
		{"Violent demonstration", "", nil},
		{"Mob violence", "", nil},
		{"Agreement", "ceasefire agreed", nil},
		{"Disrupted weapons use", "drone shot down", nil},
		{"Headquarters or base established", "", nil},
		{"Looting/property destruction", "", nil},
		{"", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.sub+"|"+tt.notes, func(t *testing.T) {
			got := ACLEDDomains(tt.sub, tt.notes)
			if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("ACLEDDomains(%q, %q) = %#v, want %#v", tt.sub, tt.notes, got, tt.want)
			}
			if h := ACLEDHostile(tt.sub); h != (tt.want != nil) {
				t.Errorf("ACLEDHostile(%q) = %v", tt.sub, h)
			}
		})
	}
}

func TestACLEDTargets(t *testing.T) {
	tests := []struct {
		eventType, civ, notes string
		want                  []string
	}{
		{"Explosions/Remote violence", "", "strike on a substation", []string{"energy"}},
		{"Explosions/Remote violence", "Civilian targeting", "", []string{"civilian"}},
		{"Violence against civilians", "", "", []string{"civilian"}},
		{"Explosions/Remote violence", "civilian targeting", "power lines down", []string{"energy", "civilian"}},
		{"Battles", "", "near Gaza", nil},
		{"Explosions/Remote violence", "No", "", nil},
	}
	for _, tt := range tests {
		if got := ACLEDTargets(tt.eventType, tt.civ, tt.notes); !slices.Equal(got, tt.want) {
			t.Errorf("ACLEDTargets(%q, %q, %q) = %v, want %v", tt.eventType, tt.civ, tt.notes, got, tt.want)
		}
	}
}

func TestACLEDPerpetrators(t *testing.T) {
	tests := []struct {
		eventType, a1, a2 string
		want              []string
	}{
		{"Explosions/Remote violence", "Military Forces of Russia (2000-)", "Civilians (Ukraine)", []string{"Military Forces of Russia (2000-)"}},
		{"Violence against civilians", "Police Forces of Ukraine (2019-)", "Civilians (Ukraine)", []string{"Police Forces of Ukraine (2019-)"}},
		{"Battles", "Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)", []string{"Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)"}},
		{"Battles", "  ", "Military Forces of Ukraine (2019-)", []string{"Military Forces of Ukraine (2019-)"}}, // blank ignored
		{"Battles", "", "", nil},
		{"Protests", "Protesters (Ukraine)", "", nil},
		{"Strategic developments", "Military Forces of Russia (2000-)", "", nil},
		{"Riots", "Rioters (Ukraine)", "", nil},
	}
	for _, tt := range tests {
		if got := ACLEDPerpetrators(tt.eventType, tt.a1, tt.a2); !slices.Equal(got, tt.want) {
			t.Errorf("ACLEDPerpetrators(%q, %q, %q) = %q, want %q", tt.eventType, tt.a1, tt.a2, got, tt.want)
		}
	}
}

func TestUCDPRules(t *testing.T) {
	if got := UCDPDomains(1); !slices.Equal(got, []string{"land", "air"}) {
		t.Errorf("UCDPDomains(1) = %v", got)
	}
	if got := UCDPDomains(6); !slices.Equal(got, []string{"land", "air"}) {
		t.Errorf("UCDPDomains(6) = %v", got)
	}
	if got := UCDPDomains(7); !slices.Equal(got, []string{"air", "sea"}) {
		t.Errorf("UCDPDomains(7) = %v", got)
	}
	targets := []struct {
		tov, headline, where string
		want                 []string
	}{
		{"1", "Shelling hits thermal power plant", "", []string{"energy"}},
		{"1", "Clashes near Avdiivka", "near the gas pipeline", []string{"energy"}},
		{"3", "Civilians killed", "", []string{"civilian"}},
		{" 3 ", "Strike on refinery", "", []string{"energy", "civilian"}},
		{"2", "Gaza", "", nil},
		{"1", "thermal", "power", nil}, // a phrase never spans the two columns
	}
	for _, tt := range targets {
		if got := UCDPTargets(tt.tov, tt.headline, tt.where); !slices.Equal(got, tt.want) {
			t.Errorf("UCDPTargets(%q, %q, %q) = %v, want %v", tt.tov, tt.headline, tt.where, got, tt.want)
		}
	}
	perps := []struct {
		tov, a, b string
		want      []string
	}{
		{"1", "Government of Ukraine", "DPR", []string{"Government of Ukraine", "DPR"}},
		{"2", "DPR", "LPR", []string{"DPR", "LPR"}},
		{"3", "Government of Russia (Soviet Union)", "Civilians", []string{"Government of Russia (Soviet Union)"}},
		{"1", "Government of Ukraine", " ", []string{"Government of Ukraine"}},
	}
	for _, tt := range perps {
		if got := UCDPPerpetrators(tt.tov, tt.a, tt.b); !slices.Equal(got, tt.want) {
			t.Errorf("UCDPPerpetrators(%q, %q, %q) = %q, want %q", tt.tov, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCountryZone(t *testing.T) {
	tests := map[string]string{
		"Ukraine":               "Europe/Kyiv",
		"ukraine":               "Europe/Kyiv",
		" Ukraine ":             "Europe/Kyiv",
		"Russia":                "Europe/Moscow",
		"Russia (Soviet Union)": "Europe/Moscow",
		"RUSSIA(Soviet Union)":  "Europe/Moscow",
		"Belarus":               "Europe/Minsk",
		"Belarus (Byelorussia)": "Europe/Minsk",
		"Moldova":               "UTC",
		"":                      "UTC",
		"Russian Federation":    "UTC", // the contract names "Russia" only
		"Ukraine (Crimea)":      "Europe/Kyiv",
	}
	for in, want := range tests {
		if got := CountryZone(in); got != want {
			t.Errorf("CountryZone(%q) = %q, want %q", in, got, want)
		}
	}
}
