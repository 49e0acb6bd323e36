package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

// publicLogKinds are the log leaf kinds whose data the public may read
// (issue #6: the public sees published material, never reporter
// identities or unverified reports). They are the records published as
// they are anyway: parties, agreements and their status changes, these
// only where the leaf names no one (leafNamesSomeone). Every other kind
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

// liaisonLogKinds are the log leaf kinds whose data a party liaison may
// read: those that name no person (feed.Audience.SeesName: a liaison reads
// its own party's people's names only, never a monitor's or an admin's).
// Report leaves and batches name their reporters; claim, transition,
// grouping, alert and negotiation statement leaves and access
// restrictions name monitors; reply leaves name the liaisons of the
// accused party; user leaves are accounts. A leaf cannot lose a name
// without its hash changing, and which leaves are withheld goes by kind, so
// its own party's reports and replies are withheld too (it reads them
// through the API). Agreement status leaves are read where they name no
// one, as by the public (leafNamesSomeone). A kind added later is withheld
// until it is listed here.
var liaisonLogKinds = []string{
	ledger.KindParty,
	ledger.KindAgreementVersion,
	ledger.KindAgreementStatus,
	ledger.KindObservation,
	store.KindObservationBatch,
	ledger.KindFinding,
	store.KindIncidentState,
	store.KindNegotiationIssue,
	store.KindPrecondition,
	store.KindNegotiationEvent,
	store.KindDraft,
}

// LogWithhold says whether GET /api/v1/log/entries leaves out the data of
// leaf e for r, for ledger.WithholdData: for the public, every leaf of a
// kind not in publicLogKinds; for a liaison, every leaf of a kind not in
// liaisonLogKinds (those that name people); for both, every leaf that
// names someone by its data (leafNamesSomeone); for other signed-in
// callers, none. It reads the caller that the API's authentication put in
// r's context, so a log handler mounted anywhere else withholds as for
// the public.
func LogWithhold(r *http.Request, e ledger.Entry) bool {
	u := caller(r.Context())
	switch {
	case u == nil:
		return !slices.Contains(publicLogKinds, e.Kind) || leafNamesSomeone(e)
	case u.Role == truce.RoleLiaison:
		return !slices.Contains(liaisonLogKinds, e.Kind) || leafNamesSomeone(e)
	}
	return false
}

// leafNamesSomeone says whether a leaf of a kind listed for the public or
// liaisons names a person all the same. An agreement status change logged
// before migration 0013 names the admin who made it in its record's by;
// one logged since holds a commitment to the name (by_commitment) and no
// by. Such old leaves cannot change (their hashes are in the tree), so
// their data is withheld and they are checked by hash; the API's
// status_history still tells the public what changed, and when. A leaf
// that does not parse is taken to name someone.
func leafNamesSomeone(e ledger.Entry) bool {
	if e.Kind != ledger.KindAgreementStatus {
		return false
	}
	var leaf struct {
		Record *struct {
			By string `json:"by"`
		} `json:"record"`
	}
	if err := json.Unmarshal(e.Data, &leaf); err != nil || leaf.Record == nil {
		return true
	}
	return leaf.Record.By != ""
}
