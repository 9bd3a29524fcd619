package punchd_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	act, priv := activatePhone(t, base, admin, "E006")
	signed := func(id string, key ed25519.PrivateKey, method, path string, body []byte) (int, string) {
		t.Helper()
		return signedCall(t, base, clk, id, key, method, path, body)
	}
	day := func() string {
		t.Helper()
		st, body := signed(act.DeviceID, priv, "GET", "/api/v1/device/records?from=2026-11-18&to=2026-11-18", nil)
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
	if st, body := signed(act.DeviceID, priv, "POST", "/api/v1/device/flows", ask); st != 201 {
		t.Fatalf("the phone asks: %d %s", st, body)
	}
	if st, _ := signed(act.DeviceID, priv, "POST", "/api/v1/device/flows", ask); st != 200 {
		t.Errorf("the same request again (a retried sync): %d, want 200", st)
	}
	other, _ := uuid.NewV7()
	forOther := []byte(`{"id":"` + other.String() + `","kind":"makeup_punch","employee_id":"E005","date":"2026-11-18","time":"2026-11-18T18:05:00+08:00","direction":"out","reason":"x"}`)
	if st, body := signed(act.DeviceID, priv, "POST", "/api/v1/device/flows", forOther); st != 403 || strings.Contains(body, "E005") {
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
	st, body := signed(act.DeviceID, priv, "GET", "/api/v1/device/flows", nil)
	if st != 200 || !strings.Contains(body, `"state":"approved"`) || strings.Count(body, `"id":"`+id.String()+`"`) != 1 {
		t.Errorf("the phone's flows: %d %s", st, body)
	}
}

// activatePhone links a phone of employee emp, as an admin, and
// activates it with a new key.
func activatePhone(t *testing.T, base, admin, emp string) (wire.EnrollResponse, ed25519.PrivateKey) {
	t.Helper()
	var link struct{ Code string }
	if st, eb := call(t, "POST", base+"/api/v1/admin/phone-links", "Bearer "+admin, []byte(`{"employee_id":"`+emp+`"}`), &link); st != 201 {
		t.Fatalf("phone link: %d %+v", st, eb)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	var act wire.EnrollResponse
	if st, eb := call(t, "POST", base+"/api/v1/phones/activate", "", jsonBody(t, wire.EnrollRequest{Protocol: 1, Code: link.Code, PublicKey: pub}), &act); st != 200 {
		t.Fatalf("activate: %d %+v", st, eb)
	}
	return act, priv
}

// signedCall sends a request signed by device id with key at the clock's
// time, and returns the status and body.
func signedCall(t *testing.T, base string, clk *clock, id string, key ed25519.PrivateKey, method, path string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
	if key != nil {
		req.Header.Set("Authorization", wire.SignRequest(id, key, method, path, clk.Now(), body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPhoneDeclaredFlow: E006's phone declares a punch it will make
// offline (a flight tomorrow), attaches the photo proving it, and
// withdraws the declaration. Another employee's phone, a request without
// a signature and a proof that is not an image are refused, without
// naming anything.
func TestPhoneDeclaredFlow(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base := m.URL()
	act, priv := activatePhone(t, base, admin, "E006")
	other, otherKey := activatePhone(t, base, admin, "E005")
	signed := func(id string, key ed25519.PrivateKey, method, path string, body []byte) (int, string) {
		t.Helper()
		return signedCall(t, base, clk, id, key, method, path, body)
	}
	for _, path := range []string{"/api/v1/device/flows", "/api/v1/device/decisions"} {
		method := map[string]string{"/api/v1/device/flows": "GET", "/api/v1/device/decisions": "POST"}[path]
		if st, body := signed("", nil, method, path, nil); st != 401 {
			t.Errorf("%s %s without a signature: %d %s", method, path, st, body)
		}
	}
	id, _ := uuid.NewV7()
	tomorrow := t0.Add(24 * time.Hour)
	ask := []byte(`{"id":"` + id.String() + `","kind":"offline_declared","date":"` + tomorrow.In(shanghai(t)).Format(time.DateOnly) + `","time":"` + tomorrow.Format(time.RFC3339) + `","direction":"in","reason":"flight to Munich"}`)
	if st, body := signed(act.DeviceID, priv, "POST", "/api/v1/device/flows", ask); st != 201 {
		t.Fatalf("the phone declares: %d %s", st, body)
	}
	proof := "/api/v1/device/flows/" + id.String() + "/proof"
	var photo bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	if err := png.Encode(&photo, img); err != nil {
		t.Fatal(err)
	}
	if st, body := signed(other.DeviceID, otherKey, "POST", proof, photo.Bytes()); st != 403 || strings.Contains(body, id.String()) {
		t.Errorf("E005's phone attaches E006's proof: %d %s", st, body)
	}
	if st, body := signed(act.DeviceID, priv, "POST", proof, []byte("not an image")); st != 400 {
		t.Errorf("a proof that is not an image: %d %s", st, body)
	}
	if st, body := signed(act.DeviceID, priv, "POST", proof, photo.Bytes()); st != 200 || !strings.Contains(body, `"proof"`) {
		t.Errorf("the phone attaches its proof: %d %s", st, body)
	}
	withdraw := "/api/v1/device/flows/" + id.String() + "/withdraw"
	if st, body := signed(other.DeviceID, otherKey, "POST", withdraw, nil); st != 403 {
		t.Errorf("E005's phone withdraws E006's flow: %d %s", st, body)
	}
	if st, body := signed(act.DeviceID, priv, "POST", withdraw, nil); st != 200 || !strings.Contains(body, `"state":"withdrawn"`) {
		t.Errorf("the phone withdraws: %d %s", st, body)
	}
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
