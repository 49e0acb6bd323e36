package incident

import "time"

// Rules are the tolerances of grouping and corroboration. They are part of
// what makes a grouping reproducible: the same reports, decisions and rules
// always give the same incidents.
type Rules struct {
	// PlaceToleranceKm is added to the sum of two reports' uncertainty
	// radii: two places are compatible when their centres are at most
	// rA + rB + PlaceToleranceKm apart. It absorbs the rounding of
	// coordinates ("near Pokrovsk" placed on the town centre).
	PlaceToleranceKm float64
	// TimeTolerance is the longest gap between two reports' intervals
	// that still counts as the same time: clocks, "about 10:00", the
	// night that straddles midnight.
	TimeTolerance time.Duration
	// PreciseRadiusKm and PreciseSpan bound a precise report. A report
	// placed or timed more loosely (UCDP where_prec 5-7, an oblast, a
	// week or a month) attaches to the best incident it is compatible
	// with but never links two incidents together: otherwise one report
	// "somewhere in Donetsk oblast in July" would chain every incident of
	// the oblast and month into one.
	PreciseRadiusKm float64
	PreciseSpan     time.Duration
	// SensorWindow widens an incident's interval on both sides when FIRMS
	// detections are sought: a fire is seen at the next satellite pass.
	SensorWindow time.Duration
}

// DefaultRules are the rules Truce groups by unless configured otherwise.
func DefaultRules() Rules {
	return Rules{
		PlaceToleranceKm: 5,
		TimeTolerance:    3 * time.Hour,
		PreciseRadiusKm:  50,
		PreciseSpan:      48 * time.Hour,
		SensorWindow:     6 * time.Hour,
	}
}
