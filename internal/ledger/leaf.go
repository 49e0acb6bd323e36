// Package ledger is Truce's tamper-evident record: an append-only RFC 6962
// Merkle log (golang.org/x/mod/sumdb/tlog) of every accepted record event,
// with signed checkpoints, proofs and a verifier. The hashing and checking
// here are pure; storage is the store's, behind small interfaces.
package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Leaf kinds: what a log entry records.
const (
	KindParty            = "party"
	KindAgreementVersion = "agreement_version"
	KindAgreementStatus  = "agreement_status"
	KindReport           = "report"
	KindObservation      = "observation"
	KindTransition       = "transition"
	KindReply            = "reply"
	KindClaim            = "claim"
	KindFinding          = "finding"
	KindUser             = "user"
)

// Entry is one leaf of the log: what kind of record, which one, when, and
// the canonical bytes that were hashed.
//
// A server withholds the data of leaves the public may not read (see
// HandlerOption WithholdData): an Entry read from it then has Withheld set,
// no RecordID or Data, and LeafHash as the server gave it, so that a
// verifier can still rebuild the tree and check the signed roots.
type Entry struct {
	Index    int64     `json:"index"`
	Kind     string    `json:"kind"`
	RecordID string    `json:"record_id"`
	At       time.Time `json:"at"`
	Data     []byte    `json:"data"`
	Withheld bool      `json:"-"`
	LeafHash tlog.Hash `json:"-"` // the served leaf hash, set only when Withheld
}

// Hash returns the RFC 6962 leaf hash of the entry's data, or for a
// withheld entry the leaf hash it was served with.
func (e Entry) Hash() tlog.Hash {
	if e.Withheld {
		return e.LeafHash
	}
	return tlog.RecordHash(e.Data)
}

// Checkpoint is a signed statement of the tree at one size.
type Checkpoint struct {
	Size int64     `json:"size"`
	Root tlog.Hash `json:"root"`
	Note []byte    `json:"note"` // the signed note text
	At   time.Time `json:"at"`
}

// leaf is the canonical shape of a leaf's data. Field order is fixed by
// the struct, so encoding/json's output is deterministic.
type leaf struct {
	Kind   string          `json:"kind"`
	ID     string          `json:"id"`
	At     string          `json:"at"`
	Record json.RawMessage `json:"record"`
}

// Encode returns the canonical leaf data for a record: compact JSON of
// {kind, id, at, record}, with at in UTC at microsecond precision (what
// both SQLite and PostgreSQL keep) and no HTML escaping. The store must
// hand in records exactly as it will read them back, so that re-encoding a
// stored record reproduces the leaf byte for byte.
//
// The bytes are those encoding/json writes for the leaf struct; the
// wrapper is written by hand around the record's encoding, as encoding/json
// would spend a third of the time validating and compacting the record
// again (TestEncodeMatchesEncodingJSON compares the two).
func Encode(kind, id string, at time.Time, record any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(512)
	buf.WriteString(`{"kind":`)
	writeJSONString(&buf, kind)
	buf.WriteString(`,"id":`)
	writeJSONString(&buf, id)
	buf.WriteString(`,"at":"`)
	var tb [32]byte
	buf.Write(appendTime(tb[:0], at))
	buf.WriteString(`","record":`)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(record); err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", kind, id, err)
	}
	out := buf.Bytes()
	out[len(out)-1] = '}' // in place of the Encoder's newline
	return out, nil
}

// encodeSlow is Encode by encoding/json alone: the definition Encode must
// match.
func encodeSlow(kind, id string, at time.Time, record any) ([]byte, error) {
	var rec bytes.Buffer
	enc := json.NewEncoder(&rec)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(record); err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", kind, id, err)
	}
	l := leaf{Kind: kind, ID: id, At: FormatTime(at), Record: bytes.TrimRight(rec.Bytes(), "\n")}
	var out bytes.Buffer
	enc = json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", kind, id, err)
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// writeJSONString writes s as encoding/json does without HTML escaping:
// plain printable ASCII as is, anything else through encoding/json.
func writeJSONString(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			enc := json.NewEncoder(buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			buf.Truncate(buf.Len() - 1)
			return
		}
	}
	buf.WriteByte('"')
	buf.WriteString(s)
	buf.WriteByte('"')
}

// appendTime appends FormatTime(t).
func appendTime(dst []byte, t time.Time) []byte {
	return t.UTC().Truncate(time.Microsecond).AppendFormat(dst, timeLayout)
}

const timeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime is the log's one time format: UTC, microseconds.
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(timeLayout)
}
