package pages

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

// faceKey is the test kiosk dev-1's device key.
var faceKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))

// checkSigned fails the test unless r is signed by dev-1 over body, as
// the face service verifies it, at the kiosk's clock.
func checkSigned(t *testing.T, r *http.Request, body []byte, clk func() time.Time) {
	t.Helper()
	a, err := wire.ParseDeviceAuth(r.Header.Get("Authorization"))
	if err != nil || a.DeviceID != "dev-1" || !a.Verify(faceKey.Public().(ed25519.PublicKey), r.Method, r.URL.RequestURI(), body) {
		t.Errorf("%s %s: not signed by dev-1 over its body (%q: %v)", r.Method, r.URL.Path, r.Header.Get("Authorization"), err)
	}
	// The kiosk's clock does not move while a request is out.
	if clk != nil && !a.TS.Equal(clk()) {
		t.Errorf("signed at %v, not at the kiosk's clock %v", a.TS, clk())
	}
}

// fakeFace is a face service answering identify with scripted verdicts.
type fakeFace struct {
	mu        sync.Mutex
	verdicts  []string // identify answers in order; the last repeats
	live      []string // liveness answers in order; the last repeats
	forbidden bool     // identify refuses single frames
	wrongSite bool     // identify answers forbidden: the kiosk is not this site's
	limited   int      // rate_limited answers before the script
	identify  int
	liveness  [][]string // frames per liveness call
	headers   []http.Header
	// clock is the kiosk's clock, for the signature's time (nil: not checked).
	clock func() time.Time
}

func (f *fakeFace) next(script []string, n int) string {
	return script[min(n, len(script)-1)]
}

func (f *fakeFace) server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fail := func(status int, code wire.Code, msg string) {
			var eb wire.ErrorBody
			eb.Error.Code, eb.Error.Message = code, msg
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(eb)
		}
		answer := func(v string) {
			res := FaceResult{Verdict: v}
			if v != VerdictNoFace {
				res.VerdictID = "0190c3e4-0000-7000-8000-00000000000" + string(rune('0'+f.identify%10))
			}
			if v == VerdictMatch {
				res.EmployeeID = "E004"
			}
			json.NewEncoder(w).Encode(res)
		}
		switch r.URL.Path {
		case PathFaceHealth:
			json.NewEncoder(w).Encode(map[string]string{"status": "ok", "liveness": map[bool]string{true: "required", false: "offered"}[f.forbidden]})
		case PathFaceIdentify:
			f.headers = append(f.headers, r.Header.Clone())
			body, _ := io.ReadAll(r.Body)
			if string(body) != "jpeg" {
				t.Errorf("identify body %q", body)
			}
			checkSigned(t, r, body, f.clock)
			if f.wrongSite {
				fail(http.StatusForbidden, wire.CodeForbidden, "kiosk dev-1 serves site pd-1, not sh-jingan")
				return
			}
			if f.forbidden {
				fail(http.StatusPreconditionRequired, wire.CodeLivenessRequired, "liveness required")
				return
			}
			if f.limited > 0 {
				f.limited--
				w.Header().Set("Retry-After", "1")
				fail(http.StatusTooManyRequests, wire.CodeRateLimited, "slow down")
				return
			}
			answer(f.next(f.verdicts, f.identify))
			f.identify++
		case PathFaceLiveness:
			var in struct {
				Site   string   `json:"site_id"`
				Kiosk  string   `json:"kiosk_id"`
				Frames []string `json:"frames"`
			}
			body, _ := io.ReadAll(r.Body)
			checkSigned(t, r, body, f.clock)
			if err := json.Unmarshal(body, &in); err != nil || in.Site != "sh-jingan" || in.Kiosk != "dev-1" {
				t.Errorf("liveness request %+v: %v", in, err)
			}
			f.liveness = append(f.liveness, in.Frames)
			answer(f.next(f.live, len(f.liveness)-1))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// attempt makes an attempt against srv with a fake clock: wait advances it
// and records the pauses, so the pacing is checked without sleeping.
func attempt(srv *httptest.Server, auto, liveness bool) (*faceAttempt, *[]time.Duration, *[]string) {
	clk := &clock{t: t0}
	var waits []time.Duration
	var steps []string
	a := &faceAttempt{
		client: &faceClient{doer: http.DefaultClient, base: srv.URL, site: "sh-jingan", kiosk: "dev-1", key: faceKey, clock: clk.now},
		grab: func(ctx context.Context) ([]byte, error) {
			clk.add(20 * time.Millisecond) // the encode
			return []byte("jpeg"), nil
		},
		wait: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			clk.add(d)
			return ctx.Err()
		},
		step:     func(key string) { steps = append(steps, key) },
		clock:    clk.now,
		auto:     auto,
		liveness: liveness,
	}
	return a, &waits, &steps
}

func TestFaceAttempt(t *testing.T) {
	tests := []struct {
		name       string
		face       fakeFace
		auto, live bool
		verdict    string // of the end's result
		notice     string
		frames     int
		steps      []string
		liveCalls  int
	}{
		{name: "match after no face", face: fakeFace{verdicts: []string{"no_face", "no_face", "match"}}, verdict: "match", frames: 3, steps: []string{"face.look", "face.look"}},
		{name: "unknown three times", face: fakeFace{verdicts: []string{"unknown"}}, verdict: "unknown", notice: "face.unknown", frames: faceUnknowns},
		{name: "one unknown frame then match", face: fakeFace{verdicts: []string{"unknown", "match"}}, verdict: "match", frames: 2},
		{name: "not sure", face: fakeFace{verdicts: []string{"not_sure"}}, verdict: "not_sure", notice: "face.notSure", frames: faceNotSures},
		{name: "many faces to the end", face: fakeFace{verdicts: []string{"many_faces"}}, verdict: "many_faces", notice: "face.many", frames: faceFrames},
		{name: "nobody, tapped", face: fakeFace{verdicts: []string{"no_face"}}, verdict: "no_face", notice: "face.noFace", frames: faceFrames},
		{name: "nobody, automatic: silent", face: fakeFace{verdicts: []string{"no_face"}}, auto: true, verdict: "no_face", frames: faceAutoFrames},
		{name: "rate limited frames do not count", face: fakeFace{verdicts: []string{"match"}, limited: 2}, verdict: "match", frames: 1},
		{name: "liveness", face: fakeFace{live: []string{"match"}}, live: true, verdict: "match", frames: livenessFrames, liveCalls: 1,
			steps: []string{"face.turn", "face.checking"}},
		{name: "not live twice", face: fakeFace{live: []string{"not_live"}}, live: true, verdict: "not_live", notice: "face.notLive", frames: 2 * livenessFrames, liveCalls: 2},
		{name: "identify refused: liveness", face: fakeFace{forbidden: true, live: []string{"match"}}, verdict: "match", frames: 1 + livenessFrames, liveCalls: 1},
	}
	for i := range tests {
		tt := &tests[i]
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.face.server(t)
			a, waits, steps := attempt(srv, tt.auto, tt.live)
			tt.face.mu.Lock()
			tt.face.clock = a.clock
			tt.face.mu.Unlock()
			end := a.run(context.Background())
			if end.Err != nil {
				t.Fatalf("error %v", end.Err)
			}
			if end.Result.Verdict != tt.verdict || end.Notice != tt.notice || end.Frames != tt.frames {
				t.Errorf("ended with %q, notice %q after %d frames; want %q, %q, %d", end.Result.Verdict, end.Notice, end.Frames, tt.verdict, tt.notice, tt.frames)
			}
			if tt.verdict == VerdictMatch && (end.Result.EmployeeID != "E004" || end.Result.VerdictID == "") {
				t.Errorf("match %+v", end.Result)
			}
			if tt.steps != nil && !slices.Equal(*steps, tt.steps) {
				t.Errorf("steps %v, want %v", *steps, tt.steps)
			}
			if len(tt.face.liveness) != tt.liveCalls {
				t.Errorf("%d liveness calls, want %d", len(tt.face.liveness), tt.liveCalls)
			}
			for _, fr := range tt.face.liveness {
				if len(fr) != livenessFrames {
					t.Errorf("liveness call with %d frames", len(fr))
				}
			}
			// Never more than two frames a second: every pause between
			// frames tops the 20 ms encode up to faceEvery.
			for _, w := range *waits {
				if w != faceEvery-20*time.Millisecond && w != time.Second {
					t.Errorf("paused %v between frames", w)
				}
			}
			for _, h := range tt.face.headers {
				if h.Get("X-Site-ID") != "sh-jingan" || h.Get("X-Kiosk-ID") != "dev-1" || h.Get("Content-Type") != "image/jpeg" {
					t.Errorf("identify headers %v", h)
				}
			}
		})
	}
}

func TestFaceUnreachable(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	a, _, _ := attempt(dead, false, false)
	end := a.run(context.Background())
	if !errors.Is(end.Err, ErrFaceUnreachable) || end.Notice != "face.down" || end.Frames != 1 {
		t.Errorf("dead service: %+v", end)
	}
	if _, err := a.client.health(context.Background()); !errors.Is(err, ErrFaceUnreachable) {
		t.Errorf("health of a dead service: %v", err)
	}
	// Something that is not the face service (a proxy's page) counts as
	// unreachable too.
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }))
	defer html.Close()
	a, _, _ = attempt(html, false, false)
	if _, err := a.client.health(context.Background()); !errors.Is(err, ErrFaceUnreachable) {
		t.Errorf("health of a web page: %v", err)
	}
	// A cancelled attempt (a badge was read) ends without a notice.
	ff := &fakeFace{verdicts: []string{"no_face"}}
	a, _, _ = attempt(ff.server(t), false, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if end := a.run(ctx); end.Notice != "" || end.Err == nil {
		t.Errorf("cancelled attempt: %+v", end)
	}
}

func TestPunchFace(t *testing.T) {
	clk := &clock{t: t0}
	srv := enrollServer(t, t0)
	env, _ := newEnv(t, clk)
	ctx := context.Background()
	if c := env.PunchFace(ctx, FaceResult{VerdictID: "v0", EmployeeID: "E004"}); c.Outcome != Failed {
		t.Errorf("before enrollment: %+v", c)
	}
	if _, err := env.Enroll(ctx, srv.URL, "GOOD", "k"); err != nil {
		t.Fatal(err)
	}
	c := env.PunchFace(ctx, FaceResult{VerdictID: "0190c3e4-0000-7000-8000-000000000001", EmployeeID: "E004", Audit: "sealed-for-punchd"})
	if c.Outcome != Recorded || c.Employee.Name != "Li Na" || c.Method != attendance.MethodFace || c.Direction != attendance.DirectionIn {
		t.Errorf("face punch: %+v", c)
	}
	es, err := env.Outbox.Pending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Punch.Method != attendance.MethodFace || es[0].Punch.EmployeeID != "E004" ||
		es[0].Punch.Evidence.FaceID != "0190c3e4-0000-7000-8000-000000000001" || es[0].Punch.Evidence.FaceAudit != "sealed-for-punchd" || es[0].Punch.Evidence.BadgeCode != "" {
		t.Fatalf("outbox holds %+v", es)
	}
	clk.add(time.Second)
	if c := env.PunchFace(ctx, FaceResult{VerdictID: "0190c3e4-0000-7000-8000-000000000002", EmployeeID: "E004"}); c.Outcome != Duplicate {
		t.Errorf("second face punch within the window: %+v", c)
	}
	if c := env.PunchFace(ctx, FaceResult{VerdictID: "0190c3e4-0000-7000-8000-000000000003", EmployeeID: "E009"}); c.Outcome != InactiveBadge {
		t.Errorf("inactive employee: %+v", c)
	}
	// Matched by the service but not (yet) in the cached roster: recorded,
	// the server decides.
	if c := env.PunchFace(ctx, FaceResult{VerdictID: "0190c3e4-0000-7000-8000-000000000004", EmployeeID: "E777"}); c.Outcome != Recorded || c.Employee.ID != "E777" {
		t.Errorf("employee missing from the roster: %+v", c)
	}
	if c := env.PunchFace(ctx, FaceResult{VerdictID: "", EmployeeID: "E004"}); c.Outcome != Failed {
		t.Errorf("no verdict id: %+v", c)
	}
}

func TestMotion(t *testing.T) {
	const w, h = 64, 48
	frame := func(lum, box byte) []byte {
		b := make([]byte, w*h*4)
		for y := range h {
			for x := range w {
				v := lum
				if x > 16 && x < 48 && y > 8 && y < 44 {
					v = lum + box
				}
				i := (y*w + x) * 4
				b[i], b[i+1], b[i+2], b[i+3] = v, v, v, 255
			}
		}
		return b
	}
	var m motion
	empty, person := frame(100, 0), frame(100, 90)
	// The camera's first frames and a change before a still second do not
	// count.
	if m.update(person, w, h) || m.update(empty, w, h) {
		t.Fatal("arrival before the scene was still")
	}
	for i := range motionArmed {
		if m.update(empty, w, h) {
			t.Fatalf("arrival in a still scene at frame %d", i)
		}
	}
	if !m.update(person, w, h) {
		t.Fatal("no arrival after a still second")
	}
	// Someone lingering and moving: no new arrival until still again.
	if m.update(empty, w, h) || m.update(person, w, h) {
		t.Fatal("arrival without a still second between")
	}
	// In the dark nothing counts.
	var d motion
	for range motionArmed + 1 {
		d.update(frame(5, 0), w, h)
	}
	if d.update(frame(5, 30), w, h) {
		t.Fatal("arrival in the dark")
	}
}

// TestFaceCameraStarting: frames grabbed before the camera shows anything
// are not sent and do not end the attempt.
func TestFaceCameraStarting(t *testing.T) {
	for _, live := range []bool{false, true} {
		ff := &fakeFace{verdicts: []string{"match"}, live: []string{"match"}}
		a, _, _ := attempt(ff.server(t), false, live)
		grab, blank := a.grab, 0
		a.grab = func(ctx context.Context) ([]byte, error) {
			if blank < 3 {
				blank++
				return nil, errNoPicture
			}
			return grab(ctx)
		}
		want := 1
		if live {
			want = livenessFrames
		}
		if end := a.run(context.Background()); end.Result.Verdict != VerdictMatch || end.Frames != want {
			t.Errorf("liveness %v: %+v", live, end)
		}
	}
}

// TestFaceMixedContent: an https kiosk page cannot call an http face
// service (the browser blocks it), except on loopback addresses.
func TestFaceMixedContent(t *testing.T) {
	for _, tc := range []struct {
		page, face string
		blocked    bool
	}{
		{"https://punch.example.com/", "http://192.168.1.20:8090", true},
		{"https://punch.example.com/", "http://face.store.lan:8090", true},
		{"https://punch.example.com/", "https://192.168.1.20:8090", false},
		{"http://192.168.1.10:8080/", "http://192.168.1.20:8090", false},
		{"https://punch.example.com/", "http://127.0.0.1:8090", false},
		{"https://punch.example.com/", "http://[::1]:8090", false},
		{"https://punch.example.com/", "http://localhost:8090", false},
		{"https://punch.example.com/#debug", "http://face.localhost", false},
	} {
		if got := faceMixedContent(tc.page, tc.face); got != tc.blocked {
			t.Errorf("page %s, face %s: blocked %v, want %v", tc.page, tc.face, got, tc.blocked)
		}
	}
}

// TestFacePanelInsecure: the face panel says why face punching is off when
// the browser blocks the face service, in both languages, and offers no
// Face button; the generic "unavailable" stays for a service that is down.
func TestFacePanelInsecure(t *testing.T) {
	for _, l := range []Lang{English, Chinese} {
		k := &Kiosk{lang: l, face: &faceCtl{state: faceUnavailable, insecure: true}}
		html := app.HTMLString(k.renderFace())
		if !strings.Contains(html, `data-notice="insecure"`) || !strings.Contains(html, l.T("face.insecure")) || strings.Contains(html, "face-start") {
			t.Errorf("%s: insecure face panel %s", l, html)
		}
		if !strings.Contains(l.T("face.insecure"), "https") {
			t.Errorf("%s: the message does not name https: %q", l, l.T("face.insecure"))
		}
		k.face = &faceCtl{state: faceUnavailable}
		if html := app.HTMLString(k.renderFace()); !strings.Contains(html, `data-notice="down"`) {
			t.Errorf("%s: face panel of a service down: %s", l, html)
		}
	}
}

// TestFaceAttemptForbidden: a kiosk the face service does not take for
// this site gets the error at once, not a head-turn round it cannot pass.
func TestFaceAttemptForbidden(t *testing.T) {
	f := &fakeFace{wrongSite: true}
	srv := f.server(t)
	a, _, _ := attempt(srv, false, false)
	end := a.run(context.Background())
	if wire.CodeOf(end.Err) != wire.CodeForbidden || len(f.liveness) != 0 || end.Liveness {
		t.Fatalf("end %+v (error %v), %d liveness calls; want forbidden and none", end, end.Err, len(f.liveness))
	}
}
