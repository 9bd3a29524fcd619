package storetest

import (
	"errors"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

// testAccounts: users by id and by login, a login taken twice is a
// conflict; sessions by hash, touched forward only, ended one by one or
// all of a user's at once.
func testAccounts(t *testing.T, s store.Store) {
	u := store.User{ID: "u-1", Login: "li.na@example.com", Name: "李娜", Role: "manager", DepartmentID: "retail", EmployeeID: "E002",
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Active: true, CreatedAt: T0, UpdatedAt: T0}
	got := must(s.PutUser(ctx, u))
	if got != u {
		t.Fatalf("put user: %+v, want %+v", got, u)
	}
	if byLogin := must(s.UserByLogin(ctx, u.Login)); byLogin != u {
		t.Errorf("user by login: %+v", byLogin)
	}
	if _, err := s.UserByLogin(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown login: %v", err)
	}
	if _, err := s.PutUser(ctx, store.User{ID: "u-2", Login: u.Login, Role: "employee", Active: true, CreatedAt: T0, UpdatedAt: T0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second account with the same login: %v, want conflict", err)
	}
	u.Active, u.UpdatedAt = false, T0.Add(time.Hour)
	if got := must(s.PutUser(ctx, u)); got.Active || !got.UpdatedAt.Equal(u.UpdatedAt) || !got.CreatedAt.Equal(T0) {
		t.Errorf("updated user: %+v", got)
	}
	if us := must(s.Users(ctx)); len(us) != 1 || us[0].ID != "u-1" {
		t.Errorf("users: %+v", us)
	}

	sess := store.Session{Hash: "h1", UserID: "u-1", CSRF: "c1", Addr: "10.0.0.7", CreatedAt: T0, LastSeen: T0, ExpiresAt: T0.Add(12 * time.Hour)}
	mustDo(s.PutSession(ctx, sess))
	mustDo(s.PutSession(ctx, store.Session{Hash: "h2", UserID: "u-1", CSRF: "c2", CreatedAt: T0, LastSeen: T0, ExpiresAt: T0.Add(time.Hour)}))
	if got := must(s.Session(ctx, "h1")); got != sess {
		t.Errorf("session: %+v, want %+v", got, sess)
	}
	mustDo(s.TouchSession(ctx, "h1", T0.Add(10*time.Minute)))
	mustDo(s.TouchSession(ctx, "h1", T0.Add(5*time.Minute)))
	if got := must(s.Session(ctx, "h1")); !got.LastSeen.Equal(T0.Add(10 * time.Minute)) {
		t.Errorf("touched session last seen %v, want the later touch", got.LastSeen)
	}
	mustDo(s.DeleteSession(ctx, "h1"))
	if _, err := s.Session(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
	if n := must(s.DeleteSessions(ctx, "u-1")); n != 1 {
		t.Errorf("deleted %d sessions, want 1", n)
	}
	if _, err := s.Session(ctx, "h2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session after all were ended: %v", err)
	}
}
