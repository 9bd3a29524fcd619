package punchd_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"punchclock/app/wire"
)

// TestPhoneOwnDays is the phone's side of a make-up punch, through the
// real server: E006's phone reads Wednesday 18 November as missing_out
// (the demo's forgotten punch-out), asks for a make-up punch with its own
// key, the direct manager approves it in the browser, and the phone reads
// the day as normal and its request as approved. The phone sees nobody
// else; a kiosk's key reads nothing here.
func TestPhoneOwnDays(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base := m.URL()
	kio := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)
	ph := activatePhone(t, base, admin, "E006", clk)
	priv := ph.key
	signed := func(id string, key ed25519.PrivateKey, method, path string, body []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", wire.SignRequest(id, key, method, path, clk.Now(), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	day := func() string {
		t.Helper()
		st, body := signed(ph.id, priv, "GET", "/api/v1/device/records?from=2026-11-18&to=2026-11-18", nil)
		var res struct {
			EmployeeID string `json:"employee_id"`
			Records    []struct{ EmployeeID, Status string }
			Punches    []struct {
				EmployeeID string `json:"employee_id"`
			}
		}
		if st != 200 || json.Unmarshal([]byte(body), &res) != nil || res.EmployeeID != "E006" || len(res.Records) != 1 || len(res.Punches) == 0 {
			t.Fatalf("the phone's records: %d %s", st, body)
		}
		for _, p := range res.Punches {
			if p.EmployeeID != "E006" {
				t.Errorf("the phone sees a punch of %s", p.EmployeeID)
			}
		}
		return res.Records[0].Status
	}
	if got := day(); got != "missing_out" {
		t.Fatalf("before: %s, want missing_out", got)
	}
	if st, _ := signed(kio.id, kio.key, "GET", "/api/v1/device/records?from=2026-11-18", nil); st != 403 {
		t.Errorf("a kiosk reads the phone endpoint: %d", st)
	}
	id, _ := uuid.NewV7()
	ask := []byte(`{"id":"` + id.String() + `","kind":"makeup_punch","date":"2026-11-18","time":"2026-11-18T18:05:00+08:00","direction":"out","reason":"left in a hurry"}`)
	if st, body := signed(ph.id, priv, "POST", "/api/v1/device/flows", ask); st != 201 {
		t.Fatalf("the phone asks: %d %s", st, body)
	}
	if st, _ := signed(ph.id, priv, "POST", "/api/v1/device/flows", ask); st != 200 {
		t.Errorf("the same request again (a retried sync): %d, want 200", st)
	}
	other, _ := uuid.NewV7()
	forOther := []byte(`{"id":"` + other.String() + `","kind":"makeup_punch","employee_id":"E005","date":"2026-11-18","time":"2026-11-18T18:05:00+08:00","direction":"out","reason":"x"}`)
	if st, body := signed(ph.id, priv, "POST", "/api/v1/device/flows", forOther); st != 403 || strings.Contains(body, "E005") {
		t.Errorf("the phone asks for E005: %d %s", st, body)
	}

	// The manager approves in the browser.
	if st, eb := call(t, "PUT", base+"/api/v1/admin/users/u-m2", "Bearer "+admin, []byte(`{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","password":"manager-pass-1"}`), nil); st != 201 {
		t.Fatalf("manager account: %d %+v", st, eb)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Post(base+"/api/v1/auth/signin", "application/json", strings.NewReader(`{"login":"m2","password":"manager-pass-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	var sess struct {
		CSRFToken string `json:"csrf_token"`
	}
	json.NewDecoder(resp.Body).Decode(&sess)
	resp.Body.Close()
	dec, _ := uuid.NewV7()
	req, _ := http.NewRequest("POST", base+"/api/v1/approval/flow/"+id.String()+"/decide", strings.NewReader(`{"id":"`+dec.String()+`","approve":true}`))
	req.Header.Set("X-CSRF-Token", sess.CSRFToken)
	resp, err = browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the manager approves: %d", resp.StatusCode)
	}

	if got := day(); got != "normal" {
		t.Errorf("after approval the phone reads %s, want normal", got)
	}
	st, body := signed(ph.id, priv, "GET", "/api/v1/device/flows", nil)
	if st != 200 || !strings.Contains(body, `"state":"approved"`) || strings.Count(body, `"id":"`+id.String()+`"`) != 1 {
		t.Errorf("the phone's flows: %d %s", st, body)
	}
}
