package pin

import (
	"errors"
	"testing"
	"time"
)

func TestValid(t *testing.T) {
	for p, ok := range map[string]bool{"480213": true, "90417362": true, "12345": false, "123456": false, "987654": false, "111111": false, "12a456": false, "123456789": false, "": false} {
		if err := Valid(p); (err == nil) != ok {
			t.Errorf("Valid(%q) = %v, want ok=%v", p, err, ok)
		}
	}
}

// TestGuard: five wrong PINs lock; the sixth attempt, even the right PIN,
// is refused without checking until the lock is over; a right PIN clears
// the count.
func TestGuard(t *testing.T) {
	v, err := Hash("480213")
	if err != nil {
		t.Fatal(err)
	}
	if !Check(v, "480213") || Check(v, "480214") || Check("garbage", "480213") || Check(v[:len(v)-4], "480213") {
		t.Fatal("Check does not tell the right PIN from the wrong or a broken verifier")
	}
	now := time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)
	var g Guard
	var ok bool
	g, ok, _ = g.Try(v, "000001", now)
	g, ok, _ = g.Try(v, "480213", now)
	if !ok || g.Failures != 0 {
		t.Fatalf("a right PIN after a wrong one: %+v %v", g, ok)
	}
	for i := range MaxFailures {
		if g, ok, err = g.Try(v, "000001", now); ok || err != nil {
			t.Fatalf("wrong PIN %d: %+v %v %v", i+1, g, ok, err)
		}
	}
	if g.LockedUntil != now.Add(LockFor) {
		t.Fatalf("after %d wrong PINs: %+v", MaxFailures, g)
	}
	if _, ok, err := g.Try(v, "480213", now.Add(LockFor-time.Second)); ok || !errors.Is(err, ErrLocked) {
		t.Errorf("the 6th attempt, right PIN, while locked: %v %v", ok, err)
	}
	if g2, ok, err := g.Try(v, "480213", now.Add(LockFor)); !ok || err != nil || g2 != (Guard{}) {
		t.Errorf("after the lock: %+v %v %v", g2, ok, err)
	}
	if g2, _, _ := g.Try(v, "000001", now.Add(LockFor)); g2.Failures != 1 || !g2.LockedUntil.IsZero() {
		t.Errorf("a wrong PIN after the lock starts a fresh count: %+v", g2)
	}
}
