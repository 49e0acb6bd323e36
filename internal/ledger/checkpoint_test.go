package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

func TestCheckpointRoundTrip(t *testing.T) {
	k := newKey(t, "truce.test/log")
	root := tlog.Hash(sha256.Sum256([]byte("some root")))
	msg, err := ledger.SignCheckpoint(k.Signer, 1234, root)
	if err != nil {
		t.Fatal(err)
	}
	wantBody := "truce.test/log\n1234\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n\n— truce.test/log "
	if !strings.HasPrefix(string(msg), wantBody) || !strings.HasSuffix(string(msg), "\n") {
		t.Fatalf("signed checkpoint:\n%s\nwant it to start %q", msg, wantBody)
	}
	cp, err := ledger.OpenCheckpoint(msg, k.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size != 1234 || cp.Root != root || string(cp.Note) != string(msg) {
		t.Fatalf("OpenCheckpoint = %d %s", cp.Size, cp.Root)
	}
}

func TestCheckpointForged(t *testing.T) {
	k := newKey(t, "truce.test/log")
	other := newKey(t, "truce.test/log") // same name, another key
	elsewhere := newKey(t, "elsewhere.test/log")
	root := tlog.Hash(sha256.Sum256([]byte("r")))
	good, _ := ledger.SignCheckpoint(k.Signer, 10, root)
	byOther, _ := ledger.SignCheckpoint(other.Signer, 10, root)
	byElsewhere, _ := ledger.SignCheckpoint(elsewhere.Signer, 10, root)
	// Change the size after signing.
	altered := []byte(strings.Replace(string(good), "\n10\n", "\n11\n", 1))
	// A body for another origin signed by our key (the origin must be the key's).
	wrongOrigin, err := signText(k, "elsewhere.test/log\n10\n"+base64.StdEncoding.EncodeToString(root[:])+"\n")
	if err != nil {
		t.Fatal(err)
	}
	for name, msg := range map[string][]byte{"other key": byOther, "other log's key": byElsewhere, "altered": altered, "wrong origin": wrongOrigin} {
		t.Run(name, func(t *testing.T) {
			if _, err := ledger.OpenCheckpoint(msg, k.Verifier); !errors.Is(err, ledger.ErrSignature) {
				t.Fatalf("OpenCheckpoint = %v, want ErrSignature", err)
			}
		})
	}
}

func TestParseCheckpointStrict(t *testing.T) {
	r := base64.StdEncoding.EncodeToString(make([]byte, 32))
	good := "o\n5\n" + r + "\n"
	if _, n, _, err := ledger.ParseCheckpoint(good); err != nil || n != 5 {
		t.Fatalf("ParseCheckpoint(%q) = %d, %v", good, n, err)
	}
	for _, text := range []string{
		"", "o\n5\n" + r, "o\n5\n" + r + "\nextension\n", "\n5\n" + r + "\n",
		"o\n-5\n" + r + "\n", "o\n05\n" + r + "\n", "o\n+5\n" + r + "\n", "o\nfive\n" + r + "\n",
		"o\n5\nAAAA\n", "o\n5\n" + r + "x\n",
	} {
		if _, _, _, err := ledger.ParseCheckpoint(text); err == nil {
			t.Errorf("ParseCheckpoint(%q) accepted", text)
		}
	}
}

func TestLogCheckpoint(t *testing.T) {
	ctx := context.Background()
	k := newKey(t, "truce.test/log")
	m := newMemSource()
	l := ledger.NewLog(m, k.Signer, nil)

	// The empty log is not signed.
	if _, err := l.Checkpoint(ctx); truce.ErrorCode(err) != truce.ENOTFOUND || len(m.cps) != 0 {
		t.Fatalf("checkpoint of the empty log: %v, %d stored", err, len(m.cps))
	}
	m.fill(t, 37)
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roots := independentRoots(t, m)
	if cp.Size != 37 || string(cp.Root[:]) != string(roots[37]) {
		t.Fatalf("checkpoint size %d root %s; want 37 %x", cp.Size, cp.Root, roots[37])
	}
	if opened, err := ledger.OpenCheckpoint(cp.Note, k.Verifier); err != nil || opened.Size != 37 || opened.Root != cp.Root {
		t.Fatalf("stored note does not open to the checkpoint: %v", err)
	}
	// Unchanged size: the same checkpoint, nothing new stored.
	again, err := l.Checkpoint(ctx)
	if err != nil || string(again.Note) != string(cp.Note) || len(m.cps) != 1 {
		t.Fatalf("second checkpoint at the same size: %v, %d stored", err, len(m.cps))
	}

	// A rolled-back log is not signed.
	m.rollback(30)
	if _, err := l.Checkpoint(ctx); err == nil || !strings.Contains(err.Error(), "rolled back") {
		t.Fatalf("checkpoint of a rolled-back log: %v", err)
	}
	// Nor is one whose history was rewritten, though it grew.
	m.fill(t, 20)
	if _, err := l.Checkpoint(ctx); err == nil || !strings.Contains(err.Error(), "not consistent") {
		t.Fatalf("checkpoint of a rewritten log: %v", err)
	}
	if len(m.cps) != 1 {
		t.Fatalf("%d checkpoints stored, want still 1", len(m.cps))
	}
}

func TestRunCheckpoints(t *testing.T) {
	k := newKey(t, "truce.test/log")
	m := newMemSource()
	m.fill(t, 3)
	l := ledger.NewLog(m, k.Signer, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.RunCheckpoints(ctx, 1<<62) // only the immediate one can happen
		close(done)
	}()
	for {
		if cp, err := m.LatestCheckpoint(ctx); err == nil {
			if cp.Size != 3 {
				t.Fatalf("scheduled checkpoint has size %d, want 3", cp.Size)
			}
			break
		}
		runtimeGosched()
	}
	cancel()
	<-done
}
