package emulator_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
	"punchclock/server/internal/terminal"
	"punchclock/server/internal/terminal/emulator"
)

// TestCatchUp: a DATA QUERY ATTLOG command makes the emulator upload the
// records of its range again, which are stored once; CHECK uploads what
// the server has not acknowledged; an unknown command is answered with an
// error code, kept with the queue.
func TestCatchUp(t *testing.T) {
	ctx := context.Background()
	st := sqlstoretest.Backends()[0].Open(t)
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	st.PutSite(ctx, attendance.Site{ID: "s1", Name: "S", Zone: "Asia/Shanghai"})
	st.PutDepartment(ctx, attendance.Department{ID: "d1", Name: "D"})
	st.PutEmployee(ctx, attendance.Employee{ID: "e1", Name: "A", DepartmentID: "d1", SiteID: "s1", BadgeCode: "1", Active: true})
	if _, err := st.PutTerminal(ctx, store.Terminal{Serial: "SN1", SiteID: "s1"}); err != nil {
		t.Fatal(err)
	}
	svc := &terminal.Service{Store: st, Now: func() time.Time { return now }}
	srv := httptest.NewServer(svc.Handler(nil))
	t.Cleanup(srv.Close)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	term := emulator.New("SN1", srv.URL, func() time.Time { return now }, sh)
	if _, err := term.Handshake(ctx); err != nil {
		t.Fatal(err)
	}
	term.PunchAt("1", terminal.VerifyFingerprint, "2026-11-19 08:55:00")
	term.PunchAt("1", terminal.VerifyFingerprint, "2026-11-19 18:05:00")
	if _, err := term.Upload(ctx); err != nil {
		t.Fatal(err)
	}
	from, _ := time.Parse(terminal.LocalLayout, "2026-11-19 00:00:00")
	to, _ := time.Parse(terminal.LocalLayout, "2026-11-19 23:59:59")
	for _, c := range []string{terminal.QueryATTLOG(from, to), "CHECK", "REBOOT NOW"} {
		if _, err := st.QueueTerminalCommand(ctx, "SN1", c, now); err != nil {
			t.Fatal(err)
		}
	}
	term.PunchAt("1", terminal.VerifyCard, "2026-11-20 08:59:00") // CHECK sends it
	if _, err := term.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	ps, err := st.Punches(ctx, store.PunchFilter{DeviceID: terminal.DeviceID("SN1")})
	if err != nil || len(ps) != 3 {
		t.Fatalf("%d punches after the catch-up, want 3: %v", len(ps), err)
	}
	cs, _ := st.TerminalCommands(ctx, "SN1", 10)
	byText := map[string]store.TerminalCommand{}
	for _, c := range cs {
		byText[c.Command] = c
	}
	if c := byText[terminal.QueryATTLOG(from, to)]; !c.Done || c.Return != 0 {
		t.Errorf("query: %+v", c)
	}
	if c := byText["CHECK"]; !c.Done || c.Return != 0 {
		t.Errorf("check: %+v", c)
	}
	if c := byText["REBOOT NOW"]; !c.Done || c.Return >= 0 {
		t.Errorf("unknown command: %+v", c)
	}
}
