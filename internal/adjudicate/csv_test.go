package adjudicate

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// csvField is how encoding/csv writes one field alone on a line.
func csvField(t testing.TB, f string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write([]string{f}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

var fieldCases = []string{
	"", "a", `\.`, `\.x`, " lead", "\tlead", "\u00a0nbsp", "\u2003em space", "trail ",
	"a,b", `say "hi"`, `"`, `""`, "line\nbreak", "cr\rhere", "crlf\r\n",
	"place: 48.1,37.2 ±15 km outside the area (UA-14)", "no special chars at all, well one",
	"exactly8", "exactly8,", "1234567\"", "12345678\"9", "Київ, Україна", "é",
}

// TestAppendFieldMatchesEncodingCSV: the fast writer must produce what
// encoding/csv writes, byte for byte, or the output contract breaks.
func TestAppendFieldMatchesEncodingCSV(t *testing.T) {
	for _, f := range fieldCases {
		want := csvField(t, f)
		if got := string(appendField(nil, f)); got != want {
			t.Errorf("string %q: got %q, want %q", f, got, want)
		}
		if got := string(appendField(nil, []byte(f))); got != want {
			t.Errorf("bytes %q: got %q, want %q", f, got, want)
		}
	}
}

func FuzzAppendField(f *testing.F) {
	for _, c := range fieldCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || s == `\.` {
			return // encoding/csv writes "" and `\.` alone on a line specially; covered above
		}
		want := csvField(t, s)
		if got := string(appendField([]byte("x,"), s)); got != "x,"+want {
			t.Errorf("%q: got %q, want %q", s, got, "x,"+want)
		}
	})
}

// TestRowWriterMatchesEncodingCSV: the rows RowWriter writes are the
// verdicts of Judge written by encoding/csv, for ids and reasons that need
// quoting or not, hold quotes or not.
func TestRowWriterMatchesEncodingCSV(t *testing.T) {
	e := newEngine(t,
		agreementJSON("ua", `"area": {"countries": ["UA"]}`),
		agreementJSON("everywhere", ""),
		agreementJSON(`odd \"id\", really`, `"area": {"admin1": ["UA-14"]}`),
	)
	evs := []Event{
		acled(t),
		acled(t, `event_id_cnty=UKR"9`, "actor1=Military Forces of Russia (2000-)"),
		acled(t, "event_id_cnty=UKR,10", `actor1=The "Wagner" Group`, "actor2="),
		acled(t, "event_id_cnty= lead", "actor1=Unknown, armed", "actor2=", "latitude=50.45", "longitude=30.52"),
		acled(t, "sub_event_type=Peaceful protest", "event_type=Protests"),
		ucdp(t, "where_prec=7", "latitude=", "longitude=", `side_a=Government of Ukraine`, `side_b=Sea "drone" unit`),
	}
	rw := e.RowWriter()
	for _, ev := range evs {
		var want bytes.Buffer
		cw := csv.NewWriter(&want)
		e.Judge(&ev, true, func(_ int, v Verdict) {
			if err := cw.Write([]string{ev.ID, v.AgreementID, v.Verdict, v.Party, v.Reason}); err != nil {
				t.Fatal(err)
			}
		})
		cw.Flush()
		if got := rw.Append(nil, &ev, true); string(got) != want.String() {
			t.Errorf("event %q:\n got %s\nwant %s", ev.ID, got, want.String())
		}
	}
}

// needsQuotesNoQuote answers as needsQuotes for every field without a
// quote: the cases above, and their pieces of every length.
func TestNeedsQuotesNoQuote(t *testing.T) {
	for _, f := range fieldCases {
		for i := range len(f) + 1 {
			for _, s := range []string{f[:i], f[i:], f[i:] + f[:i] + "abcdefgh,ijklmno"[i%16:]} {
				if strings.Contains(s, `"`) {
					continue
				}
				if got, want := needsQuotesNoQuote([]byte(s)), needsQuotes(s); got != want {
					t.Errorf("%q: %v, want %v", s, got, want)
				}
			}
		}
	}
}

func FuzzNeedsQuotesNoQuote(f *testing.F) {
	for _, c := range fieldCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, `"`) {
			return
		}
		if got, want := needsQuotesNoQuote([]byte(s)), needsQuotes(s); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	})
}
