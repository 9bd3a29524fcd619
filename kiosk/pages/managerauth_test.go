package pages

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/pin"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/outbox/memstore"
	"punchclock/kiosk/syncer"
)

// TestManagerSignIn: a manager's badge and PIN open a session, checked
// offline against the pulled verifier; an employee's badge is no
// manager's; five wrong PINs lock the sixth attempt unchecked, and the
// lock survives a reload; the session ends after a minute untouched.
func TestManagerSignIn(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	verifier, err := pin.Hash("480213")
	if err != nil {
		t.Fatal(err)
	}
	store := memstore.New()
	open := func() *Env {
		ob, err := outbox.Open(ctx, store, outbox.Options{Clock: clk.now})
		if err != nil {
			t.Fatal(err)
		}
		env := &Env{Outbox: ob, Client: http.DefaultClient, Clock: clk.now,
			StartSync: func(string, func()) (*syncer.Syncer, error) { return nil, nil }}
		if err := env.start(ctx); err != nil {
			t.Fatal(err)
		}
		return env
	}
	env := open()
	if err := env.Outbox.SetPull(ctx, outbox.PullState{Cursor: "1", Site: &site,
		Departments: []attendance.Department{{ID: "hq"}, {ID: "retail", ParentID: "hq"}, {ID: "east", ParentID: "retail"}, {ID: "works", ParentID: "hq"}},
		Employees: []attendance.Employee{
			{ID: "E002", Name: "Wang Fang", BadgeCode: "PC-0002", DepartmentID: "retail", Active: true},
			{ID: "E004", Name: "Li Na", BadgeCode: "PC-0004", DepartmentID: "retail", Active: true},
		},
		Managers: []wire.KioskManager{{EmployeeID: "E002", Role: "manager", DepartmentID: "retail", PINHash: verifier}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.ManagerFor(ctx, "PC-0004"); !errors.Is(err, ErrNotManager) {
		t.Errorf("an employee's badge: %v", err)
	}
	if _, _, err := env.ManagerFor(ctx, "PC-9999"); !errors.Is(err, ErrNotManager) {
		t.Errorf("an unknown badge: %v", err)
	}
	m, emp, err := env.ManagerFor(ctx, "PC-0002")
	if err != nil || m.EmployeeID != "E002" || emp.Name != "Wang Fang" {
		t.Fatalf("the manager's badge: %+v %+v %v", m, emp, err)
	}
	for i := range pin.MaxFailures {
		if _, err := env.SignInManager(ctx, m, emp, "000001"); !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("wrong PIN %d: %v", i+1, err)
		}
	}
	env = open() // a reload keeps the count
	if _, err := env.SignInManager(ctx, m, emp, "480213"); !errors.Is(err, pin.ErrLocked) {
		t.Fatalf("the 6th attempt, right PIN, after a reload: %v", err)
	}
	if _, ok := env.Manager(false); ok {
		t.Fatal("signed in while locked")
	}
	clk.add(pin.LockFor)
	if _, err := env.SignInManager(ctx, m, emp, "480213"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	s, ok := env.Manager(true)
	if !ok || s.EmployeeID != "E002" || !s.Reviews("east", []attendance.Department{{ID: "retail", ParentID: "hq"}, {ID: "east", ParentID: "retail"}}) || s.Reviews("works", nil) {
		t.Fatalf("session: %+v %v", s, ok)
	}
	clk.add(ManagerIdle - time.Second)
	if _, ok := env.Manager(true); !ok {
		t.Fatal("the session ended before a minute untouched")
	}
	clk.add(ManagerIdle)
	if _, ok := env.Manager(false); ok {
		t.Error("the session outlived a minute untouched")
	}
}
