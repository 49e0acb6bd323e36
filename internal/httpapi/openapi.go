package httpapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/truce-monitor/truce"
)

// op describes one route for the OpenAPI document and the docs page.
// Every route registered with handle must have one (TestEveryRouteDescribed):
// register it with describe next to the handle call, or in the file of
// the capability.
type op struct {
	Summary     string
	Description string  // longer text, optional
	Params      []param // query parameters; path parameters come from the pattern
	Paged       bool    // takes ?cursor= and ?limit= and answers with next_cursor
	Body        any     // a value of the request body's type; nil for none
	Response    any     // a value of the success response's type; nil for none
	Status      int     // the success status; 200 if 0
	ContentType string  // the success response's type; application/json if ""
}

// param is a query parameter.
type param struct {
	Name        string
	Type        string // string (default), integer, number, boolean
	Format      string // e.g. date-time
	Description string
	Required    bool
	Enum        []string
}

// describe registers the description of the route registered (or to be
// registered) with pattern.
func (s *Server) describe(pattern string, o op) {
	if _, dup := s.docs[pattern]; dup {
		panic("httpapi: route described twice: " + pattern)
	}
	s.docs[pattern] = o
}

// describeAll registers a table of descriptions, pattern → op.
func (s *Server) describeAll(table map[string]op) {
	for pattern, o := range table {
		s.describe(pattern, o)
	}
}

// splitPattern splits "GET /api/v1/x/{id}" into the method and the path,
// with "{name...}" wildcards as "{name}".
func splitPattern(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return "", pattern
	}
	return method, strings.ReplaceAll(path, "...}", "}")
}

// pathParams returns the wildcard names of a path.
func pathParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			out = append(out, strings.TrimSuffix(name, "}"))
		}
	}
	return out
}

// openAPI builds the OpenAPI 3.1 document from the authorization matrix
// and the descriptions. A route without a description still appears, so
// that the document never hides a route; the test makes sure there are
// none.
func (s *Server) openAPI() map[string]any {
	schemas := map[string]any{}
	gen := &schemaGen{schemas: schemas}
	schemas["Error"] = gen.object(reflect.TypeFor[errorBody]())
	paths := map[string]map[string]any{}
	for _, rd := range s.documented() {
		rp, o := rd.route, rd.op
		method, path := splitPattern(rp.Pattern)
		operation := map[string]any{
			"operationId": operationID(method, path),
			"summary":     o.Summary,
			"tags":        []string{tagOf(path)},
			"x-roles":     rolesOf(rp.Policy),
		}
		desc := o.Description
		if desc != "" {
			desc += "\n\n"
		}
		operation["description"] = desc + "Who may call it: " + strings.Join(rolesOf(rp.Policy), ", ") + "."
		var params []map[string]any
		for _, name := range pathParams(path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		qs := o.Params
		if o.Paged {
			qs = append(slices.Clone(qs),
				param{Name: "cursor", Description: "next_cursor of the previous page"},
				param{Name: "limit", Type: "integer", Description: fmt.Sprintf("page size, 1-%d (default %d)", maxLimit, defaultLimit)})
		}
		for _, p := range qs {
			sch := map[string]any{"type": cmpOr(p.Type, "string")}
			if p.Format != "" {
				sch["format"] = p.Format
			}
			if len(p.Enum) > 0 {
				sch["enum"] = p.Enum
			}
			params = append(params, map[string]any{"name": p.Name, "in": "query", "required": p.Required, "description": p.Description, "schema": sch})
		}
		if params != nil {
			operation["parameters"] = params
		}
		if o.Body != nil {
			operation["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": gen.schema(reflect.TypeOf(o.Body))}},
			}
		}
		success := map[string]any{"description": "success"}
		if o.Response != nil {
			success["content"] = map[string]any{cmpOr(o.ContentType, "application/json"): map[string]any{"schema": gen.schema(reflect.TypeOf(o.Response))}}
		} else if o.ContentType != "" {
			success["content"] = map[string]any{o.ContentType: map[string]any{"schema": map[string]any{"type": "string"}}}
		}
		errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		withDesc := func(d string) map[string]any {
			m := map[string]any{"description": d}
			for k, v := range errRef {
				m[k] = v
			}
			return m
		}
		responses := map[string]any{
			fmt.Sprint(cmpOr(o.Status, http.StatusOK)): success,
			"default": withDesc("an error: {code, message, field}"),
		}
		if params != nil || o.Body != nil {
			responses["400"] = withDesc("invalid input; field names the parameter or body field at fault")
		}
		if len(pathParams(path)) > 0 {
			responses["404"] = withDesc("no such record")
		}
		if !rp.Policy.public {
			responses["401"] = withDesc("not signed in, or a bad token")
		}
		if len(rp.Policy.roles) < len(truce.Roles) || method != http.MethodGet {
			responses["403"] = withDesc("the caller's role may not do this (or a cookie-authenticated write without X-CSRF-Token)")
		}
		operation["responses"] = responses
		if rp.Policy.public {
			operation["security"] = []map[string][]string{{}, {"bearer": {}}, {"session": {}}}
		} else {
			operation["security"] = []map[string][]string{{"bearer": {}}, {"session": {}}}
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = operation
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Truce API",
			"license": map[string]string{"name": "Apache-2.0", "identifier": "Apache-2.0"},
			"version": cmpOr(s.version, "dev"),
			"description": "Ceasefire monitoring and verification. Errors are JSON {code, message, field}. " +
				"Lists are paginated: pass next_cursor back as ?cursor=. Sign in with POST /api/v1/auth/login " +
				"(a session cookie; cookie-authenticated writes need the X-CSRF-Token the login returned) " +
				"or send Authorization: Bearer TOKEN.",
		},
		"servers": []map[string]string{{"url": "/", "description": "this server"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "an API token from `truce user add`"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "the session of POST /api/v1/auth/login"},
			},
		},
	}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// rolesOf lists who a policy lets in, the public first.
func rolesOf(p policy) []string {
	var out []string
	if p.public {
		out = append(out, string(truce.RolePublic))
	}
	for _, r := range p.roles {
		out = append(out, string(r))
	}
	return out
}

// operationID names an operation from its method and path:
// "GET /api/v1/incidents/{id}/replies" → "get_incidents_id_replies".
func operationID(method, path string) string {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "/api/v1/"), "/")
	r := strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "-", "_")
	return strings.ToLower(method) + "_" + r.Replace(path)
}

// tagOf groups operations by the first path segment after /api/v1/.
func tagOf(path string) string {
	rest := strings.TrimPrefix(path, "/api/v1/")
	first, _, _ := strings.Cut(rest, "/")
	return first
}

// handleOpenAPI serves the OpenAPI document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, s.openAPI())
}

// schemaGen turns Go types into JSON Schemas (OpenAPI 3.1 uses JSON
// Schema 2020-12), with named structs as shared components.
type schemaGen struct {
	schemas map[string]any
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		name := schemaName(t)
		if _, seen := g.schemas[name]; !seen {
			g.schemas[name] = map[string]any{} // a placeholder against recursion
			g.schemas[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// schemaName names a struct's component: its Go name, its package's name
// first when outside the domain package ("store.IncidentDetail").
func schemaName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	if pkg == "truce" {
		return t.Name()
	}
	return pkg + "." + t.Name()
}

// object is the schema of a struct's JSON fields, embedded ones inlined.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			continue // inlined
		}
		if name == "" {
			name = f.Name
		}
		if _, shadowed := props[name]; shadowed && len(f.Index) > 1 {
			continue // an outer field of the same name wins
		}
		props[name] = g.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		slices.Sort(required)
		out["required"] = slices.Compact(required)
	}
	return out
}

// routeDoc is a route with its description.
type routeDoc struct {
	route routePolicy
	op    op
}

// documented lists every route the documents describe: the matrix's,
// then the public routes mounted outside it (the health check, the log).
func (s *Server) documented() []routeDoc {
	var out []routeDoc
	for _, rp := range s.matrix {
		out = append(out, routeDoc{rp, s.docs[rp.Pattern]})
	}
	for _, pattern := range slices.Sorted(maps.Keys(outsideDocs)) {
		if strings.Contains(pattern, "/api/v1/log/") && s.log == nil {
			continue
		}
		out = append(out, routeDoc{routePolicy{Pattern: pattern, Policy: anyone}, outsideDocs[pattern]})
	}
	return out
}

// outsideDocs describes the public routes not registered with handle:
// the health check and the tamper-evident log (internal/ledger).
var outsideDocs = map[string]op{
	"GET /healthz": {Summary: "Health check: ok once the database answers", Response: map[string]string{}},
	"GET /api/v1/log/checkpoint": {Summary: "The latest signed checkpoint of the tamper-evident log",
		Description: "One is signed on demand if there is none.", Response: map[string]any{}},
	"GET /api/v1/log/checkpoints": {Summary: "Every checkpoint, oldest first, in pages",
		Params: []param{{Name: "offset", Type: "integer"}}, Response: map[string]any{}},
	"GET /api/v1/log/entries": {Summary: "Log entries [start, end) with their leaf hash and data, at most 1000",
		Description: "Every entry has index, kind, at and hash (the RFC 6962 leaf hash, base64). " +
			"The public gets record_id, data (base64) and leaf only for parties, agreement versions and agreement status changes that name no one " +
			"(since migration 0013 a status change's leaf holds by_commitment, a commitment to the admin's name, not the name; older ones that name the admin are withheld); " +
			"any other entry comes with \"withheld\": true and no data, so no person's name and no unverified report is served, " +
			"while the tree can still be checked against the signed checkpoints. A party liaison also gets the kinds that name no one " +
			"(findings, incident states, observations, negotiation issues, preconditions, events, drafts); staff get every entry's data. " +
			"A bad or revoked bearer token is 401.",
		Params:   []param{{Name: "start", Type: "integer", Required: true}, {Name: "end", Type: "integer"}},
		Response: map[string]any{}},
	"GET /api/v1/log/proof/inclusion": {Summary: "Audit path of an entry in the tree of a size",
		Params:   []param{{Name: "index", Type: "integer", Required: true}, {Name: "size", Type: "integer", Required: true}},
		Response: map[string]any{}},
	"GET /api/v1/log/proof/consistency": {Summary: "Proof that the tree of one size is a prefix of the tree of another",
		Params:   []param{{Name: "from", Type: "integer", Required: true}, {Name: "to", Type: "integer", Required: true}},
		Response: map[string]any{}},
	"GET /api/v1/log/key": {Summary: "The log's verifier key (note format)", ContentType: "text/plain"},
}

// openAPIDocs describes the description itself.
var openAPIDocs = map[string]op{
	"GET /api/v1/openapi.json": {Summary: "This API as an OpenAPI 3.1 document", Response: map[string]any{}},
	"GET /api/docs":            {Summary: "This API as a page for people", ContentType: "text/html"},
}
