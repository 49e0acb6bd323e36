package store

import (
	"context"
	"slices"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/incident"
)

// ClaimEvidence sets a claim beside what the record supports for the same
// accused party, period, area (the claim's agreement's) and means: the
// reports, the incidents by status and their verdicts (see
// incident.Grouper.ClaimEvidence). It returns ENOTFOUND for an unknown
// claim.
func (db *DB) ClaimEvidence(ctx context.Context, g *incident.Grouper, claimID int64) (incident.ClaimEvidence, error) {
	c, err := db.Claim(ctx, claimID)
	if err != nil {
		return incident.ClaimEvidence{}, err
	}
	var area *truce.Area
	if c.AgreementID != "" {
		a, err := db.Agreement(ctx, c.AgreementID)
		if err != nil {
			return incident.ClaimEvidence{}, err
		}
		area = a.Area
	}
	parties, err := db.Parties(ctx)
	if err != nil {
		return incident.ClaimEvidence{}, err
	}
	reports, err := db.Reports(ctx, ReportFilter{From: c.From, To: c.To})
	if err != nil {
		return incident.ClaimEvidence{}, err
	}
	incs, err := db.Incidents(ctx, IncidentFilter{From: c.From, To: c.To})
	if err != nil {
		return incident.ClaimEvidence{}, err
	}
	ids := make([]int64, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	members := map[int64][]truce.Report{}
	findings := map[int64][]truce.Finding{}
	for chunk := range slices.Chunk(ids, 500) {
		rs, err := db.reports(ctx, db.ro, "SELECT "+reportCols+" FROM reports WHERE incident_id IN ("+placeholders(len(chunk))+") ORDER BY id", int64Args(chunk)...)
		if err != nil {
			return incident.ClaimEvidence{}, err
		}
		for _, r := range rs {
			members[*r.IncidentID] = append(members[*r.IncidentID], r)
		}
		if c.AgreementID == "" {
			continue
		}
		args := append([]any{c.AgreementID, SubjectIncident}, int64Args(chunk)...)
		fs, err := db.findings(ctx, db.ro, findingSelect+"WHERE f.agreement_id = ? AND f.subject_kind = ? AND f.subject_id IN ("+placeholders(len(chunk))+")", args...)
		if err != nil {
			return incident.ClaimEvidence{}, err
		}
		for _, f := range fs {
			findings[f.SubjectID] = append(findings[f.SubjectID], f)
		}
	}
	cis := make([]incident.ClaimIncident, len(incs))
	for i, inc := range incs {
		inc.Findings = findings[inc.ID]
		cis[i] = incident.ClaimIncident{Incident: inc, Members: members[inc.ID]}
	}
	return g.ClaimEvidence(c, area, parties, reports, cis)
}
