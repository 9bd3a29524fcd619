//go:build dlib

package facee2e

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/facematch/variants"
)

// TestConsoleFace: HR of the retail unit enrolls E005's face from the
// console, through punchd, in the real face service (dlib). The photo
// input waits for the employee's consent; a photo with one face is
// accepted and one without is refused "no face" (in English and
// Chinese), each judged by the face service before anything is stored,
// and a cut file is refused as broken (the browser cannot draw it);
// the accepted photo is enrolled and the console shows the state; a
// deletion on request, after a cancelled confirmation, removes the face
// data and withdraws the consent; both acts are in the audit log under
// the HR person, once each.
func TestConsoleFace(t *testing.T) {
	clock := morning()
	s := startPunchd(t, clock)
	f := startFace(t, s, true)
	const login, password = "hr-retail@example.com", "correct horse battery staple"
	if _, _, err := s.Main().API.Auth.PutUser(context.Background(), "u-hr", auth.UserRequest{Login: login, Name: "Hu Rong", Role: auth.RoleHR, Unit: "retail", Password: password}, "e2etest"); err != nil {
		t.Fatal(err)
	}
	// The photos: sample2.jpg (one face) and a plain wall (none).
	dir := t.TempDir()
	face, wall, broken := filepath.Join(dir, "face.jpg"), filepath.Join(dir, "wall.jpg"), filepath.Join(dir, "broken.jpg")
	plain := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			plain.Set(x, y, color.RGBA{uint8(120 + x/16), uint8(110 + y/16), 100, 255})
		}
	}
	if err := os.WriteFile(face, photo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wall, variants.Encode(plain, 85), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, photo[:2000], 0o644); err != nil { // a cut download
		t.Fatal(err)
	}

	ctx := e2etest.NewBrowser(t, 5*time.Minute, "")
	clock.Install(t, ctx, 0, "")
	e2etest.OpenConsole(t, ctx, s.URL())
	e2etest.SignInConsole(t, ctx, login, password)
	e2etest.Wait(t, ctx, "signed in", `document.getElementById("me")?.dataset.role === "hr"`, 30*time.Second)
	e2etest.Tap(t, ctx, "open People", "#nav-people")
	e2etest.Wait(t, ctx, "the employees", `!!document.getElementById("emp-list")`, 30*time.Second)
	e2etest.SetInput(t, ctx, "emp-q", "E005")
	e2etest.Tap(t, ctx, "search", "#emp-search-go")
	e2etest.Wait(t, ctx, "E005 found", `document.getElementById("emp-list")?.dataset.total === "1" && !!document.getElementById("emp-E005")`, 30*time.Second)
	e2etest.Tap(t, ctx, "edit E005", "#emp-edit-E005")
	e2etest.Wait(t, ctx, "E005 not enrolled", `(() => { const s = document.getElementById("face-state");
		return s?.dataset.service === "ready" && s.dataset.templates === "0"; })()`, 30*time.Second)
	var disabled bool
	e2etest.Eval(t, ctx, `document.getElementById("face-photos").disabled && document.getElementById("face-enroll").disabled`, &disabled)
	if !disabled {
		t.Error("photos can be chosen before the consent")
	}

	e2etest.Tap(t, ctx, "the employee's consent", "#face-consent")
	e2etest.Wait(t, ctx, "photos open", `!document.getElementById("face-photos").disabled`, 10*time.Second)
	e2etest.Run(t, ctx, "choose three photos", chromedp.SetUploadFiles("#face-photos", []string{face, wall, broken}, chromedp.ByQuery))
	e2etest.Wait(t, ctx, "each photo judged", `document.getElementById("face-photo-0")?.dataset.result === "accepted" &&
		document.getElementById("face-photo-1")?.dataset.result === "no_face" && document.getElementById("face-photo-2")?.dataset.result === "bad_image"`, 60*time.Second)
	var said string
	e2etest.Eval(t, ctx, `document.getElementById("face-photo-1").textContent`, &said)
	if !strings.Contains(said, "No face found") {
		t.Errorf("the faceless photo says %q", said)
	}
	if held := f.held("E005"); held != 0 {
		t.Errorf("the face service holds %d descriptors of E005 after a check", held)
	}
	e2etest.KeepShot(t, ctx, "console-face-en.png")
	e2etest.Tap(t, ctx, "中文", "#lang")
	e2etest.Wait(t, ctx, "the verdict in Chinese", `document.querySelector(".console")?.lang === "zh" &&
		document.getElementById("face-photo-1")?.textContent.includes("未检测到人脸")`, 10*time.Second)
	e2etest.KeepShot(t, ctx, "console-face-zh.png")
	e2etest.Tap(t, ctx, "English", "#lang")

	// The refused photos removed, the accepted one enrolled.
	e2etest.Tap(t, ctx, "remove the broken photo", "#face-remove-2")
	e2etest.Wait(t, ctx, "two photos left", `!document.getElementById("face-photo-2")`, 10*time.Second)
	e2etest.Tap(t, ctx, "remove the faceless photo", "#face-remove-1")
	e2etest.Wait(t, ctx, "one photo left", `!document.getElementById("face-photo-1") && document.getElementById("face-photo-0")?.dataset.result === "accepted"`, 10*time.Second)
	e2etest.Tap(t, ctx, "enroll", "#face-enroll")
	e2etest.Wait(t, ctx, "enrolled, and the state shown", `document.getElementById("face-done")?.dataset.done === "enrolled" &&
		document.getElementById("face-state")?.dataset.templates === "1"`, 60*time.Second)
	if held := f.held("E005"); held != 1 {
		t.Errorf("the face service holds %d descriptors of E005 after the enrolment", held)
	}

	// Deletion on request: a cancelled confirmation first.
	e2etest.Tap(t, ctx, "delete", "#face-delete")
	e2etest.Tap(t, ctx, "cancel", "#face-delete-cancel")
	e2etest.Wait(t, ctx, "nothing deleted", `!document.getElementById("confirm-face") && document.getElementById("face-state")?.dataset.templates === "1"`, 10*time.Second)
	if held := f.held("E005"); held != 1 {
		t.Errorf("a cancelled deletion left %d descriptors", held)
	}
	e2etest.Tap(t, ctx, "delete", "#face-delete")
	e2etest.Tap(t, ctx, "confirm", "#face-delete-yes")
	e2etest.Wait(t, ctx, "deleted", `document.getElementById("face-done")?.dataset.done === "deleted" &&
		document.getElementById("face-state")?.dataset.templates === "0"`, 30*time.Second)
	if held := f.held("E005"); held != 0 {
		t.Errorf("the face service holds %d descriptors of E005 after the deletion", held)
	}

	// Both acts in the audit log, as HR reads it, under the HR person;
	// the face service's own reports of them are the same entries.
	if _, err := f.events.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	var log string
	e2etest.Run(t, ctx, "read the audit log", chromedp.Evaluate(`fetch("/api/v1/admin/audit").then(r => r.text())`, &log, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }))
	var entries struct {
		Entries []struct{ Actor, Action, Target string }
	}
	if err := json.Unmarshal([]byte(log), &entries); err != nil {
		t.Fatalf("audit log: %v: %.300s", err, log)
	}
	acts := map[string]int{}
	for _, e := range entries.Entries {
		if e.Target == "E005" && strings.HasPrefix(e.Action, "face.") {
			acts[e.Action+" by "+e.Actor]++
		}
	}
	if acts["face.enroll by user:"+login] != 1 || acts["face.delete by user:"+login] != 1 || len(acts) != 2 {
		t.Errorf("face entries of E005 in the audit log: %v", acts)
	}
}

// held is how many descriptors the face service holds of employee.
func (f *faceService) held(employee string) int {
	f.t.Helper()
	var e struct{ Descriptors map[string]int }
	if st := f.admin(http.MethodGet, "/api/v1/employees/"+employee, nil, &e); st == http.StatusNotFound {
		return 0
	}
	n := 0
	for _, k := range e.Descriptors {
		n += k
	}
	return n
}
