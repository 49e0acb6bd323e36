// Package compliance computes the daily compliance report of one
// agreement, the report an observer mission publishes every morning, and
// evaluates the alert rules that guarantors set on the record.
//
// # The report
//
// The reporting day is a calendar day in the agreement's own time zone
// (window.tz), like a mission's reporting window. An incident counts in
// every period its interval overlaps. Only incidents whose finding against
// the agreement is violation or uncertain are counted; outside ones are
// not the agreement's business.
//
//   - Counts: by verdict (violation, uncertain) and by status (alleged,
//     corroborated, verified, disputed, rejected), in total and per party
//     (the finding's attributed party, or "unattributed"), per domain, per
//     admin-1 region (the incident's unit, else the country at its centre)
//     and per means (incidents whose reports count weapons of a kind; an
//     incident counts a kind as the largest count any of its reports
//     gives, as claims against evidence do).
//   - Periods: the reporting day; the previous reporting day; the pre-truce
//     baseline, the same wall-clock hours on the day before the window
//     opened (24 hours, or 23/25 across a clock change); and the running
//     total from the window's opening to the end of the reporting day.
//     Baseline incidents happened before the truce, so every stored
//     finding says outside; they are judged here with the same engine
//     against the agreement with its window moved onto the baseline hours,
//     which is the "would have been a breach" count analysts make by hand.
//   - Ranges: the lower bound counts verified violations; the upper bound
//     counts incidents verified or corroborated whose verdict is violation
//     or uncertain. Alleged incidents (a single source) are counted but in
//     neither bound.
//   - Claims against evidence: the agreement's claims whose period overlaps
//     the day, each beside what the record supports over the claim's own
//     period (incident.Grouper.ClaimEvidence).
//   - Notable incidents: the day's incidents verified as violations, with
//     the finding's reason, the place and the sources of their reports.
//   - Access restrictions: places monitors were denied access to during the
//     day, recorded as access_restriction records (truce.AccessRestriction,
//     logged; `POST /api/v1/access-restrictions`), for this agreement or
//     for none in particular.
//   - Alerts: the alerts of the agreement's rules open (or acknowledged) at
//     the report's log size, each with the size that tripped it.
//
// # Reproducibility
//
// A report is computed from the record as it stood at one log size
// (store.ComplianceState): rows are taken by the leaf that logged them, so
// records appended later change nothing, and the report states the size
// and the root hash. The same size gives the same bytes in every format:
// lists are sorted, numbers formatted one way, and nothing depends on the
// clock. An incident with no stored finding at that size is judged with
// the agreement version of that size (the report says how many).
//
// # Alert rules
//
// Rules (truce.AlertRule) are evaluated by an Alerter that folds the log
// leaf by leaf into the state they read: incident states from grouping
// leaves, statuses from transitions, verdicts from findings, agreements
// and rules from their leaves, and the alerts already logged. After each
// leaf that can change a condition it compares, per rule, the keys for
// which the condition holds (a party, an incident, a reporting day) with
// the alerts open: a key that starts to hold opens an alert at that leaf
// (LogSize is the leaf's index + 1), an open alert whose key stopped
// holding is cleared, and an open alert, acknowledged or not, is never
// opened again while its key holds. A restarted alerter reads the log
// without tripping, then opens and clears what the record calls for at
// once, so that nothing is repeated or missed.
package compliance
