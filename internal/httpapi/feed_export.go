package httpapi

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// exportPage is how many incidents an export reads at a time: the export
// streams page after page, so its memory does not grow with the result.
const exportPage = 500

// exportWriteWindow is how long the writing of one page may take. The
// server's write timeout is for whole ordinary responses; an export of a
// million incidents takes longer, so each page moves the deadline on.
const exportWriteWindow = time.Minute

// incidentExporter writes incidents in one format.
type incidentExporter interface {
	contentType() string
	begin() error
	write(truce.Incident) error
	end() error
}

// handleExport returns the handler of GET /api/v1/export/incidents.<format>.
// The filters are those of GET /api/v1/incidents; the public gets only
// verified incidents.
func (s *Server) handleExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		f, err := s.exportFilter(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		bw := bufio.NewWriterSize(w, 64<<10)
		var ex incidentExporter
		switch format {
		case "csv":
			ex = &csvExporter{w: csv.NewWriter(bw)}
		case "geojson":
			ex = &geojsonExporter{w: bw}
		default:
			ex = &ndjsonExporter{w: bw}
		}
		// Read the first page before answering, so that a failing query
		// is still a proper error response.
		f.Limit = exportPage
		incs, err := s.db.Incidents(ctx, f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ex.contentType())
		h.Set("Content-Disposition", `attachment; filename="incidents.`+format+`"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		rc := http.NewResponseController(w)
		// Past this point the status is sent: a failure can only cut the
		// response short, which abortExport makes visible to the client
		// as a broken transfer rather than a truncated but valid file.
		if err := ex.begin(); err != nil {
			s.abortExport(r, err)
		}
		for {
			if err := rc.SetWriteDeadline(time.Now().Add(exportWriteWindow)); err != nil && !errors.Is(err, http.ErrNotSupported) {
				s.abortExport(r, err)
			}
			for _, inc := range incs {
				if err := ex.write(inc); err != nil {
					s.abortExport(r, err)
				}
			}
			if len(incs) < exportPage {
				break
			}
			f.AfterID = incs[len(incs)-1].ID
			if incs, err = s.db.Incidents(ctx, f); err != nil {
				s.abortExport(r, err)
			}
		}
		if err := ex.end(); err != nil {
			s.abortExport(r, err)
		}
		if err := bw.Flush(); err != nil {
			s.abortExport(r, err)
		}
	}
}

// abortExport ends a response whose status was already sent: the
// connection is closed without the final chunk.
func (s *Server) abortExport(r *http.Request, err error) {
	if r.Context().Err() == nil {
		s.logger.ErrorContext(r.Context(), "export", "path", r.URL.Path, "err", err)
	}
	panic(http.ErrAbortHandler)
}

// exportFilter reads the filters of GET /incidents (which restrict the
// public to verified incidents); a cursor, if given, is where the export
// starts.
func (s *Server) exportFilter(r *http.Request) (store.IncidentFilter, error) {
	f, _, err := s.incidentQuery(r)
	return f, err
}

// csvExporter writes one row per incident. Text cells are neutralized
// against formula injection (see csvSafe); numbers are written by
// strconv and cannot hold a formula, so a negative longitude stays a
// number.
type csvExporter struct{ w *csv.Writer }

var csvHeader = []string{"id", "status", "version", "from", "to", "lat", "lon", "radius_km", "admin1",
	"domains", "targets", "perpetrators", "title", "independent_sources", "corroboration_score",
	"reports", "created_at", "updated_at"}

func (e *csvExporter) contentType() string { return "text/csv; charset=utf-8" }

func (e *csvExporter) begin() error { return e.w.Write(csvHeader) }

func (e *csvExporter) write(inc truce.Incident) error {
	return e.w.Write([]string{
		strconv.FormatInt(inc.ID, 10),
		csvSafe(string(inc.Status)),
		strconv.Itoa(inc.Version),
		inc.From.UTC().Format(time.RFC3339),
		inc.To.UTC().Format(time.RFC3339),
		strconv.FormatFloat(inc.Lat, 'f', -1, 64),
		strconv.FormatFloat(inc.Lon, 'f', -1, 64),
		strconv.FormatFloat(inc.RadiusKm, 'f', -1, 64),
		csvSafe(inc.Admin1),
		csvSafe(strings.Join(inc.Domains, ";")),
		csvSafe(strings.Join(inc.Targets, ";")),
		csvSafe(strings.Join(inc.Perpetrators, ";")),
		csvSafe(inc.Title),
		strconv.Itoa(inc.Sources),
		strconv.FormatFloat(inc.Score, 'f', -1, 64),
		strconv.Itoa(len(inc.ReportIDs)),
		inc.CreatedAt.UTC().Format(time.RFC3339),
		inc.UpdatedAt.UTC().Format(time.RFC3339),
	})
}

func (e *csvExporter) end() error {
	e.w.Flush()
	return e.w.Error()
}

// csvSafe makes a text cell inert in spreadsheets: one that begins with
// a character Excel, LibreOffice or Google Sheets read as the start of a
// formula (= + - @) or that they strip before reading one (tab, carriage
// return) gets a leading apostrophe, which they show as text (OWASP's
// advice for CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// geojsonExporter writes an RFC 7946 FeatureCollection, one Point
// feature per incident at its centre, the incident's fields as
// properties, so that QGIS and web maps open it as is.
type geojsonExporter struct {
	w     *bufio.Writer
	first bool
}

type geojsonFeature struct {
	Type       string         `json:"type"`
	ID         int64          `json:"id"`
	Geometry   geojsonPoint   `json:"geometry"`
	Properties truce.Incident `json:"properties"`
}

type geojsonPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"` // lon, lat
}

func (e *geojsonExporter) contentType() string { return "application/geo+json" }

func (e *geojsonExporter) begin() error {
	e.first = true
	_, err := e.w.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	return err
}

func (e *geojsonExporter) write(inc truce.Incident) error {
	b, err := json.Marshal(geojsonFeature{Type: "Feature", ID: inc.ID,
		Geometry: geojsonPoint{Type: "Point", Coordinates: [2]float64{inc.Lon, inc.Lat}}, Properties: inc})
	if err != nil {
		return err
	}
	if !e.first {
		e.w.WriteString(",\n")
	}
	e.first = false
	_, err = e.w.Write(b)
	return err
}

func (e *geojsonExporter) end() error {
	_, err := e.w.WriteString("\n]}\n")
	return err
}

// ndjsonExporter writes one incident per line, as GET /incidents/{id}
// shows it (without findings).
type ndjsonExporter struct{ w *bufio.Writer }

func (e *ndjsonExporter) contentType() string { return "application/x-ndjson" }

func (e *ndjsonExporter) begin() error { return nil }

func (e *ndjsonExporter) write(inc truce.Incident) error {
	b, err := json.Marshal(inc)
	if err != nil {
		return err
	}
	e.w.Write(b)
	return e.w.WriteByte('\n')
}

func (e *ndjsonExporter) end() error { return nil }
