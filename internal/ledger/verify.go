package ledger

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// Problem kinds found by Verify.
const (
	ProblemAltered      = "altered"                 // the record differs from what was logged
	ProblemDeleted      = "deleted"                 // the logged record is gone from its table
	ProblemMissing      = "missing"                 // a log entry is gone
	ProblemMislabeled   = "mislabeled"              // the entry's kind or record id differ from its leaf data, or the data is not a leaf
	ProblemTimestamp    = "timestamp"               // the entry's time differs from the time in its leaf data
	ProblemBackdated    = "backdated"               // the leaf's time is earlier than the previous leaf's: inserted out of order or back-dated
	ProblemHash         = "hash_mismatch"           // a stored hash differs from the one recomputed
	ProblemForged       = "forged_checkpoint"       // a checkpoint not validly signed by the log's key
	ProblemInconsistent = "inconsistent_checkpoint" // a signed root differs from the recomputed tree at its size
	ProblemRolledBack   = "rolled_back"             // a checkpoint covers more entries than the log has
	ProblemUnsigned     = "unsigned"                // the log has entries but no valid checkpoint
)

// MaxProblems bounds the problems a report lists, so that verifying a
// wholly corrupted log still runs in constant memory; the rest are counted.
const MaxProblems = 1000

// verifyChunk is how many entries Verify reads at a time.
const verifyChunk = 1024

// Problem is one thing Verify found wrong. Index is the entry concerned: for
// a checkpoint, the last entry it covers (size-1); for a rollback, the first
// entry that is gone; -1 when no entry is concerned. RecordID names the
// entry's record (with RecordKind, a ledger Kind* constant) when known.
type Problem struct {
	Index      int64  `json:"index"`
	RecordKind string `json:"record_kind,omitempty"`
	RecordID   string `json:"record_id,omitempty"`
	Kind       string `json:"kind"`
	Msg        string `json:"msg"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Index >= 0 {
		fmt.Fprintf(&b, "entry %d", p.Index)
		if p.RecordID != "" {
			fmt.Fprintf(&b, " (%s %s)", p.RecordKind, p.RecordID)
		}
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s: %s", p.Kind, p.Msg)
	return b.String()
}

// VerifyReport is the result of Verify.
type VerifyReport struct {
	Size           int64     `json:"size"`            // entries verified
	Root           tlog.Hash `json:"root"`            // root recomputed from the entries' data
	Checkpoints    int       `json:"checkpoints"`     // checkpoints whose signature was checked
	Signed         int64     `json:"signed"`          // size of the latest valid checkpoint
	RecordsChecked bool      `json:"records_checked"` // records were re-read from their tables
	HashesChecked  bool      `json:"hashes_checked"`  // stored hashes were compared
	// ByContent entries were checked from their data (labels, time, and
	// the record when RecordsChecked); ByHashOnly entries were withheld
	// by the server, so only their served leaf hash went into the tree
	// checked against the signed roots.
	ByContent    int64     `json:"by_content"`
	ByHashOnly   int64     `json:"by_hash_only"`
	Problems     []Problem `json:"problems"`
	MoreProblems int64     `json:"more_problems,omitempty"` // problems beyond MaxProblems, not listed
}

// OK reports whether nothing was found wrong.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 && r.MoreProblems == 0 }

func (r *VerifyReport) add(p Problem) {
	if len(r.Problems) >= MaxProblems {
		r.MoreProblems++
		return
	}
	r.Problems = append(r.Problems, p)
}

// Verify checks the whole log in src against the records and against the
// checkpoints signed by v: it re-encodes every entry's record and compares
// it with the logged data, checks each entry's labels and time against its
// data and that times never go back, recomputes the tree from the data and
// compares it with the stored hashes, checks every checkpoint's signature
// and that its root is the recomputed root at its size, and that none
// covers more entries than the log has.
//
// It streams the log in chunks and keeps only the tree's right edge, so
// memory is constant and a million entries take seconds. A Source whose
// Reencode or ReadHashes returns errors.ErrUnsupported (a remote log)
// skips those checks and says so in the report; a withheld entry (a
// server's public view) is checked by its served leaf hash alone, counted
// in ByHashOnly. An error means Verify
// could not run; what it found is in the report.
func Verify(ctx context.Context, src Source, v note.Verifier) (*VerifyReport, error) {
	size, err := src.LogSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	rep := &VerifyReport{Size: size, RecordsChecked: true, HashesChecked: true}
	cps, err := openCheckpoints(ctx, src, v, size, rep)
	if err != nil {
		return nil, err
	}
	vr := &verifier{src: src, rep: rep, cps: cps, want: make(map[int64]bool), entries: make(map[int64]Entry)}
	for _, p := range rep.Problems {
		vr.want[p.Index] = true
	}
	if err := fetchChunks(ctx, src, size, vr.check); err != nil {
		return nil, err
	}
	rep.Root = vr.data.root()
	if vr.inconsistent > 1 {
		p := vr.lastInconsistent
		p.Msg = fmt.Sprintf("%d later checkpoints, up to this one of size %d, also disagree with the entries", vr.inconsistent-1, p.Index+1)
		rep.add(p)
	}
	// Record ids for checkpoint problems, learned while streaming.
	for i := range rep.Problems {
		if p := &rep.Problems[i]; p.RecordID == "" && p.Index >= 0 {
			if e, ok := vr.entries[p.Index]; ok {
				p.RecordKind, p.RecordID = e.Kind, e.RecordID
			}
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Index < rep.Problems[j].Index })
	return rep, nil
}

// signedCheckpoint is a checkpoint whose signature verified.
type signedCheckpoint struct {
	Checkpoint
	at string // when it was stored, for messages
}

// openCheckpoints checks every stored checkpoint's signature and returns
// the valid ones that the log is long enough to check, by size.
func openCheckpoints(ctx context.Context, src Source, v note.Verifier, size int64, rep *VerifyReport) ([]signedCheckpoint, error) {
	all, err := src.Checkpoints(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify: read checkpoints: %w", err)
	}
	var valid []signedCheckpoint
	var prev *signedCheckpoint // the previous validly signed checkpoint
	for _, cp := range all {
		rep.Checkpoints++
		at := FormatTime(cp.At)
		signed, err := OpenCheckpoint(cp.Note, v)
		if err != nil {
			rep.add(Problem{Index: cp.Size - 1, Kind: ProblemForged,
				Msg: fmt.Sprintf("checkpoint of size %d stored at %s: %v", cp.Size, at, err)})
			continue
		}
		if signed.Size != cp.Size || signed.Root != cp.Root {
			rep.add(Problem{Index: signed.Size - 1, Kind: ProblemForged,
				Msg: fmt.Sprintf("checkpoint stored at %s is listed as size %d root %s but signed for size %d root %s", at, cp.Size, cp.Root, signed.Size, signed.Root)})
		}
		sc := signedCheckpoint{Checkpoint: Checkpoint{Size: signed.Size, Root: signed.Root, Note: cp.Note, At: cp.At}, at: at}
		if prev != nil && sc.Size < prev.Size {
			rep.add(Problem{Index: sc.Size, Kind: ProblemRolledBack,
				Msg: fmt.Sprintf("checkpoint stored at %s has size %d, smaller than the earlier one of size %d stored at %s", at, sc.Size, prev.Size, prev.at)})
		}
		if sc.Size > size {
			rep.add(Problem{Index: size, Kind: ProblemRolledBack,
				Msg: fmt.Sprintf("checkpoint stored at %s was signed for %d entries but the log has only %d", at, sc.Size, size)})
		} else {
			valid = append(valid, sc)
		}
		rep.Signed = max(rep.Signed, sc.Size)
		prev = &sc
	}
	if size > 0 && rep.Signed == 0 {
		rep.add(Problem{Index: -1, Kind: ProblemUnsigned,
			Msg: fmt.Sprintf("the log has %d entries and no valid checkpoint vouches for any of them", size)})
	}
	slices.SortStableFunc(valid, func(a, b signedCheckpoint) int { return cmp.Compare(a.Size, b.Size) })
	return valid, nil
}

// verifier is the state of one Verify run as it streams the log.
type verifier struct {
	src Source
	rep *VerifyReport
	cps []signedCheckpoint // valid checkpoints not yet reached, by size

	data   frontier // the tree recomputed from the entries' data
	stored frontier // the tree recomputed from the stored leaf hashes
	broken bool     // an entry could not be hashed: roots past it are unknown
	prevAt string   // time in the previous entry's leaf

	consistent       int64   // size of the last checkpoint that agrees with the entries
	inconsistent     int     // checkpoints whose root disagrees with the entries
	lastInconsistent Problem // the last of them, after the first

	want    map[int64]bool  // entries named by problems found before streaming
	entries map[int64]Entry // those entries, labels only, as streaming meets them

	buf []tlog.Hash
}

// check verifies the chunk f, in log order.
func (vr *verifier) check(f *fetched) {
	if f.noHashes {
		vr.rep.HashesChecked = false
	}
	if f.noRecords {
		vr.rep.RecordsChecked = false
	}
	base := tlog.StoredHashIndex(0, f.start)
	j := 0
	for n := f.start; n < f.end; n++ {
		var leafStored []tlog.Hash // the stored hashes written with leaf n, if known
		if f.stored != nil {
			lo, hi := tlog.StoredHashIndex(0, n)-base, tlog.StoredHashIndex(0, n+1)-base
			if !isMissing(f.stored[lo:hi]) {
				leafStored = f.stored[lo:hi]
			}
		}
		var e *Entry
		if j < len(f.entries) && f.entries[j].Index == n {
			e = &f.entries[j]
			vr.checkEntry(e, f.encoded[j], f.encErr[j])
			j++
		} else {
			vr.rep.add(Problem{Index: n, Kind: ProblemMissing, Msg: "the log entry is gone"})
		}
		vr.checkTree(n, e, leafStored, f.stored != nil)
	}
}

// checkEntry checks one entry against its own leaf data and its record.
func (vr *verifier) checkEntry(e *Entry, encoded []byte, encErr error) {
	if vr.want[e.Index] {
		vr.entries[e.Index] = Entry{Index: e.Index, Kind: e.Kind, RecordID: e.RecordID}
	}
	problem := func(kind, msg string) {
		vr.rep.add(Problem{Index: e.Index, RecordKind: e.Kind, RecordID: e.RecordID, Kind: kind, Msg: msg})
	}
	if e.Withheld {
		// No data to read: its hash goes into the tree (checkTree), and
		// its served time still must not go back.
		vr.rep.ByHashOnly++
		at := FormatTime(e.At)
		if at < vr.prevAt {
			problem(ProblemBackdated, fmt.Sprintf("logged at %s, before the previous entry's %s", at, vr.prevAt))
		}
		vr.prevAt = at
		return
	}
	vr.rep.ByContent++
	l, ok := parseLeafHeader(e.Data)
	if !ok {
		problem(ProblemMislabeled, "the logged data is not a log leaf")
	} else {
		if l.Kind != e.Kind || l.ID != e.RecordID {
			problem(ProblemMislabeled, fmt.Sprintf("the entry is labelled %s %s but its data logs %s %s", e.Kind, e.RecordID, l.Kind, l.ID))
		}
		if at := FormatTime(e.At); at != l.At {
			problem(ProblemTimestamp, fmt.Sprintf("the entry's time is %s but it was logged at %s", at, l.At))
		}
		// The format is fixed-width, so text order is time order. Compared
		// with the entry before, not the latest time seen, so that one
		// entry moved forward does not flag every entry after it.
		if l.At < vr.prevAt {
			problem(ProblemBackdated, fmt.Sprintf("logged at %s, before the previous entry's %s", l.At, vr.prevAt))
		}
		vr.prevAt = l.At
	}
	if !vr.rep.RecordsChecked {
		return
	}
	switch {
	case encErr != nil:
		problem(ProblemDeleted, "the logged record is gone: "+truce.ErrorMessage(encErr))
	case !bytes.Equal(encoded, e.Data):
		problem(ProblemAltered, describeChange(e.Data, encoded))
	}
}

// checkTree adds entry n (nil if gone) to both recomputed trees, compares
// the stored hashes with them, and checks the checkpoints of size n+1.
func (vr *verifier) checkTree(n int64, e *Entry, stored []tlog.Hash, hashesRead bool) {
	problem := func(kind, msg string) {
		p := Problem{Index: n, Kind: kind, Msg: msg}
		if e != nil {
			p.RecordKind, p.RecordID = e.Kind, e.RecordID
		}
		vr.rep.add(p)
	}
	var leafHash tlog.Hash
	switch {
	case e != nil:
		leafHash = e.Hash()
	case stored != nil:
		leafHash = stored[0] // the entry is gone but its hash is not: the tree can go on
	default:
		if !vr.broken {
			vr.rep.add(Problem{Index: n, Kind: ProblemMissing, Msg: "its stored hash is gone too, so no root past it can be recomputed"})
		}
		vr.broken = true
	}
	if hashesRead && stored == nil {
		problem(ProblemHash, "the hashes stored with this entry are gone")
	}
	if stored != nil && e != nil && stored[0] != leafHash {
		problem(ProblemHash, "the entry's data does not hash to the leaf hash stored with it: the entry was changed or moved")
	}
	// The stored tree checks the stored interior nodes against the stored
	// leaves, so that a changed leaf is reported once, at its own index,
	// and not again at every node above it.
	storedLeaf := leafHash
	if stored != nil {
		storedLeaf = stored[0]
	}
	vr.buf = vr.stored.add(storedLeaf, vr.buf[:0])
	if stored != nil && !slices.Equal(vr.buf, stored) {
		for level := 1; level < len(stored) && level < len(vr.buf); level++ {
			if vr.buf[level] != stored[level] {
				problem(ProblemHash, fmt.Sprintf("the stored tree node at level %d ending at this entry is not the hash of its children", level))
				break
			}
		}
	}
	if vr.broken {
		vr.cps = nil
		return
	}
	vr.buf = vr.data.add(leafHash, vr.buf[:0])
	for len(vr.cps) > 0 && vr.cps[0].Size <= n+1 {
		cp := vr.cps[0]
		vr.cps = vr.cps[1:]
		if cp.Size == 0 {
			if cp.Root != EmptyRoot {
				vr.rep.add(Problem{Index: -1, Kind: ProblemInconsistent, Msg: fmt.Sprintf("checkpoint stored at %s signs a non-empty root for the empty tree", cp.at)})
			}
			continue
		}
		if root := vr.data.root(); root != cp.Root {
			// Every later checkpoint covers the same bad prefix: name the
			// first, and count the rest into one problem at the last.
			if vr.inconsistent == 0 {
				problem(ProblemInconsistent, fmt.Sprintf("checkpoint stored at %s signs root %s for size %d, but the entries give %s: an entry from %d to %d differs from what was signed",
					cp.at, cp.Root, cp.Size, root, vr.consistent, cp.Size-1))
			} else {
				vr.lastInconsistent = Problem{Index: n, Kind: ProblemInconsistent}
				if e != nil {
					vr.lastInconsistent.RecordKind, vr.lastInconsistent.RecordID = e.Kind, e.RecordID
				}
			}
			vr.inconsistent++
		} else if vr.inconsistent == 0 {
			vr.consistent = cp.Size
		}
	}
}

// frontier is the right edge of a Merkle tree being built leaf by leaf:
// the roots of its complete subtrees, largest first. That is all one needs
// to append and to compute the root, in O(log n) memory.
type frontier struct {
	n     int64
	nodes []tlog.Hash
}

// add appends leaf hash h and returns, appended to buf, the hashes tlog
// stores for the new leaf: the leaf hash, then each subtree it completes,
// in tlog.StoredHashes order.
func (f *frontier) add(h tlog.Hash, buf []tlog.Hash) []tlog.Hash {
	buf = append(buf, h)
	for i := 0; f.n>>i&1 == 1; i++ {
		h = tlog.NodeHash(f.nodes[len(f.nodes)-1], h)
		f.nodes = f.nodes[:len(f.nodes)-1]
		buf = append(buf, h)
	}
	f.nodes = append(f.nodes, h)
	f.n++
	return buf
}

// root returns the RFC 6962 root of the tree so far.
func (f *frontier) root() tlog.Hash {
	if f.n == 0 {
		return EmptyRoot
	}
	h := f.nodes[len(f.nodes)-1]
	for i := len(f.nodes) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.nodes[i], h)
	}
	return h
}

// describeChange says how a record's current encoding differs from the
// logged one: which of its fields changed, or where the bytes part.
func describeChange(logged, now []byte) string {
	var a, b leaf
	if json.Unmarshal(logged, &a) == nil && json.Unmarshal(now, &b) == nil {
		var ra, rb map[string]json.RawMessage
		if json.Unmarshal(a.Record, &ra) == nil && json.Unmarshal(b.Record, &rb) == nil {
			var fields []string
			for k, va := range ra {
				if vb, ok := rb[k]; !ok || !bytes.Equal(va, vb) {
					fields = append(fields, k+changedItems(va, vb))
				}
			}
			for k := range rb {
				if _, ok := ra[k]; !ok {
					fields = append(fields, k)
				}
			}
			if a.At != b.At {
				fields = append(fields, "(log time)")
			}
			if len(fields) > 0 {
				slices.Sort(fields)
				return "the stored record differs from the logged one in: " + strings.Join(fields, ", ")
			}
		}
	}
	i := 0
	for i < len(logged) && i < len(now) && logged[i] == now[i] {
		i++
	}
	lo := max(i-20, 0)
	return fmt.Sprintf("the stored record differs from the logged one at byte %d: logged %q, now %q",
		i, snippet(logged, lo), snippet(now, lo))
}

// changedItems names the elements that differ when a and b are lists of
// the same length whose elements have ids, as a batch leaf's items do:
// " (id 44, 45)". Otherwise "".
func changedItems(a, b json.RawMessage) string {
	var la, lb []json.RawMessage
	if json.Unmarshal(a, &la) != nil || json.Unmarshal(b, &lb) != nil || len(la) != len(lb) {
		return ""
	}
	var ids []string
	for i := range la {
		if bytes.Equal(la[i], lb[i]) {
			continue
		}
		var item struct{ ID json.RawMessage }
		if json.Unmarshal(la[i], &item) != nil || item.ID == nil {
			return ""
		}
		ids = append(ids, strings.Trim(string(item.ID), `"`))
	}
	if len(ids) == 0 {
		return ""
	}
	return " (id " + strings.Join(ids, ", ") + ")"
}

func snippet(b []byte, lo int) string {
	if lo >= len(b) {
		return ""
	}
	return string(b[lo:min(lo+60, len(b))])
}

// parseLeafHeader reads kind, id and at from canonical leaf data without
// decoding the record: Encode writes them first, in that order, and doing
// this by hand keeps Verify's cost per entry to a hash and a compare.
func parseLeafHeader(data []byte) (l leaf, ok bool) {
	var kind, id, at string
	rest, ok := bytes.CutPrefix(data, []byte(`{"kind":`))
	if ok {
		kind, rest, ok = cutJSONString(rest)
	}
	if ok {
		rest, ok = bytes.CutPrefix(rest, []byte(`,"id":`))
	}
	if ok {
		id, rest, ok = cutJSONString(rest)
	}
	if ok {
		rest, ok = bytes.CutPrefix(rest, []byte(`,"at":`))
	}
	if ok {
		at, rest, ok = cutJSONString(rest)
	}
	if ok {
		_, ok = bytes.CutPrefix(rest, []byte(`,"record":`))
	}
	if !ok || kind == "" || id == "" || at == "" {
		return leaf{}, false
	}
	return leaf{Kind: kind, ID: id, At: at}, true
}

// cutJSONString decodes the JSON string at the start of b.
func cutJSONString(b []byte) (string, []byte, bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	escaped := false
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			if !escaped {
				return string(b[1:i]), b[i+1:], true
			}
			var s string
			if err := json.Unmarshal(b[:i+1], &s); err != nil {
				return "", nil, false
			}
			return s, b[i+1:], true
		}
	}
	return "", nil, false
}
