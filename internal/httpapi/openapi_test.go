package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestEveryRouteDescribed fails for a route registered with handle but
// not described (so missing from the OpenAPI document and the docs
// page), and for a description of a route that does not exist.
func TestEveryRouteDescribed(t *testing.T) {
	s := New(Config{})
	routes := map[string]bool{}
	for _, rp := range s.matrix {
		routes[rp.Pattern] = true
		o, ok := s.docs[rp.Pattern]
		if !ok {
			t.Errorf("route %q has no description: add one with s.describe (see openapi.go)", rp.Pattern)
			continue
		}
		if strings.TrimSpace(o.Summary) == "" {
			t.Errorf("route %q has an empty summary", rp.Pattern)
		}
	}
	for pattern := range s.docs {
		if !routes[pattern] {
			t.Errorf("description of %q, which no handle call registers", pattern)
		}
	}
}

// TestOpenAPIDocument checks the served document: version, one operation
// per route with the security its policy implies, and a resolvable
// schema for every $ref.
func TestOpenAPIDocument(t *testing.T) {
	s := New(Config{Version: "truce 9.9"})
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct{ Version string }
		Paths   map[string]map[string]struct {
			Summary  string
			Security []map[string][]string
			XRoles   []string `json:"x-roles"`
		}
		Components struct {
			Schemas map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info.Version != "truce 9.9" {
		t.Errorf("openapi %q version %q", doc.OpenAPI, doc.Info.Version)
	}
	for _, rp := range s.matrix {
		method, path := splitPattern(rp.Pattern)
		o, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s missing from the document", rp.Pattern)
			continue
		}
		anonymous := false
		for _, sec := range o.Security {
			if len(sec) == 0 {
				anonymous = true
			}
		}
		if anonymous != rp.Policy.public {
			t.Errorf("%s: anonymous access %v in the document, policy says %v", rp.Pattern, anonymous, rp.Policy.public)
		}
		if len(o.XRoles) != len(rolesOf(rp.Policy)) {
			t.Errorf("%s: x-roles %v", rp.Pattern, o.XRoles)
		}
	}
	// The routes outside the matrix are there too, when mounted.
	if _, ok := doc.Paths["/healthz"]["get"]; !ok {
		t.Error("GET /healthz missing")
	}
	if _, ok := doc.Paths["/api/v1/log/entries"]; ok {
		t.Error("the log's routes are described though no log is mounted")
	}
	withLog := New(Config{Log: http.NotFoundHandler()}).openAPI()["paths"].(map[string]map[string]any)
	for _, p := range []string{"/api/v1/log/checkpoint", "/api/v1/log/entries", "/api/v1/log/proof/inclusion", "/api/v1/log/key"} {
		if _, ok := withLog[p]["get"]; !ok {
			t.Errorf("GET %s missing with the log mounted", p)
		}
	}
	// The public reads parties: its operation lets anonymous callers in.
	if sec := doc.Paths["/api/v1/parties"]["get"].Security; len(sec) == 0 || len(sec[0]) != 0 {
		t.Errorf("GET /parties security %v", sec)
	}
	for _, ref := range refs(w.Body.String()) {
		if _, ok := doc.Components.Schemas[ref]; !ok {
			t.Errorf("$ref to missing schema %q", ref)
		}
	}
	if _, ok := doc.Components.Schemas["Party"]; !ok {
		t.Error("no Party schema")
	}
}

// refs returns the schema names of every $ref in a document.
func refs(doc string) []string {
	var out []string
	const prefix = `"$ref": "#/components/schemas/`
	for {
		i := strings.Index(doc, prefix)
		if i < 0 {
			return out
		}
		doc = doc[i+len(prefix):]
		out = append(out, doc[:strings.IndexByte(doc, '"')])
	}
}

func TestDocsPage(t *testing.T) {
	s := New(Config{})
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/api/docs", nil))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("status %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.String()
	for _, rp := range s.matrix {
		_, path := splitPattern(rp.Pattern)
		if !strings.Contains(body, "<code>"+path+"</code>") {
			t.Errorf("docs page lacks %s", rp.Pattern)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "https://") {
		t.Error("docs page loads something from elsewhere or runs scripts")
	}
}
