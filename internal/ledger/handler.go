package ledger

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// Paging limits of the HTTP API.
const (
	MaxEntriesPerRequest     = 1000
	MaxCheckpointsPerRequest = 1000
)

// Wire shapes of the log API. Hashes are standard base64 (tlog.Hash's JSON
// form); leaf data is base64 too, because a verifier must hash the exact
// bytes and a JSON round trip would not keep them.
type (
	checkpointJSON struct {
		Size int64     `json:"size"`
		Root tlog.Hash `json:"root"`
		Note string    `json:"note"` // the signed note, verifiable with the key from /key
		At   time.Time `json:"at,omitzero"`
	}
	checkpointsJSON struct {
		Checkpoints []checkpointJSON `json:"checkpoints"`
		Next        int              `json:"next,omitempty"` // offset of the next page; absent on the last
	}
	// entryJSON is one entry. Hash is the RFC 6962 leaf hash of Data; a
	// withheld entry has only index, kind, at and hash, with Withheld set.
	entryJSON struct {
		Index    int64           `json:"index"`
		Kind     string          `json:"kind"`
		RecordID string          `json:"record_id,omitempty"`
		At       time.Time       `json:"at"`
		Hash     tlog.Hash       `json:"hash"`
		Withheld bool            `json:"withheld,omitempty"`
		Data     []byte          `json:"data,omitempty"`
		Leaf     json.RawMessage `json:"leaf,omitempty"` // the same data, inline for reading
	}
	entriesJSON struct {
		Start   int64       `json:"start"`
		End     int64       `json:"end"`
		Size    int64       `json:"size"` // entries in the log now
		Entries []entryJSON `json:"entries"`
	}
	inclusionJSON struct {
		Index  int64       `json:"index"`
		Size   int64       `json:"size"`
		Hashes []tlog.Hash `json:"hashes"`
	}
	consistencyJSON struct {
		From   int64       `json:"from"`
		To     int64       `json:"to"`
		Hashes []tlog.Hash `json:"hashes"`
	}
	errorJSON struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	}
)

func toCheckpointJSON(c Checkpoint) checkpointJSON {
	return checkpointJSON{Size: c.Size, Root: c.Root, Note: string(c.Note), At: c.At}
}

// Handler serves the public log API under /api/v1/log/, for mounting with
// mux.Handle("/api/v1/log/", h). The handler does no authentication: the
// tree, checkpoints, proofs and leaf hashes are public. Which leaves' data
// a request may read is the WithholdData option's to say, decided by
// whoever mounts the handler behind its authentication.
//
//	GET checkpoint                      the latest signed checkpoint (one is issued if there is none)
//	GET checkpoints?offset=             every checkpoint, oldest first, in pages
//	GET entries?start=&end=             entries [start, end) with their leaf hash and data, at most 1000
//	GET proof/inclusion?index=&size=    audit path of entry index in the tree of size
//	GET proof/consistency?from=&to=     proof that tree from is a prefix of tree to
//	GET key                             the verifier key, text/plain
//
// l signs on demand and proves; verifierKey is served as is.
func Handler(src Source, l *Log, verifierKey string, opts ...HandlerOption) http.Handler {
	h := &handler{src: src, log: l, key: verifierKey}
	for _, o := range opts {
		o(h)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/log/checkpoint", h.checkpoint)
	mux.HandleFunc("GET /api/v1/log/checkpoints", h.checkpoints)
	mux.HandleFunc("GET /api/v1/log/entries", h.entries)
	mux.HandleFunc("GET /api/v1/log/proof/inclusion", h.inclusion)
	mux.HandleFunc("GET /api/v1/log/proof/consistency", h.consistency)
	mux.HandleFunc("GET /api/v1/log/key", h.verifierKey)
	mux.HandleFunc("/api/v1/log/", h.notFound)
	return mux
}

// HandlerOption configures Handler.
type HandlerOption func(*handler)

// WithholdData makes GET entries leave out the data of every leaf e for
// which withhold(r, e) is true: such an entry carries only its index,
// kind, time and leaf hash, marked withheld. withhold reads e's kind and,
// where the kind alone does not say, its data (a leaf of one kind may name
// a person in one version of its record and not in another). The ledger
// knows no users, so the caller's identity is withhold's to find in r (the
// API puts it in the request's context).
func WithholdData(withhold func(r *http.Request, e Entry) bool) HandlerOption {
	return func(h *handler) { h.withhold = withhold }
}

type handler struct {
	src      Source
	log      *Log
	key      string
	withhold func(r *http.Request, e Entry) bool // nil: withhold nothing
}

func (h *handler) checkpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := h.src.LatestCheckpoint(r.Context())
	if truce.ErrorCode(err) == truce.ENOTFOUND && h.log != nil && h.log.signer != nil {
		cp, err = h.log.Checkpoint(r.Context())
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	h.json(w, r, toCheckpointJSON(cp))
}

func (h *handler) checkpoints(w http.ResponseWriter, r *http.Request) {
	offset, err := intParam(r, "offset", false)
	if err != nil {
		h.error(w, r, err)
		return
	}
	all, err := h.src.Checkpoints(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := checkpointsJSON{Checkpoints: []checkpointJSON{}}
	if offset < int64(len(all)) {
		end := min(int(offset)+MaxCheckpointsPerRequest, len(all))
		for _, c := range all[offset:end] {
			out.Checkpoints = append(out.Checkpoints, toCheckpointJSON(c))
		}
		if end < len(all) {
			out.Next = end
		}
	}
	h.json(w, r, out)
}

func (h *handler) entries(w http.ResponseWriter, r *http.Request) {
	start, err := intParam(r, "start", true)
	if err != nil {
		h.error(w, r, err)
		return
	}
	end, err := intParam(r, "end", false)
	if err != nil {
		h.error(w, r, err)
		return
	}
	if r.URL.Query().Get("end") == "" {
		end = start + MaxEntriesPerRequest
	}
	if end <= start {
		h.error(w, r, truce.Invalid("end", "must be greater than start %d", start))
		return
	}
	size, err := h.src.LogSize(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	if start > size {
		h.error(w, r, &truce.Error{Code: truce.ENOTFOUND, Field: "start", Message: "the log has only " + strconv.FormatInt(size, 10) + " entries"})
		return
	}
	end = min(end, size, start+MaxEntriesPerRequest)
	out := entriesJSON{Start: start, End: end, Size: size, Entries: []entryJSON{}}
	if start < end {
		es, err := h.src.LogEntries(r.Context(), start, end)
		if err != nil {
			h.error(w, r, err)
			return
		}
		for _, e := range es {
			ej := entryJSON{Index: e.Index, Kind: e.Kind, At: e.At, Hash: e.Hash()}
			if h.withhold != nil && h.withhold(r, e) {
				ej.Withheld = true
			} else {
				ej.RecordID, ej.Data = e.RecordID, e.Data
				if json.Valid(e.Data) {
					ej.Leaf = e.Data
				}
			}
			out.Entries = append(out.Entries, ej)
		}
	}
	h.json(w, r, out)
}

func (h *handler) inclusion(w http.ResponseWriter, r *http.Request) {
	index, err := intParam(r, "index", true)
	if err == nil {
		var size int64
		if size, err = intParam(r, "size", true); err == nil {
			var p tlog.RecordProof
			if p, err = h.prover().ProveInclusion(r.Context(), index, size); err == nil {
				h.json(w, r, inclusionJSON{Index: index, Size: size, Hashes: orEmpty(p)})
				return
			}
		}
	}
	h.error(w, r, err)
}

func (h *handler) consistency(w http.ResponseWriter, r *http.Request) {
	from, err := intParam(r, "from", true)
	if err == nil {
		var to int64
		if to, err = intParam(r, "to", true); err == nil {
			var p tlog.TreeProof
			if p, err = h.prover().ProveConsistency(r.Context(), from, to); err == nil {
				h.json(w, r, consistencyJSON{From: from, To: to, Hashes: orEmpty(p)})
				return
			}
		}
	}
	h.error(w, r, err)
}

func (h *handler) verifierKey(w http.ResponseWriter, r *http.Request) {
	if h.key == "" {
		h.error(w, r, truce.Errorf(truce.ENOTFOUND, "this server has no log key"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(h.key + "\n"))
}

// notFound answers what the routes above do not: a known path with another
// method, or an unknown path.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, "/api/v1/log/") {
	case "checkpoint", "checkpoints", "entries", "proof/inclusion", "proof/consistency", "key":
		w.Header().Set("Allow", "GET, HEAD")
		h.writeJSON(w, r, http.StatusMethodNotAllowed, errorJSON{Code: "method_not_allowed", Message: r.Method + " is not allowed here"})
		return
	}
	h.error(w, r, truce.Errorf(truce.ENOTFOUND, "no such log resource %s", r.URL.Path))
}

// prover proves from the stored hashes; it needs no key.
func (h *handler) prover() *Log {
	if h.log != nil {
		return h.log
	}
	return NewLog(h.src, nil, nil)
}

func orEmpty(hs []tlog.Hash) []tlog.Hash {
	if hs == nil {
		return []tlog.Hash{}
	}
	return hs
}

// intParam reads a non-negative whole-number query parameter.
func intParam(r *http.Request, name string, required bool) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		if required {
			return 0, truce.Invalid(name, "is required")
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, truce.Invalid(name, "must be a whole number, 0 or more, not %q", s)
	}
	return n, nil
}

func (h *handler) json(w http.ResponseWriter, r *http.Request, v any) {
	h.writeJSON(w, r, http.StatusOK, v)
}

func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v) // a failure here is the client going away
}

// error replies with err in the API's error shape. The status mapping
// mirrors internal/httpapi's for the codes this handler produces; internal
// errors are logged and not shown.
func (h *handler) error(w http.ResponseWriter, r *http.Request, err error) {
	body := errorJSON{Code: truce.ErrorCode(err), Message: truce.ErrorMessage(err)}
	var e *truce.Error
	if errors.As(err, &e) {
		body.Field = e.Field
	}
	status := http.StatusInternalServerError
	switch body.Code {
	case truce.EINVALID:
		status = http.StatusBadRequest
	case truce.ENOTFOUND:
		status = http.StatusNotFound
	default:
		body = errorJSON{Code: truce.EINTERNAL, Message: "internal error"}
		if h.log != nil && r.Context().Err() == nil {
			h.log.logger.ErrorContext(r.Context(), "log request failed", "path", r.URL.Path, "err", err)
		}
	}
	h.writeJSON(w, r, status, body)
}
