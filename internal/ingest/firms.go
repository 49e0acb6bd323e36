package ingest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// FIRMS fire detections become observations of kind fire, never reports: a
// thermal anomaly corroborates an incident but is not one.
//
// Source is "FIRMS " and the FIRMS product, e.g. "FIRMS VIIRS_SNPP_NRT" or
// "FIRMS MODIS_NRT", worked out from instrument, satellite and version
// (NRT for near-real-time versions such as "2.0NRT", SP for standard
// processing). A trimmed file (latitude, longitude, acq_date only) does not
// say which sensor saw the fire: its source is "FIRMS".
//
// FIRMS has no detection id, so ExternalID is built from the row:
// "lat,lon,acq_date,acq_time,satellite" (full) or "lat,lon,acq_date"
// (trimmed), coordinates in their shortest exact decimal form. Two rows
// with the same key are the same pixel seen by the same satellite in the
// same minute: the same detection, imported once. In a trimmed file a MODIS
// and a VIIRS detection at exactly the same coordinates on the same day
// would also collapse into one; the sensors' grids differ, so in practice
// they do not (none do in the 2022 Ukraine file).
//
// From is the acquisition time (acq_time, HHMM UTC) and To one minute later,
// the resolution FIRMS gives; a trimmed row covers its whole UTC day.
// RadiusKm is half the pixel's diagonal from scan and track (kilometres),
// or 1 km when they are missing. Confidence is kept as written (l/n/h for
// VIIRS, 0-100 for MODIS); the other fields go to Attributes.
type firmsReader struct {
	c                    *csvReader
	lat, lon, date       int
	time, sat, inst, ver int
	conf, scan, track    int
	attrCols             []int
	lastKey, lastSource  string
	trimmed              bool
}

// trimmedRadiusKm is the radius of a detection whose pixel size is not
// given: the nominal MODIS pixel is 1 km, VIIRS 375 m.
const trimmedRadiusKm = 1.0

func openFIRMS(f *openFile) (Reader, error) {
	c := f.c
	idx, err := c.require(FormatFIRMS, "latitude", "longitude", "acq_date")
	if err != nil {
		return nil, err
	}
	r := &firmsReader{c: c, lat: idx[0], lon: idx[1], date: idx[2],
		time: c.col("acq_time"), sat: c.col("satellite"), inst: c.col("instrument"), ver: c.col("version"),
		conf: c.col("confidence"), scan: c.col("scan"), track: c.col("track")}
	r.trimmed = r.time < 0
	used := []int{r.lat, r.lon, r.date, r.time, r.conf}
	for i := range c.header {
		if !slices.Contains(used, i) {
			r.attrCols = append(r.attrCols, i)
		}
	}
	return r, nil
}

func (r *firmsReader) Header() []string { return r.c.header }

func (r *firmsReader) Notes() []string {
	if r.trimmed {
		return []string{"trimmed form: no sensor or time, each detection covers its UTC day"}
	}
	return nil
}

func (r *firmsReader) Next() (Item, error) {
	rec, line, err := r.c.next()
	if err != nil {
		return Item{Line: line}, err
	}
	o := &truce.Observation{Kind: truce.ObservationFire}
	lat, err := parseLat(rec[r.lat])
	if err != nil {
		return Item{}, r.c.errorf(rec, line, r.lat, "%v", err)
	}
	lon, err := parseLon(rec[r.lon])
	if err != nil {
		return Item{}, r.c.errorf(rec, line, r.lon, "%v", err)
	}
	day, err := parseISODate(rec[r.date])
	if err != nil {
		return Item{}, r.c.errorf(rec, line, r.date, "%v", err)
	}
	o.Lat, o.Lon = &lat, &lon
	key := make([]byte, 0, 64)
	key = append(key, formatCoord(lat)...)
	key = append(key, ',')
	key = append(key, formatCoord(lon)...)
	key = append(key, ',')
	key = append(key, day.Format(time.DateOnly)...)
	if r.trimmed {
		o.Source = "FIRMS"
		o.From, o.To = day, day.AddDate(0, 0, 1)
		o.RadiusKm = trimmedRadiusKm
	} else {
		hhmm, err := parseHHMM(rec[r.time])
		if err != nil {
			return Item{}, r.c.errorf(rec, line, r.time, "%v", err)
		}
		o.From = day.Add(hhmm)
		o.To = o.From.Add(time.Minute)
		sat := field(rec, r.sat)
		key = fmt.Appendf(key, ",%02d%02d,%s", int(hhmm.Hours()), int(hhmm.Minutes())%60, sat)
		o.Source = r.source(field(rec, r.inst), sat, field(rec, r.ver))
		o.RadiusKm = pixelRadius(field(rec, r.scan), field(rec, r.track), field(rec, r.inst))
	}
	o.ExternalID = string(key)
	o.Confidence = field(rec, r.conf)
	var a attrs
	for _, i := range r.attrCols {
		a.add(r.c.header[i], strings.TrimSpace(rec[i]))
	}
	o.Attributes = a.String()
	return Item{Line: line, Observation: o}, nil
}

// source names the FIRMS product of a row, cached since a file holds one
// or two products.
func (r *firmsReader) source(inst, sat, ver string) string {
	k := inst + "\x00" + sat + "\x00" + ver
	if k != r.lastKey {
		r.lastKey, r.lastSource = k, "FIRMS "+firmsProduct(inst, sat, ver)
	}
	return r.lastSource
}

// firmsProduct names the product FIRMS distributes a detection in.
func firmsProduct(inst, sat, ver string) string {
	inst = strings.ToUpper(strings.TrimSpace(inst))
	sat = strings.ToUpper(strings.TrimSpace(sat))
	processing := "SP"
	if strings.HasSuffix(strings.ToUpper(ver), "NRT") {
		processing = "NRT"
	} else if strings.HasSuffix(strings.ToUpper(ver), "URT") {
		processing = "URT"
	}
	switch {
	case inst == "MODIS" || sat == "TERRA" || sat == "AQUA" || sat == "T" || sat == "A":
		return "MODIS_" + processing
	case sat == "N" || sat == "NPP" || sat == "SNPP" || sat == "SUOMI NPP":
		return "VIIRS_SNPP_" + processing
	case sat == "1" || sat == "N20" || sat == "NOAA-20" || sat == "NOAA20":
		return "VIIRS_NOAA20_" + processing
	case sat == "2" || sat == "N21" || sat == "NOAA-21" || sat == "NOAA21":
		return "VIIRS_NOAA21_" + processing
	case inst != "":
		return inst + "_" + processing
	}
	return "UNKNOWN_" + processing
}

// parseHHMM reads FIRMS acq_time: HHMM in UTC, written as an integer by
// some tools (so 56 is 00:56) and as HH:MM by others.
func parseHHMM(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	digits := strings.Replace(s, ":", "", 1)
	if digits == "" || len(digits) > 4 {
		return 0, fmt.Errorf("%q is not a time HHMM", s)
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a time HHMM", s)
		}
		n = n*10 + int(c-'0')
	}
	h, m := n/100, n%100
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a time HHMM (00:00-23:59)", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// pixelRadius is half the diagonal of a scan × track km pixel, with the
// sensor's nominal pixel when they are not given.
func pixelRadius(scan, track, inst string) float64 {
	s, err1 := parseNumber(scan)
	t, err2 := parseNumber(track)
	if err1 == nil && err2 == nil && s > 0 && t > 0 && s < 50 && t < 50 {
		return math.Round(math.Hypot(s, t)/2*1000) / 1000
	}
	if strings.EqualFold(strings.TrimSpace(inst), "VIIRS") {
		return 0.266 // a 375 m square
	}
	return trimmedRadiusKm
}

// field returns rec[i] trimmed, or "" when the column is absent.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}
