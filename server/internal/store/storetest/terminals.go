package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

// termPunch is punchN as a terminal's punch (its own device id).
func termPunch(n int, at time.Time) store.StoredPunch {
	p := punchN(n, at)
	p.DeviceID = "terminal:T1"
	p.Sig = []byte{}
	return p
}

func testTerminals(t *testing.T, s store.Store) {
	seedOrg(t, s)
	// A serial that calls is pending until accepted.
	got := must(s.SeeTerminal(ctx, "T1", T0, "10.0.0.9", "pushver=2.4.1"))
	if got.State != store.TerminalPending || !got.FirstSeen.Equal(T0) || got.Info != "pushver=2.4.1" {
		t.Fatalf("SeeTerminal = %+v, want pending, first seen at T0", got)
	}
	if _, err := s.TerminalPunches(ctx, "nope", []store.StoredPunch{termPunch(1, T0)}, "ATTLOG", "1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TerminalPunches(unknown serial) err = %v, want ErrNotFound", err)
	}
	got = must(s.PutTerminal(ctx, store.Terminal{Serial: "T1", Name: "Door", SiteID: "s1", Zone: "Europe/Berlin", PullAddr: "10.0.8.21:4370"}))
	if got.State != store.TerminalActive || got.Name != "Door" || got.Zone != "Europe/Berlin" || got.PullAddr != "10.0.8.21:4370" || !got.FirstSeen.Equal(T0) {
		t.Fatalf("PutTerminal = %+v", got)
	}
	// A second call keeps the info it had when it says nothing.
	got = must(s.SeeTerminal(ctx, "T1", T0.Add(time.Minute), "10.0.0.9", ""))
	if got.Info != "pushver=2.4.1" || !got.SeenAt.Equal(T0.Add(time.Minute)) {
		t.Errorf("SeeTerminal again = %+v", got)
	}

	// Punches: stored once, whatever is sent again; the stamp kept.
	batch := []store.StoredPunch{termPunch(1, T0), termPunch(2, T0.Add(time.Hour))}
	if n := must(s.TerminalPunches(ctx, "T1", batch, "ATTLOG", "100")); n != 2 {
		t.Errorf("TerminalPunches stored %d, want 2", n)
	}
	if n := must(s.TerminalPunches(ctx, "T1", append(batch, termPunch(3, T0.Add(2*time.Hour))), "ATTLOG", "200")); n != 1 {
		t.Errorf("TerminalPunches again stored %d, want only the new one", n)
	}
	must(s.TerminalPunches(ctx, "T1", nil, "OPERLOG", "7"))
	got = must(s.Terminal(ctx, "T1"))
	if got.ATTLogStamp != "200" || got.OperLogStamp != "7" {
		t.Errorf("stamps = %q, %q; want 200, 7", got.ATTLogStamp, got.OperLogStamp)
	}
	if ps := must(s.Punches(ctx, store.PunchFilter{DeviceID: "terminal:T1"})); len(ps) != 3 {
		t.Errorf("terminal punches = %d, want 3", len(ps))
	}
	mustDo(s.SetTerminalClock(ctx, "T1", -7200000, T0))
	if got = must(s.Terminal(ctx, "T1")); got.OffsetMS != -7200000 || !got.ClockAt.Equal(T0) {
		t.Errorf("clock = %d at %v", got.OffsetMS, got.ClockAt)
	}

	// Roster: applied only from the version it was computed against.
	r := store.TerminalRoster{From: 0, To: 5, Put: []store.TerminalUser{{PIN: "B1", Name: "Li Wei"}, {PIN: "B2", Name: "Anna"}},
		Commands: []string{"DATA UPDATE USERINFO PIN=B1", "DATA UPDATE USERINFO PIN=B2"}}
	if ok := must(s.QueueTerminalRoster(ctx, "T1", r, T0)); !ok {
		t.Fatal("QueueTerminalRoster from 0 = false")
	}
	if ok := must(s.QueueTerminalRoster(ctx, "T1", r, T0)); ok {
		t.Error("QueueTerminalRoster from a stale version = true")
	}
	must(s.QueueTerminalRoster(ctx, "T1", store.TerminalRoster{From: 5, To: 6, Delete: []string{"B2"}, Commands: []string{"DATA DELETE USERINFO PIN=B2"}}, T0))
	if us := must(s.TerminalUsers(ctx, "T1")); !slices.Equal(us, []store.TerminalUser{{PIN: "B1", Name: "Li Wei"}}) {
		t.Errorf("TerminalUsers = %+v", us)
	}
	mustDo(s.ForgetTerminalUser(ctx, "T1", "B1"))
	if us := must(s.TerminalUsers(ctx, "T1")); len(us) != 0 {
		t.Errorf("TerminalUsers after ForgetTerminalUser = %+v", us)
	}
	info := must(s.QueueTerminalCommand(ctx, "T1", "INFO", T0))

	// Commands: handed out once, in order, again after resend; a result
	// ends them.
	cs := must(s.NextTerminalCommands(ctx, "T1", T0, T0.Add(-10*time.Minute), 2))
	if len(cs) != 2 || cs[0].Command != "DATA UPDATE USERINFO PIN=B1" || cs[0].ID >= cs[1].ID {
		t.Fatalf("NextTerminalCommands = %+v", cs)
	}
	rest := must(s.NextTerminalCommands(ctx, "T1", T0, T0.Add(-10*time.Minute), 10))
	if len(rest) != 2 || rest[1].ID != info.ID {
		t.Fatalf("NextTerminalCommands after = %+v, want the delete and INFO", rest)
	}
	mustDo(s.FinishTerminalCommand(ctx, "T1", cs[0].ID, 0, "DATA", T0))
	mustDo(s.FinishTerminalCommand(ctx, "T1", cs[1].ID, -1, "DATA", T0))
	if err := s.FinishTerminalCommand(ctx, "T2", info.ID, 0, "INFO", T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishTerminalCommand of another terminal err = %v, want ErrNotFound", err)
	}
	later := T0.Add(11 * time.Minute)
	again := must(s.NextTerminalCommands(ctx, "T1", later, later.Add(-10*time.Minute), 10))
	if len(again) != 2 || again[0].ID != rest[0].ID {
		t.Errorf("resent = %+v, want the two without a result", again)
	}
	all := must(s.TerminalCommands(ctx, "T1", 10))
	if len(all) != 4 || all[0].ID != info.ID || !all[3].Done || all[3].Return != 0 || !all[2].Done || all[2].Return != -1 {
		t.Errorf("TerminalCommands = %+v", all)
	}

	// Bad text is refused before any query.
	if _, err := s.SeeTerminal(ctx, "T\x001", T0, "", ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SeeTerminal(NUL) err = %v, want ErrInvalid", err)
	}
	if _, err := s.QueueTerminalCommand(ctx, "T1", "INFO\xff", T0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("QueueTerminalCommand(invalid UTF-8) err = %v, want ErrInvalid", err)
	}

	// Deleting forgets the terminal, its queue and roster, not its punches.
	mustDo(s.DeleteTerminal(ctx, "T1"))
	if err := s.DeleteTerminal(ctx, "T1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteTerminal twice err = %v, want ErrNotFound", err)
	}
	if ts := must(s.Terminals(ctx)); len(ts) != 0 {
		t.Errorf("Terminals after delete = %+v", ts)
	}
	if cs := must(s.TerminalCommands(ctx, "T1", 10)); len(cs) != 0 {
		t.Errorf("commands after delete = %+v", cs)
	}
	if ps := must(s.Punches(ctx, store.PunchFilter{DeviceID: "terminal:T1"})); len(ps) != 3 {
		t.Errorf("terminal punches after delete = %d, want 3", len(ps))
	}
}
