package events

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Keywords is a compiled keyword list (contract §2 "Keywords"): phrases
// grouped in categories, matched case-insensitively against whole words
// (runs of letters and digits), each also matching its plural, longer
// phrases first with their words removed. It is immutable and safe for
// concurrent use.
type Keywords struct {
	cats    []string // category names in declaration order
	phrases []phrase // by word count, longest first; stable within a count
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
	k := &Keywords{}
	for ci, c := range cats {
		k.cats = append(k.cats, c.Name)
		for _, p := range c.Phrases {
			if w := words(p); len(w) > 0 {
				k.phrases = append(k.phrases, phrase{words: w, cat: ci})
			}
		}
	}
	// "Phrases with more words are matched first": "sea drone" must take
	// its words before "drone" can see them.
	slices.SortStableFunc(k.phrases, func(a, b phrase) int { return cmp.Compare(len(b.words), len(a.words)) })
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

func (k *Keywords) match(text string) uint64 {
	toks := words(text)
	if len(toks) == 0 {
		return 0
	}
	removed := make([]bool, len(toks))
	var found uint64
	for _, p := range k.phrases {
		n := len(p.words)
		for i := 0; i+n <= len(toks); i++ {
			if !phraseAt(p.words, toks, removed, i) {
				continue
			}
			found |= 1 << p.cat
			for j := i; j < i+n; j++ {
				removed[j] = true
			}
			i += n - 1
		}
	}
	return found
}

func phraseAt(pw, toks []string, removed []bool, i int) bool {
	last := len(pw) - 1
	for j, w := range pw {
		if removed[i+j] {
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
	if tok == w {
		return true
	}
	if !strings.HasPrefix(tok, w) {
		return strings.HasSuffix(w, "y") && tok == w[:len(w)-1]+"ies"
	}
	rest := tok[len(w):]
	return rest == "s" || rest == "es"
}

// words splits s into lower-case runs of letters and digits.
func words(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range f {
		f[i] = strings.ToLower(w)
	}
	return f
}
