package punchd_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/changefeed"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
	"punchclock/server/internal/terminal"
	"punchclock/server/internal/terminal/emulator"
	"punchclock/server/internal/webhook"
)

// terminalList is GET /admin/terminals as the admin sees it.
type terminalList struct {
	Terminals []struct {
		store.Terminal
		ClockFlagged bool                    `json:"clock_flagged"`
		Commands     []store.TerminalCommand `json:"commands"`
	} `json:"terminals"`
}

func listTerminals(t *testing.T, base, admin string) terminalList {
	t.Helper()
	var out terminalList
	if st, eb := call(t, "GET", base+"/api/v1/admin/terminals", "Bearer "+admin, nil, &out); st != 200 {
		t.Fatalf("list terminals: %d %+v", st, eb)
	}
	return out
}

func terminalPunches(t *testing.T, m *punchd.Main, serial string) []store.StoredPunch {
	t.Helper()
	ps, err := m.Store.Punches(context.Background(), store.PunchFilter{DeviceID: terminal.DeviceID(serial)})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestTerminalPush runs a ZKTeco terminal (the emulator) against punchd on
// both databases: refused and listed while unknown, accepted by an admin,
// its handshake, the roster pushed as commands and their results kept, a
// week of records from a terminal that was offline, a batch sent again
// stored once, a roster change reaching it, an unknown PIN parked, and a
// terminal whose clock is two hours off flagged and corrected.
func TestTerminalPush(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		clk := &clock{t: t0}
		m, admin := server(t, db, clk)
		base := m.URL()
		ctx := context.Background()
		sh, _ := time.LoadLocation("Asia/Shanghai")
		term := emulator.New("CQQC220960011", base, clk.Now, sh)

		// Unknown: refused, listed pending, nothing of its records kept.
		if _, err := term.Handshake(ctx); !errors.Is(err, emulator.ErrRefused) {
			t.Fatalf("handshake of an unknown serial: %v, want refused", err)
		}
		term.Punch("PC0004", terminal.VerifyFingerprint)
		if _, err := term.Upload(ctx); !errors.Is(err, emulator.ErrRefused) {
			t.Fatalf("upload of an unknown serial: %v, want refused", err)
		}
		if ps := terminalPunches(t, m, term.Serial); len(ps) != 0 {
			t.Fatalf("an unknown terminal's records stored: %d", len(ps))
		}
		l := listTerminals(t, base, admin)
		if len(l.Terminals) != 1 || l.Terminals[0].Serial != term.Serial || l.Terminals[0].State != store.TerminalPending {
			t.Fatalf("terminals: %+v, want it pending", l)
		}
		if st, eb := call(t, "POST", base+"/api/v1/admin/terminals/"+term.Serial+"/accept", "Bearer "+admin, []byte(`{"site_id":"sh-jingan","name":"Front door"}`), nil); st != 200 {
			t.Fatalf("accept: %d %+v", st, eb)
		}

		// Handshake: its options, no stamp yet, the zone's offset.
		opts, err := term.Handshake(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if opts["ATTLOGStamp"] != "None" || opts["TimeZone"] != "8" || opts["Realtime"] != "1" || !strings.Contains(opts["TransFlag"], "AttLog") {
			t.Errorf("options: %v", opts)
		}
		// The record it kept while refused goes now.
		if n, err := term.Upload(ctx); err != nil || n != 1 {
			t.Fatalf("upload of the record kept while refused: %d %v", n, err)
		}

		// The roster reaches it as commands; their results are kept.
		cs, err := term.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if users := term.Users(); len(users) != 19 || users["PC0004"] != "Li Na 李娜" {
			t.Fatalf("%d users after the first poll (commands %d): %v", len(users), len(cs), users)
		}
		if cs, _ := term.Poll(ctx); len(cs) != 0 {
			t.Errorf("a second poll got %d commands, want none", len(cs))
		}
		l = listTerminals(t, base, admin)
		if c := l.Terminals[0].Commands; len(c) == 0 || !c[0].Done || c[0].Return != 0 {
			t.Errorf("commands in the list: %+v", c)
		}

		// A week offline: every record arrives, each a punch at its
		// instant, its method from the verify code, the raw codes kept.
		before := len(terminalPunches(t, m, term.Serial))
		for d := 7; d >= 1; d-- {
			day := t0.In(sh).AddDate(0, 0, -d).Format("2006-01-02")
			term.PunchAt("PC0004", terminal.VerifyFingerprint, day+" 08:55:00")
			term.PunchAt("PC0004", terminal.VerifyCard, day+" 18:05:00")
		}
		if n, err := term.Upload(ctx); err != nil || n != 14 {
			t.Fatalf("a week's upload: %d %v", n, err)
		}
		ps := terminalPunches(t, m, term.Serial)
		if len(ps) != before+14 {
			t.Fatalf("%d punches after a week's upload, want %d", len(ps), before+14)
		}
		first := ps[0]
		wantFirst := time.Date(2026, 11, 13, 8, 55, 0, 0, sh)
		if !first.TrueTime.Equal(wantFirst) || first.Method != attendance.MethodFingerprint || first.EmployeeID != "E004" || first.Status != store.PunchAccepted ||
			first.Evidence.Terminal == nil || first.Evidence.Terminal.Verify != 1 || first.Evidence.Terminal.LocalTime != "2026-11-13 08:55:00" {
			t.Errorf("first punch: %+v at %v (want %v)", first.Punch, first.TrueTime, wantFirst)
		}
		if !slices.ContainsFunc(ps, func(p store.StoredPunch) bool { return p.Method == attendance.MethodCard }) {
			t.Error("no card punch")
		}

		// The same batch again: answered OK, stored once.
		if n, err := term.ResendLast(ctx); err != nil || n != 14 {
			t.Fatalf("resend: %d %v", n, err)
		}
		if got := len(terminalPunches(t, m, term.Serial)); got != before+14 {
			t.Errorf("%d punches after the batch came again, want %d", got, before+14)
		}
		// The stamp comes back at the next handshake.
		if opts, err := term.Handshake(ctx); err != nil || opts["ATTLOGStamp"] != "15" {
			t.Errorf("stamp after the uploads: %v %v", opts["ATTLOGStamp"], err)
		}

		// A catch-up by hand: the terminal uploads the week again, which
		// stores nothing new; the command's result is kept.
		week := `{"kind":"catch_up","from":"` + t0.In(sh).AddDate(0, 0, -7).Format(time.DateOnly) + `","to":"` + t0.In(sh).Format(time.DateOnly) + `"}`
		if st, eb := call(t, "POST", base+"/api/v1/admin/terminals/"+term.Serial+"/commands", "Bearer "+admin, []byte(week), nil); st != 201 {
			t.Fatalf("catch-up: %d %+v", st, eb)
		}
		if cs, err := term.Poll(ctx); err != nil || !slices.ContainsFunc(cs, func(c terminal.Command) bool { return strings.HasPrefix(c.Text, "DATA QUERY ATTLOG ") }) {
			t.Fatalf("catch-up poll: %+v %v", cs, err)
		}
		if got := len(terminalPunches(t, m, term.Serial)); got != before+14 {
			t.Errorf("%d punches after the catch-up, want %d", got, before+14)
		}

		// A roster change: a rename, a move and a leaver reach the terminal.
		var e5, e6, e8 attendance.Employee
		call(t, "GET", base+"/api/v1/employees/E005", "Bearer "+admin, nil, &e5)
		call(t, "GET", base+"/api/v1/employees/E006", "Bearer "+admin, nil, &e6)
		call(t, "GET", base+"/api/v1/employees/E008", "Bearer "+admin, nil, &e8)
		e5.Name, e6.SiteID, e8.Active = "Liu Yang 刘阳", "muc-works", false
		for _, e := range []attendance.Employee{e5, e6, e8} {
			if st, eb := call(t, "PUT", base+"/api/v1/employees/"+e.ID, "Bearer "+admin, jsonBody(t, e), nil); st != 200 {
				t.Fatalf("put %s: %d %+v", e.ID, st, eb)
			}
		}
		cs, err = term.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		users := term.Users()
		cs = slices.DeleteFunc(cs, func(c terminal.Command) bool { return c.Text == "INFO" }) // queued at the handshake
		if _, has8 := users["PC0008"]; len(cs) != 3 || users["PC0005"] != "Liu Yang 刘阳" || users["PC0006"] != "" || has8 {
			t.Errorf("after the change: commands %+v, users %v", cs, users)
		}
		l = listTerminals(t, base, admin)
		for _, c := range l.Terminals[0].Commands[:3] {
			if !c.Done || c.Return != 0 || !strings.Contains(c.Command, "USERINFO") {
				t.Errorf("the change's command in the list: %+v", c)
			}
		}

		// A PIN that is nobody's, and a leaver's: answered, kept
		// rejected, not lost.
		term.Punch("999", terminal.VerifyPIN)
		term.Punch("PC0008", terminal.VerifyFingerprint)
		if n, err := term.Upload(ctx); err != nil || n != 2 {
			t.Fatalf("upload of an unknown PIN: %d %v", n, err)
		}
		ps = terminalPunches(t, m, term.Serial)
		last := ps[slices.IndexFunc(ps, func(p store.StoredPunch) bool { return p.Evidence.Terminal.PIN == "999" })]
		if last.Status != store.PunchRejected || last.Code != string(wire.CodeNotFound) || !slices.Contains(last.Flags, terminal.FlagUnknownPIN) || last.Method != attendance.MethodTerminal {
			t.Errorf("unknown PIN punch: %+v %s %s %v", last.Punch, last.Status, last.Code, last.Flags)
		}
		leaver := ps[slices.IndexFunc(ps, func(p store.StoredPunch) bool { return p.Evidence.Terminal.PIN == "PC0008" })]
		if leaver.Status != store.PunchRejected || leaver.Code != string(wire.CodeInvalid) || leaver.EmployeeID != "E008" {
			t.Errorf("leaver's punch: %+v %s %s", leaver.Punch, leaver.Status, leaver.Code)
		}

		// The change feed and the webhooks see the terminal's punches: the
		// week's days of E004 changed, a punch.accepted event each; the
		// unknown PIN's record changes no one's day.
		w, err := m.API.Feed.Read(ctx, changefeed.Position{At: t0.Add(-time.Hour)}, changefeed.Position{At: clk.Now().Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		accepted := 0
		for _, ev := range webhook.Events(w) {
			if ev.Type == webhook.PunchAccepted && strings.Contains(ev.Body, terminal.DeviceID(term.Serial)) {
				accepted++
			}
		}
		if accepted != 15 || !slices.ContainsFunc(w.Changes, func(c *changefeed.Change) bool { return c.EmployeeID == "E004" }) ||
			slices.ContainsFunc(w.Changes, func(c *changefeed.Change) bool { return c.EmployeeID == "" }) {
			t.Errorf("feed: %d terminal punches accepted (want 15), changes %+v", accepted, w.Changes)
		}

		// A terminal two hours ahead that does not set its clock from the
		// server: its INFO tells it, it is flagged, and its punches are
		// corrected and flagged as a kiosk's are.
		fast := emulator.New("AEH2193660123", base, clk.Now, sh)
		fast.SyncClock, fast.Skew = false, 2*time.Hour
		if st, eb := call(t, "PUT", base+"/api/v1/admin/terminals/"+fast.Serial, "Bearer "+admin, []byte(`{"site_id":"sh-jingan","name":"Back door"}`), nil); st != 200 {
			t.Fatalf("put terminal: %d %+v", st, eb)
		}
		if _, err := fast.Handshake(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := fast.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		l = listTerminals(t, base, admin)
		if tv := l.Terminals[0]; tv.Serial != fast.Serial || !tv.ClockFlagged || tv.OffsetMS != -2*3600*1000 {
			t.Errorf("fast terminal in the list: %+v", tv)
		}
		fast.Punch("PC0007", terminal.VerifyFace)
		if _, err := fast.Upload(ctx); err != nil {
			t.Fatal(err)
		}
		fp := terminalPunches(t, m, fast.Serial)
		if len(fp) != 1 || !fp[0].TrueTime.Equal(clk.Now()) || !slices.Contains(fp[0].Flags, wire.FlagClockSkew) || fp[0].Method != attendance.MethodFace {
			t.Errorf("fast terminal's punch: %v flags %v (now %v)", fp, fp[0].Flags, clk.Now())
		}

		// Set right, it is measured again within ClockCheck and no longer
		// corrected.
		fast.Skew = 0
		clk.Set(clk.Now().Add(terminal.ClockCheck + time.Minute))
		if cs, err := fast.Poll(ctx); err != nil || len(cs) != 1 || cs[0].Text != "INFO" {
			t.Fatalf("INFO asked again: %+v %v", cs, err)
		}
		if tv := listTerminals(t, base, admin).Terminals[0]; tv.ClockFlagged || tv.OffsetMS != 0 {
			t.Errorf("fast terminal set right: %+v", tv)
		}
		fast.Punch("PC0007", terminal.VerifyFace)
		if _, err := fast.Upload(ctx); err != nil {
			t.Fatal(err)
		}
		if fp := terminalPunches(t, m, fast.Serial); len(fp) != 2 || !fp[1].TrueTime.Equal(clk.Now()) || slices.Contains(fp[1].Flags, wire.FlagClockSkew) {
			t.Errorf("punch once set right: %+v", fp)
		}

		// Deleting forgets it: its next call is refused and pending again.
		if st, _ := call(t, "DELETE", base+"/api/v1/admin/terminals/"+fast.Serial, "Bearer "+admin, nil, nil); st != 204 {
			t.Errorf("delete: %d", st)
		}
		if _, err := fast.Handshake(ctx); !errors.Is(err, emulator.ErrRefused) {
			t.Errorf("handshake after delete: %v", err)
		}
	})
}

// TestTerminalDST reads a Munich terminal's local times across both DST
// changes: the ambiguous autumn hour is its first instant, the skipped
// spring hour is read with the offset before the jump; both flagged.
func TestTerminalDST(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		clk := &clock{t: t0}
		m, admin := server(t, db, clk)
		base, ctx := m.URL(), context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		term := emulator.New("MUCDOOR1", base, clk.Now, berlin)
		if st, eb := call(t, "PUT", base+"/api/v1/admin/terminals/"+term.Serial, "Bearer "+admin, []byte(`{"site_id":"muc-works","zone":"Europe/Berlin"}`), nil); st != 200 {
			t.Fatalf("put terminal: %d %+v", st, eb)
		}
		check := func(now time.Time, local string, want time.Time, flag string) {
			t.Helper()
			clk.Set(now)
			if _, err := term.Handshake(ctx); err != nil {
				t.Fatal(err)
			}
			term.PunchAt("PC0021", terminal.VerifyFingerprint, local)
			if _, err := term.Upload(ctx); err != nil {
				t.Fatal(err)
			}
			ps := terminalPunches(t, m, term.Serial)
			i := slices.IndexFunc(ps, func(p store.StoredPunch) bool { return p.Evidence.Terminal.LocalTime == local })
			if i < 0 || !ps[i].TrueTime.Equal(want) || (flag != "") != slices.Contains(ps[i].Flags, flag) || ps[i].Status != store.PunchAccepted {
				t.Errorf("%s: %+v, want %v flagged %q", local, ps, want, flag)
			}
		}
		autumn := time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC)
		check(autumn, "2026-10-25 01:30:00", time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC), "")
		check(autumn, "2026-10-25 02:30:00", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), terminal.FlagTimeAmbiguous)
		check(autumn, "2026-10-25 03:30:00", time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), "")
		spring := time.Date(2027, 3, 28, 12, 0, 0, 0, time.UTC)
		check(spring, "2027-03-28 02:30:00", time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC), terminal.FlagTimeSkipped)
		check(spring, "2027-03-28 03:30:00", time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC), "")
	})
}
