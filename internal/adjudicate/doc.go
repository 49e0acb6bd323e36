// Package adjudicate judges events against ceasefire agreements
// (contracts/ADJUDICATION.md §3): for each event and agreement, six
// three-valued tests (hostile act, time, place, domain, target,
// perpetrator) give violation, uncertain or outside, the party held
// responsible where known, and the reason in words. It does no I/O.
//
// Where the contract is silent, the engine does what a monitoring analyst
// would expect:
//
//   - Reasons name the decisive tests, separated by "; ": for outside every
//     test that is outside, for uncertain every test that is uncertain, for
//     a violation time, place and perpetrator, plus domain and target when
//     the agreement restricts them. Time reads "time: <event days> (<zone>)
//     inside|partly inside|before|after <start>–<end> <zone>", an open end
//     showing as "(open)".
//   - A report timed by two equal instants (from = to) is a moment: inside
//     or outside a window, never uncertain.
//   - A report placed by admin-1 unit is inside an area that lists the unit
//     or its country; outside one made only of other units and countries
//     (political units do not overlap, whatever the slivers between
//     geoBoundaries and Natural Earth at their borders); against a drawn
//     GeoJSON area a disk covering the unit decides, and where it straddles
//     the drawing the place is uncertain.
//   - An actor that equals a party's code competes with the code's length
//     in "longest match wins".
//   - Area codes compare case-insensitively, as the gazetteer reads them.
//   - Agreements whose terms need review (terms_need_review, an extension)
//     are never adjudicated, like agreements that did not take effect.
//
// The readers of internal/events document their own choices: a row whose
// field count differs from the header's (apart from empty trailing fields)
// or that is not valid CSV is a malformed row, reported and skipped.
package adjudicate
