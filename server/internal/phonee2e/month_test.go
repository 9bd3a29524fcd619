package phonee2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"punchclock/server/internal/e2etest"
)

// approveAs signs in as a manager (a session with its CSRF token, as the
// browser does) and approves flow id.
func (s *server) approveAs(login, password, id string) {
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
	dec, _ := uuid.NewV7()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/api/v1/approval/flow/"+id+"/decide", strings.NewReader(`{"id":"`+dec.String()+`","approve":true}`))
	req.Header.Set("X-CSRF-Token", sess.CSRFToken)
	resp, err = browser.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("the manager approves %s: %s", id, resp.Status)
	}
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
// taps and sends it once punchd is back; the manager approves through the
// API; the phone then shows the day normal and the request approved.
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

	// Two taps: the day, then "Request make-up".
	run(t, phone, "tap the day", chromedp.Click(fmt.Sprintf(`#days li[data-date=%q] .day-head`, day), chromedp.ByQuery))
	wait(t, phone, "the reasons and the make-up button", `!!document.getElementById("makeup") && !!document.querySelector("#days li[data-open=true] .reason")`, 10*time.Second)
	if got := text(t, phone, "days"); !strings.Contains(got, "missing punch out") {
		t.Errorf("the open day shows %q", got)
	}
	run(t, phone, "request a make-up", chromedp.Click("#makeup", chromedp.ByID))
	wait(t, phone, "the request queued", `!!document.querySelector('#flows li[data-state="queued"]')`, 10*time.Second)

	// Back online, a refresh sends it once.
	s.Start()
	run(t, phone, "refresh", chromedp.Click("#month-refresh", chromedp.ByID))
	wait(t, phone, "the request pending on punchd", `!!document.querySelector('#flows li[data-state="pending"]') && !document.querySelector('#flows li[data-state="queued"]')`, 30*time.Second)
	var id string
	eval(t, phone, `document.querySelector('#flows li[data-state="pending"]').dataset.id`, &id)

	// The manager approves.
	s.admin(http.MethodPut, "/api/v1/admin/users/u-m2", `{"login":"m2","role":"manager","department_id":"retail","employee_id":"E002","password":"manager-pass-1"}`, http.StatusCreated)
	s.approveAs("m2", "manager-pass-1", id)

	run(t, phone, "reload", chromedp.Navigate(s.URL()+"/p"))
	wait(t, phone, "the day normal and the request approved", dayLi+`?.dataset.status === "normal" && !!document.querySelector('#flows li[data-state="approved"][data-id="`+id+`"]')`, 30*time.Second)
	var n int
	eval(t, phone, `document.querySelectorAll("#flows li").length`, &n)
	if n != 1 {
		t.Errorf("the phone lists %d requests, want 1", n)
	}
	screenshot(t, phone, filepath.Join(root, "var", "artefacts", "phone-month.png"))
}
