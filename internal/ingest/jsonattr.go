package ingest

import (
	"unicode/utf8"
)

// attrs builds the JSON object of an observation's remaining source
// fields, keys in the order added and every value a string as the source
// wrote it. Written by hand because encoding/json would sort a map and cost
// an allocation per field on files of millions of rows.
type attrs struct{ b []byte }

func (a *attrs) add(key, value string) {
	if value == "" {
		return
	}
	if len(a.b) == 0 {
		a.b = append(a.b, '{')
	} else {
		a.b = append(a.b, ',')
	}
	a.b = appendJSONString(a.b, key)
	a.b = append(a.b, ':')
	a.b = appendJSONString(a.b, value)
}

func (a *attrs) String() string {
	if len(a.b) == 0 {
		return ""
	}
	return string(append(a.b, '}'))
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD
// as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
