package terminal

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
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

// roster is the employees by PIN, kept from the store's change feed.
type roster struct {
	snap *snapshot
}

// snapshot is immutable once published.
type snapshot struct {
	version int64
	byID    map[string]attendance.Employee
	// byPIN holds the active employees by PIN; a PIN two of them share
	// (PC-1 and PC1) is nobody's.
	byPIN map[string]attendance.Employee
	zones map[string]*time.Location
}

// zone is the zone of the first of sites the snapshot knows, else UTC.
func (r *snapshot) zone(sites ...string) *time.Location {
	for _, id := range sites {
		if loc, ok := r.zones[id]; ok {
			return loc
		}
	}
	return time.UTC
}

// snapshot returns the roster as of the store's current version.
func (s *Service) snapshot(ctx context.Context) (*snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roster == nil {
		s.roster = &roster{}
	}
	old := s.roster.snap
	var since int64
	if old != nil {
		since = old.version
	}
	ch, err := s.Store.Changes(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("terminal: roster: %w", err)
	}
	if old != nil && ch.Version == since {
		return old, nil
	}
	next := &snapshot{version: ch.Version, byID: map[string]attendance.Employee{}, byPIN: map[string]attendance.Employee{}, zones: map[string]*time.Location{}}
	if old != nil {
		maps.Copy(next.byID, old.byID)
		maps.Copy(next.zones, old.zones)
	}
	for _, x := range ch.Sites {
		if loc, err := time.LoadLocation(x.Zone); err == nil {
			next.zones[x.ID] = loc
		}
	}
	for _, e := range ch.Employees {
		next.byID[e.ID] = e
	}
	shared := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(next.byID)) {
		e := next.byID[id]
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
	s.roster.snap = next
	return next, nil
}
