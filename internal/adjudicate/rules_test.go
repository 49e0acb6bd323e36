package adjudicate

import (
	"testing"
)

func TestDomainTest(t *testing.T) {
	e := newEngine(t,
		agreementJSON("land", `"domains": ["land"]`),
		agreementJSON("air", `"domains": ["air"]`),
		agreementJSON("sea", `"domains": ["sea"]`),
		agreementJSON("land-air", `"domains": ["land", "air"]`),
	)
	shelling := "sub_event_type=Shelling/artillery/missile attack"
	tests := []struct {
		name string
		ev   Event
		want [4]Outcome // land, air, sea, land-air
	}{
		{"air strike", acled(t), [4]Outcome{TestOutside, TestInside, TestOutside, TestInside}},
		{"shelling without keywords", acled(t, shelling, "notes=an attack on the town"),
			[4]Outcome{TestUncertain, TestUncertain, TestOutside, TestInside}},
		{"shelling by artillery", acled(t, shelling, "notes=artillery fire"),
			[4]Outcome{TestInside, TestOutside, TestOutside, TestInside}},
		// "sea drone" counts as sea only, not air.
		{"sea drone", acled(t, shelling, "notes=A sea drone hit a ship in the port"),
			[4]Outcome{TestOutside, TestOutside, TestInside, TestOutside}},
		{"Shahed-136", acled(t, shelling, "notes=Shahed-136 drones struck the city"),
			[4]Outcome{TestOutside, TestInside, TestOutside, TestInside}},
		{"missile and boats", acled(t, shelling, "notes=missiles fired from boats"),
			[4]Outcome{TestOutside, TestUncertain, TestUncertain, TestUncertain}},
		{"armed clash", acled(t, "event_type=Battles", "sub_event_type=Armed clash", "notes=drones"),
			[4]Outcome{TestInside, TestOutside, TestOutside, TestInside}},
		{"ucdp", ucdp(t), [4]Outcome{TestUncertain, TestUncertain, TestOutside, TestInside}},
		{"ucdp at sea", ucdp(t, "where_prec=7"), [4]Outcome{TestOutside, TestUncertain, TestUncertain, TestUncertain}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, v := range judgeAll(e, tt.ev) {
				if v.Tests.Domain != tt.want[i] {
					t.Errorf("%s: domain %v, want %v (%s)", v.AgreementID, v.Tests.Domain, tt.want[i], v.Reason)
				}
			}
		})
	}
	v := judgeAll(e, acled(t, shelling, "notes=missiles fired from boats"))[3]
	if v.Reason != "domain: {air, sea} partly outside {land, air}" {
		t.Errorf("reason %q", v.Reason)
	}
	v = judgeAll(e, acled(t))[0]
	if v.Reason != "domain: {air} outside {land}" {
		t.Errorf("reason %q", v.Reason)
	}
}

func TestTargetTest(t *testing.T) {
	e := newEngine(t,
		agreementJSON("any", `"targets": ["any"]`),
		agreementJSON("energy", `"targets": ["energy"]`),
		agreementJSON("civilian", `"targets": ["civilian"]`),
		agreementJSON("both", `"targets": ["energy", "civilian"]`),
	)
	tests := []struct {
		name string
		ev   Event
		want [4]Outcome
	}{
		{"no target", acled(t, "notes=strike on a military base"), [4]Outcome{TestInside, TestOutside, TestOutside, TestOutside}},
		{"substations", acled(t, "notes=two substations damaged"), [4]Outcome{TestInside, TestInside, TestOutside, TestInside}},
		{"refineries", acled(t, "notes=Drones hit refineries"), [4]Outcome{TestInside, TestInside, TestOutside, TestInside}},
		{"power lines", acled(t, "notes=power lines cut"), [4]Outcome{TestInside, TestInside, TestOutside, TestInside}},
		{"Gaza is not gas", acled(t, "notes=a Gaza street"), [4]Outcome{TestInside, TestOutside, TestOutside, TestOutside}},
		{"civilian targeting", acled(t, "civilian_targeting=Civilian targeting"), [4]Outcome{TestInside, TestOutside, TestInside, TestInside}},
		{"violence against civilians", acled(t, "event_type=Violence against civilians", "sub_event_type=Attack"),
			[4]Outcome{TestInside, TestOutside, TestInside, TestInside}},
		{"ucdp one-sided", ucdp(t, "type_of_violence=3"), [4]Outcome{TestInside, TestOutside, TestInside, TestInside}},
		{"ucdp headline", ucdp(t, "source_headline=Shelling damages thermal power plant"), [4]Outcome{TestInside, TestInside, TestOutside, TestInside}},
		{"ucdp place", ucdp(t, "where_description=near the gas pipeline"), [4]Outcome{TestInside, TestInside, TestOutside, TestInside}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, v := range judgeAll(e, tt.ev) {
				if v.Tests.Target != tt.want[i] {
					t.Errorf("%s: target %v, want %v (%s)", v.AgreementID, v.Tests.Target, tt.want[i], v.Reason)
				}
			}
		})
	}
	v := judgeAll(e, acled(t, "notes=a Gaza street"))[3]
	if v.Verdict != Outside || v.Reason != "target: none of {energy, civilian}" {
		t.Errorf("%s %q", v.Verdict, v.Reason)
	}
	v = judgeAll(e, acled(t, "notes=substation"))[1]
	if v.Verdict != Violation || v.Reason != "time: 2025-04-20 (Europe/Kyiv) inside 2025-04-19 18:00–2025-04-21 00:00 Europe/Moscow; "+
		"place: anywhere (the agreement has no area); target: {energy}; perpetrator: Military Forces of Russia (2000-) → RU (bound)" {
		t.Errorf("%s %q", v.Verdict, v.Reason)
	}
}

// Perpetrators, verdicts and the party, including unilateral truces and
// battles (contract §3 test 6 and "party").
func TestPerpetratorAndParty(t *testing.T) {
	both := newEngine(t, agreementJSON("both", ""))
	ruOnly := newEngine(t, agreementJSON("ru-only", `"bound": ["RU"], "declared_by": ["RU"]`))
	battle := []string{"event_type=Battles", "sub_event_type=Armed clash"}
	tests := []struct {
		name          string
		e             *Engine
		ev            Event
		perp          Outcome
		verdict, prty string
		reason        string
	}{
		{"bound party strikes", both, acled(t), TestInside, Violation, "RU", ""},
		{"unilateral: the other side strikes", ruOnly, acled(t, "actor1=Military Forces of Ukraine (2019-)"), TestOutside, Outside, "",
			"perpetrator: Military Forces of Ukraine (2019-) → UA (not bound)"},
		{"unilateral: the bound side strikes", ruOnly, acled(t), TestInside, Violation, "RU", ""},
		{"battle between two bound parties", both,
			acled(t, append(battle, "actor2=Military Forces of Ukraine (2019-)")...), TestInside, Violation, "", ""},
		{"battle of a bound party and an unknown actor", both,
			acled(t, append(battle, "actor2=Unidentified Armed Group (Ukraine)")...), TestUncertain, Uncertain, "",
			"perpetrator: Military Forces of Russia (2000-) → RU (bound) and Unidentified Armed Group (Ukraine) (no party)"},
		{"unilateral battle: bound and not bound", ruOnly,
			acled(t, append(battle, "actor2=Military Forces of Ukraine (2019-)")...), TestUncertain, Uncertain, "", ""},
		{"battle of two units of one party", both,
			acled(t, append(battle, "actor1=Military Forces of Russia (2000-) Air Force", "actor2=Government of Russia")...), TestInside, Violation, "RU", ""},
		{"unknown actor only", both, acled(t, "actor1=Unidentified Armed Group (Ukraine)"), TestOutside, Outside, "",
			"perpetrator: Unidentified Armed Group (Ukraine) (no party)"},
		{"no perpetrator named", both, acled(t, "actor1= "), TestUncertain, Uncertain, "", "perpetrator: none named"},
		{"battle with one blank actor", both, acled(t, append(battle, "actor2=")...), TestInside, Violation, "RU", ""},
		{"violence against civilians: actor1 only", both,
			acled(t, "event_type=Violence against civilians", "sub_event_type=Attack", "actor2=Military Forces of Ukraine (2019-)"), TestInside, Violation, "RU", ""},
		{"ucdp state-based: both sides", ruOnly, ucdp(t), TestUncertain, Uncertain, "", ""},
		{"ucdp one-sided: side_a only", ruOnly, ucdp(t, "type_of_violence=3", "side_b=Civilians"), TestInside, Violation, "RU", ""},
		{"uncertain time keeps the party", both, acled(t, "event_date=2025-04-19"), TestInside, Uncertain, "RU", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judgeOne(t, tt.e, tt.ev)
			if v.Tests.Perpetrator != tt.perp || v.Verdict != tt.verdict || v.Party != tt.prty {
				t.Errorf("perpetrator %v verdict %s party %q, want %v %s %q (%s)", v.Tests.Perpetrator, v.Verdict, v.Party, tt.perp, tt.verdict, tt.prty, v.Reason)
			}
			if tt.reason != "" && v.Reason != tt.reason {
				t.Errorf("reason %q, want %q", v.Reason, tt.reason)
			}
		})
	}
}

// Events that are not hostile acts are outside every agreement; without
// --all they produce no row at all.
func TestNotHostile(t *testing.T) {
	e := newEngine(t, agreementJSON("a", ""), agreementJSON("b", `"targets": ["civilian"]`))
	tests := []struct {
		name, eventType, sub string
	}{
		{"peaceful protest", "Protests", "Peaceful protest"},
		{"protest with intervention", "Protests", "Protest with intervention"},
		{"agreement", "Strategic developments", "Agreement"},
		{"disrupted weapons use", "Strategic developments", "Disrupted weapons use"},
		{"mob violence", "Riots", "Mob violence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := acled(t, "event_type="+tt.eventType, "sub_event_type="+tt.sub)
			vs := judgeAll(e, ev)
			want := "hostile: " + tt.eventType + "/" + tt.sub + " is not a hostile act"
			if len(vs) != 2 || vs[0].Verdict != Outside || vs[0].Tests.Hostile != TestOutside || vs[0].Reason != want || vs[1].Party != "" {
				t.Errorf("verdicts %+v", vs)
			}
			n := 0
			e.Judge(&ev, false, func(int, Verdict) { n++ })
			if n != 0 {
				t.Errorf("%d rows without --all", n)
			}
		})
	}
	// Both the hostile test and a failing target are named.
	v := judgeAll(e, acled(t, "event_type=Protests", "sub_event_type=Peaceful protest"))[1]
	if v.Reason != "hostile: Protests/Peaceful protest is not a hostile act; target: none of {civilian}" {
		t.Errorf("reason %q", v.Reason)
	}
}

// combine: any outside → outside; all inside → violation; else uncertain.
func TestCombine(t *testing.T) {
	I, O, U := TestInside, TestOutside, TestUncertain
	tests := []struct {
		t    Tests
		want string
	}{
		{Tests{I, I, I, I, I, I}, Violation},
		{Tests{I, I, I, I, I, U}, Uncertain},
		{Tests{I, U, U, U, I, U}, Uncertain},
		{Tests{O, I, I, I, I, I}, Outside},
		{Tests{I, U, U, U, U, O}, Outside},
		{Tests{I, I, O, I, I, U}, Outside},
	}
	for _, tt := range tests {
		if got := combine(tt.t); got != tt.want {
			t.Errorf("combine(%+v) = %s, want %s", tt.t, got, tt.want)
		}
	}
}
