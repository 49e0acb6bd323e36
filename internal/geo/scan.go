package geo

import (
	"fmt"
	"math"
	"strconv"
)

// scanner is a small JSON reader for the embedded data files, which are too
// large for encoding/json to decode quickly (tens of milliseconds). It reads
// objects member by member, skips what it does not need, and parses numbers
// without allocating.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", s.i, fmt.Sprintf(format, args...))
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.errorf("expected %q", c)
	}
	s.i++
	return nil
}

// object calls member for each key; member must consume the value.
func (s *scanner) object(member func(key string) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		k, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(k); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.errorf("expected , or }")
		}
	}
}

// array calls elem for each element; elem must consume it.
func (s *scanner) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.errorf("expected , or ]")
		}
	}
}

func (s *scanner) str() (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	start := s.i
	escaped := false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			raw := s.b[start-1 : s.i+1]
			s.i++
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			v, err := strconv.Unquote(string(raw))
			if err != nil {
				return "", s.errorf("bad string")
			}
			return v, nil
		}
		s.i++
	}
	return "", s.errorf("unterminated string")
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// num parses a number. Plain decimals with at most 15 digits, the data's
// usual form, are converted exactly without strconv (an integer below 2^53
// divided by an exact power of ten rounds correctly).
func (s *scanner) num() (float64, error) {
	s.ws()
	start := s.i
	neg := false
	if s.i < len(s.b) && s.b[s.i] == '-' {
		neg = true
		s.i++
	}
	var mant uint64
	digits, frac := 0, 0
	dot, simple := false, true
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		switch {
		case c >= '0' && c <= '9':
			if digits < 19 {
				mant = mant*10 + uint64(c-'0')
			}
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		case c == 'e' || c == 'E' || c == '+' || (c == '-' && s.i > start):
			simple = false
		default:
			goto done
		}
	}
done:
	if digits == 0 {
		return 0, s.errorf("expected a number")
	}
	if simple && digits <= 15 {
		v := float64(mant) / pow10[frac]
		if neg {
			v = -v
		}
		return v, nil
	}
	v, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, s.errorf("bad number %q", s.b[start:s.i])
	}
	return v, nil
}

// skip consumes any value.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '{':
		return s.object(func(string) error { return s.skip() })
	case c == '[':
		return s.array(s.skip)
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := s.num()
		return err
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				return nil
			}
		}
		return s.errorf("unexpected %q", c)
	}
}

// nested reads nested arrays of numbers whose innermost arrays (positions)
// sit depth levels down, handing each position to pos together with the
// indices of the arrays above it (path[0] outermost).
func (s *scanner) nested(depth int, path []int, pos func(path []int, v []float64) error) error {
	var vals []float64
	var rec func(level int) error
	rec = func(level int) error {
		if level == depth-1 {
			vals = vals[:0]
			err := s.array(func() error {
				v, err := s.num()
				vals = append(vals, v)
				return err
			})
			if err != nil {
				return err
			}
			return pos(path, vals)
		}
		path[level] = -1
		return s.array(func() error {
			path[level]++
			return rec(level + 1)
		})
	}
	return rec(0)
}
