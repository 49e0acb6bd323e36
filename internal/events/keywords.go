package events

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Keywords is a compiled keyword list (contract §2 "Keywords"): phrases
// grouped in categories, matched case-insensitively against whole words
// (runs of letters and digits), each also matching its plural, phrases of
// more words first with their words removed, so that "sea drone" leaves no
// "drone" behind. It is safe for concurrent use.
type Keywords struct {
	cats []string // category names in declaration order
	// multi holds the phrases of two or more words by their first word,
	// longest first; single maps one-word keywords to their categories.
	multi    map[string][]phrase
	maxWords int
	single   map[string]uint64
	// firstLens has, by the first byte of a keyword or phrase's first
	// word, bit n set for each such word of n bytes (n < 64): the
	// pre-test's filter.
	firstLens [256]uint64
	// singleLens and multiLens are the same for the one-word keywords and
	// the phrases' first words alone: the full match's filter before each
	// map look-up (most words of a text are no keyword).
	singleLens, multiLens [256]uint64
	// memo holds the full match of texts the pre-test let through, up to
	// maxMemo of them: datasets repeat their headlines and place
	// descriptions (UCDP has an event for each of an article's
	// incidents), and the full match costs ten times the pre-test.
	memo  sync.Map // string → uint64
	memos atomic.Int64
	// Once the memo is full it is looked up only while it pays: every
	// memoWindow look-ups, fewer than one hit in memoMinHits sends the
	// next memoSkip texts straight to the full match. A generated ACLED
	// file repeats almost no note, and hashing each one for the look-up
	// was an eighth of the keyword match. Results are the same either way.
	calls, hits atomic.Int64
	skipUntil   atomic.Int64 // the call from which the memo is used again
}

const (
	maxMemo     = 1 << 14
	memoWindow  = 1 << 10
	memoMinHits = 8
	memoSkip    = 64 * memoWindow
)

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
	for w := range k.multi {
		addLen(&k.firstLens, w)
		addLen(&k.multiLens, w)
	}
	for w := range k.single {
		addLen(&k.firstLens, w)
		addLen(&k.singleLens, w)
	}
	for _, ps := range k.multi {
		slices.SortStableFunc(ps, func(a, b phrase) int { return cmp.Compare(len(b.words), len(a.words)) })
	}
	return k
}

// addLen sets w's bit in a table of first bytes and lengths (see
// firstLens).
func addLen(lens *[256]uint64, w string) {
	if len(w) < 64 {
		lens[w[0]] |= 1 << len(w)
	}
}

// mayHave reports whether a word may be among those whose lengths lens
// has: false only if it is certainly not.
func mayHave(lens *[256]uint64, w string) bool {
	return len(w) >= 64 || len(w) > 0 && lens[w[0]]&(1<<len(w)) != 0
}

// singleCats is k.single[w], looked up only past the filter.
func (k *Keywords) singleCats(w string) uint64 {
	if !mayHave(&k.singleLens, w) {
		return 0
	}
	return k.single[w]
}

// Match returns the categories whose keywords appear in any of the texts,
// in declaration order. Each text is matched on its own, so a phrase never
// spans two texts.
func (k *Keywords) Match(texts ...string) []string {
	var found uint64
	for _, t := range texts {
		found |= k.match(t)
	}
	return k.names(found)
}

// names returns the categories of the bits of found, in declaration order.
func (k *Keywords) names(found uint64) []string {
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
	return k.matchText(&sharedText{s: text})
}

// sharedText is a text matched against several keyword lists, split into
// words once, by the first list whose pre-test lets it through: an ACLED
// note goes to both the domain and the energy lists. Each list still
// matches the words on its own.
type sharedText struct {
	s     string
	toks  []string
	split bool
}

func (t *sharedText) words() []string {
	if !t.split {
		t.toks, t.split = words(t.s), true
	}
	return t.toks
}

// matchText is match for a text that may be split already.
func (k *Keywords) matchText(t *sharedText) uint64 {
	if !k.mayMatch(t.s) {
		return 0
	}
	memo := true
	var n int64
	if k.memos.Load() >= maxMemo { // full: look up only while it pays
		n = k.calls.Add(1)
		memo = n >= k.skipUntil.Load()
	}
	if memo {
		if m, ok := k.memo.Load(t.s); ok {
			if n > 0 {
				k.hits.Add(1)
				k.judgeMemo(n)
			}
			return m.(uint64)
		}
	}
	found := k.matchToks(t.words())
	if memo && n == 0 && k.memos.Add(1) <= maxMemo {
		k.memo.Store(strings.Clone(t.s), found) // not a piece of a bigger string
	}
	if memo && n > 0 {
		k.judgeMemo(n)
	}
	return found
}

// judgeMemo ends a window of memo look-ups at call n: with too few hits
// in it, the memo is passed over for the next memoSkip calls.
func (k *Keywords) judgeMemo(n int64) {
	if n%memoWindow != 0 {
		return
	}
	if k.hits.Swap(0)*memoMinHits < memoWindow {
		k.skipUntil.Store(n + memoSkip + 1) // then a whole window again
	}
}

// matchWords is match without the cheap pre-test.
func (k *Keywords) matchWords(text string) uint64 {
	return k.matchToks(words(text))
}

// matchToks is matchWords on a text split into words.
func (k *Keywords) matchToks(toks []string) uint64 {
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
			if !mayHave(&k.multiLens, toks[i]) {
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
		found |= k.singleCats(tok)
		// The singular forms tok may be the plural of.
		if t, ok := strings.CutSuffix(tok, "s"); ok && t != "" {
			found |= k.singleCats(t)
			if t, ok := strings.CutSuffix(t, "e"); ok && t != "" {
				found |= k.singleCats(t)
			}
			if t, ok := strings.CutSuffix(tok, "ies"); ok {
				// t+"y" starts as t does, or is "y".
				first := byte('y')
				if t != "" {
					first = t[0]
				}
				if n := len(t) + 1; n >= 64 || k.singleLens[first]&(1<<n) != 0 {
					found |= k.single[t+"y"]
				}
			}
		}
	}
	return found
}

// mayMatch reports whether some word of text is a keyword, the plural of
// one, or the first word of a phrase: a cheap test, without allocation
// for ASCII words, that lets most texts (which hold no keyword) skip the
// full match. Words with other letters are left to the full match. A word
// whose first letter and length (or the lengths of the singulars it may be
// the plural of) fit no keyword is passed over without a map lookup: most
// words of a headline are.
func (k *Keywords) mayMatch(text string) bool {
	var buf [32]byte
	for i := 0; i < len(text); {
		if c := text[i]; c >= utf8.RuneSelf || !asciiWord[c] {
			n, ok := wordRune(text, i)
			if ok { // a word with a letter beyond ASCII
				return true
			}
			i += n
			continue
		}
		j := i + 1
		for j < len(text) && text[j] < utf8.RuneSelf && asciiWord[text[j]] {
			j++
		}
		if j < len(text) && text[j] >= utf8.RuneSelf {
			if _, ok := wordRune(text, j); ok { // the word goes on beyond ASCII
				return true
			}
		}
		w := text[i:j]
		i = j
		n := len(w)
		if n > len(buf) {
			return true
		}
		lens := uint64(1) << n
		plural := w[n-1]|0x20 == 's' && n > 1
		if plural {
			lens |= 1<<(n-1) | 1<<(n-2) // w minus "s"; minus "es", or "ies" for "y"
		}
		// "ies" may be the plural of "y", which starts with another letter.
		if k.firstLens[w[0]|0x20]&lens == 0 && (!plural || n != 3) {
			continue
		}
		b := buf[:n]
		for x := range n {
			c := w[x]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[x] = c
		}
		if k.single[string(b)] != 0 || k.multi[string(b)] != nil {
			return true
		}
		if n > 1 && b[n-1] == 's' {
			if k.single[string(b[:n-1])] != 0 || (n > 2 && b[n-2] == 'e' && k.single[string(b[:n-2])] != 0) {
				return true
			}
			if n >= 3 && b[n-3] == 'i' && b[n-2] == 'e' {
				b[n-3] = 'y'
				if k.single[string(b[:n-2])] != 0 {
					return true
				}
			}
		}
	}
	return false
}

// asciiWord marks the ASCII letters and digits, the bytes words are made
// of below utf8.RuneSelf.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// wordRune reports the length of the rune at text[i] and whether it is a
// letter or digit, as words splits.
func wordRune(text string, i int) (int, bool) {
	c := text[i]
	if c < utf8.RuneSelf {
		return 1, 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	r, n := utf8.DecodeRuneInString(text[i:])
	return n, unicode.IsLetter(r) || unicode.IsDigit(r)
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
	if !isASCII(s) {
		return wordsUnicode(s)
	}
	// An ASCII text is split by a table, and a word already in lower case
	// is a piece of s rather than a copy: on a generated ACLED file the
	// general split was a sixth of the parser's time.
	n := 0
	for i := 0; i < len(s); i++ {
		if asciiWord[s[i]] && (i == 0 || !asciiWord[s[i-1]]) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	f := make([]string, 0, n)
	for i := 0; i < len(s); {
		if !asciiWord[s[i]] {
			i++
			continue
		}
		j, upper := i, false
		for ; j < len(s) && asciiWord[s[j]]; j++ {
			upper = upper || 'A' <= s[j] && s[j] <= 'Z'
		}
		w := s[i:j]
		if upper {
			w = strings.ToLower(w)
		}
		f = append(f, w)
		i = j
	}
	return f
}

// wordsUnicode is words for any text.
func wordsUnicode(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range f {
		f[i] = strings.ToLower(w)
	}
	return f
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
