package events

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Keywords is a compiled keyword list (contract §2 "Keywords"): phrases
// grouped in categories, matched case-insensitively against whole words
// (runs of letters and digits), each also matching its plural, phrases of
// more words first with their words removed, so that "sea drone" leaves no
// "drone" behind. It is immutable and safe for concurrent use.
type Keywords struct {
	cats []string // category names in declaration order
	// multi holds the phrases of two or more words by their first word,
	// longest first; single maps one-word keywords to their categories.
	multi    map[string][]phrase
	maxWords int
	single   map[string]uint64
}

type phrase struct {
	words []string // lower case
	cat   int
}

// Category is one category of a keyword list and its phrases.
type Category struct {
	Name    string
	Phrases []string
}

// NewKeywords compiles keyword lists. Phrases are split into words the
// same way as the texts they are matched against.
func NewKeywords(cats ...Category) *Keywords {
	k := &Keywords{multi: map[string][]phrase{}, single: map[string]uint64{}}
	for ci, c := range cats {
		k.cats = append(k.cats, c.Name)
		for _, p := range c.Phrases {
			switch w := words(p); len(w) {
			case 0:
			case 1:
				k.single[w[0]] |= 1 << ci
			default:
				k.multi[w[0]] = append(k.multi[w[0]], phrase{words: w, cat: ci})
				k.maxWords = max(k.maxWords, len(w))
			}
		}
	}
	for _, ps := range k.multi {
		slices.SortStableFunc(ps, func(a, b phrase) int { return cmp.Compare(len(b.words), len(a.words)) })
	}
	return k
}

// Match returns the categories whose keywords appear in any of the texts,
// in declaration order. Each text is matched on its own, so a phrase never
// spans two texts.
func (k *Keywords) Match(texts ...string) []string {
	var found uint64
	for _, t := range texts {
		found |= k.match(t)
	}
	var out []string
	for i, c := range k.cats {
		if found&(1<<i) != 0 {
			out = append(out, c)
		}
	}
	return out
}

// Contains reports whether a keyword of category cat appears in a text.
func (k *Keywords) Contains(cat string, texts ...string) bool {
	return slices.Contains(k.Match(texts...), cat)
}

// match finds the phrases of n words for n from the longest down to two,
// left to right, removing the words of each match; then the single words
// that are left. Within one length, phrases of the lists never overlap
// across categories, so the order among them does not change the result.
func (k *Keywords) match(text string) uint64 {
	toks := words(text)
	if len(toks) == 0 {
		return 0
	}
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
		// The singular forms tok may be the plural of.
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

func phraseAt(pw, toks []string, removed []bool, i int) bool {
	last := len(pw) - 1
	for j, w := range pw {
		if removed != nil && removed[i+j] {
			return false
		}
		if j == last {
			if !wordOrPlural(toks[i+j], w) {
				return false
			}
		} else if toks[i+j] != w {
			return false
		}
	}
	return true
}

// wordOrPlural reports whether tok is w or its plural: w+"s", w+"es", or a
// final "y" changed to "ies".
func wordOrPlural(tok, w string) bool {
	if strings.HasPrefix(tok, w) {
		rest := tok[len(w):]
		return rest == "" || rest == "s" || rest == "es"
	}
	stem, ok := strings.CutSuffix(w, "y")
	return ok && len(tok) == len(stem)+3 && strings.HasPrefix(tok, stem) && strings.HasSuffix(tok, "ies")
}

// words splits s into lower-case runs of letters and digits.
func words(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range f {
		f[i] = strings.ToLower(w)
	}
	return f
}
