package store

import (
	"testing"

	"github.com/truce-monitor/truce"
)

// BenchmarkAppendLeafParts encodes the leaf parts of a report as a
// generated ACLED row gives it.
func BenchmarkAppendLeafParts(b *testing.B) {
	lat, lon, radius := 46.92451, 32.23841, 1.0
	r := truce.Report{
		SubmittedBy: "import:acled", ExternalID: "UKR100000",
		Source:       truce.ReportSource{Kind: truce.SourceDataset, Name: "ACLED"},
		Occurred:     truce.Occurrence{Date: "2016-04-27", Precision: "day", TZ: "Europe/Kyiv"},
		Place:        truce.Place{Lat: &lat, Lon: &lon, RadiusKm: &radius},
		Domains:      []string{truce.DomainAir},
		Targets:      []string{truce.TargetEnergy},
		Perpetrators: []string{"Military Forces of Russia (2000-)"},
		Description:  "On 27 April 2016, Russian forces fired a ballistic missile at the settlement at 46.92451, 32.23841; a power substation was hit and electricity was cut.",
		Language:     "en", EventType: "Explosions/Remote violence", SubEventType: "Shelling/artillery/missile attack", Country: "Ukraine",
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := appendLeafParts(r); !ok {
			b.Fatal("not encoded")
		}
	}
}
