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
	// byPIN holds the employees by PIN: the active one, else one who
	// left (their records are kept rejected under their name); a PIN two
	// active employees share (PC-1 and PC1) is nobody's.
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
	ids := slices.Sorted(maps.Keys(emps))
	for _, active := range []bool{true, false} {
		for _, id := range ids {
			e := emps[id]
			pin := PIN(e)
			if e.Active != active || pin == "" {
				continue
			}
			if had, dup := next.byPIN[pin]; dup {
				if had.Active == active {
					shared[pin] = true
				}
				continue
			}
			next.byPIN[pin] = e
		}
	}
	for pin := range shared {
		delete(next.byPIN, pin)
	}
	s.pins = next
	return next, nil
}
