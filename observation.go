package truce

import "time"

// Observation kinds: sensor signals that corroborate incidents but are not
// incidents themselves.
const (
	ObservationFire  = "fire"  // a NASA FIRMS thermal anomaly
	ObservationAlert = "alert" // an air-raid alert over an admin-1 unit
)

// Observation is one sensor signal: a fire detection at a point, or an
// air-raid alert over an area for an interval.
type Observation struct {
	ID         int64     `json:"id,omitempty"`
	Kind       string    `json:"kind"`
	Source     string    `json:"source"`      // e.g. "FIRMS VIIRS_SNPP_NRT", "alerts official"
	ExternalID string    `json:"external_id"` // unique within Source
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Lat        *float64  `json:"lat,omitempty"`
	Lon        *float64  `json:"lon,omitempty"`
	RadiusKm   float64   `json:"radius_km,omitempty"`
	Admin1     string    `json:"admin1,omitempty"`
	Region     string    `json:"region,omitempty"` // the name as the source wrote it
	Confidence string    `json:"confidence,omitempty"`
	Attributes string    `json:"attributes,omitempty"` // the source row's remaining fields, JSON
}
