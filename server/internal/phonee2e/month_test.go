package phonee2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"punchclock/server/internal/e2etest"
)

// session is a browser user's signed-in session (its cookie and CSRF
// token), as the console holds one.
type session struct {
	s      *server
	client *http.Client
	csrf   string
}

// signIn signs in with a password.
func (s *server) signIn(login, password string) *session {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Post(s.URL()+"/api/v1/auth/signin", "application/json", strings.NewReader(fmt.Sprintf(`{"login":%q,"password":%q}`, login, password)))
	if err != nil {
		s.t.Fatal(err)
	}
	var sess struct {
		CSRFToken string `json:"csrf_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&sess)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("sign in as %s: %s %v", login, resp.Status, err)
	}
	return &session{s: s, client: browser, csrf: sess.CSRFToken}
}

// do sends a request of the session and returns the answer's body.
func (b *session) do(method, path, body string, want int) []byte {
	b.s.t.Helper()
	req, _ := http.NewRequest(method, b.s.URL()+path, strings.NewReader(body))
	req.Header.Set("X-CSRF-Token", b.csrf)
	resp, err := b.client.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		b.s.t.Fatalf("%s %s: %s %s", method, path, resp.Status, out)
	}
	return out
}

// flow reads a flow as the session's user may.
func (b *session) flow(id string) (f struct {
	State string    `json:"state"`
	Time  time.Time `json:"time"`
	Proof string    `json:"proof"`
}) {
	b.s.t.Helper()
	if err := json.Unmarshal(b.do(http.MethodGet, "/api/v1/approval/flow/"+id, "", http.StatusOK), &f); err != nil {
		b.s.t.Fatal(err)
	}
	return f
}

// approveAs signs in as a manager and approves flow id.
func (s *server) approveAs(login, password, id string) {
	s.t.Helper()
	dec, _ := uuid.NewV7()
	s.signIn(login, password).do(http.MethodPost, "/api/v1/approval/flow/"+id+"/decide", `{"id":"`+dec.String()+`","approve":true}`, http.StatusOK)
}

// admin sends an admin API request with the demo admin's token.
func (s *server) admin(method, path, body string, want int) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.Main().Demo.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
}

// TestPhoneMonth is the acceptance test "an employee requests a make-up
// punch on the phone, the manager approves, the phone shows the day as
// normal": E006 forgot to punch out two days before the demo's anchor
// (the test clock); the phone's month view shows the day missing, keeps
// it readable offline, queues the make-up request made offline in two
// taps (its time edited first) and, with the page left alone, the
// syncer's loop sends it once punchd is back, at the time typed; the
// manager approves through the API (a signed-in session with its CSRF
// token) and the reloaded phone shows the day normal and the request
// approved. Then E006 declares a punch offline (a flight, in the browser)
// and attaches its proof photo from the phone: a file that is no image
// is refused with its reason, a real PNG is stored as sent; last, E006
// withdraws the request from the phone and punchd has it withdrawn.
func TestPhoneMonth(t *testing.T) {
	// A Friday 09:00 in Shanghai: the demo's Wednesday lies in the same month.
	clock := e2etest.NewClock(time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC))
	s := startServer(t, clock)
	phone := e2etest.NewBrowser(t, 2*time.Minute, "")
	clock.Install(t, phone, 0, "")
	run(t, phone, "size the phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	day := clock.Now().In(sh).AddDate(0, 0, -2).Format(time.DateOnly)
	dayLi := fmt.Sprintf(`document.querySelector('#days li[data-date=%q]')`, day)

	run(t, phone, "open the activation link", chromedp.Navigate(s.phoneLink("E006")))
	phoneState(t, phone, "ready", 90*time.Second)
	wait(t, phone, "the day marked missing_out", dayLi+`?.dataset.status === "missing_out"`, 30*time.Second)

	// Offline, the page opens from the service worker with the last read.
	e2etest.WaitCached(t, phone, "/p")
	s.Stop()
	run(t, phone, "reload offline", chromedp.Navigate(s.URL()+"/p"))
	phoneState(t, phone, "ready", 60*time.Second)
	wait(t, phone, "the stored month, marked stale", dayLi+`?.dataset.status === "missing_out" && !!document.getElementById("month-stale")`, 30*time.Second)

	// Two taps: the day, then "Request make-up"; the prefilled time edited
	// in between.
	e2etest.Tap(t, phone, "tap the day", fmt.Sprintf(`#days li[data-date=%q] .day-head`, day))
	wait(t, phone, "the reasons, the time and the make-up button", `!!document.getElementById("makeup") && !!document.querySelector("#days li[data-open=true] .reason") && document.getElementById("makeup-time")?.value === "18:00"`, 10*time.Second)
	if got := text(t, phone, "days"); !strings.Contains(got, "missing punch out") {
		t.Errorf("the open day shows %q", got)
	}
	run(t, phone, "edit the time", chromedp.Evaluate(`(() => { const i = document.getElementById("makeup-time"); i.value = "19:40"; i.dispatchEvent(new Event("change", {bubbles: true})); })()`, nil))
	e2etest.Tap(t, phone, "request a make-up", "#makeup")
	wait(t, phone, "the request queued at 19:40", `document.querySelector('#flows li[data-state="queued"]')?.innerText.includes("19:40")`, 10*time.Second)

	// Back online, the syncer's loop sends it once, the page untouched:
	// at its next retry, whose jittered backoff is at most about as long
	// as punchd was down (seconds here, more on a loaded machine).
	s.Start()
	back := time.Now()
	wait(t, phone, "the request pending on punchd", `!!document.querySelector('#flows li[data-state="pending"]') && !document.querySelector('#flows li[data-state="queued"]')`, 2*time.Minute)
	t.Logf("the queued request went out %v after punchd came back, from the syncer's loop", time.Since(back).Round(100*time.Millisecond))
	var id string
	eval(t, phone, `document.querySelector('#flows li[data-state="pending"]').dataset.id`, &id)
	s.admin(http.MethodPut, "/api/v1/admin/users/u-e6", `{"login":"e6","role":"employee","employee_id":"E006","password":"employee-pass-1"}`, http.StatusCreated)
	e6 := s.signIn("e6", "employee-pass-1")
	want, _ := time.ParseInLocation(time.DateTime, day+" 19:40:00", sh)
	if f := e6.flow(id); f.State != "pending" || !f.Time.Equal(want) {
		t.Errorf("the make-up on punchd: %+v, want pending at %v", f, want)
	}

	// The manager approves.
	s.admin(http.MethodPut, "/api/v1/admin/users/u-m2", `{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","password":"manager-pass-1"}`, http.StatusCreated)
	s.approveAs("m2", "manager-pass-1", id)

	// E006 declares a punch offline ahead of a flight, in the browser.
	decl, _ := uuid.NewV7()
	at := clock.Now().Add(time.Hour)
	e6.do(http.MethodPost, "/api/v1/approval/flow", fmt.Sprintf(`{"id":%q,"kind":"offline_declared","employee_id":"E006","date":%q,"time":%q,"direction":"in","reason":"flight MU5101"}`,
		decl, at.In(sh).Format(time.DateOnly), at.Format(time.RFC3339)), http.StatusCreated)
	declLi := fmt.Sprintf(`#flows li[data-id=%q]`, decl)

	run(t, phone, "reload", chromedp.Navigate(s.URL()+"/p"))
	wait(t, phone, "the day normal, the request approved, the declared punch asking for its proof", dayLi+`?.dataset.status === "normal" && !!document.querySelector('#flows li[data-state="approved"][data-id="`+id+`"]') && document.querySelector('`+declLi+`')?.dataset.proof === "needed"`, 30*time.Second)

	screenshot(t, phone, filepath.Join(root, "var", "artefacts", "phone-requests.png"))

	// The proof: a file that is no image is refused, a PNG is stored.
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "boarding-pass.png"), filepath.Join(dir, "boarding-pass-2.png")
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	img.Set(5, 5, color.RGBA{10, 120, 200, 255})
	var photo bytes.Buffer
	if err := png.Encode(&photo, img); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(os.WriteFile(bad, []byte("not a photo"), 0o600), os.WriteFile(good, photo.Bytes(), 0o600)); err != nil {
		t.Fatal(err)
	}
	run(t, phone, "choose a file that is no image", chromedp.SetUploadFiles(declLi+" input.proof-input", []string{bad}, chromedp.ByQuery))
	wait(t, phone, "the refusal, by its code", `document.querySelector('`+declLi+` .flow-error')?.dataset.code === "invalid"`, 30*time.Second)
	screenshot(t, phone, filepath.Join(root, "var", "artefacts", "phone-proof-refused.png"))
	var refusal string
	eval(t, phone, `document.querySelector('`+declLi+` .flow-error').innerText`, &refusal)
	if !strings.Contains(refusal, "not a readable JPEG or PNG photo") {
		t.Errorf("the refusal says %q", refusal)
	}
	run(t, phone, "choose the photo", chromedp.SetUploadFiles(declLi+" input.proof-input", []string{good}, chromedp.ByQuery))
	wait(t, phone, "the proof attached", `document.querySelector('`+declLi+`')?.dataset.proof === "attached" && !document.querySelector('`+declLi+` .flow-error')`, 30*time.Second)
	if f := e6.flow(decl.String()); f.Proof == "" || f.State != "pending" {
		t.Errorf("the declared punch on punchd: %+v", f)
	}
	if got := e6.do(http.MethodGet, "/api/v1/approval/flow/"+decl.String()+"/proof", "", http.StatusOK); !bytes.Equal(got, photo.Bytes()) {
		t.Errorf("punchd stored %d bytes, not the %d-byte PNG sent", len(got), photo.Len())
	}

	// Withdrawn from the phone.
	e2etest.Tap(t, phone, "withdraw", declLi+" button.withdraw")
	wait(t, phone, "the request withdrawn", `document.querySelector('`+declLi+`')?.dataset.state === "withdrawn" && !document.querySelector('`+declLi+` button.withdraw')`, 30*time.Second)
	if f := e6.flow(decl.String()); f.State != "withdrawn" {
		t.Errorf("the withdrawn request on punchd: %+v", f)
	}
	var n int
	eval(t, phone, `document.querySelectorAll("#flows li").length`, &n)
	if n != 2 {
		t.Errorf("the phone lists %d requests, want 2", n)
	}
	screenshot(t, phone, filepath.Join(root, "var", "artefacts", "phone-month.png"))
}
