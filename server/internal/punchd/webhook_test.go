package punchd_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/wire"
	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
	"punchclock/server/internal/webhook"
)

// hookReceiver is the acceptance test's webhook receiver: it records
// every request with the test clock's time, and answers each event's
// first attempt 500, lets its second time out, and accepts the rest.
type hookReceiver struct {
	clk *clock
	mu  sync.Mutex
	got []hookRequest
	n   map[string]int // attempts by webhook-id
}

type hookRequest struct {
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Now     int64             `json:"now"`
	Status  int               `json:"-"`
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(webhook.HeaderID)
	h.mu.Lock()
	h.n[id]++
	n := h.n[id]
	req := hookRequest{Headers: map[string]string{}, Body: string(body), Now: h.clk.Now().Unix()}
	for _, k := range []string{webhook.HeaderID, webhook.HeaderTimestamp, webhook.HeaderSignature} {
		req.Headers[k] = r.Header.Get(k)
	}
	switch n {
	case 1:
		req.Status = 500
	case 2:
		req.Status = 0 // no answer: the sender's timeout
	default:
		req.Status = 200
	}
	h.got = append(h.got, req)
	h.mu.Unlock()
	if req.Status == 0 {
		<-r.Context().Done()
		return
	}
	w.WriteHeader(req.Status)
}

func (h *hookReceiver) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// standardWebhooks is the folder make standardwebhooks unpacks the
// reference JavaScript library into.
func standardWebhooks(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PUNCHCLOCK_STANDARDWEBHOOKS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "var", "npm", "standardwebhooks")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "standardwebhooks", "dist", "index.js")); err != nil {
		t.Fatalf("the Standard Webhooks JavaScript library is missing from %s: run make standardwebhooks (%v)", dir, err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is missing: apt-get install nodejs (%v)", err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

// TestWebhookAcceptance is #14's acceptance for webhooks: a receiver sees
// every event exactly once after deduping on webhook-id, through 500s,
// timeouts and a punchd restart, and every delivery verifies with the
// Standard Webhooks reference library run by Node, not with our code.
func TestWebhookAcceptance(t *testing.T) {
	lib := standardWebhooks(t)
	backends(t, func(t *testing.T, db string) {
		clk := &clock{}
		clk.Set(t0)
		rc := &hookReceiver{clk: clk, n: map[string]int{}}
		recv := httptest.NewServer(rc)
		defer recv.Close()
		cfg := punchd.Config{DB: db, DataDir: t.TempDir(), Demo: true, Now: clk.Now, WebDir: t.TempDir(),
			WebhookPrivate: true, WebhookTimeout: time.Second, WebhookInterval: 20 * time.Millisecond}
		m := serve(t, cfg)
		admin := "Bearer " + m.Demo.AdminToken
		// Past the demo's punches (received as it was seeded).
		clk.Set(t0.Add(10 * time.Minute))
		var ep struct{ ID, Secret string }
		if st, eb := call(t, "POST", m.URL()+"/api/v1/admin/webhooks", admin, []byte(`{"url":"`+recv.URL+`/hooks","events":["punch.accepted","attendance.day_changed","approval.requested","approval.decided"]}`), &ep); st != 201 {
			t.Fatalf("create the endpoint: %d %+v", st, eb)
		}
		// The feed starts when a dispatcher step sees the endpoint, a
		// minute (the lag) before the clock, which stands still until the
		// events below are made.
		outbox := func() []store.WebhookDelivery {
			ds, err := m.Store.WebhookDeliveries(context.Background(), ep.ID, time.Time{}, 100)
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}
		// settled: every delivery succeeded, or failed and waits for a
		// later time than now, and at least n exist.
		settled := func(n int) func() bool {
			return func() bool {
				ds := outbox()
				for _, d := range ds {
					if d.State == store.DeliveryPending && !d.NextAt.After(clk.Now()) {
						return false
					}
				}
				return len(ds) >= n
			}
		}
		// Punches of E004 and E005, and an approval flow of E004 started
		// and withdrawn.
		k := enroll(t, m.URL(), issueCode(t, m.URL(), m.Demo.AdminToken, "sh-jingan"), clk)
		sent := map[string]string{} // punch id -> employee
		punchOf := func(emp string) {
			t.Helper()
			p := k.punch(emp, clk.Now())
			if st, br, eb := k.send([]wire.SignedPunch{p}); st != 200 || statuses(br.Results) != "accepted" {
				t.Fatalf("punch of %s: %d %s %+v", emp, st, statuses(br.Results), eb)
			}
			var body struct{ ID string }
			json.Unmarshal(p.Body, &body)
			sent[body.ID] = emp
		}
		punchOf("E004")
		punchOf("E005")
		flow, _ := uuid.NewV7()
		if st, eb := call(t, "POST", m.URL()+"/api/v1/approval/flow", admin, []byte(`{"id":"`+flow.String()+`","kind":"overtime","employee_id":"E004","date":"2026-11-19","minutes":30,"reason":"stock take"}`), nil); st != 201 {
			t.Fatalf("start a flow: %d %+v", st, eb)
		}
		if st, eb := call(t, "POST", m.URL()+"/api/v1/approval/flow/"+flow.String()+"/withdraw", admin, nil, nil); st != 200 {
			t.Fatalf("withdraw the flow: %d %+v", st, eb)
		}
		// Past the feed's lag: first attempts, all answered 500.
		clk.Set(clk.Now().Add(2 * time.Minute))
		if !waitOK(10*time.Second, settled(6)) {
			for _, d := range outbox() {
				t.Logf("%s %s %s %v", d.EventType, d.State, d.NextAt, d.Attempts)
			}
			t.Fatalf("first attempts of 6 events (now %v)", clk.Now())
		}
		// 5 s later, the second attempts time out.
		clk.Set(clk.Now().Add(5 * time.Second))
		waitFor(t, 10*time.Second, "second attempts", func() bool {
			for _, d := range outbox() {
				if len(d.Attempts) < 2 {
					return false
				}
			}
			return true
		})
		n0 := len(outbox())
		// One more punch, tried once; then punchd restarts.
		punchOf("E006")
		clk.Set(clk.Now().Add(2 * time.Minute))
		waitFor(t, 10*time.Second, "the first attempts of E006's events", settled(n0+2))
		m.Close()
		m = serve(t, cfg)
		admin = "Bearer " + m.Demo.AdminToken
		k.base = m.URL()
		punchOf("E007")
		// Time runs on, past every lease of the stopped instance and
		// through the schedule, until everything is delivered.
		for step := 0; ; step++ {
			clk.Set(clk.Now().Add(time.Hour))
			waitFor(t, 20*time.Second, "a settled outbox", settled(n0+4))
			done := true
			for _, d := range outbox() {
				done = done && d.State == store.DeliverySucceeded
			}
			if done {
				break
			}
			if step > 30 {
				t.Fatalf("not delivered after %d hours: %+v", step, outbox())
			}
		}

		// Every event exactly once after deduping on webhook-id.
		reqs := rc.requests()
		type event struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		byID := map[string]string{}
		accepted := map[string]int{}
		for _, r := range reqs {
			id := r.Headers[webhook.HeaderID]
			if prev, ok := byID[id]; ok && prev != r.Body {
				t.Errorf("webhook-id %s came with two bodies:\n%s\n%s", id, prev, r.Body)
			}
			byID[id] = r.Body
			if r.Status == 200 {
				accepted[id]++
			}
		}
		if len(accepted) != len(byID) {
			t.Errorf("%d events sent, %d accepted by the receiver", len(byID), len(accepted))
		}
		for id, n := range accepted {
			if n != 1 {
				t.Errorf("%s accepted %d times (the outbox sends again only what was not accepted)", id, n)
			}
		}
		seen := map[string]int{}
		punches := map[string]bool{}
		dayChanged := map[string]bool{}
		for _, body := range byID {
			var ev event
			if err := json.Unmarshal([]byte(body), &ev); err != nil {
				t.Fatalf("payload %s: %v", body, err)
			}
			if ev.Type != webhook.DayChanged {
				// (Two windows may each report a change of the same
				// days: the flow's start, then its withdrawal.)
				seen[ev.Type+" "+string(ev.Data)]++
			}
			var d struct {
				PunchID    string   `json:"punch_id"`
				EmployeeID string   `json:"employee_id"`
				FlowID     string   `json:"flow_id"`
				State      string   `json:"state"`
				Days       []string `json:"days"`
			}
			json.Unmarshal(ev.Data, &d)
			switch ev.Type {
			case webhook.PunchAccepted:
				if sent[d.PunchID] != d.EmployeeID || punches[d.PunchID] {
					t.Errorf("punch.accepted %s", ev.Data)
				}
				punches[d.PunchID] = true
			case webhook.DayChanged:
				if !slices.Contains(d.Days, "2026-11-20") && !slices.Contains(d.Days, "2026-11-19") {
					t.Errorf("attendance.day_changed %s", ev.Data)
				}
				dayChanged[d.EmployeeID] = true
			case webhook.ApprovalRequested, webhook.ApprovalDecided:
				if d.FlowID != flow.String() || ev.Type == webhook.ApprovalDecided && d.State != "withdrawn" {
					t.Errorf("%s %s", ev.Type, ev.Data)
				}
			default:
				t.Errorf("event %s", body)
			}
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("%d events with different ids say %s", n, k)
			}
		}
		emps := slices.Sorted(func(yield func(string) bool) {
			for e := range dayChanged {
				if !yield(e) {
					return
				}
			}
		})
		// A day change per employee and window: E004's punch and flow
		// may fall in one window or in several.
		if len(byID) < 10 || len(punches) != 4 || strings.Join(emps, ",") != "E004,E005,E006,E007" {
			t.Errorf("%d events: punches %v, day changes of %v; want 4 punches, day changes of E004 to E007, the flow requested and decided", len(byID), punches, emps)
		}
		// Each event's attempts: 500, a timeout, then success (E007's
		// came after the restart: the same).
		attempts := map[string][]int{}
		for _, r := range reqs {
			attempts[r.Headers[webhook.HeaderID]] = append(attempts[r.Headers[webhook.HeaderID]], r.Status)
		}
		for id, st := range attempts {
			if !slices.Equal(st, []int{500, 0, 200}) {
				t.Errorf("%s: answers %v, want 500, none, 200", id, st)
			}
		}

		// The reference library verifies every request, and refuses each
		// with its body altered.
		in := filepath.Join(t.TempDir(), "deliveries.json")
		data, _ := json.Marshal(map[string]any{"secret": ep.Secret, "deliveries": reqs})
		if err := os.WriteFile(in, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("node", filepath.Join("testdata", "verify_webhooks.js"), lib, in).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("node: %v %s", err, stderr)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		i := 0
		for sc.Scan() {
			var v struct {
				OK       bool   `json:"ok"`
				Error    string `json:"error"`
				Tampered bool   `json:"tampered_rejected"`
			}
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Fatalf("node said %q", sc.Text())
			}
			if !v.OK || !v.Tampered {
				t.Errorf("delivery %d (%s): standardwebhooks says ok=%v %q, tampered refused=%v", i, reqs[i].Headers[webhook.HeaderID], v.OK, v.Error, v.Tampered)
			}
			i++
		}
		if i != len(reqs) || i < 30 {
			t.Errorf("node verified %d of %d requests, want all (at least 30)", i, len(reqs))
		}
		// The delivery log through the API: three attempts each.
		var log struct {
			Deliveries []struct {
				State    string
				Attempts []struct {
					StatusCode int `json:"status_code"`
					Error      string
				}
			}
		}
		if st, eb := call(t, "GET", m.URL()+"/api/v1/admin/webhooks/"+ep.ID+"/deliveries", admin, nil, &log); st != 200 || len(log.Deliveries) != len(byID) {
			t.Fatalf("delivery log: %d %+v %d", st, eb, len(log.Deliveries))
		}
		for _, d := range log.Deliveries {
			var codes []string
			for _, a := range d.Attempts {
				codes = append(codes, strconv.Itoa(a.StatusCode))
			}
			sort.Strings(codes)
			if d.State != "succeeded" || strings.Join(codes, ",") != "0,200,500" {
				t.Errorf("logged: %s after %v", d.State, d.Attempts)
			}
		}
	})
}

// waitOK polls cond until it holds (true) or within passes (false).
func waitOK(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
	return true
}

// TestWebhooksThreeInstances: three punchd on one PostgreSQL all run a
// dispatcher; a receiver that accepts everything gets each event once:
// one producer at a time, and no attempt sent by two instances.
func TestWebhooksThreeInstances(t *testing.T) {
	clk := &clock{}
	clk.Set(t0)
	var mu sync.Mutex
	got := map[string]int{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.Header.Get(webhook.HeaderID)]++
		mu.Unlock()
	}))
	defer recv.Close()
	db := pgtest.NewDB(t)
	var ms []*punchd.Main
	for i := range 3 {
		ms = append(ms, serve(t, punchd.Config{DB: db, DataDir: t.TempDir(), Demo: i == 0, Now: clk.Now, WebDir: t.TempDir(),
			WebhookPrivate: true, WebhookTimeout: time.Second, WebhookInterval: 5 * time.Millisecond}))
	}
	clk.Set(t0.Add(10 * time.Minute))
	admin := "Bearer " + ms[0].Demo.AdminToken
	var ep struct{ ID string }
	if st, eb := call(t, "POST", ms[1].URL()+"/api/v1/admin/webhooks", admin, []byte(`{"url":"`+recv.URL+`","events":["punch.accepted","attendance.day_changed"]}`), &ep); st != 201 {
		t.Fatalf("create the endpoint: %d %+v", st, eb)
	}
	k := enroll(t, ms[0].URL(), issueCode(t, ms[0].URL(), ms[0].Demo.AdminToken, "sh-jingan"), clk)
	for i := 4; i <= 19; i++ {
		k.base = ms[i%3].URL()
		if st, br, eb := k.send([]wire.SignedPunch{k.punch(fmt.Sprintf("E%03d", i), clk.Now())}); st != 200 || statuses(br.Results) != "accepted" {
			t.Fatalf("punch: %d %s %+v", st, statuses(br.Results), eb)
		}
	}
	clk.Set(clk.Now().Add(2 * time.Minute))
	waitFor(t, 20*time.Second, "32 events delivered", func() bool {
		ds, err := ms[2].Store.WebhookDeliveries(context.Background(), ep.ID, time.Time{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.State != store.DeliverySucceeded {
				return false
			}
		}
		return len(ds) >= 32
	})
	mu.Lock()
	defer mu.Unlock()
	for id, n := range got {
		if n != 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
	if len(got) < 32 {
		t.Errorf("%d events, want 16 punches and at least 16 day changes", len(got))
	}
}
