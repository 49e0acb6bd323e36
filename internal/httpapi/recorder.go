package httpapi

import (
	"context"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// The public reads what the mission publishes without the account names
// of the monitors who recorded it (recorded_by): a monitor working in a
// conflict zone may need to stay anonymous, and the public needs the
// record, not who typed it. Signed-in users read the names. Claims go
// through feed.Audience.RedactClaim, the rule the stream shares; the
// records below are not stream events. Their log leaves are withheld from
// the public already (LogWithhold).

// statements reads negotiation statements, without their recorders for
// the public.
func (s *Server) statements(ctx context.Context, f store.StatementFilter) ([]truce.Statement, error) {
	ss, err := s.db.Statements(ctx, f)
	if caller(ctx) == nil {
		for i := range ss {
			ss[i].RecordedBy = ""
		}
	}
	return ss, err
}

// statement reads one negotiation statement, without its recorder for the
// public.
func (s *Server) statement(ctx context.Context, id int64) (truce.Statement, error) {
	st, err := s.db.Statement(ctx, id)
	if caller(ctx) == nil {
		st.RecordedBy = ""
	}
	return st, err
}

// accessRestrictions reads the access restrictions, without their
// recorders for the public.
func (s *Server) accessRestrictions(ctx context.Context) ([]truce.AccessRestriction, error) {
	as, err := s.db.AccessRestrictions(ctx)
	if caller(ctx) == nil {
		for i := range as {
			as[i].RecordedBy = ""
		}
	}
	return as, err
}
