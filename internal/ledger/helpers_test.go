package ledger_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

func asError(err error, e **truce.Error) bool { return errors.As(err, e) }

// newKey makes a signing key named origin in a temporary directory.
func newKey(t testing.TB, origin string) ledger.Key {
	t.Helper()
	k, err := ledger.OpenKey(t.TempDir()+"/log.key", origin)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// hasProblem reports whether rep lists a problem of kind at index for the
// record id ("" matches any).
func hasProblem(rep *ledger.VerifyReport, kind string, index int64, recordID string) bool {
	for _, p := range rep.Problems {
		if p.Kind == kind && p.Index == index && (recordID == "" || p.RecordID == recordID) {
			return true
		}
	}
	return false
}

func problems(rep *ledger.VerifyReport) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString("\n\t" + p.String())
	}
	return b.String()
}

func signText(k ledger.Key, text string) ([]byte, error) {
	return note.Sign(&note.Note{Text: text}, k.Signer)
}

func runtimeGosched() { time.Sleep(time.Millisecond) }
