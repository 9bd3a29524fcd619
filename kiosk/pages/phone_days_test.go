package pages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/kiosk/syncer"
)

// fakeCaller answers the phone's endpoints as punchd does: records of the
// asked range, flows started by id (the same id twice starts one flow).
// Withdrawals and proofs too: a withdrawal of a closed flow is a
// conflict; a proof is taken once, as the bytes of an image/ type.
type fakeCaller struct {
	mu      sync.Mutex
	offline bool
	refuse  bool
	asked   []string
	records []rules.DayRecord
	flows   map[string]PhoneFlow
	posts   int
	proofs  map[string][]byte
	reports []wire.LocationReport // location reports received
}

func (f *fakeCaller) Call(ctx context.Context, method, pq string, body []byte) (int, []byte, error) {
	return f.CallAs(ctx, method, pq, "", body)
}

func (f *fakeCaller) CallAs(_ context.Context, method, pq, contentType string, body []byte) (int, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offline {
		return 0, nil, fmt.Errorf("%w: down", syncer.ErrOffline)
	}
	f.asked = append(f.asked, method+" "+pq)
	id, action, _ := strings.Cut(strings.TrimPrefix(pq, PathPhoneFlows+"/"), "/")
	switch {
	case method == http.MethodPost && strings.HasPrefix(pq, PathPhoneFlows+"/") && action == "withdraw":
		fl, ok := f.flows[id]
		switch {
		case !ok:
			return 403, nil, wire.Errorf(wire.CodeForbidden, "forbidden")
		case fl.State != "pending":
			return 409, nil, wire.Errorf(wire.CodeConflict, "this request is already %s", fl.State)
		}
		fl.State = "withdrawn"
		f.flows[id] = fl
		return 200, nil, nil
	case method == http.MethodPost && strings.HasPrefix(pq, PathPhoneFlows+"/") && action == "proof":
		fl, ok := f.flows[id]
		switch {
		case !ok:
			return 403, nil, wire.Errorf(wire.CodeForbidden, "forbidden")
		case !strings.HasPrefix(contentType, "image/") || !strings.HasPrefix(string(body), "\x89PNG"):
			return 400, nil, wire.Errorf(wire.CodeInvalid, "the proof is not a readable JPEG or PNG image")
		case fl.State == "expired":
			return 410, nil, wire.Errorf(wire.CodeExpired, "expired")
		case fl.Proof != "":
			return 409, nil, wire.Errorf(wire.CodeConflict, "this request has its proof already")
		}
		fl.Proof = "att-" + id
		f.flows[id] = fl
		if f.proofs == nil {
			f.proofs = map[string][]byte{}
		}
		f.proofs[id] = body
		return 200, nil, nil
	case method == http.MethodPost && pq == wire.PathUserLocation:
		var r wire.LocationReport
		if err := json.Unmarshal(body, &r); err != nil || r.SentAt.IsZero() || len(r.Points) > wire.MaxLocationBatch {
			return 400, nil, wire.Errorf(wire.CodeInvalid, "bad report %s", body)
		}
		f.reports = append(f.reports, r)
		return 200, []byte(`{"results":[]}`), nil
	case method == http.MethodGet && strings.HasPrefix(pq, PathPhoneRecords+"?"):
		b, _ := json.Marshal(map[string]any{"employee_id": "E005", "records": f.records, "punches": []any{}})
		return 200, b, nil
	case method == http.MethodGet && pq == PathPhoneFlows:
		fl := []PhoneFlow{}
		for _, v := range f.flows {
			fl = append(fl, v)
		}
		b, _ := json.Marshal(map[string]any{"flows": fl})
		return 200, b, nil
	case method == http.MethodPost && pq == PathPhoneFlows:
		f.posts++
		if f.refuse {
			return 400, nil, wire.Errorf(wire.CodeInvalid, "no such day")
		}
		var m Makeup
		if strings.Contains(string(body), "refused") {
			return 400, nil, wire.Errorf(wire.CodeInvalid, "unknown field")
		}
		if err := json.Unmarshal(body, &m); err != nil || m.Kind != KindMakeup || m.ID == "" {
			return 400, nil, wire.Errorf(wire.CodeInvalid, "bad body %s", body)
		}
		if _, ok := f.flows[m.ID]; ok {
			return 200, nil, nil
		}
		if f.flows == nil {
			f.flows = map[string]PhoneFlow{}
		}
		f.flows[m.ID] = PhoneFlow{FlowRequest: m.FlowRequest, State: "pending"}
		return 201, nil, nil
	}
	return 404, nil, wire.Errorf(wire.CodeNotFound, "no")
}

func TestMonthRange(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, c := range []struct {
		now      string
		from, to string
	}{
		// 30 Nov 17:00 UTC is already 1 Dec in Shanghai.
		{"2026-11-30T17:00:00Z", "2026-12-01", "2026-12-01"},
		{"2026-11-30T15:59:00Z", "2026-11-01", "2026-11-30"},
		{"2026-02-14T04:00:00Z", "2026-02-01", "2026-02-14"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		from, to := MonthRange(now, sh)
		if from.String() != c.from || to.String() != c.to {
			t.Errorf("MonthRange(%s) = %s..%s, want %s..%s", c.now, from, to, c.from, c.to)
		}
	}
}

func TestMakeupFor(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	day := rules.NewDate(2026, 11, 18)
	start := time.Date(2026, 11, 18, 9, 0, 0, 0, sh)
	end := time.Date(2026, 11, 18, 18, 0, 0, 0, sh)
	shift := &rules.ShiftInfo{ID: "day", Start: start, End: end}
	for _, c := range []struct {
		rec  rules.DayRecord
		dir  attendance.Direction
		at   time.Time
		fail bool
	}{
		{rules.DayRecord{Date: day, Status: rules.StatusMissingOut, Shift: shift}, attendance.DirectionOut, end, false},
		{rules.DayRecord{Date: day, Status: rules.StatusMissingIn, Shift: shift}, attendance.DirectionIn, start, false},
		{rules.DayRecord{Date: day, Status: rules.StatusAbsent}, attendance.DirectionIn, time.Date(2026, 11, 18, 9, 0, 0, 0, sh), false},
		{rules.DayRecord{Date: day, Status: rules.StatusNormal, Shift: shift}, "", time.Time{}, true},
	} {
		m, err := MakeupFor(c.rec, sh, "forgot")
		if c.fail {
			if err == nil {
				t.Errorf("%s: a make-up for a day not missing", c.rec.Status)
			}
			continue
		}
		if err != nil || m.Direction != c.dir || !m.Time.Equal(c.at) || m.Date != day || m.Kind != KindMakeup || m.Reason != "forgot" || len(m.ID) != 36 || m.ID[14] != '7' {
			t.Errorf("%s: %+v %v", c.rec.Status, m, err)
		}
	}
}

func TestPhoneMonthOffline(t *testing.T) {
	clk := &clock{t: t0}
	ph, _ := newPhoneEnv(t, clk)
	ctx := context.Background()
	if _, err := ph.RefreshMonth(ctx); !errors.Is(err, ErrNoSync) {
		t.Errorf("refresh before activation: %v", err)
	}
	activated(t, ph)
	sh, _ := time.LoadLocation(site.Zone)
	from, today := MonthRange(t0, sh)
	missing := rules.DayRecord{EmployeeID: "E005", Date: today.AddDays(-1), Status: rules.StatusMissingOut,
		Reasons: []rules.Reason{{Code: "no_out", EN: "No punch out", ZH: "未打下班卡"}}}
	f := &fakeCaller{records: []rules.DayRecord{missing}}
	ph.call = f

	if _, ok, err := ph.Month(ctx); ok || err != nil {
		t.Fatalf("a month before any read: %v %v", ok, err)
	}
	m, err := ph.RefreshMonth(ctx)
	if err != nil || len(m.Records) != 1 || m.From != from || m.To != today {
		t.Fatalf("refresh: %+v %v", m, err)
	}
	if want := fmt.Sprintf("GET %s?from=%s&to=%s", PathPhoneRecords, from, today); f.asked[0] != want {
		t.Errorf("asked %q, want %q", f.asked[0], want)
	}

	// Offline: the last read is still there, and a make-up request waits.
	f.offline = true
	if _, err := ph.RefreshMonth(ctx); !errors.Is(err, syncer.ErrOffline) {
		t.Errorf("offline refresh: %v", err)
	}
	m, ok, err := ph.Month(ctx)
	if !ok || err != nil || len(m.Records) != 1 || m.Records[0].Reasons[0].ZH != "未打下班卡" {
		t.Fatalf("the month offline: %+v %v %v", m, ok, err)
	}
	mk, err := MakeupFor(m.Records[0], sh, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := ph.RequestMakeup(ctx, mk); err != nil {
		t.Fatalf("a make-up offline: %v", err)
	}
	if err := ph.RequestMakeup(ctx, mk); err != nil { // a double tap
		t.Fatal(err)
	}
	if q, err := ph.Makeups(ctx); err != nil || len(q) != 1 || q[0].ID != mk.ID {
		t.Fatalf("queue offline: %+v %v", q, err)
	}

	// Online again: the refresh sends it once, then reads it back.
	f.offline = false
	m, err = ph.RefreshMonth(ctx)
	if err != nil || len(m.Flows) != 1 || m.Flows[0].ID != mk.ID || m.Flows[0].State != "pending" {
		t.Fatalf("refresh online: %+v %v", m, err)
	}
	if q, _ := ph.Makeups(ctx); len(q) != 0 || f.posts != 1 {
		t.Errorf("queue after sending: %+v, %d posts", q, f.posts)
	}
	// The same id resent (an answer lost) starts nothing new.
	if err := ph.RequestMakeup(ctx, mk); err != nil || len(f.flows) != 1 || f.posts != 2 {
		t.Errorf("resent: %v, %d flows, %d posts", err, len(f.flows), f.posts)
	}

	// A refusal stays visible and is not resent.
	f.refuse = true
	mk2, _ := MakeupFor(missing, sh, "x")
	if err := ph.RequestMakeup(ctx, mk2); err != nil {
		t.Fatal(err)
	}
	if n, err := ph.SendMakeups(ctx); n != 0 || err != nil || f.posts != 3 {
		t.Errorf("a refused request resent: %d %v, %d posts", n, err, f.posts)
	}
	if q, _ := ph.Makeups(ctx); len(q) != 1 || q[0].Refused == "" {
		t.Errorf("the refused request: %+v", q)
	}
}
