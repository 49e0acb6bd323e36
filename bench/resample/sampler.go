package resample

import (
	"math"
	"math/rand/v2"
	"time"
)

// JitterKm is the standard deviation of the noise added to every resampled
// coordinate: enough that no two synthetic events sit on the same real point,
// small enough to keep the real geography (front lines, cities, coasts).
const JitterKm = 1.0

// Sampler draws values from a Pool. The same pool and seed give the same
// stream, so generated files are reproducible byte for byte.
type Sampler struct {
	pool *Pool
	rng  *rand.Rand
	// first real date of each source, to map real dates into a window
	ucdpFirst, fireFirst time.Time
}

// Sampler returns a sampler over p seeded with seed.
func (p *Pool) Sampler(seed uint64) *Sampler {
	return &Sampler{
		pool:      p,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		ucdpFirst: minDate(p.UCDPDates),
		fireFirst: minDate(p.FireDates),
	}
}

// IntN returns a uniform int in [0, n).
func (s *Sampler) IntN(n int) int { return s.rng.IntN(n) }

// Float returns a uniform float in [0, 1).
func (s *Sampler) Float() float64 { return s.rng.Float64() }

// Place returns a real UCDP event location or a real FIRMS fire location,
// half and half, moved by Gaussian noise of JitterKm.
func (s *Sampler) Place() Place {
	var p Place
	if s.rng.IntN(2) == 0 {
		p = s.pool.UCDPPlaces[s.rng.IntN(len(s.pool.UCDPPlaces))]
	} else {
		p = s.pool.FirePlaces[s.rng.IntN(len(s.pool.FirePlaces))]
	}
	const kmPerDegree = 111.195
	p.Lat += s.rng.NormFloat64() * JitterKm / kmPerDegree
	p.Lon += s.rng.NormFloat64() * JitterKm / (kmPerDegree * math.Cos(p.Lat*math.Pi/180))
	p.Lat = math.Max(-90, math.Min(90, p.Lat))
	return p
}

// WherePrec returns a UCDP where_prec code with the real distribution.
func (s *Sampler) WherePrec() int { return s.pool.WherePrec[s.rng.IntN(len(s.pool.WherePrec))] }

// SpanDays returns date_end - date_start in days with the real distribution.
func (s *Sampler) SpanDays() int { return s.pool.SpanDays[s.rng.IntN(len(s.pool.SpanDays))] }

// Sides returns a real (type_of_violence, side_a, side_b) triple.
func (s *Sampler) Sides() Sides { return s.pool.Sides[s.rng.IntN(len(s.pool.Sides))] }

// Text returns a real headline and place description.
func (s *Sampler) Text() Text { return s.pool.Texts[s.rng.IntN(len(s.pool.Texts))] }

// Day returns a real event or fire date, half and half, moved into the
// window of days starting at from: its offset from its source's first date,
// modulo the window. That keeps the real day-to-day skew (fires come in
// waves) instead of spreading events evenly.
func (s *Sampler) Day(from time.Time, days int) time.Time {
	var real, first time.Time
	if s.rng.IntN(2) == 0 {
		real, first = s.pool.UCDPDates[s.rng.IntN(len(s.pool.UCDPDates))], s.ucdpFirst
	} else {
		real, first = s.pool.FireDates[s.rng.IntN(len(s.pool.FireDates))], s.fireFirst
	}
	offset := int(real.Sub(first).Hours()/24) % days
	return from.AddDate(0, 0, offset)
}

func minDate(ds []time.Time) time.Time {
	var m time.Time
	for i, d := range ds {
		if i == 0 || d.Before(m) {
			m = d
		}
	}
	return m
}

// RealDay returns a real event or fire date as it is, half and half.
func (s *Sampler) RealDay() time.Time {
	if s.rng.IntN(2) == 0 {
		return s.pool.UCDPDates[s.rng.IntN(len(s.pool.UCDPDates))]
	}
	return s.pool.FireDates[s.rng.IntN(len(s.pool.FireDates))]
}
