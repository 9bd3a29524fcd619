package phonee2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/app/attendance"
	"punchclock/app/qrsvg"
	"punchclock/app/token"
	"punchclock/kiosk/scan"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// root is the module's root, from this package's folder.
const root = "../../.."

// employee is the demo employee whose phone the test activates.
const employee = "E005"

// webDir is a copy of web/ with a freshly built app.wasm, made by TestMain.
var webDir string

func TestMain(m *testing.M) { e2etest.Main(m, "phonee2e", setup, nil) }

// setup builds app.wasm as `make wasm` does into a copy of web/.
func setup(dir string) error {
	var err error
	webDir, err = e2etest.BuildWeb(dir)
	return err
}

// server is the restartable punchd of e2etest, with the phone's helpers.
type server struct {
	*e2etest.Server
	t *testing.T
}

// startServer starts punchd on a free port with a fresh SQLite database
// and the test's clock.
func startServer(t *testing.T, clock *e2etest.Clock) *server {
	return &server{Server: e2etest.StartServer(t, punchd.Config{WebDir: webDir, Version: "phone-e2e", Now: clock.Now}), t: t}
}

// phoneLink asks for a one-time phone link as an admin does, through the
// HTTP API with the demo admin's token, and returns its URL.
func (s *server) phoneLink(employeeID string) string {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/api/v1/admin/phone-links", strings.NewReader(`{"employee_id":"`+employeeID+`"}`))
	req.Header.Set("Authorization", "Bearer "+s.Main().Demo.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Code       string `json:"code"`
		URL        string `json:"url"`
		EmployeeID string `json:"employee_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusCreated || body.EmployeeID != employeeID {
		s.t.Fatalf("phone link: %s %+v %v", resp.Status, body, err)
	}
	if !strings.HasPrefix(body.URL, s.URL()+"/p?c=") {
		s.t.Fatalf("phone link URL %q is not this server's phone page", body.URL)
	}
	return body.URL
}

// qrPunches returns the QR punches punchd stored for an employee, the
// accepted ones and the refused ones kept as evidence.
func (s *server) qrPunches(employeeID string) (accepted, rejected []store.StoredPunch) {
	s.t.Helper()
	ps, err := s.Main().Store.Punches(context.Background(), store.PunchFilter{EmployeeID: employeeID})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, p := range ps {
		switch {
		case p.Method != attendance.MethodQR:
			// The demo's history of badge punches.
		case p.Status == store.PunchAccepted:
			accepted = append(accepted, p)
		default:
			rejected = append(rejected, p)
		}
	}
	return accepted, rejected
}

// text returns the text of the element with id ("" if there is none).
func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	var s string
	eval(t, ctx, fmt.Sprintf(`(document.getElementById(%q) || {}).innerText || ""`, id), &s)
	return strings.Join(strings.Fields(s), " ")
}

// kioskQR reads the URL of the QR code the kiosk shows now, unless it is
// not, and checks that the image drawn encodes exactly that URL.
func kioskQR(t *testing.T, ctx context.Context, kioskID, not string) string {
	t.Helper()
	wait(t, ctx, "a new QR code on the kiosk", fmt.Sprintf(`(() => { const q = document.getElementById("qr"); return !!q && !!q.dataset.url && q.dataset.url !== %q; })()`, not), 30*time.Second)
	var qr struct {
		URL string `json:"url"`
		Src string `json:"src"`
	}
	eval(t, ctx, `(() => { const q = document.getElementById("qr"); return {url: q.dataset.url, src: q.src}; })()`, &qr)
	data, ok := strings.CutPrefix(qr.Src, qrsvg.DataURLPrefix)
	if !ok {
		t.Fatalf("the kiosk's QR image is not an SVG data URL: %.40s", qr.Src)
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := qrsvg.Raster(raw, 4)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scan.NewDecoder(scan.FormatQR).Decode(img)
	if err != nil || res.Text != qr.URL {
		os.MkdirAll(filepath.Join(root, "var", "artefacts"), 0o755)
		os.WriteFile(filepath.Join(root, "var", "artefacts", "qr-unread.svg"), raw, 0o644)
		t.Fatalf("the kiosk's QR image reads %q (%v), its data-url is %q", res.Text, err, qr.URL)
	}
	claims, err := token.Parse(tokenOf(t, qr.URL))
	if err != nil || claims.DeviceID != kioskID {
		t.Fatalf("the kiosk's QR token %q: %+v %v, want one of kiosk %s", qr.URL, claims, err, kioskID)
	}
	return qr.URL
}

// tokenOf returns the kiosk token of a phone URL.
func tokenOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Path != token.PhonePath {
		t.Fatalf("phone URL %q: %v", raw, err)
	}
	return u.Query().Get(token.QueryParam)
}

// phoneState waits until the phone page shows state (data-state of #phone).
func phoneState(t *testing.T, ctx context.Context, state string, limit time.Duration) {
	t.Helper()
	wait(t, ctx, "the phone page in state "+state, fmt.Sprintf(`(document.getElementById("phone") || {dataset: {}}).dataset.state === %q`, state), limit)
}

// punchWith opens a kiosk QR URL on the phone, as its camera app would,
// checks the page names the employee, saves a screenshot of the page to
// shot if set, and confirms.
func punchWith(t *testing.T, ctx context.Context, qrURL, name, shot string) {
	t.Helper()
	run(t, ctx, "open "+qrURL, chromedp.Navigate(qrURL))
	phoneState(t, ctx, "confirm", 60*time.Second)
	if got := text(t, ctx, "phone-name"); got != name {
		t.Errorf("the phone page names %q, want %q", got, name)
	}
	if shot != "" {
		screenshot(t, ctx, shot)
	}
	e2etest.Tap(t, ctx, "confirm the punch", "#confirm-punch")
}

// waitResult waits until the phone page's punch result is in state (and
// has the server's code, when code is set) and returns its text.
func waitResult(t *testing.T, ctx context.Context, state, code string, limit time.Duration) string {
	t.Helper()
	wait(t, ctx, "the punch result "+state+" "+code, fmt.Sprintf(`(() => {
		const r = document.getElementById("punch-result");
		return !!r && r.dataset.state === %q && (%q === "" || r.dataset.code === %q);
	})()`, state, code, code), limit)
	return text(t, ctx, "punch-result")
}

// checkWorker checks the service worker punchd serves: every resource it
// caches is local (one unreachable resource, such as go-app's default icon
// on the internet, fails the whole cache.addAll and the PWA silently does
// not work offline), the phone page among them, and a
// page opened with a query falls back to its cached bare page.
func checkWorker(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + "/app-worker.js")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var js strings.Builder
	if _, err := io.Copy(&js, resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("app-worker.js: %s %v", resp.Status, err)
	}
	_, list, ok := strings.Cut(js.String(), "const resourcesToCache = ")
	list, _, ok2 := strings.Cut(list, ";")
	var resources []string
	if !ok || !ok2 || json.Unmarshal([]byte(list), &resources) != nil {
		t.Fatalf("app-worker.js has no resourcesToCache list:\n%s", js.String())
	}
	for _, r := range resources {
		if !strings.HasPrefix(r, "/") || strings.HasPrefix(r, "//") {
			t.Errorf("the service worker caches %q, which is not on this server", r)
		}
	}
	if !slices.Contains(resources, token.PhonePath) {
		t.Errorf("the service worker does not cache the phone page: %v", resources)
	}
	if !strings.Contains(js.String(), "ignoreSearch: true") {
		t.Error("the service worker has no fallback for pages opened with a query")
	}
}

// TestPhoneQR is the acceptance test "Phone QR flow" of the kiosk issue,
// and the phone page's offline start (see the package doc).
func TestPhoneQR(t *testing.T) {
	clock := e2etest.NewClock(e2etest.Matrix[1].At())
	s := startServer(t, clock)
	kiosk := e2etest.NewBrowser(t, 3*time.Minute, "")
	phone := e2etest.NewTab(t, kiosk)
	clock.Install(t, kiosk, 0, "")
	clock.Install(t, phone, 0, "")
	run(t, phone, "size the phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	emp, err := s.Main().Store.Employee(context.Background(), employee)
	if err != nil {
		t.Fatal(err)
	}

	checkWorker(t, s.URL())
	e2etest.OpenKiosk(t, kiosk, s.URL())
	kioskID := e2etest.EnrollKiosk(t, kiosk, s.Server, "sh-jingan")

	// A phone nobody activated says so.
	run(t, phone, "open the phone page", chromedp.Navigate(s.URL()+"/p"))
	phoneState(t, phone, "not-activated", 90*time.Second)
	if got := text(t, phone, "not-activated"); !strings.Contains(got, "activation link") {
		t.Errorf("a phone not activated shows %q", got)
	}

	// The admin's one-time link activates it for the employee; the code
	// leaves the address bar.
	run(t, phone, "open the activation link", chromedp.Navigate(s.phoneLink(employee)))
	phoneState(t, phone, "ready", 30*time.Second)
	if got := text(t, phone, "phone-owner"); !strings.Contains(got, "This phone punches for") || !strings.Contains(got, emp.Name) {
		t.Errorf("the activated phone shows %q, want it to punch for %s", got, emp.Name)
	}
	var href string
	eval(t, phone, `location.href`, &href)
	if href != s.URL()+"/p" {
		t.Errorf("after activation the phone's address is %q, want the bare page", href)
	}
	wait(t, phone, "the phone's device id", `!!document.getElementById("phone-status").dataset.device`, 10*time.Second)
	var phoneID string
	eval(t, phone, `document.getElementById("phone-status").dataset.device`, &phoneID)
	if phoneID == "" || phoneID == kioskID {
		t.Fatalf("phone device id %q (kiosk %q)", phoneID, kioskID)
	}

	// The kiosk's current QR code, opened on the phone and confirmed, is
	// accepted and stored once, as a QR punch of the employee at the
	// kiosk's site.
	first := kioskQR(t, kiosk, kioskID, "")
	punchWith(t, phone, first, emp.Name, filepath.Join(root, "var", "artefacts", "phone-confirm.png"))
	// At 08:55 in Shanghai the first punch is the day shift's in.
	if got := waitResult(t, phone, "accepted", "", 30*time.Second); !strings.Contains(got, "IN") || !strings.Contains(got, "Recorded") {
		t.Errorf("accepted punch shows %q, want IN and Recorded", got)
	}
	accepted, rejected := s.qrPunches(employee)
	if len(accepted) != 1 || len(rejected) != 0 {
		t.Fatalf("punchd has %d accepted and %d rejected punches of %s, want 1 and 0", len(accepted), len(rejected), employee)
	}
	if p := accepted[0]; p.DeviceID != phoneID || p.Evidence.QRToken != tokenOf(t, first) || p.SiteID != "sh-jingan" {
		t.Errorf("stored punch: device %s, token %s, site %s", p.DeviceID, p.Evidence.QRToken, p.SiteID)
	}

	// The same code again is refused, and the phone says why.
	punchWith(t, phone, first, emp.Name, "")
	if got := waitResult(t, phone, "rejected", "conflict", 30*time.Second); !strings.Contains(got, "already punched with this QR code") {
		t.Errorf("reused code shows %q", got)
	}

	// So is an old code (a photo of the kiosk's screen ten minutes ago).
	dev, err := s.Main().Store.Device(context.Background(), kioskID)
	if err != nil {
		t.Fatal(err)
	}
	old := token.URL(s.URL(), token.Generate(kioskID, dev.QRSecret, clock.Now().Add(-10*time.Minute)))
	punchWith(t, phone, old, emp.Name, "")
	if got := waitResult(t, phone, "rejected", "expired", 30*time.Second); !strings.Contains(got, "expired") || !strings.Contains(got, "scan the code the kiosk shows now") {
		t.Errorf("expired code shows %q", got)
	}
	// In Chinese too.
	e2etest.Tap(t, phone, "switch to Chinese", "#lang")
	wait(t, phone, "the Chinese message", `(document.getElementById("punch-result") || {}).innerText.includes("二维码已过期")`, 10*time.Second)
	e2etest.Tap(t, phone, "back to English", "#lang")
	if accepted, _ := s.qrPunches(employee); len(accepted) != 1 {
		t.Errorf("after the refusals punchd has %d accepted punches of %s, want 1", len(accepted), employee)
	}

	// Offline: with punchd down, the phone page opens from the service
	// worker although its query (a new token) was never cached, keeps the
	// punch, and says it will be sent.
	e2etest.WaitCached(t, phone, "/p")
	second := kioskQR(t, kiosk, kioskID, first)
	s.Stop()
	punchWith(t, phone, second, emp.Name, "")
	if got := waitResult(t, phone, "offline", "", 30*time.Second); !strings.Contains(got, "sent when the phone is online") {
		t.Errorf("offline punch shows %q", got)
	}
	s.Start()
	waitResult(t, phone, "accepted", "", 60*time.Second)
	accepted, _ = s.qrPunches(employee)
	if len(accepted) != 2 || accepted[0].Evidence.QRToken == accepted[1].Evidence.QRToken {
		t.Fatalf("punchd has %d accepted punches of %s, want 2 with different tokens", len(accepted), employee)
	}

	// The phone lists its four punches with their states, newest first.
	var states []string
	eval(t, phone, `[...document.querySelectorAll("#recent li")].map(li => li.dataset.state + "/" + (li.dataset.code || ""))`, &states)
	if got, want := strings.Join(states, " "), "accepted/ rejected/expired rejected/conflict accepted/"; got != want {
		t.Errorf("recent punches %q, want %q", got, want)
	}
	screenshot(t, phone, filepath.Join(root, "var", "artefacts", "phone.png"))

	// A URL that carries no kiosk token is refused on the phone, before it
	// costs anything.
	run(t, phone, "open a foreign code", chromedp.Navigate(s.URL()+"/p?t=not-a-token"))
	phoneState(t, phone, "punched", 30*time.Second)
	if got := waitResult(t, phone, "failed", "not-qr", 10*time.Second); !strings.Contains(got, "not a kiosk's QR code") {
		t.Errorf("foreign code shows %q", got)
	}
}
