package compliance

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The PDF form is the report's text and tables, laid out in Courier (one
// of the PDF standard fonts every reader has, so nothing is embedded and
// nothing is fetched) on A4 landscape pages. The map and the chart are in
// the HTML form, which also prints to PDF from a browser. The bytes are
// deterministic: no creation date, objects in a fixed order.
const (
	pdfPageW, pdfPageH = 842.0, 595.0
	pdfMargin          = 30.0
	pdfFontSize        = 7.0
	pdfLeading         = 8.4
	pdfCharW           = 0.6 * pdfFontSize // Courier
)

// The text area: 186 columns, 63 lines.
const (
	pdfCols  = 186
	pdfLines = 63
)

// PDF returns the report as a PDF document.
func (rep *Report) PDF() []byte {
	var lines []string
	add := func(s string) { lines = append(lines, wrap(s, pdfCols)...) }
	title := rep.Agreement.Title
	if title == "" {
		title = rep.Agreement.ID
	}
	add("DAILY COMPLIANCE REPORT: " + title)
	add(fmt.Sprintf("Agreement %s, version %d (%s), window %s %s", rep.Agreement.ID, rep.Agreement.Version, rep.Agreement.Status, rep.Agreement.Window, rep.Agreement.TZ))
	add(fmt.Sprintf("Reporting day %s (%s), %s - %s", rep.Date, rep.Agreement.TZ, stamp(rep.Periods.Day.From), stamp(rep.Periods.Day.To)))
	add(fmt.Sprintf("Pre-truce baseline %s - %s; since the window opened %s - %s", stamp(rep.Periods.Baseline.From), stamp(rep.Periods.Baseline.To), stamp(rep.Periods.Total.From), stamp(rep.Periods.Total.To)))
	add(fmt.Sprintf("Computed from the log at size %d, root hash %s (rebuild with --as-of %d)", rep.Checkpoint.Size, rep.Checkpoint.Root, rep.Checkpoint.Size))
	for _, t := range rep.tables() {
		lines = append(lines, "", strings.ToUpper(t.Title))
		if t.Note != "" {
			add(t.Note)
		}
		if len(t.Rows) == 0 {
			lines = append(lines, "None.")
			continue
		}
		lines = append(lines, textTable(t.Head, t.Rows, pdfCols)...)
	}
	if len(rep.Notes) > 0 {
		lines = append(lines, "", "NOTES")
		for _, n := range rep.Notes {
			add("- " + n)
		}
	}
	var pages [][]string
	for len(lines) > 0 {
		n := min(len(lines), pdfLines)
		pages = append(pages, lines[:n])
		lines = lines[n:]
	}
	return pdfDocument(pages)
}

// textTable lays out a table in columns of fixed width, wrapping cells.
func textTable(head []string, rows [][]string, width int) []string {
	n := len(head)
	w := make([]int, n)
	for i, h := range head {
		w[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], min(utf8.RuneCountInString(c), 60))
		}
	}
	// Shrink the widest column until the table fits (3 spaces between).
	for total(w)+3*(n-1) > width {
		wi := 0
		for i := range w {
			if w[i] > w[wi] {
				wi = i
			}
		}
		if w[wi] <= 6 {
			break
		}
		w[wi]--
	}
	var out []string
	row := func(cells []string) {
		wrapped := make([][]string, n)
		h := 1
		for i := range n {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			wrapped[i] = wrap(c, w[i])
			h = max(h, len(wrapped[i]))
		}
		for l := range h {
			var b strings.Builder
			for i := range n {
				s := ""
				if l < len(wrapped[i]) {
					s = wrapped[i][l]
				}
				b.WriteString(s)
				if i < n-1 {
					b.WriteString(strings.Repeat(" ", w[i]-utf8.RuneCountInString(s)+3))
				}
			}
			out = append(out, strings.TrimRight(b.String(), " "))
		}
	}
	row(head)
	rule := make([]string, n)
	for i := range n {
		rule[i] = strings.Repeat("-", w[i])
	}
	row(rule)
	for _, r := range rows {
		row(r)
	}
	return out
}

func total(w []int) int {
	s := 0
	for _, x := range w {
		s += x
	}
	return s
}

// wrap breaks s into lines of at most width runes, at spaces where it can.
func wrap(s string, width int) []string {
	var out []string
	rs := []rune(s)
	for len(rs) > width {
		cut := width
		for i := width; i > width/2; i-- {
			if rs[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, strings.TrimRight(string(rs[:cut]), " "))
		rs = []rune(strings.TrimLeft(string(rs[cut:]), " "))
	}
	return append(out, string(rs))
}

// pdfDocument writes pages of text lines as a PDF 1.4 file.
func pdfDocument(pages [][]string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// 1 catalog, 2 pages, 3 font, then a page and its content per page.
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
	for i, lines := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", pdfPageW, pdfPageH, 5+2*i))
		var c bytes.Buffer
		fmt.Fprintf(&c, "BT\n/F1 %g Tf\n%g TL\n%g %g Td\n", pdfFontSize, pdfLeading, pdfMargin, pdfPageH-pdfMargin-pdfFontSize)
		for _, l := range lines {
			c.WriteString("(")
			c.Write(pdfText(l))
			c.WriteString(") '\n")
		}
		fmt.Fprintf(&c, "ET\nBT\n/F1 %g Tf\n%g %g Td\n(page %d of %d) Tj\nET", pdfFontSize, pdfPageW-pdfMargin-16*pdfCharW, pdfMargin/2, i+1, len(pages))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.Bytes()))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// winAnsi maps the characters outside Latin-1 that reports use to their
// WinAnsiEncoding bytes.
var winAnsi = map[rune]byte{'–': 0x96, '—': 0x97, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '…': 0x85, '•': 0x95, '€': 0x80}

// pdfText encodes a line as a PDF string body in WinAnsiEncoding; a
// character the encoding lacks becomes '?'.
func pdfText(s string) []byte {
	var out []byte
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			out = append(out, '\\', byte(r))
		case r == '→':
			out = append(out, '-', '>')
		case r < 0x20:
			out = append(out, ' ')
		case r < 0x7f || (r >= 0xa0 && r <= 0xff):
			out = append(out, byte(r))
		default:
			if c, ok := winAnsi[r]; ok {
				out = append(out, c)
			} else {
				out = append(out, '?')
			}
		}
	}
	return out
}
