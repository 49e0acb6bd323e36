// Package demo holds the demo mission that `truce demo` loads: the May 2025
// scenario (its parties, agreements and claims as the news report of 11 May
// 2025 states them), the July 2020 Donbas ceasefire measures from PA-X, the
// UCDP GED events for Ukraine 2014-2022 and a few illustrative reports for
// the May 2025 truce, with real FIRMS fire detections and air-raid alerts
// of early 2022 as sensor layers, all embedded in the binary (sources in
// data/ATTRIBUTION.md).
package demo

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/truce-monitor/truce/internal/geo"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/terms"
)

// Summary says what Load added and what was already there.
type Summary struct {
	Terms []TermsLoad `json:"terms"` // one per terms file, in load order

	ClaimsAdded   int `json:"claims_added"`
	ClaimsPresent int `json:"claims_present"`

	// The UCDP GED events, imported as dataset reports.
	DatasetAdded    int `json:"dataset_added"`
	DatasetPresent  int `json:"dataset_present"`
	DatasetRejected int `json:"dataset_rejected"`

	// The illustrative reports.
	ReportsAdded   int `json:"reports_added"`
	ReportsPresent int `json:"reports_present"`

	// The negotiation track's records and versions (negotiation.go).
	NegotiationAdded   int `json:"negotiation_added"`
	NegotiationPresent int `json:"negotiation_present"`

	// The sensor observations: FIRMS fires and air-raid alerts (sensors.go).
	SensorsAdded    int `json:"sensors_added"`
	SensorsPresent  int `json:"sensors_present"`
	SensorsRejected int `json:"sensors_rejected"`
}

// TermsLoad is the outcome of importing one terms file.
type TermsLoad struct {
	File string `json:"file"`
	store.TermsSummary
}

// Changed reports whether Load wrote anything. A second load of the same
// demo into the same store changes nothing.
func (s Summary) Changed() bool {
	for _, t := range s.Terms {
		if t.PartiesAdded+t.PartiesChanged+t.AgreementsAdded+t.AgreementsNewVersion > 0 {
			return true
		}
	}
	return s.ClaimsAdded+s.DatasetAdded+s.ReportsAdded+s.NegotiationAdded+s.SensorsAdded > 0
}

// String says in a few lines what was loaded, for the command line.
func (s Summary) String() string {
	if !s.Changed() {
		return "demo mission already loaded: nothing changed"
	}
	var b strings.Builder
	var pa, pc, aa, av int
	for _, t := range s.Terms {
		pa, pc = pa+t.PartiesAdded, pc+t.PartiesChanged
		aa, av = aa+t.AgreementsAdded, av+t.AgreementsNewVersion
	}
	fmt.Fprintf(&b, "demo mission loaded: %d parties added, %d changed; %d agreements added, %d new versions\n", pa, pc, aa, av)
	fmt.Fprintf(&b, "claims: %d added, %d already present\n", s.ClaimsAdded, s.ClaimsPresent)
	fmt.Fprintf(&b, "UCDP GED events: %d added, %d already present", s.DatasetAdded, s.DatasetPresent)
	if s.DatasetRejected > 0 {
		fmt.Fprintf(&b, ", %d rejected", s.DatasetRejected)
	}
	fmt.Fprintf(&b, "\nillustrative reports: %d added, %d already present", s.ReportsAdded, s.ReportsPresent)
	fmt.Fprintf(&b, "\nnegotiation track: %d records added, %d already present", s.NegotiationAdded, s.NegotiationPresent)
	fmt.Fprintf(&b, "\nsensor observations (FIRMS, air-raid alerts): %d added, %d already present", s.SensorsAdded, s.SensorsPresent)
	if s.SensorsRejected > 0 {
		fmt.Fprintf(&b, ", %d rejected", s.SensorsRejected)
	}
	return b.String()
}

// Load loads the demo mission into db if it is not there yet. Every step
// is idempotent in the store (terms import, claim and report dedupe keys),
// so loading twice changes nothing and the second Summary says so; a load
// that was interrupted is completed by the next. The terms are parsed and
// checked against the gazetteer exactly as a user's terms file would be.
func Load(ctx context.Context, db *store.DB, gz *geo.Gazetteer, log *slog.Logger) (Summary, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var sum Summary
	parties := map[string]bool{}
	for _, name := range TermsFiles() {
		b, err := Open(name)
		if err != nil {
			return sum, err
		}
		t, err := terms.Parse(bytes.NewReader(b), gz)
		if err != nil {
			return sum, fmt.Errorf("demo %s: %w", name, err)
		}
		ts, err := db.ImportTerms(ctx, t, SubmittedBy)
		if err != nil {
			return sum, fmt.Errorf("demo %s: import terms: %w", name, err)
		}
		sum.Terms = append(sum.Terms, TermsLoad{File: name, TermsSummary: ts})
		for _, p := range t.Parties {
			parties[p.Code] = true
		}
		log.Info("demo terms", "file", name, "parties_added", ts.PartiesAdded, "agreements_added", ts.AgreementsAdded,
			"agreements_new_version", ts.AgreementsNewVersion)
	}

	if err := loadClaims(ctx, db, parties, &sum); err != nil {
		return sum, err
	}
	log.Info("demo claims", "added", sum.ClaimsAdded, "present", sum.ClaimsPresent)

	if err := loadUCDP(ctx, db, log, &sum); err != nil {
		return sum, err
	}
	log.Info("demo UCDP GED events", "added", sum.DatasetAdded, "present", sum.DatasetPresent, "rejected", sum.DatasetRejected)

	if err := loadReports(ctx, db, &sum); err != nil {
		return sum, err
	}
	log.Info("demo illustrative reports", "added", sum.ReportsAdded, "present", sum.ReportsPresent)

	if err := loadNegotiation(ctx, db, &sum); err != nil {
		return sum, err
	}
	log.Info("demo negotiation track", "added", sum.NegotiationAdded, "present", sum.NegotiationPresent)

	if err := loadSensors(ctx, db, log, &sum); err != nil {
		return sum, err
	}
	log.Info("demo sensor observations", "added", sum.SensorsAdded, "present", sum.SensorsPresent, "rejected", sum.SensorsRejected)
	return sum, nil
}

func loadClaims(ctx context.Context, db *store.DB, parties map[string]bool, sum *Summary) error {
	cs, err := Claims()
	if err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		if err := c.Validate(parties); err != nil {
			return fmt.Errorf("demo %s: claims[%d]: %w", ClaimsFile, i, err)
		}
		c.RecordedBy = SubmittedBy
		created, err := db.CreateClaim(ctx, c)
		if err != nil {
			return fmt.Errorf("demo %s: claims[%d]: %w", ClaimsFile, i, err)
		}
		if created {
			sum.ClaimsAdded++
		} else {
			sum.ClaimsPresent++
		}
	}
	return nil
}

func loadReports(ctx context.Context, db *store.DB, sum *Summary) error {
	rs, err := Reports()
	if err != nil {
		return err
	}
	for i := range rs {
		r := &rs[i]
		if err := r.Validate(); err != nil {
			return fmt.Errorf("demo %s: %s: %w", ReportsFile, r.ExternalID, err)
		}
		r.SubmittedBy = SubmittedBy
		created, err := db.CreateReport(ctx, r)
		if err != nil {
			return fmt.Errorf("demo %s: %s: %w", ReportsFile, r.ExternalID, err)
		}
		if created {
			sum.ReportsAdded++
		} else {
			sum.ReportsPresent++
		}
	}
	return nil
}
