package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"golang.org/x/text/encoding/charmap"
)

// input is one file opened for reading as UTF-8 text.
type input struct {
	name     string
	f        *os.File
	size     int64
	done     *atomic.Int64 // bytes of the file consumed, for progress
	r        *bufio.Reader // the text, UTF-8, byte-order mark removed
	encoding string        // EncodingUTF8, EncodingCP1252 or encodingBadUTF8
}

// openInput opens a file, refuses binary data and works out its encoding
// with one pass over its bytes (see encodingStats.decide).
func openInput(name string) (*input, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &FileError{File: name, Msg: fmt.Sprintf("cannot open: %v", unwrapPath(err))}
	}
	in := &input{name: name, f: f, done: new(atomic.Int64)}
	if err := in.prepare(); err != nil {
		f.Close()
		return nil, err
	}
	return in, nil
}

func (in *input) prepare() error {
	fi, err := in.f.Stat()
	if err != nil {
		return &FileError{File: in.name, Msg: err.Error()}
	}
	if !fi.Mode().IsRegular() {
		return &FileError{File: in.name, Msg: "not a regular file"}
	}
	in.size = fi.Size()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(in.f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return &FileError{File: in.name, Msg: fmt.Sprintf("cannot read: %v", err)}
	}
	if n == 0 {
		return &FileError{File: in.name, Msg: "empty file"}
	}
	if err := sniffBinary(head[:n]); err != nil {
		return &FileError{File: in.name, Msg: err.Error()}
	}
	if _, err := in.f.Seek(0, io.SeekStart); err != nil {
		return &FileError{File: in.name, Msg: err.Error()}
	}
	stats, err := scanEncoding(in.f)
	if err != nil {
		return &FileError{File: in.name, Msg: fmt.Sprintf("cannot read: %v", err)}
	}
	if in.encoding, err = stats.decide(); err != nil {
		return &FileError{File: in.name, Msg: err.Error()}
	}
	return in.rewind()
}

// rewind starts the text over from the file's first byte, for readers
// that make a first pass of their own.
func (in *input) rewind() error {
	if _, err := in.f.Seek(0, io.SeekStart); err != nil {
		return &FileError{File: in.name, Msg: err.Error()}
	}
	in.done.Store(0)
	var r io.Reader = &countingReader{r: in.f, n: in.done}
	if in.encoding == EncodingCP1252 {
		r = charmap.Windows1252.NewDecoder().Reader(r)
	}
	in.r = bufio.NewReaderSize(r, 256<<10)
	if bom, _ := in.r.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		in.r.Discard(3)
	}
	return nil
}

// firstByte returns the first byte that is not white space, or 0.
func (in *input) firstByte() byte {
	for i := 1; ; i++ {
		p, err := in.r.Peek(i)
		if len(p) < i {
			return 0
		}
		switch b := p[i-1]; b {
		case ' ', '\t', '\r', '\n':
		default:
			return b
		}
		if err != nil || i > 4096 {
			return 0
		}
	}
}

func (in *input) Close() error { return in.f.Close() }

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// unwrapPath drops the *PathError's repetition of the file name.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
