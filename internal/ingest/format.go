package ingest

import (
	"fmt"
	"slices"
	"strings"
)

// Format names, as given on the command line.
const (
	FormatACLED     = "acled"
	FormatUCDP      = "ucdp-ged"
	FormatFIRMS     = "firms"
	FormatAlerts    = "alerts"
	FormatPAX       = "pax"
	FormatCorridors = "corridors"
	FormatGeoJSON   = "geojson"
	FormatCSV       = "csv"
)

// format is one importable format: how to recognise its header and how to
// read it.
type format struct {
	name    string
	aliases []string
	about   string
	// detect reports whether a CSV header is this format's; nil for formats
	// that are never detected (GeoJSON is told by its first byte; generic
	// CSV needs a mapping).
	detect func(c *csvReader) bool
	// open returns the reader of a file whose header has been read (c is
	// nil for GeoJSON).
	open func(f *openFile) (Reader, error)
}

// openFile is what a format's open gets.
type openFile struct {
	in  *input
	c   *csvReader
	opt *Options
}

// formats are tried in this order; the first whose detect accepts a
// header wins.
var formats = []format{
	{name: FormatACLED, about: "ACLED export CSV (header has event_id_cnty) → reports",
		detect: func(c *csvReader) bool { return c.has("event_id_cnty") }, open: openACLED},
	{name: FormatUCDP, aliases: []string{"ucdp", "ged"}, about: "UCDP GED CSV (header has where_prec and date_start), UTF-8 or Windows-1252 with mixed date formats → reports",
		detect: func(c *csvReader) bool { return c.has("where_prec", "date_start") }, open: openUCDP},
	{name: FormatFIRMS, aliases: []string{"firms-viirs", "firms-modis"}, about: "NASA FIRMS CSV, VIIRS or MODIS, full or trimmed to latitude,longitude,acq_date → fire observations",
		detect: func(c *csvReader) bool { return c.has("latitude", "longitude", "acq_date") }, open: openFIRMS},
	{name: FormatAlerts, about: "air-raid alert logs, official (oblast,raion,hromada,level,started_at,finished_at) or volunteer (region,started_at,finished_at,naive) → alert observations",
		detect: func(c *csvReader) bool {
			return c.has("started_at", "finished_at") && (c.has("oblast") || c.has("region"))
		}, open: openAlerts},
	{name: FormatPAX, aliases: []string{"pa-x"}, about: "PA-X peace agreements CSV (header has AgtId, Stage, Dat) → ceasefires (Stage=Cea) as agreements whose terms need review",
		detect: func(c *csvReader) bool { return c.has("agtid", "stage", "dat") }, open: openPAX},
	{name: FormatCorridors, about: "PeaceRep humanitarian corridors CSV (header has HC_ID) → local ceasefires as agreements whose terms need review",
		detect: func(c *csvReader) bool { return c.has("hc_id", "status_result") }, open: openCorridors},
	{name: FormatGeoJSON, about: "GeoJSON FeatureCollection of reports (file starts with '{')", open: openGeoJSON},
	{name: FormatCSV, about: "any CSV, with --mapping FILE naming its columns → reports", open: openGeneric},
}

// Formats lists the format names and a line about each, for usage text.
func Formats() [][2]string {
	out := make([][2]string, len(formats))
	for i, f := range formats {
		out[i] = [2]string{f.name, f.about}
	}
	return out
}

// KnownFormat reports whether name is a format name or alias.
func KnownFormat(name string) bool {
	_, ok := lookupFormat(name)
	return ok
}

func lookupFormat(name string) (format, bool) {
	name = strings.ToLower(name)
	for _, f := range formats {
		if f.name == name || slices.Contains(f.aliases, name) {
			return f, true
		}
	}
	return format{}, false
}

// open opens one file and returns its reader and format name. An explicit
// format name overrides detection.
func open(name string, opt *Options) (Reader, *input, string, error) {
	in, err := openInput(name)
	if err != nil {
		return nil, nil, "", err
	}
	r, fname, err := openAs(in, opt)
	if err != nil {
		in.Close()
		return nil, nil, "", err
	}
	return r, in, fname, nil
}

func openAs(in *input, opt *Options) (Reader, string, error) {
	var f format
	if opt.Format != "" {
		var ok bool
		if f, ok = lookupFormat(opt.Format); !ok {
			return nil, "", &FileError{File: in.name, Msg: fmt.Sprintf("unknown format %q (known: %s)", opt.Format, formatNames())}
		}
	}
	if opt.Format == "" && opt.Mapping != nil {
		f, _ = lookupFormat(FormatCSV)
	}
	jsonText := in.firstByte() == '{'
	switch {
	case f.name == FormatGeoJSON || f.name == "" && jsonText:
		if !jsonText {
			return nil, "", &FileError{File: in.name, Msg: "not a GeoJSON file: it does not start with '{'"}
		}
		f, _ = lookupFormat(FormatGeoJSON)
		r, err := f.open(&openFile{in: in, opt: opt})
		return r, f.name, err
	case jsonText:
		return nil, "", &FileError{File: in.name, Msg: fmt.Sprintf("is JSON, not the CSV that format %s reads", f.name)}
	}
	c, err := newCSVReader(in)
	if err != nil {
		return nil, "", err
	}
	if f.name == "" {
		for _, cand := range formats {
			if cand.detect != nil && cand.detect(c) {
				f = cand
				break
			}
		}
	}
	if f.name == "" {
		return nil, "", &FileError{File: in.name, Msg: fmt.Sprintf("unknown format: the header (%s) is none of %s; name the format, or give --mapping for a generic CSV",
			headerSample(c.header), formatNames())}
	}
	r, err := f.open(&openFile{in: in, c: c, opt: opt})
	return r, f.name, err
}

func formatNames() string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// headerSample shows the first columns of a header, cut short so that a
// binary or prose first line does not flood the message.
func headerSample(h []string) string {
	s := strings.Join(h, ",")
	if len(s) > 80 {
		s = truncateRunes(s, 77) + "..."
	}
	return fmt.Sprintf("%q", s)
}
