package events

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestKeywordDomains(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Russian forces launched a sea drone at the port", []string{"sea"}}, // "sea drone" takes "drone"
		{"Two naval drones were destroyed", []string{"sea"}},                 // phrase plural on the last word
		{"unmanned surface vessels approached", []string{"sea"}},             // three-word phrase, plural
		{"Attack by Shahed-136 drones on the city", []string{"air"}},         // Shahed-136 holds the word Shahed
		{"a sea drone and a drone", []string{"air", "sea"}},                  // the second drone still counts
		{"Shelling with artillery and MLRS", []string{"land"}},               // several land words
		{"GRAD rockets", []string{"land"}},                                   // any case
		{"Gradually the situation calmed", nil},                              // whole words only
		{"bombing of the market", nil},                                       // "bombing" is not "bomb"
		{"KABs dropped on the front", []string{"air"}},                       // plural with s
		{"an air strike and artillery", []string{"land", "air"}},             // order is land, air, sea
		{"boats and ships", []string{"sea"}},                                 // plurals
		{"the USVs of the navy", []string{"sea"}},                            // acronym plural
		{"missile; shelled; ship", []string{"land", "air", "sea"}},           // punctuation separates words
		{"", nil},                   // empty notes
		{"tanker on fire", nil},     // "tanker" is not "tank"
		{"tanks", []string{"land"}}, // plural
		{"Шахед attack", nil},       // no translation
		{"air defence shot down aircraft", []string{"air"}},                                  // aircraft
		{"naval drone strike near the ship", []string{"sea"}},                                // both sea
		{"mortars and howitzers", []string{"land"}},                                          // es/s plurals
		{"a ballistic missile", []string{"air"}},                                             // two air words
		{"airstrikes", []string{"air"}},                                                      // plural
		{"UAV-delivered bomb", []string{"air"}},                                              // hyphen splits words
		{"Drone", []string{"air"}},                                                           // capitalised
		{"seadrone", nil},                                                                    // one word, not the phrase
		{"sea  drone", []string{"sea"}},                                                      // any run of non-word characters
		{"drone sea", []string{"air"}},                                                       // phrase order matters; "sea" alone is not a keyword
		{"shelling of the boat by a drone from a sea drone", []string{"land", "air", "sea"}}, // the lone "drone" is air
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := KeywordDomains(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("KeywordDomains(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestHasEnergyKeyword(t *testing.T) {
	tests := []struct {
		texts []string
		want  bool
	}{
		{[]string{"Strike on Gaza"}, false},                 // gas is not Gaza
		{[]string{"gas pipeline hit"}, true},                // gas
		{[]string{"two substations damaged"}, true},         // plural s
		{[]string{"Refineries in the region burned"}, true}, // y → ies, any case
		{[]string{"damaged power lines"}, true},             // plural of the last word of a phrase
		{[]string{"the power went out"}, false},             // "power" alone is nothing
		{[]string{"Zaporizhzhia NPP"}, true},                // acronym
		{[]string{"Kyiv CHP-5"}, true},                      // CHP-5 holds the word CHP
		{[]string{"electricity cut"}, true},                 // electricity
		{[]string{"oil depots on fire"}, true},              // plural of a phrase
		{[]string{"pumping stations"}, true},                // plural of a phrase
		{[]string{"thermal power plant"}, true},             // overlapping phrases
		{[]string{"Gases released"}, true},                  // plural es
		{[]string{"power", "line"}, false},                  // a phrase never spans two texts
		{[]string{"", "hydroelectric dam"}, true},           // any of the texts
		{[]string{"Energodar"}, false},                      // whole words only
		{[]string{"energy infrastructure"}, true},           // energy
		{[]string{"HPPs"}, true},                            // plural acronym
		{[]string{"pipelines"}, true},                       // plural
		{[]string{"fuel depot", "oil terminal"}, true},      // phrases
		{[]string{"nuclear powered submarine"}, false},      // "powered" is not "power"
		{[]string{"a TPP"}, true},                           // TPP
		{[]string{"power station"}, true},                   // phrase
		{[]string{"refinery"}, true},                        // singular
		{[]string{"oil refinery"}, true},                    // phrase
		{[]string{"Nuclear Power"}, true},                   // case
		{[]string{"the power stations"}, true},              // plural
		{[]string{"energetic"}, false},                      // not a word of the list
		{[]string{"substationes"}, true},                    // w+"es" is a plural form too
		{[]string{"refinerys"}, true},                       // w+"s" for a word ending in y
		{[]string{"refinerie"}, false},                      // not a plural form
		{[]string{"pipe line"}, false},                      // two words, not "pipeline"
		{[]string{"line power"}, false},                     // reversed
		{[]string{"electricitys"}, true},                    // plural form, however odd
		{[]string{"Gas-fired plant"}, true},                 // hyphen
		{[]string{"GAZA"}, false},                           // still not gas
		{[]string{"natural gas"}, true},                     // gas
		{[]string{"substation's roof"}, true},               // apostrophe splits words
		{[]string{"power-line"}, true},                      // hyphen splits the phrase's words
		{[]string{"Power\nline"}, true},                     // newline inside a note
	}
	for _, tt := range tests {
		if got := HasEnergyKeyword(tt.texts...); got != tt.want {
			t.Errorf("HasEnergyKeyword(%q) = %v, want %v", tt.texts, got, tt.want)
		}
	}
}

func TestWordOrPlural(t *testing.T) {
	tests := []struct {
		tok, w string
		want   bool
	}{
		{"boat", "boat", true},
		{"boats", "boat", true},
		{"boates", "boat", true},
		{"boatss", "boat", false},
		{"refineries", "refinery", true},
		{"refinery", "refinery", true},
		{"refiner", "refinery", false},
		{"ies", "y", true},
		{"bo", "boat", false},
	}
	for _, tt := range tests {
		if got := wordOrPlural(tt.tok, tt.w); got != tt.want {
			t.Errorf("wordOrPlural(%q, %q) = %v, want %v", tt.tok, tt.w, got, tt.want)
		}
	}
}

// FuzzKeywordsPreTest: the cheap pre-test may let a text through that
// holds no keyword, but must never stop one that does.
func FuzzKeywordsPreTest(f *testing.F) {
	for _, s := range []string{"sea drones hit the port", "Shelling of a substation", "batteries", "ies", "energies",
		"power lines down", "Naval DRONE", "gas-pipeline", "Київ power plant", "x" + strings.Repeat("a", 40) + " tank"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []*Keywords{domainKeywords, energyKeywords} {
			if full := k.matchWords(s); full != 0 && !k.mayMatch(s) {
				t.Errorf("%q: pre-test says no, full match finds %b", s, full)
			}
		}
	})
}

// TestKeywordsMemo: a text matched again, from the memo, and texts matched
// once the memo is full, give what the full match gives.
func TestKeywordsMemo(t *testing.T) {
	k := NewKeywords(Category{"sea", []string{"sea drone", "boat"}}, Category{"air", []string{"drone"}})
	texts := []string{"a sea drone and a drone", "boats", "no keyword here", "Drone", "power boat"}
	for pass := range 3 {
		if pass == 2 {
			k.memos.Store(maxMemo) // full: nothing more is stored
		}
		for _, s := range texts {
			if got, want := k.match(s), k.matchWords(s); got != want {
				t.Errorf("pass %d, %q: %b, want %b", pass, s, got, want)
			}
		}
	}
	n := 0
	k.memo.Range(func(any, any) bool { n++; return true })
	if n != 4 { // "no keyword here" never reaches it
		t.Errorf("%d texts in the memo, want 4", n)
	}
}

// FuzzWords: the ASCII split gives the words the general one gives.
func FuzzWords(f *testing.F) {
	for _, s := range []string{"", "  ", "Sea drones hit the PORT, 2 killed.", "gas-pipeline;x", "a", "Z9", "tab\tand\nnewline",
		"Київ power plant", "café", "ÉNERGIE", "A_b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := words(s), wordsUnicode(s)
		if !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestWordsASCII: lower case, split at anything but letters and digits.
func TestWordsASCII(t *testing.T) {
	for s, want := range map[string][]string{
		"Sea drones hit the PORT, 2 killed.": {"sea", "drones", "hit", "the", "port", "2", "killed"},
		"gas-pipeline_x":                     {"gas", "pipeline", "x"},
		" \t ":                               nil,
		"Power":                              {"power"},
	} {
		if got := words(s); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestKeywordsMemoSkip: once the memo is full, windows of texts it never
// holds make it be passed over, and the matches stay those of the full
// match all along; after memoSkip calls it is looked up again.
func TestKeywordsMemoSkip(t *testing.T) {
	k := NewKeywords(Category{"sea", []string{"sea drone", "boat"}}, Category{"air", []string{"drone"}})
	k.memos.Store(maxMemo)
	check := func(s string) {
		t.Helper()
		if got, want := k.match(s), k.matchWords(s); got != want {
			t.Fatalf("%q: %b, want %b", s, got, want)
		}
	}
	for i := range memoWindow {
		check(fmt.Sprintf("drone %d hit a boat", i))
	}
	if got := k.skipUntil.Load(); got != memoWindow+memoSkip+1 {
		t.Fatalf("after a window without hits the memo is skipped until call %d, want %d", got, memoWindow+memoSkip+1)
	}
	for i := range memoSkip {
		check(fmt.Sprintf("sea drone number %d", i))
	}
	// A memo that hits is kept in use.
	k.memo.Store("a sea drone", uint64(1))
	for range 2 * memoWindow {
		check("a sea drone")
	}
	if got := k.skipUntil.Load(); got != memoWindow+memoSkip+1 {
		t.Errorf("memo skipped again until %d although every look-up hit", got)
	}
}

// TestSharedTextLists: one note split once for both lists of an ACLED row
// gives each list its own matches, as when each splits it alone: a phrase
// taken by one list ("sea drone") still leaves its words to the other.
func TestSharedTextLists(t *testing.T) {
	const energy = "energy"
	for _, tc := range []struct {
		notes            string
		domains, targets []string
	}{
		{"Russian forces shelled a power substation with artillery.", []string{"land"}, []string{energy}},
		{"A sea drone hit the gas pipeline.", []string{"sea"}, []string{energy}},
		{"Naval drones struck an oil depot; electricity cut.", []string{"sea"}, []string{energy}},
		{"Shelling near the settlement.", []string{"land"}, nil},
		{"Київ: a drone hit the power plant", []string{"air"}, []string{energy}},
		{"", []string{"land", "air"}, nil},
	} {
		shared := sharedText{s: tc.notes}
		domains := acledDomains(acledShelling, &shared)
		targets := acledTargets("Explosions/Remote violence", "", &shared)
		if !slices.Equal(domains, tc.domains) {
			t.Errorf("%q: domains %q, want %q", tc.notes, domains, tc.domains)
		}
		if !slices.Equal(targets, tc.targets) {
			t.Errorf("%q: targets %q, want %q", tc.notes, targets, tc.targets)
		}
		if want := ACLEDTargets("Explosions/Remote violence", "", tc.notes); !slices.Equal(targets, want) {
			t.Errorf("%q: targets %q, alone %q", tc.notes, targets, want)
		}
	}
}

// FuzzMatchFilter: the full match, with its filter before each map
// look-up, finds what looking every word up finds (refMatch, the match
// as it was before the filter), for both lists of contract §2.
func FuzzMatchFilter(f *testing.F) {
	for _, s := range []string{"", "A sea drone hit the gas pipelines.", "refineries and substations", "Shahed drones, KABs",
		"unmanned surface vessels near the oil terminal", "ies y ys", "Київ power plants", strings.Repeat("a", 70) + "s tanks"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []*Keywords{domainKeywords, energyKeywords} {
			if got, want := k.matchWords(s), refMatch(k, words(s)); got != want {
				t.Errorf("%q: %b, want %b", s, got, want)
			}
		}
	})
}

// refMatch is matchToks without filters.
func refMatch(k *Keywords, toks []string) uint64 {
	var removed []bool
	var found uint64
	for n := k.maxWords; n >= 2; n-- {
		for i := 0; i+n <= len(toks); i++ {
			if removed != nil && removed[i] {
				continue
			}
			for _, p := range k.multi[toks[i]] {
				if len(p.words) != n || !phraseAt(p.words, toks, removed, i) {
					continue
				}
				found |= 1 << p.cat
				if removed == nil {
					removed = make([]bool, len(toks))
				}
				for j := i; j < i+n; j++ {
					removed[j] = true
				}
				i += n - 1
				break
			}
		}
	}
	for i, tok := range toks {
		if removed != nil && removed[i] {
			continue
		}
		found |= k.single[tok]
		if t, ok := strings.CutSuffix(tok, "s"); ok && t != "" {
			found |= k.single[t]
			if t, ok := strings.CutSuffix(t, "e"); ok && t != "" {
				found |= k.single[t]
			}
			if t, ok := strings.CutSuffix(tok, "ies"); ok {
				found |= k.single[t+"y"]
			}
		}
	}
	return found
}
