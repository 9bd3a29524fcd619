package httpapi_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestProof: an employee declares a punch ahead of a flight and attaches
// the photo proving it; a broken image is refused and loses nothing; a
// colleague may neither attach nor look; the approver sees it; a proof
// later than 4 hours after the declared time finds the request expired.
func TestProof(t *testing.T) {
	base, admin, _, clk := clockedServer(t)
	u := base + "/api/v1"
	web := flowPeople(t, base, admin)
	e4, e5, m2 := web("e4"), web("e5"), web("m2")
	declare := func() string {
		t.Helper()
		id, _ := uuid.NewV7()
		at := clk.Now().Add(time.Hour)
		st, body := e4.do("POST", u+"/approval/flow", map[string]any{"id": id.String(), "kind": "offline_declared", "employee_id": "E004",
			"date": at.Format("2006-01-02"), "time": at.Format(time.RFC3339), "direction": "in", "reason": "flight MU5101"}, true)
		if st != 201 {
			t.Fatalf("declare: %d %s", st, body)
		}
		return id.String()
	}
	raw := func(b *browser, method, path string, data []byte) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, u+path, bytes.NewReader(data))
		req.Header.Set("X-CSRF-Token", b.csrf)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(out)
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	img.Set(3, 3, color.RGBA{200, 10, 10, 255})
	var photo bytes.Buffer
	png.Encode(&photo, img)

	flow := declare()
	if st, _, body := raw(e4, "POST", "/approval/flow/"+flow+"/proof", photo.Bytes()[:photo.Len()/2]); st != 400 || !strings.Contains(body, "not a readable") {
		t.Errorf("a cut image: %d %s", st, body)
	}
	if st, _, body := raw(e5, "POST", "/approval/flow/"+flow+"/proof", photo.Bytes()); st != 403 {
		t.Errorf("a colleague attaches: %d %s", st, body)
	}
	if st, _, body := raw(e4, "POST", "/approval/flow/"+flow+"/proof", photo.Bytes()); st != 200 || !strings.Contains(body, `"proof":"`) {
		t.Fatalf("the proof: %d %s", st, body)
	}
	if st, ct, body := raw(m2, "GET", "/approval/flow/"+flow+"/proof", nil); st != 200 || ct != "image/png" || body != photo.String() {
		t.Errorf("the approver looks: %d %s (%d bytes)", st, ct, len(body))
	}
	if st, _, _ := raw(e5, "GET", "/approval/flow/"+flow+"/proof", nil); st != 403 {
		t.Errorf("a colleague looks: %d", st)
	}
	late := declare()
	clk.Add(5*time.Hour + time.Minute)
	e4 = web("e4")
	if st, _, body := raw(e4, "POST", "/approval/flow/"+late+"/proof", photo.Bytes()); st != 410 {
		t.Errorf("a proof 4 h after the declared time: %d %s", st, body)
	}
	if st, body := e4.do("GET", u+"/approval/flow/"+late, nil, false); st != 200 || !strings.Contains(body, `"state":"expired"`) {
		t.Errorf("the late request: %d %s", st, body)
	}
}
