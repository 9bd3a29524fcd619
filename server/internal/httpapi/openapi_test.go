package httpapi_test

import (
	"encoding/json"
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
