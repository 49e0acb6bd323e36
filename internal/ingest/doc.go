// Package ingest imports the field's data formats into a mission's store:
// conflict-event datasets (ACLED, UCDP GED) as reports, NASA FIRMS fire
// detections and air-raid alert logs as sensor observations, PA-X ceasefire
// records as agreements whose terms need review, GeoJSON FeatureCollections
// of reports, and any CSV through a small column mapping.
//
// Each format has a Reader that streams one file row by row into Items or
// *RowError values. Run drives the readers, batches their items into
// transactions of the Sink (the store), counts what was read, imported,
// already present and rejected, and writes rejected rows out for fixing.
// Nothing is held in memory beyond one batch per kind, so a run over any
// number of rows uses constant memory, and a run that is killed loses at
// most its uncommitted batch: the store's unique keys (submitted_by and
// external id for reports, source and external id for observations) make a
// second run add exactly what the first did not.
package ingest
