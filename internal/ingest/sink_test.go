package ingest

import (
	"context"
	"reflect"
	"sync"

	"github.com/truce-monitor/truce"
)

// memSink is a Sink in memory with the store's keys: (submitted_by,
// external_id) for reports, (source, external_id) for observations, the id
// for agreements. A key repeated within a batch counts as present, as in
// the store.
type memSink struct {
	mu         sync.Mutex
	reports    map[[2]string]truce.Report
	obs        map[[2]string]truce.Observation
	agreements map[string]truce.Agreement
	batches    int
	failAt     int // if > 0, the failAt'th batch fails with invalidErr
	invalid    func(truce.Report) error
}

func newMemSink() *memSink {
	return &memSink{reports: map[[2]string]truce.Report{}, obs: map[[2]string]truce.Observation{}, agreements: map[string]truce.Agreement{}}
}

func (s *memSink) ImportReports(ctx context.Context, rs []truce.Report) (added, present int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches++
	if s.invalid != nil {
		for _, r := range rs {
			if err := s.invalid(r); err != nil {
				return 0, 0, err
			}
		}
	}
	for _, r := range rs {
		k := [2]string{r.SubmittedBy, r.ExternalID}
		if _, ok := s.reports[k]; ok {
			present++
			continue
		}
		s.reports[k] = r
		added++
	}
	return added, present, nil
}

func (s *memSink) ImportObservations(ctx context.Context, obs []truce.Observation) (added, present int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches++
	for _, o := range obs {
		k := [2]string{o.Source, o.ExternalID}
		if _, ok := s.obs[k]; ok {
			present++
			continue
		}
		s.obs[k] = o
		added++
	}
	return added, present, nil
}

func (s *memSink) PutAgreement(ctx context.Context, a truce.Agreement, by string) (int, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.agreements[a.ID]; ok && reflect.DeepEqual(old, a) {
		return 1, false, nil
	}
	s.agreements[a.ID] = a
	return 1, true, nil
}
