// Package opcover checks that the tests exercise every operation the API
// documents: a test package's TestMain runs its tests through Run, which
// notes every answer of every httpapi.Server in the process and, when the
// whole package ran and passed, fails unless each of the package's share
// of openapi.json's operations was answered with success by some test,
// and, if it documents a refusal for who is asking or for what (401,
// 403, 404 or 409), refused by some test too.
//
// The operations a kiosk or a phone calls with its signature are tested
// in server/internal/punchd, where real devices enroll; the rest in
// server/internal/httpapi.
package opcover

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"punchclock/server/internal/httpapi"
)

// Device says whether path is one a kiosk or a phone calls, signed.
func Device(path string) bool {
	return strings.HasPrefix(path, "/api/v1/device/") || path == "/api/v1/devices/enroll" || path == "/api/v1/phones/activate"
}

// Run runs m's tests, noting every answer, then checks the operations
// whose path share says are the package's; it returns the exit code.
func Run(m *testing.M, share func(path string) bool) int {
	var mu sync.Mutex
	codes := map[string]map[int]bool{}
	httpapi.ObserveRoutes(func(pattern string, code int) {
		mu.Lock()
		defer mu.Unlock()
		if codes[pattern] == nil {
			codes[pattern] = map[int]bool{}
		}
		codes[pattern][code] = true
	})
	code := m.Run()
	httpapi.ObserveRoutes(nil)
	if code != 0 || filtered() {
		return code
	}
	mu.Lock()
	defer mu.Unlock()
	if missing := Untested(httpapi.OpenAPI(), codes, share); len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: documented operations no test of the package exercised:\n  %s\n", strings.Join(missing, "\n  "))
		return 1
	}
	return 0
}

// filtered says whether -run or -skip chose some tests only.
func filtered() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return true
		}
	}
	return false
}

// Untested lists the operations of doc whose path share takes that
// codes (the statuses answered by route pattern) show no success for, or
// no refusal for when they document one.
func Untested(doc []byte, codes map[string]map[int]bool, share func(path string) bool) []string {
	var d struct {
		Paths map[string]map[string]struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return []string{"openapi.json: " + err.Error()}
	}
	var missing []string
	for path, ops := range d.Paths {
		if !share(path) {
			continue
		}
		for method, op := range ops {
			pattern := strings.ToUpper(method) + " " + path
			var ok, refused bool
			for code := range codes[pattern] {
				ok = ok || code >= 200 && code < 300
				refused = refused || code >= 400 && code < 500
			}
			if !ok {
				missing = append(missing, pattern+": no success")
			}
			documented := false
			for _, c := range []string{"401", "403", "404", "409"} {
				_, has := op.Responses[c]
				documented = documented || has
			}
			if documented && !refused {
				missing = append(missing, pattern+": no refusal")
			}
		}
	}
	slices.Sort(missing)
	return missing
}
