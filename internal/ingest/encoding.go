package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"
)

// Encodings a file can be read in.
const (
	EncodingUTF8    = "UTF-8"
	EncodingCP1252  = "windows-1252"
	encodingBadUTF8 = "UTF-8 with invalid bytes"
)

// encodingStats is what a pass over a file's bytes found.
type encodingStats struct {
	nul       int // NUL bytes: binary data or UTF-16, never CSV text
	invalid   int // bytes that are not part of a valid UTF-8 sequence
	multibyte int // valid UTF-8 sequences of 2-4 bytes
	undefined int // bytes that Windows-1252 leaves undefined
	total     int64
}

// scanEncoding reads r to the end and counts what decides its encoding.
// utf8.Valid skips runs of ASCII quickly, so the pass costs little beside
// the import itself.
func scanEncoding(r io.Reader) (encodingStats, error) {
	var s encodingStats
	buf := make([]byte, 1<<20)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		chunk := buf[:carry+n]
		s.total += int64(n)
		final := err == io.EOF
		if err != nil && err != io.EOF {
			return s, err
		}
		rest := s.count(chunk, final)
		carry = copy(buf, chunk[len(chunk)-rest:])
		if final {
			return s, nil
		}
	}
}

// count tallies p and returns how many trailing bytes form an incomplete
// sequence to carry into the next chunk (0 when final).
func (s *encodingStats) count(p []byte, final bool) int {
	if utf8.Valid(p) && bytes.IndexByte(p, 0) < 0 {
		if !isASCII(p) {
			s.countMultibyte(p)
		}
		return 0
	}
	for len(p) > 0 {
		b := p[0]
		if b < utf8.RuneSelf {
			if b == 0 {
				s.nul++
			}
			p = p[1:]
			continue
		}
		if !final && !utf8.FullRune(p) {
			return len(p)
		}
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size == 1 {
			s.invalid++
			switch b {
			case 0x81, 0x8D, 0x8F, 0x90, 0x9D:
				s.undefined++
			}
		} else {
			s.multibyte++
		}
		p = p[size:]
	}
	return 0
}

func (s *encodingStats) countMultibyte(p []byte) {
	for _, b := range p {
		if b >= 0xC0 {
			s.multibyte++
		}
	}
}

// isASCII reports whether p is all ASCII, eight bytes at a time.
func isASCII(p []byte) bool {
	for len(p) >= 8 {
		if binary.LittleEndian.Uint64(p)&0x8080808080808080 != 0 {
			return false
		}
		p = p[8:]
	}
	for _, b := range p {
		if b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// sniffBinary looks at a file's first bytes for what text never holds.
// Control characters are only counted here: a valid UTF-8 stretch later in
// the file is not looked at byte by byte.
func sniffBinary(head []byte) error {
	nul, control := 0, 0
	for _, b := range head {
		switch {
		case b == 0:
			nul++
		case b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f':
			control++
		}
	}
	if nul > 0 || control*100 > len(head) {
		return fmt.Errorf("not a text file (binary data: %d NUL and %d control bytes in the first %d)", nul, control, len(head))
	}
	return nil
}

// decide names the file's encoding, or says why it is not text.
//
//   - No invalid byte: UTF-8.
//   - Invalid bytes but at least as many valid multi-byte sequences, or bytes
//     that Windows-1252 does not define: a UTF-8 file with some bad bytes.
//     It is read as UTF-8 and each row holding a bad byte is rejected, since
//     transcoding it would turn its good characters into mojibake.
//   - Otherwise: Windows-1252, the encoding spreadsheet programs save CSV in
//     on Western Windows systems; it is transcoded to UTF-8.
//
// NUL bytes mean binary data (or UTF-16), which no format here accepts.
func (s encodingStats) decide() (string, error) {
	if s.nul > 0 {
		return "", fmt.Errorf("not a text file (binary data: %d NUL bytes)", s.nul)
	}
	switch {
	case s.invalid == 0:
		return EncodingUTF8, nil
	case s.multibyte >= s.invalid || s.undefined > 0:
		return encodingBadUTF8, nil
	}
	return EncodingCP1252, nil
}
