package pages

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/memstore"
	"punchclock/kiosk/syncer"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is 09:00 in Shanghai.
var t0 = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

var site = attendance.Site{ID: "sh-jingan", Name: "Shanghai Jing'an Store", Zone: "Asia/Shanghai"}

// enrollServer answers enrollments: code "GOOD" enrolls, the others get
// the server's error codes.
func enrollServer(t *testing.T, serverTime time.Time) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != PathEnroll || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		var req wire.EnrollRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.PublicKey) != 32 || req.Protocol != wire.ProtocolVersion {
			t.Errorf("enroll request: %v %+v", err, req)
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
				Protocol: 1, DeviceID: "dev-1", Site: site, QRSecret: make([]byte, 32), ServerTime: serverTime,
				Pull: wire.PullResponse{Cursor: "c1", Full: true, Employees: []attendance.Employee{
					{ID: "E004", Name: "Li Na", BadgeCode: "PC-0004", Active: true},
					{ID: "E009", Name: "Left Already", BadgeCode: "PC-0009", Active: false},
					{ID: "E010", Name: "Last Day", BadgeCode: "PC-0010", Active: true, LeavingDate: "2026-11-20"},
					{ID: "E011", Name: "Left Yesterday", BadgeCode: "PC-0011", Active: true, LeavingDate: "2026-11-19"},
				}},
			})
		case "USED":
			fail(http.StatusConflict, wire.CodeConflict)
		case "OLD":
			fail(http.StatusGone, wire.CodeExpired)
		default:
			fail(http.StatusUnauthorized, wire.CodeUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newEnv makes an Env over a memory store with a test clock and records
// the syncer starts.
func newEnv(t *testing.T, clk *clock) (*Env, *[]string) {
	t.Helper()
	ob, err := outbox.Open(context.Background(), memstore.New(), outbox.Options{Clock: clk.now})
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
	return env, &starts
}

func TestEnroll(t *testing.T) {
	clk := &clock{t: t0}
	srv := enrollServer(t, t0.Add(90*time.Second))
	env, starts := newEnv(t, clk)
	ctx := context.Background()

	for _, c := range []struct {
		code string
		want error
	}{
		{"NOPE", ErrUnknownCode},
		{"USED", ErrUsedCode},
		{"OLD", ErrExpiredCode},
	} {
		if _, err := env.Enroll(ctx, srv.URL, c.code, "k"); !errors.Is(err, c.want) {
			t.Errorf("code %s: %v, want %v", c.code, err, c.want)
		}
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, err := env.Enroll(ctx, dead.URL, "GOOD", "k"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("closed server: %v, want ErrUnreachable", err)
	}
	if _, err := env.Outbox.Identity(); !errors.Is(err, outbox.ErrNotEnrolled) {
		t.Fatalf("failed enrollments left an identity: %v", err)
	}
	if len(*starts) != 0 {
		t.Fatalf("syncer started before enrollment: %v", *starts)
	}

	got, err := env.Enroll(ctx, srv.URL+"/", " GOOD ", "k")
	if err != nil || got.Name != site.Name {
		t.Fatalf("enroll: %+v %v", got, err)
	}
	id, err := env.Outbox.Identity()
	if err != nil || id.DeviceID != "dev-1" || len(id.Key) != 64 || len(id.QRSecret) != 32 {
		t.Fatalf("identity %+v %v", id, err)
	}
	if len(*starts) != 1 || (*starts)[0] != srv.URL {
		t.Errorf("syncer starts %v, want one for %s", *starts, srv.URL)
	}
	if c, _, err := env.Outbox.Clock(ctx); err != nil || c.Offset != 90*time.Second {
		t.Errorf("clock offset %v %v, want 90s", c.Offset, err)
	}
	if st, _ := env.Outbox.Pull(ctx); st.Cursor != "c1" || len(st.Employees) != 4 {
		t.Errorf("pull state %+v", st)
	}

	// A new page over the same store finds the identity and the server.
	env2 := &Env{Outbox: env.Outbox, Clock: clk.now, StartSync: func(base string, notify func()) (*syncer.Syncer, error) {
		*starts = append(*starts, "again "+base)
		return nil, nil
	}}
	if err := env2.start(ctx); err != nil {
		t.Fatal(err)
	}
	if (*starts)[1] != "again "+srv.URL || env2.Server() != srv.URL {
		t.Errorf("restart: starts %v, server %q", *starts, env2.Server())
	}
}

func TestPunch(t *testing.T) {
	clk := &clock{t: t0}
	srv := enrollServer(t, t0)
	env, _ := newEnv(t, clk)
	ctx := context.Background()
	if _, err := env.Enroll(ctx, srv.URL, "GOOD", "k"); err != nil {
		t.Fatal(err)
	}
	changed := env.Changed()

	c := env.Punch(ctx, "PC-0004", attendance.MethodBadge)
	if c.Outcome != Recorded || c.Employee.ID != "E004" || c.Direction != attendance.DirectionIn || c.At.Format("15:04") != "09:00" {
		t.Fatalf("first punch: %+v", c)
	}
	select {
	case <-changed:
	default:
		t.Error("a punch did not signal a change")
	}

	clk.add(10 * time.Second)
	if c := env.Punch(ctx, "PC-0004", attendance.MethodBadge); c.Outcome != Duplicate || c.At.Format("15:04:05") != "09:00:00" {
		t.Errorf("repeat within the dedup window: %+v", c)
	}

	clk.add(5 * time.Minute)
	if c := env.Punch(ctx, "PC-0004", attendance.MethodBadge); c.Outcome != Recorded || c.Direction != attendance.DirectionOut {
		t.Errorf("second punch: %+v", c)
	}

	if c := env.Punch(ctx, "PC-0009", attendance.MethodBadge); c.Outcome != InactiveBadge || c.Employee.ID != "E009" {
		t.Errorf("inactive badge: %+v", c)
	}
	// A leaving date, judged by the kiosk's clock in the site's zone.
	if c := env.Punch(ctx, "PC-0010", attendance.MethodBadge); c.Outcome != Recorded {
		t.Errorf("on the leaving date: %+v", c)
	}
	if c := env.Punch(ctx, "PC-0011", attendance.MethodBadge); c.Outcome != InactiveBadge || c.Employee.ID != "E011" {
		t.Errorf("after the leaving date: %+v", c)
	}
	if c := env.Punch(ctx, "XX-1234", attendance.MethodBadge); c.Outcome != UnknownBadge {
		t.Errorf("unknown badge: %+v", c)
	}

	es, err := env.Outbox.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Punch.EmployeeID+"/"+e.Punch.Evidence.BadgeCode)
	}
	if want := "E004/PC-0004 E004/PC-0004 E010/PC-0010 /XX-1234"; strings.Join(got, " ") != want {
		t.Errorf("outbox holds %q, want %q", strings.Join(got, " "), want)
	}
	st, err := env.Status(ctx)
	if err != nil || st.Pending != 4 || st.Started {
		t.Errorf("status %+v %v", st, err)
	}

	// A store that fails: the punch is reported as not recorded.
	env.Outbox.Store().Close()
	clk.add(5 * time.Minute)
	if c := env.Punch(ctx, "PC-0004", attendance.MethodBadge); c.Outcome != Failed || c.Err == nil {
		t.Errorf("punch on a closed store: %+v", c)
	}
}

// TestMessages checks both languages have every key, and the picking of
// the language.
func TestMessages(t *testing.T) {
	for key := range messages[English] {
		if _, ok := messages[Chinese][key]; !ok {
			t.Errorf("no Chinese for %q", key)
		}
	}
	for key := range messages[Chinese] {
		if _, ok := messages[English][key]; !ok {
			t.Errorf("no English for %q", key)
		}
	}
	for tag, want := range map[string]Lang{"zh-CN": Chinese, "zh": Chinese, "ZH-tw": Chinese, "en-US": English, "de": English, "": English} {
		if got := LangOf(tag); got != want {
			t.Errorf("LangOf(%q) = %s, want %s", tag, got, want)
		}
	}
	if got := Chinese.T("punch.duplicate", "09:00"); got != "已于 09:00 打卡，请勿重复。" {
		t.Errorf("formatted: %q", got)
	}
	if got := English.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key shows %q", got)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 12 * time.Minute: "12m",
		3*time.Hour + 5*time.Minute: "3h05m", 52 * time.Hour: "2d04h", -time.Second: "0s",
	} {
		if got := age(d); got != want {
			t.Errorf("age(%v) = %q, want %q", d, got, want)
		}
	}
	if got := signed(-1500 * time.Millisecond); got != "-1.50s" {
		t.Errorf("signed: %q", got)
	}
}

// officeRules is a weekday 09:00-18:00 shift with 10 minutes' grace, as
// a pull carries it.
func officeRules(t *testing.T) []byte {
	t.Helper()
	doc, err := json.Marshal(rules.Config{Rules: rules.RuleSet{
		Basic:      rules.Basic{DefaultSchedule: "office"},
		Shifts:     []rules.Shift{{ID: "day", Start: rules.NewClock(9, 0), End: rules.NewClock(18, 0)}},
		Weekly:     []rules.WeeklySchedule{{ID: "office", Days: rules.WeekDays{Mon: "day", Tue: "day", Wed: "day", Thu: "day", Fri: "day"}}},
		Exceptions: rules.Exceptions{LateGraceMin: 10},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// officeKiosk is a kiosk enrolled at clk's time whose pull state carries
// officeRules; the caller changes the state further and stores it.
func officeKiosk(t *testing.T, clk *clock) (*Env, outbox.PullState) {
	t.Helper()
	srv := enrollServer(t, clk.now())
	env, _ := newEnv(t, clk)
	ctx := context.Background()
	if _, err := env.Enroll(ctx, srv.URL, "GOOD", "k"); err != nil {
		t.Fatal(err)
	}
	st, _ := env.Outbox.Pull(ctx)
	st.Rules, st.At = officeRules(t), clk.now()
	return env, st
}

// TestPunchProvisionalRules: with the rules of the latest pull, the kiosk
// tells in from out, and says how late, with the rules engine itself.
func TestPunchProvisionalRules(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 20, 1, 12, 0, 0, time.UTC)} // Friday 09:12 in Shanghai
	env, st := officeKiosk(t, clk)
	ctx := context.Background()
	if err := env.Outbox.SetPull(ctx, st); err != nil {
		t.Fatal(err)
	}
	c := env.Punch(ctx, "PC-0004", attendance.MethodBadge)
	if c.Outcome != Recorded || c.Direction != attendance.DirectionIn || c.LateMin != 12 {
		t.Fatalf("09:12 with 10 min grace: %s late %d (%+v), want in, 12 min late", c.Direction, c.LateMin, c)
	}
	clk.add(9 * time.Hour) // 18:12
	if c := env.Punch(ctx, "PC-0004", attendance.MethodBadge); c.Outcome != Recorded || c.Direction != attendance.DirectionOut || c.LateMin != 0 {
		t.Errorf("18:12: %s late %d, want out", c.Direction, c.LateMin)
	}
	// Monday 03:00 is in no shift's punch window: recorded, but neither
	// in nor out.
	clk.add(2*24*time.Hour + 8*time.Hour + 48*time.Minute)
	if c := env.Punch(ctx, "PC-0004", attendance.MethodBadge); c.Outcome != Recorded || c.Direction != attendance.DirectionNone || c.LateMin != 0 {
		t.Errorf("03:00: %q late %d (%+v), want no direction", c.Direction, c.LateMin, c)
	}
	// Broken rules: the kiosk falls back to counting.
	st.Rules = []byte(`{"rules": {"nonsense": 1}}`)
	st.At = clk.now()
	if err := env.Outbox.SetPull(ctx, st); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Hour)
	if c := env.Punch(ctx, "PC-0004", attendance.MethodBadge); c.Outcome != Recorded || c.Direction != attendance.DirectionOut {
		t.Errorf("second punch of the day without usable rules: %s, want out by counting", c.Direction)
	}
}
