// Package resample draws synthetic conflict events from real ones: every
// coordinate, date, precision code, actor name and text it hands out was
// taken from the real UCDP GED and NASA FIRMS files in shared/data, so the
// benchmark data has the geography and the skew of the real thing at any
// size. It exists for the cross-tool benchmarks in bench/.
package resample

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// The real files the pool is drawn from, relative to the data directory.
const (
	UCDPFile      = "ucdp/ged-ukraine-2014-2022.csv"
	UCDPMessyFile = "ucdp/ged-ukraine-2014-2023-cp1252-messy.csv" // the only one with Russian and one-sided violence rows
	FIRMSFile     = "firms/viirs-snpp-nrt-ukraine-2023.csv"
)

// Place is a real event location with the country field that came with it
// and, for UCDP events, the administrative names UCDP gives it.
type Place struct {
	Lat, Lon       float64
	Country        string
	Admin1, Admin2 string
}

// Sides is a real (type_of_violence, side_a, side_b) triple from UCDP GED.
type Sides struct {
	Violence     string
	SideA, SideB string
}

// Text is a real UCDP headline with its place description, the news
// offices behind it and its best fatality estimate.
type Text struct {
	Headline, Where string
	Sources         string
	Deaths          string
}

// Pool holds the real values to resample from.
type Pool struct {
	UCDPPlaces []Place
	FirePlaces []Place
	WherePrec  []int       // one entry per real UCDP row, so sampling follows the real distribution
	SpanDays   []int       // date_end - date_start of each real UCDP row
	UCDPDates  []time.Time // date_start of each real UCDP row
	FireDates  []time.Time // acq_date of each FIRMS detection
	Sides      []Sides
	Texts      []Text
}

// Load reads the real files under dataDir (normally shared/data).
func Load(dataDir string) (*Pool, error) {
	p := &Pool{}
	if err := p.loadUCDP(filepath.Join(dataDir, UCDPFile)); err != nil {
		return nil, err
	}
	if err := p.loadSides(filepath.Join(dataDir, UCDPMessyFile)); err != nil {
		return nil, err
	}
	if err := p.loadFIRMS(filepath.Join(dataDir, FIRMSFile)); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Pool) loadUCDP(path string) error {
	return eachRow(path, false, func(col func(string) string) error {
		lat, err1 := strconv.ParseFloat(col("latitude"), 64)
		lon, err2 := strconv.ParseFloat(col("longitude"), 64)
		prec, err3 := strconv.Atoi(col("where_prec"))
		d0, err4 := time.Parse(time.DateOnly, col("date_start"))
		d1, err5 := time.Parse(time.DateOnly, col("date_end"))
		for _, err := range []error{err1, err2, err3, err4, err5} {
			if err != nil {
				return err
			}
		}
		p.UCDPPlaces = append(p.UCDPPlaces, Place{Lat: lat, Lon: lon, Country: col("country"), Admin1: col("adm_1"), Admin2: col("adm_2")})
		p.WherePrec = append(p.WherePrec, prec)
		p.SpanDays = append(p.SpanDays, int(d1.Sub(d0).Hours()/24))
		p.UCDPDates = append(p.UCDPDates, d0)
		p.Texts = append(p.Texts, Text{Headline: col("source_headline"), Where: col("where_description"),
			Sources: col("source_office"), Deaths: col("best")})
		return nil
	})
}

func (p *Pool) loadSides(path string) error {
	return eachRow(path, true, func(col func(string) string) error {
		p.Sides = append(p.Sides, Sides{Violence: col("type_of_violence"), SideA: col("side_a"), SideB: col("side_b")})
		return nil
	})
}

func (p *Pool) loadFIRMS(path string) error {
	return eachRow(path, false, func(col func(string) string) error {
		lat, err1 := strconv.ParseFloat(col("latitude"), 64)
		lon, err2 := strconv.ParseFloat(col("longitude"), 64)
		d, err3 := time.Parse(time.DateOnly, col("acq_date"))
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				return err
			}
		}
		p.FirePlaces = append(p.FirePlaces, Place{Lat: lat, Lon: lon, Country: "Ukraine"})
		p.FireDates = append(p.FireDates, d)
		return nil
	})
}

// eachRow calls fn for every record of a CSV file with a header, giving it a
// column getter by name. cp1252 decodes the file from Windows-1252.
func eachRow(path string, cp1252 bool, fn func(col func(string) string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if cp1252 {
		r = charmap.Windows1252.NewDecoder().Reader(f)
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: header: %w", path, err)
	}
	index := map[string]int{}
	for i, h := range header {
		index[h] = i
	}
	var rec []string
	col := func(name string) string {
		i, ok := index[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	for {
		rec, err = cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := fn(col); err != nil {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}

// DataDir returns the shared data directory: dir if set, otherwise
// shared/data beside the repository that holds the working directory
// (the layout on the build machines and in CI).
func DataDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "..", "shared", "data"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: pass the data directory", wd)
		}
	}
}
