package httpapi

import (
	"encoding/json"
	"html/template"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
)

// docsPage is the API reference for people: the same operations as the
// OpenAPI document, as plain HTML that loads nothing from elsewhere.
var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Truce API</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d2433; }
h2 { border-bottom: 1px solid #d8dce4; margin-top: 2.5rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .25rem; }
code, pre { background: #eef0f4; border-radius: 3px; }
code { padding: 0 .25em; }
pre { padding: .5rem; overflow-x: auto; font-size: 13px; }
.m { display: inline-block; min-width: 3.5rem; font-weight: bold; }
.who { color: #5a6275; }
table { border-collapse: collapse; margin: .25rem 0; }
td, th { text-align: left; padding: .1rem .75rem .1rem 0; vertical-align: top; }
</style>
</head>
<body>
<h1>Truce API{{with .Version}} <small>{{.}}</small>{{end}}</h1>
<p>All paths are under <code>/api/v1</code>. The machine-readable description is
<a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a> (OpenAPI 3.1).</p>
<p>Errors are JSON <code>{"code", "message", "field"}</code>: <code>field</code> names the input at fault.
Lists are paginated: each answer carries <code>next_cursor</code>, to pass back as <code>?cursor=</code>
(empty on the last page); <code>?limit=</code> sets the page size (1-1000, default 100).</p>
<p>Sign in either with <code>POST /api/v1/auth/login {"username","password"}</code>, which sets a session
cookie and returns a <code>csrf_token</code> that every cookie-authenticated write must send as
<code>X-CSRF-Token</code>, or with an API token from <code>truce user add</code>, sent as
<code>Authorization: Bearer TOKEN</code> (no CSRF token needed).</p>
{{range .Tags}}
<h2 id="{{.Name}}">{{.Name}}</h2>
{{range .Ops}}
<h3 id="{{.ID}}"><span class="m">{{.Method}}</span> <code>{{.Path}}</code></h3>
<p>{{.Summary}}{{with .Description}}<br>{{.}}{{end}}</p>
<p class="who">Who may call it: {{.Who}}</p>
{{with .Params}}<table><tr><th>parameter</th><th>in</th><th></th></tr>
{{range .}}<tr><td><code>{{.Name}}</code>{{if .Required}} (required){{end}}</td><td>{{.In}}</td><td>{{.Description}}</td></tr>
{{end}}</table>{{end}}
{{with .Body}}<p>Request body:</p><pre>{{.}}</pre>{{end}}
{{with .Response}}<p>Response ({{$.Status}}):</p><pre>{{.}}</pre>{{end}}
{{end}}
{{end}}
</body>
</html>
`))

type docsOp struct {
	ID, Method, Path, Summary, Description, Who string
	Params                                      []docsParam
	Body, Response                              string
}

type docsParam struct {
	Name, In, Description string
	Required              bool
}

type docsTag struct {
	Name string
	Ops  []docsOp
}

// handleDocs serves the API reference page.
func (s *Server) handleDocs(w http.ResponseWriter, r *http.Request) {
	byTag := map[string][]docsOp{}
	for _, rd := range s.documented() {
		rp, o := rd.route, rd.op
		method, path := splitPattern(rp.Pattern)
		d := docsOp{
			ID: operationID(method, path), Method: method, Path: path,
			Summary: o.Summary, Description: o.Description,
			Who: strings.Join(rolesOf(rp.Policy), ", "),
		}
		for _, name := range pathParams(path) {
			d.Params = append(d.Params, docsParam{Name: name, In: "path", Required: true})
		}
		for _, p := range o.Params {
			d.Params = append(d.Params, docsParam{Name: p.Name, In: "query", Description: p.Description, Required: p.Required})
		}
		if o.Paged {
			d.Params = append(d.Params, docsParam{Name: "cursor", In: "query", Description: "next_cursor of the previous page"},
				docsParam{Name: "limit", In: "query", Description: "page size, 1-1000 (default 100)"})
		}
		if o.Body != nil {
			d.Body = shape(reflect.TypeOf(o.Body))
		}
		if o.Response != nil {
			d.Response = shape(reflect.TypeOf(o.Response))
		}
		tag := tagOf(path)
		byTag[tag] = append(byTag[tag], d)
	}
	var tags []docsTag
	for _, name := range slices.Sorted(maps.Keys(byTag)) {
		tags = append(tags, docsTag{Name: name, Ops: byTag[name]})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	data := struct {
		Version string
		Tags    []docsTag
		Status  string
	}{s.version, tags, "2xx"}
	if err := docsPage.Execute(w, data); err != nil {
		s.logger.DebugContext(r.Context(), "write docs", "err", err)
	}
}

// shape renders the JSON shape of a type for people: field names with
// their JSON types, nested a few levels deep.
func shape(t reflect.Type) string {
	b, _ := json.MarshalIndent(shapeOf(t, 0), "", "  ")
	return string(b)
}

func shapeOf(t reflect.Type, depth int) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "date-time"
	case t == rawType:
		return "any"
	}
	switch t.Kind() {
	case reflect.Struct:
		if depth > 4 {
			return "object"
		}
		m := map[string]any{}
		for _, f := range reflect.VisibleFields(t) {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" || (f.Anonymous && name == "") {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, seen := m[name]; seen && len(f.Index) > 1 {
				continue
			}
			m[name] = shapeOf(f.Type, depth+1)
		}
		return m
	case reflect.Slice, reflect.Array:
		return []any{shapeOf(t.Elem(), depth+1)}
	case reflect.Map:
		return map[string]any{"KEY": shapeOf(t.Elem(), depth+1)}
	}
	return jsonKind(t)[strings.IndexByte(jsonKind(t), ' ')+1:]
}
