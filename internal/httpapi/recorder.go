package httpapi

import (
	"context"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/store"
)

// The public and party liaisons read what the mission records without the
// account names of the monitors who recorded it (recorded_by): a monitor
// working in a conflict zone may need to stay anonymous, and neither
// needs more than the record. Staff read the names. The rule is
// feed.Audience's (StaffName), which claims and the stream share. These
// records' log leaves are withheld from both (LogWithhold).

// statements reads negotiation statements, without their recorders for
// the public and liaisons.
func (s *Server) statements(ctx context.Context, f store.StatementFilter) ([]truce.Statement, error) {
	ss, err := s.db.Statements(ctx, f)
	aud := feed.AudienceOf(caller(ctx))
	for i := range ss {
		ss[i].RecordedBy = aud.StaffName(ss[i].RecordedBy)
	}
	return ss, err
}

// statement reads one negotiation statement, without its recorder for the
// public and liaisons.
func (s *Server) statement(ctx context.Context, id int64) (truce.Statement, error) {
	st, err := s.db.Statement(ctx, id)
	st.RecordedBy = feed.AudienceOf(caller(ctx)).StaffName(st.RecordedBy)
	return st, err
}

// accessRestrictions reads the access restrictions, without their
// recorders for the public and liaisons.
func (s *Server) accessRestrictions(ctx context.Context) ([]truce.AccessRestriction, error) {
	as, err := s.db.AccessRestrictions(ctx)
	aud := feed.AudienceOf(caller(ctx))
	for i := range as {
		as[i].RecordedBy = aud.StaffName(as[i].RecordedBy)
	}
	return as, err
}
