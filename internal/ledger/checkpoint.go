package ledger

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A checkpoint is the transparency-dev checkpoint body
// (https://github.com/transparency-dev/formats/blob/main/log/README.md),
// signed as a golang.org/x/mod/sumdb/note:
//
//	<origin>\n
//	<tree size, decimal>\n
//	<root hash, standard base64>\n
//	\n
//	— <origin> <base64(key hash || Ed25519 signature)>\n
//
// The origin is the signing key's name, so a checkpoint names the log it
// belongs to and a key for one log cannot vouch for another. We write no
// extension lines and accept none. Unlike tlog.FormatTree, whose first line
// is the fixed "go.sum database tree", the origin is ours to choose.

// ErrSignature marks a checkpoint that the log's key did not sign: forged,
// signed by another key, or altered after signing.
var ErrSignature = errors.New("checkpoint not signed by the log's key")

// FormatCheckpoint returns the unsigned checkpoint body.
func FormatCheckpoint(origin string, size int64, root tlog.Hash) []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ParseCheckpoint parses an unsigned checkpoint body, strictly: exactly
// the three lines FormatCheckpoint writes.
func ParseCheckpoint(text string) (origin string, size int64, root tlog.Hash, err error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return "", 0, root, errors.New("checkpoint: want 3 lines: origin, size, root")
	}
	origin = strings.TrimSuffix(lines[0], "\n")
	sizeText := strings.TrimSuffix(lines[1], "\n")
	rootText := strings.TrimSuffix(lines[2], "\n")
	if origin == "" {
		return "", 0, root, errors.New("checkpoint: empty origin")
	}
	size, err = strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return "", 0, root, fmt.Errorf("checkpoint: bad tree size %q", sizeText)
	}
	raw, err := base64.StdEncoding.DecodeString(rootText)
	if err != nil || len(raw) != tlog.HashSize {
		return "", 0, root, fmt.Errorf("checkpoint: bad root hash %q", rootText)
	}
	copy(root[:], raw)
	return origin, size, root, nil
}

// SignCheckpoint returns the signed note for the tree of size with root.
func SignCheckpoint(s note.Signer, size int64, root tlog.Hash) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: string(FormatCheckpoint(s.Name(), size, root))}, s)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint checks that msg is a checkpoint signed by v for v's origin
// and returns its size and root (At is not part of the signed text and is
// left zero). A signature problem wraps ErrSignature.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return Checkpoint{}, fmt.Errorf("%w: %v", ErrSignature, err)
		}
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	origin, size, root, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: origin %q is not the key's %q", ErrSignature, origin, v.Name())
	}
	return Checkpoint{Size: size, Root: root, Note: msg}, nil
}
