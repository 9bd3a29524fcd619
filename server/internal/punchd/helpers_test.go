package punchd_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

func storeFilterAll() store.PunchFilter       { return store.PunchFilter{} }
func storeEmployeesAll() store.EmployeeFilter { return store.EmployeeFilter{} }

// pullAs is a kiosk's signed pull from cursor, conditional on etag when
// given: the status, the answer (on 200) and its ETag.
func pullAs(t *testing.T, base string, k *kiosk, cursor, etag string) (int, wire.PullResponse, string) {
	t.Helper()
	path := "/api/v1/device/pull?cursor=" + cursor
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", wire.SignRequest(k.id, k.key, "GET", path, k.clk.Now(), nil))
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pr wire.PullResponse
	if resp.StatusCode == 200 {
		json.NewDecoder(resp.Body).Decode(&pr)
	}
	return resp.StatusCode, pr, resp.Header.Get("ETag")
}

func storeFlowsOf(emp string) store.ApprovalFilter {
	return store.ApprovalFilter{EmployeeIDs: []string{emp}}
}

// fenceRules gives sh-jingan's rule set the store's 200 m fence (named
// store) and, when location is set, those location rules.
func fenceRules(t *testing.T, base, admin string, location map[string]any) {
	t.Helper()
	var cfg struct{ Config map[string]any }
	if st, eb := call(t, "GET", base+"/api/v1/rule/config?site_id=sh-jingan", "Bearer "+admin, nil, &cfg); st != 200 {
		t.Fatalf("rule config: %d %+v", st, eb)
	}
	rs := cfg.Config["rules"].(map[string]any)
	rs["sites"] = []any{map[string]any{"id": "sh-jingan", "fences": []any{map[string]any{"name": "store", "center": map[string]any{"lat": 31.2243, "lng": 121.4453}, "radius_m": 200}}}}
	if location != nil {
		rs["location"] = location
	}
	if st, eb := call(t, "PUT", base+"/api/v1/rule/config?site_id=sh-jingan", "Bearer "+admin, jsonBody(t, cfg.Config), nil); st != 200 {
		t.Fatalf("put rule config: %d %+v", st, eb)
	}
}
