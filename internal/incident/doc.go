// Package incident is the pure logic of incidents: grouping reports that
// describe one event, explaining why each belongs, corroborating them,
// judging them against agreements, and setting claims against the
// evidence. It does no I/O; internal/store persists what it decides.
//
// # Grouping
//
// Two reports are compatible (Grouper.Compatible) when their places are
// within rA + rB + 5 km (a report given by admin-1 unit: the other's disk
// reaches into the unit, or both name the unit), their intervals overlap
// or lie within 3 h, both are hostile acts or neither is, they share a
// domain, and they are not two rows of one dataset (a dataset codes each
// event once). The tolerances are Rules; DefaultRules documents each.
//
// Incidents are defined rather than built up, so that they cannot depend
// on the order reports arrive in (Grouper.Group):
//
//   - precise reports (radius ≤ 50 km, interval ≤ 48 h) link when
//     compatible; incidents are the connected components;
//   - a monitor's merge joins components;
//   - every other report attaches to the component of its best compatible
//     precise report (nearest, then closest in time, then by submitter and
//     external id, which unlike ids do not depend on arrival) and
//     links nothing, so one "somewhere in the oblast this month" report
//     never chains the oblast's incidents into one. Two imprecise reports
//     meet only through a precise one, or a monitor's merge.
//
// A monitor's split keeps a report apart from the reports it was grouped
// with; the report then only attaches (never links), and it does not
// attach to an incident that holds one of them. A later merge lifts the
// splits it contradicts and a later split the merges (InForce), so the
// decisions in force follow from the decisions in order. If a merge still
// brings together reports a split keeps apart (grouping linked them some
// other way), the merge wins and the explanation asks a monitor to review.
//
// Grouping is O(n log n): a space-time grid (cells of 0.5° by the day)
// finds candidates, union-find joins them, and cells whose reports are all
// in one incident are skipped. Adding reports regroups only the incidents
// they touch (Grouper.Affected), with the same outcome as grouping
// everything again. Incident ids follow reports (see the store).
//
// # Corroboration and workflow
//
// Reports from one party, or one outlet of one kind, are one source
// (SourceKey). Two independent sources move an alleged incident to
// corroborated (AutoCorroborateSources, by SystemUser). The score adds
// 0.6 × (1 − ½^(n−1)) for n sources, 0.2 for a FIRMS detection within the
// incident's radius and 6 h of its interval, 0.2 for an air-raid alert
// over its oblast during it; each term says why (Corroborate). Only
// monitors move incidents (MayTransition).
package incident
