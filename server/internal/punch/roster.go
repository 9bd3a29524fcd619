package punch

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// roster caches employees by id and badge for ingest, refreshed from the
// store's change feed so a batch costs one small query, not one per punch.
type roster struct {
	mu   sync.Mutex
	snap *rosterSnapshot
}

// rosterSnapshot is immutable once published.
type rosterSnapshot struct {
	version int64
	byID    map[string]attendance.Employee
	byBadge map[string]attendance.Employee
	// zones are the sites' zones, to judge a leaving date in.
	zones map[string]*time.Location
}

// zone is the zone of the first of sites the snapshot knows, else UTC.
func (r *rosterSnapshot) zone(sites ...string) *time.Location {
	for _, id := range sites {
		if loc, ok := r.zones[id]; ok {
			return loc
		}
	}
	return time.UTC
}

// cached returns the snapshot in hand, loading one only when there is none.
// The caller checks its version inside its transaction (IngestView.Version)
// and asks get for a fresh one when it is behind.
func (r *roster) cached(ctx context.Context, st store.Store) (*rosterSnapshot, error) {
	r.mu.Lock()
	snap := r.snap
	r.mu.Unlock()
	if snap != nil {
		return snap, nil
	}
	return r.get(ctx, st)
}

// get returns a snapshot at least as new as the store's current version.
func (r *roster) get(ctx context.Context, st store.Store) (*rosterSnapshot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var since int64
	if r.snap != nil {
		since = r.snap.version
	}
	ch, err := st.Changes(ctx, since)
	if err != nil {
		return nil, fmt.Errorf("punch: roster: %w", err)
	}
	if r.snap != nil && ch.Version == since {
		return r.snap, nil
	}
	next := &rosterSnapshot{version: ch.Version, byID: map[string]attendance.Employee{}, byBadge: map[string]attendance.Employee{}, zones: map[string]*time.Location{}}
	if r.snap != nil {
		maps.Copy(next.byID, r.snap.byID)
		maps.Copy(next.zones, r.snap.zones)
	}
	for _, x := range ch.Sites {
		if loc, err := time.LoadLocation(x.Zone); err == nil {
			next.zones[x.ID] = loc
		}
	}
	for _, e := range ch.Employees {
		next.byID[e.ID] = e
	}
	for _, e := range next.byID {
		if e.Active && e.BadgeCode != "" {
			next.byBadge[e.BadgeCode] = e
		}
	}
	r.snap = next
	return next, nil
}

// Roster is the roster cache for other ingest paths (package terminal):
// the employees and the sites' zones as of the store's newest change
// version, kept from its change feed.
type Roster struct{ r roster }

// RosterSnapshot is one version of a Roster; immutable.
type RosterSnapshot = rosterSnapshot

// Get returns a snapshot at least as new as the store's current version.
func (r *Roster) Get(ctx context.Context, st store.Store) (*RosterSnapshot, error) {
	return r.r.get(ctx, st)
}

// Version is the change version the snapshot is of.
func (r *rosterSnapshot) Version() int64 { return r.version }

// Employees are every employee by id, those who left included; the map
// must not be changed.
func (r *rosterSnapshot) Employees() map[string]attendance.Employee { return r.byID }

// Zone is the zone of the first of sites the snapshot knows, else UTC.
func (r *rosterSnapshot) Zone(sites ...string) *time.Location { return r.zone(sites...) }
