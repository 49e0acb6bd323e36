package ledger

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A witness keeps, in its state directory:
//
//	key                     the log's verifier key, pinned on first use
//	checkpoint              the latest checkpoint it accepted (a signed note)
//	checkpoints/<size>.note every checkpoint it accepted, for the record
//
// Trust on first use: the first run trusts whatever key the server serves
// (or the one given to PinKey beforehand) and from then on accepts only
// checkpoints signed by it. A server that changes its key, shrinks its log
// or signs a tree that does not extend the last one seen is caught, and the
// state is left as it was so the evidence stays.

// WitnessResult is what one witness run saw.
type WitnessResult struct {
	Previous *Checkpoint // the checkpoint accepted before; nil on the first run
	Current  Checkpoint  // the checkpoint accepted now
	Pinned   bool        // the key was pinned in this run
}

// PinKey pins vkey as the log's key in stateDir before a first run, so the
// witness need not trust the server for it. A different key already pinned
// is an error.
func PinKey(stateDir, vkey string) error {
	if _, _, err := ParseVerifierKey([]byte(vkey)); err != nil {
		return fmt.Errorf("pin key: %w", err)
	}
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	pinned, err := os.ReadFile(filepath.Join(stateDir, "key"))
	if err == nil {
		if strings.TrimSpace(string(pinned)) != strings.TrimSpace(vkey) {
			return fmt.Errorf("pin key: %s already pins another key: %s", stateDir, strings.TrimSpace(string(pinned)))
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return writeAtomic(stateDir, "key", []byte(strings.TrimSpace(vkey)+"\n"))
}

// Witness fetches the server's latest checkpoint, checks it against the
// pinned key and proves it consistent with the last checkpoint seen, then
// records it in stateDir. A rollback, a fork or a changed key is an error
// naming the sizes (or keys) involved.
func Witness(ctx context.Context, c *Client, stateDir string) (WitnessResult, error) {
	var res WitnessResult
	if err := os.MkdirAll(filepath.Join(stateDir, "checkpoints"), 0o755); err != nil {
		return res, fmt.Errorf("witness state: %w", err)
	}
	served, err := c.Key(ctx)
	if err != nil {
		return res, fmt.Errorf("witness: fetch key: %w", err)
	}
	keyText, err := os.ReadFile(filepath.Join(stateDir, "key"))
	if errors.Is(err, fs.ErrNotExist) {
		if err := PinKey(stateDir, served); err != nil {
			return res, fmt.Errorf("witness: %w", err)
		}
		keyText, res.Pinned = []byte(served), true
	} else if err != nil {
		return res, fmt.Errorf("witness state: %w", err)
	}
	v, pinned, err := ParseVerifierKey(keyText)
	if err != nil {
		return res, fmt.Errorf("witness state %s: %w", filepath.Join(stateDir, "key"), err)
	}
	if served != pinned {
		return res, fmt.Errorf("witness: the server's log key changed: it serves %s, but the key pinned in %s is %s", served, stateDir, pinned)
	}

	prev, err := readSeen(stateDir, v)
	if err != nil {
		return res, err
	}
	res.Previous = prev
	got, err := c.LatestCheckpoint(ctx)
	if err != nil {
		return res, fmt.Errorf("witness: fetch checkpoint: %w", err)
	}
	cp, err := OpenCheckpoint(got.Note, v)
	if err != nil {
		return res, fmt.Errorf("witness: the server's checkpoint: %w", err)
	}
	cp.At = got.At
	res.Current = cp
	if prev != nil {
		if err := checkExtends(ctx, c, *prev, cp); err != nil {
			return res, err
		}
	}
	if err := writeAtomic(filepath.Join(stateDir, "checkpoints"), strconv.FormatInt(cp.Size, 10)+".note", cp.Note); err != nil {
		return res, err
	}
	if err := writeAtomic(stateDir, "checkpoint", cp.Note); err != nil {
		return res, err
	}
	return res, nil
}

// readSeen returns the checkpoint the witness accepted last, nil if none.
func readSeen(stateDir string, v note.Verifier) (*Checkpoint, error) {
	path := filepath.Join(stateDir, "checkpoint")
	msg, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness state: %w", err)
	}
	cp, err := OpenCheckpoint(msg, v)
	if err != nil {
		return nil, fmt.Errorf("witness state %s: %w", path, err)
	}
	return &cp, nil
}

// checkExtends proves that next's tree extends prev's.
func checkExtends(ctx context.Context, c *Client, prev, next Checkpoint) error {
	switch {
	case next.Size < prev.Size:
		return fmt.Errorf("witness: rollback: the server's checkpoint has size %d, smaller than size %d seen before", next.Size, prev.Size)
	case next.Size == prev.Size:
		if next.Root != prev.Root {
			return fmt.Errorf("witness: fork: the server signed root %s for size %d, but root %s was seen before for size %d", next.Root, next.Size, prev.Root, prev.Size)
		}
		return nil
	case prev.Size == 0:
		return nil // the empty tree is a prefix of every tree
	}
	p, err := c.ConsistencyProof(ctx, prev.Size, next.Size)
	if err != nil {
		return fmt.Errorf("witness: fetch consistency proof %d..%d: %w", prev.Size, next.Size, err)
	}
	if err := tlog.CheckTree(p, next.Size, next.Root, prev.Size, prev.Root); err != nil {
		return fmt.Errorf("witness: the checkpoint of size %d is not consistent with size %d seen before: %v", next.Size, prev.Size, err)
	}
	return nil
}

// writeAtomic replaces dir/name with data so that a crash leaves the old
// file or the new one, never a torn one.
func writeAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("witness state: write %s: %w", name, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all systems can sync a directory
		d.Close()
	}
	return nil
}
