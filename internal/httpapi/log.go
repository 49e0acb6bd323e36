package httpapi

import (
	"net/http"
	"slices"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
)

// publicLogKinds are the log leaf kinds whose data the public may read
// (issue #6: the public sees published material, never reporter
// identities or unverified reports). They are the records published as
// they are anyway: parties, agreements and their status. Every other kind
// is left out: report leaves and batches name their reporters and hold
// unverified reports, claim leaves name the monitor who recorded the
// claim (recorded_by, which the public's GET /claims and stream leave
// out; a leaf cannot lose it without its hash changing), transitions,
// findings and replies name monitors and judge unverified material, user
// leaves are accounts, and the rest are staff work. A kind added later is
// withheld until it is listed here.
var publicLogKinds = []string{
	ledger.KindParty,
	ledger.KindAgreementVersion,
	ledger.KindAgreementStatus,
}

// LogWithhold says whether GET /api/v1/log/entries leaves out the data of
// a leaf of kind for r, for ledger.WithholdData: for the public, every
// kind not in publicLogKinds; for a liaison, report leaves (each names
// its reporter, which a liaison may read only for its own party's reports,
// as in GET /reports and the stream: feed.Audience; the choice is by kind,
// so its own party's report leaves are withheld too, and it reads those
// reports through GET /reports); for other signed-in callers, none.
// It reads the caller that the API's authentication put in r's context,
// so a log handler mounted anywhere else withholds as for the public.
func LogWithhold(r *http.Request, kind string) bool {
	u := caller(r.Context())
	switch {
	case u == nil:
		return !slices.Contains(publicLogKinds, kind)
	case u.Role == truce.RoleLiaison:
		return kind == ledger.KindReport
	}
	return false
}
