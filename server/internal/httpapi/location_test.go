package httpapi_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

// fieldPhone is an activated phone of the location tests.
type fieldPhone struct {
	t   *testing.T
	u   string // base + /api/v1
	id  string
	key ed25519.PrivateKey
}

// activateField activates a phone for emp with an admin's phone link.
func activateField(t *testing.T, base, admin, emp string) *fieldPhone {
	t.Helper()
	var link struct{ Code string }
	if st, body := do(t, "POST", base+"/api/v1/admin/phone-links", admin, []byte(`{"employee_id":"`+emp+`"}`), nil); st != 201 {
		t.Fatalf("phone link: %d %s", st, body)
	} else if err := json.Unmarshal([]byte(body), &link); err != nil {
		t.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(nil)
	req, _ := json.Marshal(wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: link.Code, PublicKey: pub})
	var act wire.EnrollResponse
	if st, body := do(t, "POST", base+"/api/v1/phones/activate", "", req, &act); st != 200 {
		t.Fatalf("activate: %d %s", st, body)
	}
	return &fieldPhone{t: t, u: base + "/api/v1", id: act.DeviceID, key: key}
}

// post sends body to /user/location signed at signAt with key.
func (p *fieldPhone) post(body []byte, signAt time.Time, key ed25519.PrivateKey) (int, string) {
	p.t.Helper()
	req, _ := http.NewRequest("POST", p.u+"/user/location", bytes.NewReader(body))
	req.Header.Set("Authorization", wire.SignRequest(p.id, key, "POST", wire.PathUserLocation, signAt, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// report sends points as a report sent at sentAt on the phone's clock.
func (p *fieldPhone) report(sentAt, now time.Time, pts ...wire.LocationPoint) wire.LocationResponse {
	p.t.Helper()
	body, _ := json.Marshal(wire.LocationReport{Protocol: wire.ProtocolVersion, DeviceID: p.id, SentAt: sentAt, Points: pts})
	st, out := p.post(body, now, p.key)
	var resp wire.LocationResponse
	if st != 200 || json.Unmarshal([]byte(out), &resp) != nil || len(resp.Results) != len(pts) {
		p.t.Fatalf("report: %d %s", st, out)
	}
	return resp
}

func point(at time.Time, lat, lng, acc float64) wire.LocationPoint {
	id, _ := uuid.NewV7()
	return wire.LocationPoint{ID: id.String(), DeviceTime: at, Location: attendance.Location{Lat: lat, Lng: lng, AccuracyM: acc}}
}

// TestUserLocation: a phone reports a batch of points; each is judged on
// its own (time by the offset measured on the report, never the phone's
// clock; coordinates, accuracy, id) and placed against the employee's
// site's fence; a resent report stores nothing twice; malformed,
// unsigned or foreign reports are refused whole. The trail is read back
// by the employee's manager, HR of their unit and themselves, in time
// order with the fence, and audited; a colleague, HR of another unit and
// a manager asking for someone who does not exist are refused alike.
func TestUserLocation(t *testing.T) {
	base, admin, _, clk := clockedServer(t)
	u := base + "/api/v1"
	var sites struct{ Sites []map[string]any }
	if st, body := do(t, "GET", u+"/sites", admin, nil, &sites); st != 200 {
		t.Fatalf("sites: %d %s", st, body)
	}
	var site map[string]any
	for _, s := range sites.Sites {
		if s["id"] == "sh-jingan" {
			site = s
		}
	}
	site["fences"] = []any{map[string]any{"name": "store", "center": map[string]any{"lat": 31.2243, "lng": 121.4453}, "radius_m": 200}}
	data, _ := json.Marshal(site)
	if st, body := do(t, "PUT", u+"/sites/sh-jingan", admin, data, nil); st >= 300 {
		t.Fatalf("site fence: %d %s", st, body)
	}
	web := flowPeople(t, base, admin)
	ph := activateField(t, base, admin, "E005")

	// The phone's clock is 3 hours slow: the points land where the
	// server's clock says, not the phone's.
	now := clk.Now()
	skew := -3 * time.Hour
	in := point(now.Add(skew-10*time.Minute), 31.2244, 121.4452, 15)
	out := point(now.Add(skew-5*time.Minute), 31.2500, 121.4453, 20)
	edge := point(now.Add(skew-4*time.Minute), 31.2243+0.0018, 121.4453, 80)
	badLat := point(now.Add(skew), 91, 121.4453, 15)
	noAcc := point(now.Add(skew), 31.2244, 121.4452, 0)
	future := point(now.Add(skew+time.Hour), 31.2244, 121.4452, 15)
	badID := point(now.Add(skew), 31.2244, 121.4452, 15)
	badID.ID = "not-a-uuid"
	resp := ph.report(now.Add(skew), now, in, out, edge, badLat, noAcc, future, badID, in)
	want := []struct {
		status  string
		code    wire.Code
		verdict string
	}{
		{"accepted", "", "inside"}, {"accepted", "", "outside"}, {"accepted", "", "uncertain"},
		{"rejected", "invalid", ""}, {"rejected", "invalid", ""}, {"rejected", "invalid", ""}, {"rejected", "invalid", ""},
		{"rejected", "conflict", ""},
	}
	for i, w := range want {
		r := resp.Results[i]
		if r.Status != w.status || r.Code != w.code || r.Verdict != w.verdict {
			t.Errorf("point %d: %+v, want %+v", i, r, w)
		}
	}
	if at := resp.Results[0].At; !at.Equal(now.Add(-10 * time.Minute)) {
		t.Errorf("the first point is held at %s, want %s (its device time corrected by the measured offset)", at, now.Add(-10*time.Minute))
	}
	if resp.Results[0].Fence != "store" || resp.OffsetMS != (3*time.Hour).Milliseconds() {
		t.Errorf("fence %q, offset %d ms", resp.Results[0].Fence, resp.OffsetMS)
	}
	again := ph.report(now.Add(skew), now, in)
	if again.Results[0].Status != "duplicate" {
		t.Errorf("the resent point: %+v", again.Results[0])
	}

	// Refused whole: malformed, hostile text, too many, unsigned, forged.
	sent := now.Add(skew).Format(time.RFC3339)
	rawPoint := func(id string) string {
		return `{"id":"` + id + `","device_time":"` + sent + `","location":{"lat":31.2,"lng":121.4,"accuracy_m":10}}`
	}
	id := point(now, 0, 0, 1).ID
	for name, body := range map[string]string{
		"malformed JSON":  `{"protocol":2,"device_id":"` + ph.id + `","sent_at":"` + sent + `","points":[`,
		"invalid UTF-8":   `{"protocol":2,"device_id":"` + ph.id + `","sent_at":"` + sent + `","points":[` + rawPoint(id+"\xff") + `]}`,
		"NUL":             `{"protocol":2,"device_id":"` + ph.id + `","sent_at":"` + sent + `","points":[` + rawPoint(id+`\u0000`) + `]}`,
		"duplicated key":  `{"protocol":2,"device_id":"` + ph.id + `","device_id":"x","sent_at":"` + sent + `","points":[]}`,
		"no sent_at":      `{"protocol":2,"device_id":"` + ph.id + `","points":[` + rawPoint(id) + `]}`,
		"empty body":      ``,
		"datum not known": `{"protocol":2,"device_id":"` + ph.id + `","sent_at":"` + sent + `","points":[{"id":"` + id + `","device_time":"` + sent + `","location":{"lat":31.2,"lng":121.4,"accuracy_m":10,"datum":"bd09"}}]}`,
	} {
		st, b := ph.post([]byte(body), now, ph.key)
		if name == "datum not known" {
			if st != 200 || !strings.Contains(b, `"status":"rejected","code":"invalid"`) {
				t.Errorf("%s: %d %s", name, st, b)
			}
			continue
		}
		if st != 400 || !strings.Contains(b, `"code":"invalid"`) {
			t.Errorf("%s: %d %s, want 400 invalid", name, st, b)
		}
	}
	many := make([]wire.LocationPoint, wire.MaxLocationBatch+1)
	for i := range many {
		many[i] = point(now.Add(skew), 31.2244, 121.4452, 15)
	}
	body, _ := json.Marshal(wire.LocationReport{Protocol: 2, DeviceID: ph.id, SentAt: now.Add(skew), Points: many})
	if st, b := ph.post(body, now, ph.key); st != 413 {
		t.Errorf("%d points: %d %s", len(many), st, b)
	}
	body, _ = json.Marshal(wire.LocationReport{Protocol: 2, DeviceID: ph.id, SentAt: now.Add(skew), Points: []wire.LocationPoint{point(now.Add(skew), 31.2244, 121.4452, 15)}})
	_, forged, _ := ed25519.GenerateKey(nil)
	if st, b := ph.post(body, now, forged); st != 401 {
		t.Errorf("a forged signature: %d %s", st, b)
	}
	other := activateField(t, base, admin, "E004")
	if st, b := other.post(body, now, other.key); st != 403 {
		t.Errorf("another phone's report: %d %s", st, b)
	}
	if st, b := do(t, "POST", u+"/user/location", admin, body, nil); st != 401 {
		t.Errorf("an admin token posts: %d %s", st, b)
	}

	// The trail.
	q := fmt.Sprintf("/user/location?employee_id=E005&from=%s&to=%s", now.Add(-time.Hour).Format(time.RFC3339), now.Format(time.RFC3339))
	var trail wire.Trail
	for _, login := range []string{"m2", "hr-retail", "e5"} {
		st, b := web(login).do("GET", u+q, nil, false)
		if st != 200 || json.Unmarshal([]byte(b), &trail) != nil {
			t.Fatalf("%s reads the trail: %d %s", login, st, b)
		}
		if len(trail.Points) != 3 || trail.Points[0].ID != in.ID || trail.Points[1].ID != out.ID || trail.Points[2].ID != edge.ID ||
			trail.Points[1].Verdict != "outside" || len(trail.Fences) != 1 || trail.Fences[0].Name != "store" || trail.Site == nil || trail.Site.ID != "sh-jingan" {
			t.Errorf("%s's trail: %+v", login, trail)
		}
	}
	var refusal string
	for _, c := range []struct{ login, q string }{{"e4", q}, {"hr-works", q}, {"m2", strings.Replace(q, "E005", "E999", 1)}} {
		st, b := web(c.login).do("GET", u+c.q, nil, false)
		if st != 403 {
			t.Errorf("%s reads %s: %d %s", c.login, c.q, st, b)
		}
		if refusal != "" && b != refusal {
			t.Errorf("refusals differ: %s vs %s", b, refusal)
		}
		refusal = b
	}
	for name, bad := range map[string]string{
		"no employee":  "/user/location?from=2026-11-19T00:00:00Z",
		"a bad time":   "/user/location?employee_id=E005&from=yesterday",
		"63 days":      "/user/location?employee_id=E005&from=2026-09-01T00:00:00Z&to=2026-11-03T00:00:01Z",
		"to not after": "/user/location?employee_id=E005&from=2026-11-19T00:00:00Z&to=2026-11-19T00:00:00Z",
	} {
		if st, b := do(t, "GET", u+bad, admin, nil, nil); st != 400 {
			t.Errorf("%s: %d %s", name, st, b)
		}
	}
	var audit struct {
		Entries []struct{ Action, Target string }
	}
	if st, b := do(t, "GET", u+"/admin/audit", admin, nil, &audit); st != 200 {
		t.Fatalf("audit: %d %s", st, b)
	}
	reads := 0
	for _, e := range audit.Entries {
		if e.Action == "location.read" && e.Target == "employee:E005" {
			reads++
		}
	}
	if reads != 3 {
		t.Errorf("%d trail reads audited, want 3", reads)
	}
}
