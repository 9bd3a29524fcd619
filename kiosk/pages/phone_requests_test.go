package pages

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/syncer"
)

// activePhone is an activated PhoneEnv (activated) whose requests go to a
// fakeCaller that knows one pending make-up (f1) and one pending
// offline-declared punch (f2).
func activePhone(t *testing.T) (*PhoneEnv, *fakeCaller) {
	t.Helper()
	ph, _ := newPhoneEnv(t, &clock{t: t0})
	activated(t, ph)
	day := rules.NewDate(2026, 11, 18)
	f := &fakeCaller{flows: map[string]PhoneFlow{
		"f1": {FlowRequest: FlowRequest{ID: "f1", Kind: KindMakeup, Date: day, Direction: attendance.DirectionOut}, State: "pending"},
		"f2": {FlowRequest: FlowRequest{ID: "f2", Kind: KindOffline, Date: day}, State: "pending"},
	}}
	ph.call = f
	return ph, f
}

// activated gives ph the identity and employee Activate leaves, without a
// server, so that the test runs in the browser too (where httptest
// servers do not).
func activated(t *testing.T, ph *PhoneEnv) {
	t.Helper()
	ctx := context.Background()
	emp, _ := json.Marshal(attendance.Employee{ID: "E005", Name: "Wang Fang", SiteID: site.ID, Active: true})
	if err := ph.Outbox.Store().SetState(ctx, KeyPhoneEmployee, emp); err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	if err := ph.Outbox.SetIdentity(ctx, outbox.Identity{DeviceID: "phone-1", Key: key, Site: site}); err != nil {
		t.Fatal(err)
	}
}

func TestMakeupTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	day := rules.NewDate(2026, 11, 18)
	now := time.Date(2026, 11, 18, 20, 30, 0, 0, sh) // that evening
	for _, c := range []struct {
		date rules.Date
		text string
		loc  *time.Location
		want time.Time
		err  error
	}{
		{day, "18:45", sh, time.Date(2026, 11, 18, 18, 45, 0, 0, sh), nil},
		{day, "07:05:00", sh, time.Date(2026, 11, 18, 7, 5, 0, 0, sh), nil}, // a browser's HH:MM:SS
		{day, " 00:00 ", sh, time.Date(2026, 11, 18, 0, 0, 0, 0, sh), nil},
		{day, "20:30", sh, now, nil}, // now is not the future
		{day, "20:31", sh, time.Time{}, ErrMakeupFuture},
		{day, "24:00", sh, time.Time{}, ErrMakeupTime}, // the next day
		{day, "25:00", sh, time.Time{}, ErrMakeupTime},
		{day, "9:00", sh, time.Time{}, ErrMakeupTime},
		{day, "", sh, time.Time{}, ErrMakeupTime},
		{day, "07:05:30", sh, time.Time{}, ErrMakeupTime},
		// 8 Mar 2026, 02:30 does not exist in New York.
		{rules.NewDate(2026, 3, 8), "02:30", ny, time.Time{}, ErrMakeupTime},
		{rules.NewDate(2026, 3, 8), "03:30", ny, time.Date(2026, 3, 8, 3, 30, 0, 0, ny), nil},
	} {
		got, err := MakeupTime(c.date, c.text, c.loc, now)
		if !errors.Is(err, c.err) || !got.Equal(c.want) {
			t.Errorf("MakeupTime(%s, %q) = %v, %v; want %v, %v", c.date, c.text, got, err, c.want, c.err)
		}
	}
}

// TestPhoneWithdraw: a withdrawal is queued before it is sent, sent once
// the server answers, and a double tap queues one; a resent withdrawal
// (the answer lost) finds the flow closed, which settles it; a make-up
// still queued on the phone is dropped, never sent; a refusal stays
// visible on its flow.
func TestPhoneWithdraw(t *testing.T) {
	ctx := context.Background()
	ph, f := activePhone(t)
	sh, _ := time.LoadLocation(site.Zone)

	f.offline = true
	for range 2 { // a double tap, offline
		if err := ph.Withdraw(ctx, "f1"); err != nil {
			t.Fatalf("a withdrawal offline: %v", err)
		}
	}
	ws, err := ph.Withdrawals(ctx)
	if err != nil || len(ws) != 1 || ws[0].FlowID != "f1" || len(ws[0].ID) != 36 || ws[0].ID[14] != '7' {
		t.Fatalf("queued offline: %+v %v", ws, err)
	}
	month := []PhoneFlow{f.flows["f1"], f.flows["f2"]}
	rows := flowRows(English, nil, ws, month, sh)
	if rows[0].State != "withdrawing" || rows[0].Withdraw || rows[1].State != "pending" || !rows[1].Withdraw {
		t.Errorf("rows with a queued withdrawal: %+v", rows)
	}

	// Back online, the sync task sends it and reads the month back.
	f.offline = false
	if err := ph.syncTask(ctx); err != nil {
		t.Fatal(err)
	}
	m, _, _ := ph.Month(ctx)
	i := slices.IndexFunc(m.Flows, func(fl PhoneFlow) bool { return fl.ID == "f1" })
	if ws, _ := ph.Withdrawals(ctx); len(ws) != 0 || i < 0 || m.Flows[i].State != "withdrawn" {
		t.Fatalf("after the sync: queue %+v, month %+v", ws, m.Flows)
	}
	if n := strings.Count(strings.Join(f.asked, "\n"), "POST "+PathPhoneFlows+"/f1/withdraw"); n != 1 {
		t.Errorf("%d withdrawals sent, want 1", n)
	}
	// Nothing queued: the sync task reads nothing more.
	asked := len(f.asked)
	if err := ph.syncTask(ctx); err != nil || len(f.asked) != asked {
		t.Errorf("an idle sync task asked %q (%v)", f.asked[asked:], err)
	}

	// Sent again (its answer lost): the flow is closed, the withdrawal settled.
	if err := ph.Withdraw(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	if ws, _ := ph.Withdrawals(ctx); len(ws) != 0 {
		t.Errorf("a withdrawal of a closed flow stays: %+v", ws)
	}

	// A make-up queued offline and withdrawn before it went out: dropped.
	f.offline = true
	mk, _ := MakeupFor(rules.DayRecord{Date: rules.NewDate(2026, 11, 19), Status: rules.StatusMissingOut}, sh, "forgot")
	if err := ph.RequestMakeup(ctx, mk); err != nil {
		t.Fatal(err)
	}
	if rows := flowRows(English, []Makeup{mk}, nil, nil, sh); len(rows) != 1 || rows[0].State != "queued" || !rows[0].Withdraw {
		t.Errorf("a queued make-up's row: %+v", rows)
	}
	if err := ph.Withdraw(ctx, mk.ID); err != nil {
		t.Fatal(err)
	}
	f.offline = false
	if n, err := ph.SendQueued(ctx); n != 0 || err != nil || f.posts != 0 {
		t.Errorf("the dropped make-up: %d sent, %v, %d posts", n, err, f.posts)
	}

	// A refusal (not the employee's flow) is kept and shown.
	if err := ph.Withdraw(ctx, "someone-else"); err != nil {
		t.Fatal(err)
	}
	ws, _ = ph.Withdrawals(ctx)
	if len(ws) != 1 || ws[0].Refused == "" {
		t.Fatalf("a refused withdrawal: %+v", ws)
	}
	other := PhoneFlow{FlowRequest: FlowRequest{ID: "someone-else", Kind: KindMakeup}, State: "pending"}
	if rows := flowRows(Chinese, nil, ws, []PhoneFlow{other}, sh); rows[0].Refused == "" || !rows[0].Withdraw || rows[0].State != "pending" {
		t.Errorf("the refused withdrawal's row: %+v", rows)
	}
	if n, err := ph.SendWithdrawals(ctx); n != 0 || err != nil {
		t.Errorf("a refused withdrawal resent: %d %v", n, err)
	}
}

// TestPhoneProof: a photo goes to the flow's proof endpoint with its
// type, then the month is read again and the row says it is attached;
// what the server refuses comes back by code, in each language.
func TestPhoneProof(t *testing.T) {
	ctx := context.Background()
	ph, f := activePhone(t)
	sh, _ := time.LoadLocation(site.Zone)
	photo := []byte("\x89PNG\r\n\x1a\n....")

	if err := ph.AttachProof(ctx, "f2", nil, "image/png"); !errors.Is(err, ErrProofEmpty) {
		t.Errorf("no photo: %v", err)
	}
	if err := ph.AttachProof(ctx, "f2", make([]byte, MaxProof+1), "image/jpeg"); !errors.Is(err, ErrProofLarge) || len(f.asked) != 0 {
		t.Errorf("a photo too large: %v (sent %q)", err, f.asked)
	}
	err := ph.AttachProof(ctx, "f2", []byte("GIF89a"), "image/gif")
	if wire.CodeOf(err) != wire.CodeInvalid {
		t.Fatalf("a GIF: %v", err)
	}
	f.offline = true
	if err := ph.AttachProof(ctx, "f2", photo, "image/png"); !errors.Is(err, syncer.ErrOffline) {
		t.Errorf("offline: %v", err)
	}
	f.offline = false
	if err := ph.AttachProof(ctx, "f2", photo, "image/png"); err != nil {
		t.Fatal(err)
	}
	if string(f.proofs["f2"]) != string(photo) {
		t.Errorf("the server got %q", f.proofs["f2"])
	}
	m, _, _ := ph.Month(ctx)
	rows := flowRows(English, nil, nil, m.Flows, sh)
	i := slices.IndexFunc(rows, func(r flowRow) bool { return r.ID == "f2" })
	if i < 0 || rows[i].Proof != proofAttached || !rows[i].Withdraw {
		t.Errorf("the row after the proof: %+v", rows)
	}
	again := ph.AttachProof(ctx, "f2", photo, "image/png")
	if wire.CodeOf(again) != wire.CodeConflict {
		t.Errorf("a second proof: %v", again)
	}
	fl := f.flows["f2"]
	fl.Proof, fl.State = "", "expired"
	f.flows["f2"] = fl
	late := ph.AttachProof(ctx, "f2", photo, "image/png")

	// Each failure has its own words, in English and in Chinese.
	for _, c := range []struct {
		err    error
		en, zh string
	}{
		{err, "not a readable JPEG or PNG", "JPEG 或 PNG"},
		{late, "within 4 hours", "4 小时内"},
		{again, "closed or has its proof", "已有证明"},
		{ErrProofLarge, "larger than 4 MB", "超过 4 MB"},
		{ErrProofEmpty, "No photo", "未能读取照片"},
		{fmt.Errorf("syncer: %w: dial", syncer.ErrOffline), "No network", "无网络"},
		{wire.Errorf(wire.CodeTransient, "busy"), "did not go through: Not accepted yet", "未能完成：暂未被接受"},
	} {
		if got := requestMessage(English, c.err); !strings.Contains(got, c.en) {
			t.Errorf("%v in English: %q", c.err, got)
		}
		if got := requestMessage(Chinese, c.err); !strings.Contains(got, c.zh) {
			t.Errorf("%v in Chinese: %q", c.err, got)
		}
	}
	for _, c := range []struct {
		err    error
		en, zh string
	}{{ErrMakeupTime, "HH:MM", "时:分"}, {ErrMakeupFuture, "has not come yet", "还没到"}} {
		if got := makeupMessage(English, c.err); !strings.Contains(got, c.en) {
			t.Errorf("%v in English: %q", c.err, got)
		}
		if got := makeupMessage(Chinese, c.err); !strings.Contains(got, c.zh) {
			t.Errorf("%v in Chinese: %q", c.err, got)
		}
	}
}

// TestFlowRowsProof: an offline-declared punch asks for its proof while
// pending and without one, says it is attached once it has one, and asks
// nothing once closed or being withdrawn.
func TestFlowRowsProof(t *testing.T) {
	day := rules.NewDate(2026, 11, 18)
	decl := func(id, state, proof string) PhoneFlow {
		return PhoneFlow{FlowRequest: FlowRequest{ID: id, Kind: KindOffline, Date: day}, State: state, Proof: proof}
	}
	flows := []PhoneFlow{decl("a", "pending", ""), decl("b", "pending", "att"), decl("c", "expired", ""), decl("d", "approved", "att"), decl("e", "pending", "")}
	rows := flowRows(Chinese, nil, []Withdrawal{{ID: "w", FlowID: "e"}}, flows, time.UTC)
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s:%s:%s:%v:%s", r.ID, r.State, r.Proof, r.Withdraw, r.What))
	}
	want := []string{"a:pending:needed:true:离线报备", "b:pending:attached:true:离线报备", "c:expired::false:离线报备", "d:approved:attached:false:离线报备", "e:withdrawing::false:离线报备"}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
}
