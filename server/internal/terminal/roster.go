package terminal

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"punchclock/app/attendance"
	"punchclock/server/internal/punch"
)

// PIN is an employee's user PIN on terminals: their badge code without
// anything but ASCII letters and digits ("PC-0001" is "PC0001"), "" when
// nothing is left or more than MaxPIN is. One badge code is one PIN, so a
// badge printed for the kiosks and the terminals' PIN name the same
// person; sites whose terminals take digits only give badge codes of
// digits.
func PIN(e attendance.Employee) string {
	pin := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, e.BadgeCode)
	if !ValidPIN(pin) {
		return ""
	}
	return pin
}

// snapshot is the roster (punch.Roster) with its active employees by
// PIN; immutable once made.
type snapshot struct {
	*punch.RosterSnapshot
	// byPIN holds the active employees by PIN; a PIN two of them share
	// (PC-1 and PC1) is nobody's.
	byPIN map[string]attendance.Employee
}

// snapshot returns the roster as of the store's current version.
func (s *Service) snapshot(ctx context.Context) (*snapshot, error) {
	r, err := s.roster.Get(ctx, s.Store)
	if err != nil {
		return nil, fmt.Errorf("terminal: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pins != nil && s.pins.Version() == r.Version() {
		return s.pins, nil
	}
	next := &snapshot{RosterSnapshot: r, byPIN: map[string]attendance.Employee{}}
	shared := map[string]bool{}
	emps := r.Employees()
	for _, id := range slices.Sorted(maps.Keys(emps)) {
		e := emps[id]
		pin := PIN(e)
		if !e.Active || pin == "" {
			continue
		}
		if _, dup := next.byPIN[pin]; dup {
			shared[pin] = true
		}
		next.byPIN[pin] = e
	}
	for pin := range shared {
		delete(next.byPIN, pin)
	}
	s.pins = next
	return next, nil
}
