package events

import "testing"

// BenchmarkMatchWords: the full keyword match of a generated ACLED note.
func BenchmarkMatchWords(b *testing.B) {
	note := "On 27 April 2016, Russian forces fired a ballistic missile at the settlement at 46.92451, 32.23841; a power substation was hit and electricity was cut."
	for b.Loop() {
		energyKeywords.matchWords(note)
		domainKeywords.matchWords(note)
	}
}
