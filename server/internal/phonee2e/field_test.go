package phonee2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/pages"
	"punchclock/server/internal/approval"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/store"
)

// The store's fence of the field test: a 200 m circle around the Jing'an
// store, set on the site as an admin does.
var (
	storeAt = attendance.LatLng{Lat: 31.2243, Lng: 121.4453}
	farAt   = attendance.LatLng{Lat: 31.2500, Lng: 121.4453} // 3 km north
)

// api calls punchd's API with the demo admin's token and decodes a 2xx
// answer into out.
func (s *server) api(method, path string, body, out any) {
	s.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, s.URL()+"/api/v1"+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.Main().Demo.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		s.t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// fence gives the site its store fence.
func (s *server) fence(siteID string) {
	s.t.Helper()
	var sites struct{ Sites []map[string]any }
	s.api("GET", "/sites", nil, &sites)
	for _, x := range sites.Sites {
		if x["id"] == siteID {
			x["fences"] = []attendance.Fence{{Name: "store", Center: &storeAt, RadiusM: 200}}
			s.api("PUT", "/sites/"+siteID, x, nil)
			return
		}
	}
	s.t.Fatalf("no site %s", siteID)
}

// gpsPunches returns the GPS punches punchd stored for an employee.
func (s *server) gpsPunches(employeeID string) []store.StoredPunch {
	s.t.Helper()
	ps, err := s.Main().Store.Punches(context.Background(), store.PunchFilter{EmployeeID: employeeID})
	if err != nil {
		s.t.Fatal(err)
	}
	var out []store.StoredPunch
	for _, p := range ps {
		if p.Method == attendance.MethodGPS && p.Status == store.PunchAccepted {
			out = append(out, p)
		}
	}
	return out
}

// place puts the phone at l with an accuracy circle of acc metres, as
// its GPS would (the DevTools protocol's geolocation override).
func place(t *testing.T, ctx context.Context, l attendance.LatLng, acc float64) {
	t.Helper()
	run(t, ctx, fmt.Sprintf("put the phone at %v ±%v m", l, acc), emulation.SetGeolocationOverride().WithLatitude(l.Lat).WithLongitude(l.Lng).WithAccuracy(acc))
}

// fieldPunch waits for a usable fix of accuracy acc, taps "Punch here"
// and waits for the punch's result in state.
func fieldPunch(t *testing.T, ctx context.Context, acc int, state string, limit time.Duration) string {
	t.Helper()
	wait(t, ctx, fmt.Sprintf("a usable fix of ±%d m", acc), fmt.Sprintf(`(() => {
		const f = document.getElementById("field");
		return !!f && f.dataset.fix === "usable" && document.getElementById("fix-status").innerText.includes("±%d m");
	})()`, acc), 30*time.Second)
	e2etest.Tap(t, ctx, "punch here", "#gps-punch")
	return waitResult(t, ctx, state, "", limit)
}

// verdict is where the phone placed its last field punch (data-verdict).
func verdict(t *testing.T, ctx context.Context) string {
	t.Helper()
	var v string
	eval(t, ctx, `document.getElementById("field-after").dataset.verdict`, &v)
	return v
}

// TestPhoneField: an activated phone punches by GPS without a kiosk.
// Inside the store's fence, with a live photo from the (fake) camera, the
// punch is accepted with its fix and the photo's hash and asks nothing;
// 3 km away it is accepted and an out-of-fence flow waits for the
// manager; with punchd down it is kept on the phone and sent once punchd
// is back. Every fix was also reported as a location point: punchd's
// trail holds them, inside and outside the fence. Last, with a fix too
// vague for 15 minutes of the test's clock, the phone offers the weak-GPS
// route, and the place typed makes a weak_gps flow carrying it; the
// phone lists both requests waiting for the manager (screenshots var/artefacts/phone-field.png, phone-weak-gps.png).
func TestPhoneField(t *testing.T) {
	start := e2etest.Matrix[1].At() // 08:55 in Shanghai
	clock := e2etest.NewClock(start)
	s := startServer(t, clock)
	s.fence("sh-jingan")
	phone := e2etest.NewBrowser(t, 4*time.Minute, "")
	clock.Install(t, phone, 0, "")
	run(t, phone, "size the phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	run(t, phone, "allow the location", browser.GrantPermissions([]browser.PermissionType{browser.PermissionTypeGeolocation}).WithOrigin(s.URL()))
	place(t, phone, storeAt, 15)
	ctx := context.Background()

	run(t, phone, "open the activation link", chromedp.Navigate(s.phoneLink(employee)))
	phoneState(t, phone, "ready", 90*time.Second)

	// Inside, with a live photo.
	e2etest.Tap(t, phone, "open the camera", "#photo-open")
	wait(t, phone, "the camera's picture", `(() => { const v = document.getElementById("field-video"); return !!v && v.readyState >= 2 && v.videoWidth > 0; })()`, 30*time.Second)
	e2etest.Tap(t, phone, "take the photo", "#photo-take")
	wait(t, phone, "the photo taken", `!!document.getElementById("photo-taken")`, 30*time.Second)
	screenshot(t, phone, filepath.Join(root, "var", "artefacts", "phone-field.png"))
	fieldPunch(t, phone, 15, "accepted", 30*time.Second)
	if got := text(t, phone, "field-after"); !strings.Contains(got, "Inside store") || verdict(t, phone) != "inside" {
		t.Errorf("the punch inside shows %q", got)
	}
	ps := s.gpsPunches(employee)
	if len(ps) != 1 || ps[0].Location == nil || ps[0].Location.AccuracyM != 15 || ps[0].SiteID != "sh-jingan" {
		t.Fatalf("the GPS punch stored: %+v", ps)
	}
	// The live photo travels in the signed punch: a JPEG of the fake
	// camera's frame, 400 pixels on its long side.
	jpg, err := base64.StdEncoding.DecodeString(ps[0].Evidence.Photo)
	if err != nil {
		t.Fatalf("the punch's photo: %v", err)
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg)); err != nil || max(cfg.Width, cfg.Height) != 400 {
		t.Errorf("the punch's photo is not a 400-pixel JPEG: %+v %v", cfg, err)
	}
	inside := ps[0]
	if _, err := s.Main().API.Approvals.Get(ctx, approval.AutoID(inside.ID, approval.KindOutFence)); err == nil {
		t.Error("the punch inside the fence started a flow")
	}

	// Outside, four hours later: accepted, and the manager decides.
	clock.Set(t, start.Add(4*time.Hour))
	e2etest.Tap(t, phone, "done", "#punch-again")
	place(t, phone, farAt, 20)
	fieldPunch(t, phone, 20, "accepted", 30*time.Second)
	if v := verdict(t, phone); v != "outside" {
		t.Errorf("the phone places the punch 3 km away %q", v)
	}
	ps = s.gpsPunches(employee)
	if len(ps) != 2 {
		t.Fatalf("%d GPS punches stored, want 2", len(ps))
	}
	outside := ps[1]
	flow, err := s.Main().API.Approvals.Get(ctx, approval.AutoID(outside.ID, approval.KindOutFence))
	if err != nil || flow.State != approval.Pending || flow.EmployeeID != employee {
		t.Errorf("the out-of-fence flow: %+v %v", flow, err)
	}

	// Offline: kept on the phone, sent when punchd is back.
	clock.Set(t, start.Add(5*time.Hour))
	e2etest.Tap(t, phone, "done", "#punch-again")
	place(t, phone, storeAt, 12)
	s.Stop()
	fieldPunch(t, phone, 12, "offline", 60*time.Second)
	s.Start()
	waitResult(t, phone, "accepted", "", 90*time.Second)
	if n := len(s.gpsPunches(employee)); n != 3 {
		t.Errorf("punchd has %d GPS punches once back, want 3", n)
	}

	// The location reports: the fixes, judged against the fence.
	var trail wire.Trail
	deadline := time.Now().Add(60 * time.Second)
	for {
		s.api("GET", fmt.Sprintf("/user/location?employee_id=%s&from=%s&to=%s", employee,
			start.Add(-time.Hour).UTC().Format(time.RFC3339), clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)), nil, &trail)
		verdicts := map[string]int{}
		for _, p := range trail.Points {
			verdicts[p.Verdict]++
		}
		if verdicts["inside"] >= 2 && verdicts["outside"] >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trail after the punches: %+v", trail.Points)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(trail.Fences) != 1 || trail.Fences[0].Name != "store" {
		t.Errorf("the trail's fences: %+v", trail.Fences)
	}

	// No usable fix for 15 minutes: the weak-GPS route.
	e2etest.Tap(t, phone, "done", "#punch-again")
	place(t, phone, storeAt, 800)
	wait(t, phone, "the fix too vague", `(document.getElementById("field") || {dataset: {}}).dataset.fix === "weak"`, 30*time.Second)
	var weakNow bool
	eval(t, phone, `!!document.getElementById("weak-gps")`, &weakNow)
	if weakNow {
		t.Error("the weak-GPS route is offered before 15 minutes")
	}
	clock.Set(t, clock.Now().Add(pages.WeakAfter+time.Minute))
	wait(t, phone, "the weak-GPS route", `!!document.getElementById("weak-gps")`, 30*time.Second)
	e2etest.SetInput(t, phone, "weak-place", "Customer Xu's warehouse, Minhang")
	screenshot(t, phone, filepath.Join(root, "var", "artefacts", "phone-weak-gps.png"))
	e2etest.Tap(t, phone, "punch with the place", "#weak-punch")
	waitResult(t, phone, "accepted", "", 60*time.Second)
	if got := text(t, phone, "field-after"); !strings.Contains(got, "manager will decide") || verdict(t, phone) != "uncertain" {
		t.Errorf("the weak-GPS punch shows %q", got)
	}
	ps = s.gpsPunches(employee)
	if len(ps) != 4 || ps[3].Evidence.Place != "Customer Xu's warehouse, Minhang" {
		t.Fatalf("the weak-GPS punch stored: %+v", ps)
	}
	flow, err = s.Main().API.Approvals.Get(ctx, approval.AutoID(ps[3].ID, approval.KindWeakGPS))
	if err != nil || flow.State != approval.Pending || !strings.Contains(flow.Reason, "Customer Xu's warehouse, Minhang") {
		t.Errorf("the weak-GPS flow: %+v %v", flow, err)
	}

	// The employee sees both requests waiting for the manager.
	outFlow, weakFlow := approval.AutoID(outside.ID, approval.KindOutFence), approval.AutoID(ps[3].ID, approval.KindWeakGPS)
	e2etest.Tap(t, phone, "refresh the month", "#month-refresh")
	wait(t, phone, "the two requests on the phone", fmt.Sprintf(`(() => {
		const pending = id => !!document.querySelector('#flows li[data-id="' + id + '"][data-state="pending"]');
		return pending(%q) && pending(%q);
	})()`, outFlow, weakFlow), 30*time.Second)
}
