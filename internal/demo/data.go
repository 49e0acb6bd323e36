package demo

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"

	"github.com/truce-monitor/truce"
)

// files holds the demo mission. It is read-only, so sharing it between
// callers is safe.
//
//go:embed data/*.json data/*.csv.gz data/ATTRIBUTION.md
var files embed.FS

// The embedded files, in load order: the terms come first because claims
// and reports name their parties and agreements.
const (
	ScenarioTermsFile = "data/scenario-2025.json"
	DonbasTermsFile   = "data/donbas-2020.json"
	ClaimsFile        = "data/claims-2025.json"
	ReportsFile       = "data/reports-2025.json"
	UCDPFile          = "data/ged-ukraine-2014-2022.csv.gz"
	AttributionFile   = "data/ATTRIBUTION.md"
)

// TermsFiles returns the embedded terms files in load order.
func TermsFiles() []string { return []string{ScenarioTermsFile, DonbasTermsFile} }

// UCDPName is the name the UCDP extract is imported under, so that import
// messages point at a file a user can recognise.
const UCDPName = "ged-ukraine-2014-2022.csv"

// SubmittedBy is the submitter of the illustrative reports; the pair
// (submitter, external id) is unique in the store, which is what makes a
// second load add nothing.
const SubmittedBy = "demo"

// Open returns the bytes of an embedded file.
func Open(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return b, nil
}

// Claims returns the claims quoted in the scenario article, decoded
// strictly so that a misspelt field in the embedded file fails the tests
// rather than vanishing.
func Claims() ([]truce.Claim, error) {
	var cs []truce.Claim
	if err := decodeStrict(ClaimsFile, &cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// Reports returns the illustrative reports for the May 2025 truce window.
func Reports() ([]truce.Report, error) {
	var rs []truce.Report
	if err := decodeStrict(ReportsFile, &rs); err != nil {
		return nil, err
	}
	return rs, nil
}

// UCDP returns the embedded UCDP GED extract as CSV text.
func UCDP() (io.ReadCloser, error) {
	b, err := Open(UCDPFile)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("demo: %s: %w", UCDPFile, err)
	}
	return zr, nil
}

func decodeStrict(name string, v any) error {
	b, err := Open(name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("demo: %s: %w", name, err)
	}
	if dec.More() {
		return fmt.Errorf("demo: %s: data after the top-level value", name)
	}
	return nil
}
