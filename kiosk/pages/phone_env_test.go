package pages

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/token"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/memstore"
	"punchclock/kiosk/syncer"
)

// phoneServer answers phone activations as punchd does: code "GOOD" binds
// the phone to E005, the others get the server's error codes.
func phoneServer(t *testing.T, serverTime time.Time) *httptest.Server {
	t.Helper()
	emp := attendance.Employee{ID: "E005", Name: "Wang Fang", SiteID: site.ID, Active: true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != PathActivate || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		var req wire.EnrollRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.PublicKey) != 32 || req.Protocol != wire.ProtocolVersion {
			t.Errorf("activation request: %v %+v", err, req)
		}
		fail := func(status int, code wire.Code) {
			var eb wire.ErrorBody
			eb.Error.Code, eb.Error.Message = code, string(code)+" code"
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(eb)
		}
		switch req.Code {
		case "GOOD":
			json.NewEncoder(w).Encode(wire.EnrollResponse{
				Protocol: 1, DeviceID: "phone-1", Site: site, ServerTime: serverTime, Employee: &emp,
				Pull: wire.PullResponse{Cursor: "c1", Full: true, Employees: []attendance.Employee{emp}},
			})
		case "USED":
			fail(http.StatusConflict, wire.CodeConflict)
		case "OLD":
			fail(http.StatusGone, wire.CodeExpired)
		case "BUSY":
			fail(http.StatusTooManyRequests, wire.CodeRateLimited)
		default:
			fail(http.StatusUnauthorized, wire.CodeUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newPhoneEnv makes a PhoneEnv over a memory store as wasm/main does in
// the browser (no dedup window), recording the syncer starts.
func newPhoneEnv(t *testing.T, clk *clock) (*PhoneEnv, *[]string) {
	t.Helper()
	ob, err := outbox.Open(context.Background(), memstore.New(), outbox.Options{Clock: clk.now, DedupWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	var starts []string
	env := &Env{Outbox: ob, Client: http.DefaultClient, Clock: clk.now,
		StartSync: func(base string, notify func()) (*syncer.Syncer, error) {
			starts = append(starts, base)
			return nil, nil
		}}
	if err := env.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &PhoneEnv{Env: env}, &starts
}

func TestPhoneActivate(t *testing.T) {
	clk := &clock{t: t0}
	srv := phoneServer(t, t0.Add(30*time.Second))
	ph, starts := newPhoneEnv(t, clk)
	ctx := context.Background()

	if _, err := ph.Employee(ctx); !errors.Is(err, ErrNotActivated) {
		t.Errorf("employee before activation: %v", err)
	}
	for _, c := range []struct {
		code string
		want error
	}{
		{"NOPE", ErrUnknownCode},
		{"USED", ErrUsedCode},
		{"OLD", ErrExpiredCode},
	} {
		if _, err := ph.Activate(ctx, srv.URL, c.code, "Phone"); !errors.Is(err, c.want) {
			t.Errorf("code %s: %v, want %v", c.code, err, c.want)
		}
	}
	if _, err := ph.Activate(ctx, srv.URL, "BUSY", "Phone"); wire.CodeOf(err) != wire.CodeRateLimited {
		t.Errorf("rate limited: %v", err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, err := ph.Activate(ctx, dead.URL, "GOOD", "Phone"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("closed server: %v, want ErrUnreachable", err)
	}
	if ph.Activated() || len(*starts) != 0 {
		t.Fatalf("failed activations left an identity (%v) or started the syncer (%v)", ph.Activated(), *starts)
	}

	changed := ph.Changed()
	emp, err := ph.Activate(ctx, srv.URL+"/", " GOOD ", "Phone")
	if err != nil || emp.ID != "E005" || emp.Name != "Wang Fang" {
		t.Fatalf("activate: %+v %v", emp, err)
	}
	select {
	case <-changed:
	default:
		t.Error("activation did not signal a change")
	}
	id, err := ph.Outbox.Identity()
	if err != nil || id.DeviceID != "phone-1" || len(id.Key) != 64 || len(id.QRSecret) != 0 || id.Site.ID != site.ID {
		t.Fatalf("identity %+v %v", id, err)
	}
	if len(*starts) != 1 || (*starts)[0] != srv.URL {
		t.Errorf("syncer starts %v, want one for %s", *starts, srv.URL)
	}
	if c, _, err := ph.Outbox.Clock(ctx); err != nil || c.Offset != 30*time.Second {
		t.Errorf("clock offset %v %v, want 30s", c.Offset, err)
	}

	// A second link on an activated phone is not used.
	if got, err := ph.Activate(ctx, srv.URL, "GOOD", "Phone"); !errors.Is(err, ErrActivated) || got.ID != "E005" {
		t.Errorf("second activation: %+v %v, want E005 and ErrActivated", got, err)
	}

	// The employee follows the pulls (the server sends the owner only).
	st, _ := ph.Outbox.Pull(ctx)
	st.Employees = []attendance.Employee{{ID: "E005", Name: "Wang Fang-Li", Active: false}}
	if err := ph.Outbox.SetPull(ctx, st); err != nil {
		t.Fatal(err)
	}
	if got, err := ph.Employee(ctx); err != nil || got.Name != "Wang Fang-Li" || got.Active {
		t.Errorf("employee after a pull: %+v %v", got, err)
	}

	// A new page over the same store is activated, on the same server.
	again := &Env{Outbox: ph.Outbox, Clock: clk.now, StartSync: func(base string, notify func()) (*syncer.Syncer, error) {
		*starts = append(*starts, "again "+base)
		return nil, nil
	}}
	if err := again.start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := (*starts)[len(*starts)-1]; got != "again "+srv.URL {
		t.Errorf("restart: starts %v", *starts)
	}
}

func TestPhonePunchQR(t *testing.T) {
	clk := &clock{t: t0}
	srv := phoneServer(t, t0)
	ph, _ := newPhoneEnv(t, clk)
	ctx := context.Background()
	tok := string(token.Generate("kiosk-1", make([]byte, 32), t0))

	if _, err := ph.PunchQR(ctx, tok); !errors.Is(err, ErrNotActivated) {
		t.Fatalf("punch before activation: %v", err)
	}
	if _, err := ph.Activate(ctx, srv.URL, "GOOD", "Phone"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "hello", "https://example.com/p?t=x", tok + "!"} {
		if _, err := ph.PunchQR(ctx, bad); !errors.Is(err, ErrNotKioskQR) {
			t.Errorf("token %q: %v, want ErrNotKioskQR", bad, err)
		}
	}

	changed := ph.Changed()
	first, err := ph.PunchQR(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Error("a punch did not signal a change")
	}
	p := first.Punch
	if p.EmployeeID != "E005" || p.Method != attendance.MethodQR || p.Evidence.QRToken != tok || p.DeviceID != "phone-1" || p.Seq != 1 || first.State != outbox.StatePending {
		t.Errorf("phone punch %+v", first)
	}
	// The same token again, at once: recorded too (no dedup window on a
	// phone); the server refuses the reuse and says so.
	clk.add(2 * time.Second)
	second, err := ph.PunchQR(ctx, tok)
	if err != nil || second.Punch.Seq != 2 || second.Punch.Prev == "" {
		t.Fatalf("second punch: %+v %v", second, err)
	}
	es, err := ph.Recent(ctx, 0)
	if err != nil || len(es) != 2 || es[0].ID != second.ID || es[1].ID != first.ID {
		t.Fatalf("recent: %d entries %v, want the two newest first", len(es), err)
	}
	if es, _ := ph.Recent(ctx, 1); len(es) != 1 || es[0].ID != second.ID {
		t.Errorf("recent(1): %+v", es)
	}
}

// TestServiceWorkerTemplate: the worker is go-app's own but for the fetch
// handler, which falls back to the bare page for a navigation with a
// query; an upgrade of go-app that changes the replaced handler fails here
// rather than silently losing the phone page's offline start.
func TestServiceWorkerTemplate(t *testing.T) {
	if !strings.Contains(app.DefaultAppWorkerJS, defaultFetch) {
		t.Fatal("go-app's service worker no longer has the fetch handler punchclock replaces; update defaultFetch and pageFetch")
	}
	got := ServiceWorkerTemplate()
	if strings.Contains(got, defaultFetch) || !strings.Contains(got, "ignoreSearch: true") || strings.Count(got, "async function fetchWithCache") != 1 {
		t.Errorf("template does not have punchclock's fetch handler:\n%s", got)
	}
	if want := strings.Replace(app.DefaultAppWorkerJS, defaultFetch, "", 1); strings.Replace(got, pageFetch, "", 1) != want {
		t.Error("template differs from go-app's beyond the fetch handler")
	}
	h := Handler("v1")
	if h.ServiceWorkerTemplate != got || !slices.Contains(h.CacheableResources, token.PhonePath) {
		t.Errorf("handler: template set %v, cached pages %v", h.ServiceWorkerTemplate == got, h.CacheableResources)
	}
}
