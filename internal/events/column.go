package events

// column is a column that adjudication reads, of either format: rows look
// their fields up by the index the header gave each column, not by name.
type column uint8

// The columns of both formats (ACLED's first, then UCDP GED's own).
const (
	colEventIDCnty column = iota
	colEventDate
	colTimePrecision
	colEventType
	colSubEventType
	colActor1
	colActor2
	colCountry
	colLatitude
	colLongitude
	colGeoPrecision
	colNotes
	colCivilianTargeting
	colID
	colTypeOfViolence
	colSideA
	colSideB
	colWherePrec
	colDateStart
	colDateEnd
	colSourceHeadline
	colWhereDescription
	numColumns
)

var columnNames = [numColumns]string{
	"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2", "country", "latitude", "longitude", "geo_precision", "notes", "civilian_targeting",
	"id", "type_of_violence", "side_a", "side_b", "where_prec", "date_start", "date_end", "source_headline", "where_description",
}

// String is the column's name as the contract writes it.
func (c column) String() string { return columnNames[c] }
