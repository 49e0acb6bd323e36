package adjudicate

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CSVHeader is the header line of `truce adjudicate` (contract §4).
const CSVHeader = "event_id,agreement_id,verdict,party,reason\n"

// RowWriter formats verdicts as the rows of `truce adjudicate` (contract
// §4), quoted as encoding/csv quotes them, with LF line ends. It appends to
// byte slices and reuses its buffers, so that judging a million events
// against ten agreements with --all does not allocate per row. A RowWriter
// is not safe for concurrent use: take one per goroutine.
type RowWriter struct {
	eng    *Engine
	perps  []perp
	where  []byte
	when   []byte
	id     []byte // the event id field and its comma
	reason []byte
	// actors caches each actor name's perpetrator (party code and
	// index): event files name the same few actors over and over.
	actors map[string]perp
}

// maxCachedActors bounds the cache of actor names of a RowWriter.
const maxCachedActors = 1 << 12

// RowWriter returns a new row formatter for e.
func (e *Engine) RowWriter() *RowWriter { return &RowWriter{eng: e, actors: map[string]perp{}} }

// setPerps maps ev's perpetrators to parties into w.perps, as Judge
// does, from the cache where it can.
func (w *RowWriter) setPerps(ev *Event) {
	w.perps = w.perps[:0]
	for _, name := range ev.Perpetrators {
		p, ok := w.actors[name]
		if !ok {
			p = w.eng.perp(name)
			if len(w.actors) < maxCachedActors {
				w.actors[name] = p
			}
		}
		w.perps = append(w.perps, p)
	}
}

// Append judges ev as Judge does and appends a CSV row
// "event_id,agreement_id,verdict,party,reason" for each verdict Judge
// would give (every agreement with all, else those not outside) to dst.
func (w *RowWriter) Append(dst []byte, ev *Event, all bool) []byte {
	w.setPerps(ev)
	evDomains, evTargets := domainMask(ev.Domains), targetMask(ev.Targets)
	// The event's id as a field, and its time and place in words, made
	// once when needed.
	var id, when, where []byte
	w.eng.judge(ev, all, w.perps, evDomains, evTargets, func(a *agreement, t Tests, verdict string) {
		if where == nil && ev.Place.Kind != PlaceUnknown {
			w.where = appendWhere(w.where[:0], &ev.Place)
			where = w.where
		}
		if when == nil {
			w.when = appendWhen(w.when[:0], ev)
			when = w.when
		}
		if id == nil {
			w.id = appendField(w.id[:0], ev.ID)
			w.id = append(w.id, ',')
			id = w.id
		}
		dst = append(dst, id...)
		dst = append(dst, a.idField...)
		dst = append(dst, verdict...)
		dst = append(dst, ',')
		if verdict != Outside {
			dst = appendField(dst, a.party(w.perps))
		}
		dst = append(dst, ',')
		// The reason goes straight into dst after an opening quote, which
		// stays if the reason needs quoting and holds no quote itself.
		start := len(dst)
		dst = append(dst, '"')
		dst = a.appendReason(dst, ev, w.perps, evDomains, evTargets, t, verdict, when, where)
		switch reason := dst[start+1:]; {
		case bytes.IndexByte(reason, '"') >= 0:
			w.reason = append(w.reason[:0], reason...)
			dst = appendField(dst[:start], w.reason)
		case needsQuotesNoQuote(reason):
			dst = append(dst, '"')
		default:
			dst = append(dst[:start], reason...) // copy down over the quote
		}
		dst = append(dst, '\n')
	})
	return dst
}

// appendField appends one CSV field exactly as encoding/csv's Writer
// (Comma ',', UseCRLF false) writes it: quoted when it holds a comma, a
// quote, CR or LF, starts with a space, or is `\.`; quotes doubled.
func appendField[S string | []byte](dst []byte, f S) []byte {
	if !needsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for len(f) > 0 {
		i := index(f, '"')
		if i < 0 {
			dst = append(dst, f...)
			break
		}
		dst = append(dst, f[:i+1]...)
		dst = append(dst, '"')
		f = f[i+1:]
	}
	return append(dst, '"')
}

// needsQuotes is encoding/csv's fieldNeedsQuotes for Comma ','. It looks
// at eight bytes at a time: reasons are most of the output's bytes.
func needsQuotes[S string | []byte](f S) bool {
	if len(f) == 0 {
		return false
	}
	if len(f) == 2 && f[0] == '\\' && f[1] == '.' {
		return true
	}
	i := 0
	for ; i+8 <= len(f); i += 8 {
		x := uint64(f[i]) | uint64(f[i+1])<<8 | uint64(f[i+2])<<16 | uint64(f[i+3])<<24 |
			uint64(f[i+4])<<32 | uint64(f[i+5])<<40 | uint64(f[i+6])<<48 | uint64(f[i+7])<<56
		if hasByte(x, '\n') || hasByte(x, '\r') || hasByte(x, '"') || hasByte(x, ',') {
			return true
		}
	}
	for ; i < len(f); i++ {
		switch f[i] {
		case '\n', '\r', '"', ',':
			return true
		}
	}
	if f[0] < utf8.RuneSelf {
		return unicode.IsSpace(rune(f[0]))
	}
	r, _ := utf8.DecodeRuneInString(string(f[:min(len(f), utf8.UTFMax)]))
	return unicode.IsSpace(r)
}

// needsQuotesNoQuote is needsQuotes for a field that holds no '"'. It
// looks from the end: reasons end in lists of areas and domains, whose
// commas it then finds at once.
func needsQuotesNoQuote(f []byte) bool {
	if len(f) == 0 {
		return false
	}
	if len(f) == 2 && f[0] == '\\' && f[1] == '.' {
		return true
	}
	i := len(f)
	for ; i >= 8; i -= 8 {
		x := uint64(f[i-8]) | uint64(f[i-7])<<8 | uint64(f[i-6])<<16 | uint64(f[i-5])<<24 |
			uint64(f[i-4])<<32 | uint64(f[i-3])<<40 | uint64(f[i-2])<<48 | uint64(f[i-1])<<56
		if hasByte(x, ',') || hasByte(x, '\n') || hasByte(x, '\r') {
			return true
		}
	}
	for i > 0 {
		i--
		switch f[i] {
		case ',', '\n', '\r':
			return true
		}
	}
	if f[0] < utf8.RuneSelf {
		return unicode.IsSpace(rune(f[0]))
	}
	r, _ := utf8.DecodeRune(f[:min(len(f), utf8.UTFMax)])
	return unicode.IsSpace(r)
}

// hasByte reports whether any of the eight bytes of x is b (the classic
// "has zero byte" test on x with b's bytes cleared).
func hasByte(x uint64, b byte) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	y := x ^ (lo * uint64(b))
	return (y-lo)&^y&hi != 0
}

func index[S string | []byte](f S, c byte) int {
	switch f := any(f).(type) {
	case string:
		return strings.IndexByte(f, c)
	case []byte:
		return bytes.IndexByte(f, c)
	}
	panic("unreachable")
}
