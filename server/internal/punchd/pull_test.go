package punchd_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
	"punchclock/server/internal/terminal"
	"punchclock/server/internal/zkpull/emulator"
	"punchclock/server/internal/zkpull/zkproto"
)

// TestPullTerminal reads a terminal that speaks the older pull protocol
// (the zkpull emulator on TCP) through punchd's poller, on both
// databases: nothing is read before an admin registers its address; its
// records become punches in the site's zone with their methods, once
// however often the log is read; its clock two hours slow is flagged; a
// device that answers at a registered address under another serial
// stores nothing; a bad address is refused.
func TestPullTerminal(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		clk := &clock{t: t0}
		m, admin := server(t, db, clk)
		base, ctx := m.URL(), context.Background()
		sh, _ := time.LoadLocation("Asia/Shanghai")
		// The terminal's clock: Shanghai's wall time, two hours slow.
		naive := func() time.Time {
			w := clk.Now().In(sh).Add(-2 * time.Hour)
			return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)
		}
		day := t0.In(sh)
		at := func(h, mi int) time.Time { return time.Date(day.Year(), day.Month(), day.Day(), h, mi, 0, 0, time.UTC) }
		term, err := emulator.Start("127.0.0.1:0", emulator.Config{Serial: "ZKP0001", Clock: naive, InlineBelow: 1 << 20, Records: []zkproto.Attendance{
			{UID: 4, PIN: "PC0004", Time: at(6, 55), Verify: 1},
			{UID: 4, PIN: "PC0004", Time: at(6, 58), Verify: 15, State: 1},
		}})
		if err != nil {
			t.Fatal(err)
		}
		defer term.Close()
		rogue, err := emulator.Start("127.0.0.1:0", emulator.Config{Serial: "ROGUE1", InlineBelow: 1 << 20, Records: []zkproto.Attendance{{UID: 4, PIN: "PC0004", Time: at(7, 0), Verify: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		defer rogue.Close()

		if err := m.Pull.Poll(ctx); err != nil {
			t.Fatalf("a poll with no pull terminal: %v", err)
		}
		for _, bad := range []string{`"10.0.0.1"`, `"host:0"`, `"a b:4370"`, `"h:99999"`} {
			if st, _ := call(t, "PUT", base+"/api/v1/admin/terminals/ZKP0001", "Bearer "+admin, []byte(`{"site_id":"sh-jingan","pull_addr":`+bad+`}`), nil); st != 400 {
				t.Errorf("pull_addr %s: %d, want 400", bad, st)
			}
		}
		for serial, addr := range map[string]string{"ZKP0001": term.Addr(), "ZKP0002": rogue.Addr()} {
			if st, eb := call(t, "PUT", base+"/api/v1/admin/terminals/"+serial, "Bearer "+admin, []byte(`{"site_id":"sh-jingan","name":"Gate","pull_addr":"`+addr+`"}`), nil); st != 200 {
				t.Fatalf("register %s: %d %+v", serial, st, eb)
			}
		}
		for round := range 2 {
			if err := m.Pull.Poll(ctx); !errors.Is(err, terminal.ErrWrongTerminal) {
				t.Fatalf("round %d: %v, want the rogue device refused", round, err)
			}
			ps := terminalPunches(t, m, "ZKP0001")
			if len(ps) != 2 {
				t.Fatalf("round %d: %d punches, want 2", round, len(ps))
			}
			// 06:55 on a clock two hours slow, in Shanghai: 08:55 there,
			// corrected by the measured offset and flagged.
			want := time.Date(day.Year(), day.Month(), day.Day(), 8, 55, 0, 0, sh)
			if p := ps[0]; !p.TrueTime.Equal(want) || p.Method != attendance.MethodFingerprint || p.EmployeeID != "E004" || p.Status != store.PunchAccepted {
				t.Errorf("round %d: first punch %v %s %s %s, want %v fingerprint E004 accepted", round, p.TrueTime.In(sh), p.Method, p.EmployeeID, p.Status, want)
			}
			if ps[1].Method != attendance.MethodFace {
				t.Errorf("round %d: second punch %s, want face", round, ps[1].Method)
			}
		}
		for _, serial := range []string{"ZKP0002", "ROGUE1"} {
			if ps := terminalPunches(t, m, serial); len(ps) != 0 {
				t.Errorf("%s: %d punches stored from a device that is not it", serial, len(ps))
			}
		}
		l := listTerminals(t, base, admin)
		for _, x := range l.Terminals {
			if x.Serial == "ZKP0001" && (!x.ClockFlagged || x.PullAddr != term.Addr()) {
				t.Errorf("ZKP0001 listed %+v: want its pull address and its clock flagged", x)
			}
		}
	})
}
