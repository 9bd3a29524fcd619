package httpapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/httpapi"
)

// TestOpenAPICoversRoutes: every route the server registers is documented,
// and the document names no route the server lacks.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	s := httpapi.New(nil, time.Now, slog.Default(), "test")
	s.Handler()
	served := map[string]bool{}
	for _, r := range s.Routes() {
		method, path, ok := strings.Cut(r, " ")
		if !ok {
			continue // the catch-all
		}
		served[strings.ToLower(method)+" "+path] = true
		if doc.Paths[path][strings.ToLower(method)] == nil {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which the server does not serve", method, path)
			}
		}
	}
	if len(served) < 15 {
		t.Errorf("only %d routes found", len(served))
	}
}

// TestOpenAPIOperations: every operation has a unique operationId, says
// who may call it (security, [] for the public ones, each scheme one the
// document defines), declares at least one 4xx answer, and shows an
// example (of a parameter, the request or an answer), as Redocly's linter
// (make openapi-lint) asks; this test checks it without Node.
func TestOpenAPIOperations(t *testing.T) {
	var doc struct {
		Components struct {
			SecuritySchemes map[string]any `json:"securitySchemes"`
			Responses       map[string]any `json:"responses"`
		} `json:"components"`
		Paths map[string]map[string]struct {
			OperationID string                 `json:"operationId"`
			Security    *[]map[string][]string `json:"security"`
			Parameters  []json.RawMessage      `json:"parameters"`
			RequestBody json.RawMessage        `json:"requestBody"`
			Responses   map[string]struct {
				Ref string `json:"$ref"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var raw struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	json.Unmarshal(httpapi.OpenAPI(), &raw)
	ids := map[string]string{}
	n := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			n++
			name := strings.ToUpper(method) + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", name)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share the operationId %s", name, other, op.OperationID)
			}
			ids[op.OperationID] = name
			if op.Security == nil {
				t.Errorf("%s does not say who may call it (security)", name)
			} else {
				for _, req := range *op.Security {
					for scheme := range req {
						if doc.Components.SecuritySchemes[scheme] == nil {
							t.Errorf("%s: security scheme %q is not defined", name, scheme)
						}
					}
				}
			}
			has4xx := false
			for code, r := range op.Responses {
				if strings.HasPrefix(code, "4") {
					has4xx = true
				}
				if ref, ok := strings.CutPrefix(r.Ref, "#/components/responses/"); ok && doc.Components.Responses[ref] == nil {
					t.Errorf("%s: answer %s refers to %s, which is not defined", name, code, r.Ref)
				}
			}
			if !has4xx {
				t.Errorf("%s declares no 4xx answer", name)
			}
			if !strings.Contains(string(raw.Paths[path][method]), `"example`) {
				t.Errorf("%s shows no example", name)
			}
		}
	}
	if n < 60 {
		t.Errorf("only %d operations", n)
	}
}

// TestOpenAPINumbers: every number in the document says its format, so a
// generated client keeps coordinates and measures as float64 (a bare
// "number" is float32 to oapi-codegen: a metre off in longitude).
func TestOpenAPINumbers(t *testing.T) {
	var doc any
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(x any, at string)
	walk = func(x any, at string) {
		switch x := x.(type) {
		case map[string]any:
			if x["type"] == "number" {
				n++
				if f, _ := x["format"].(string); f != "double" {
					t.Errorf("%s: a number of format %q, want double", at, f)
				}
			}
			for k, v := range x {
				walk(v, at+"/"+k)
			}
		case []any:
			for i, v := range x {
				walk(v, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "")
	if n == 0 {
		t.Error("no number in the document")
	}
}
