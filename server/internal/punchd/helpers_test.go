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
