package syncer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// Pull fetches what changed since the stored cursor and stores it. A
// revoked device is fatal.
func (s *Syncer) Pull(ctx context.Context) error {
	s.run.Lock()
	defer s.run.Unlock()
	if err := s.fatalErr(); err != nil {
		return err
	}
	id, err := s.identity()
	if err != nil {
		return err
	}
	st, err := s.cfg.Outbox.Pull(ctx)
	if err != nil {
		return fmt.Errorf("syncer: pull: %w", err)
	}
	// The server answers 304 only to a conditional request whose cursor is
	// still current. A conditional request also keeps the browser's HTTP
	// cache out of the way (fetch does not store or reuse it).
	cursor, etag := st.Cursor, st.ETag
	if st.Site != nil && len(st.Site.ZoneRules) == 0 {
		// Pulled before 2026-12-02: the site came without its zone's
		// rules, which punchd sends with the site only when it changes
		// or in a full answer. Start over once.
		cursor, etag = "", ""
	}
	var h http.Header
	if etag != "" {
		h = http.Header{"If-None-Match": {etag}}
	}
	x, err := s.do(ctx, id, http.MethodGet, PathPull+"?cursor="+url.QueryEscape(cursor), s.cfg.Clock(), nil, h)
	if err != nil {
		return fmt.Errorf("syncer: pull: %w", err)
	}
	switch x.resp.StatusCode {
	case http.StatusNotModified:
		// Nothing changed; the roster is not rewritten for nothing.
		s.mu.Lock()
		s.lastSync = x.recv
		s.mu.Unlock()
		return nil
	case http.StatusOK:
	default:
		werr := apiError(x)
		if werr.Code == wire.CodeUnauthorized {
			return s.stop(fmt.Errorf("syncer: pull: %w", werr))
		}
		return fmt.Errorf("syncer: pull: %w", werr)
	}
	var resp wire.PullResponse
	if err := json.Unmarshal(x.body, &resp); err != nil {
		return fmt.Errorf("syncer: pull: decode answer: %w", err)
	}
	if err := s.learn(ctx, x, resp.ServerTime); err != nil {
		return err
	}
	merge(&st, &resp)
	st.ETag = x.resp.Header.Get("ETag")
	st.At = x.recv.Round(0).UTC()
	if err := s.cfg.Outbox.SetPull(ctx, st); err != nil {
		return fmt.Errorf("syncer: pull: %w", err)
	}
	s.mu.Lock()
	s.lastSync = x.recv
	s.mu.Unlock()
	if resp.DeviceRevoked {
		return s.stop(wire.Errorf(wire.CodeUnauthorized, "device revoked by the server"))
	}
	return nil
}

// merge applies a pull answer to the stored state: a full answer replaces
// the lists, a partial one updates the items it carries by id.
func merge(st *outbox.PullState, r *wire.PullResponse) {
	st.Cursor = r.Cursor
	st.Revoked = r.DeviceRevoked
	if r.Site != nil {
		site := *r.Site
		st.Site = &site
	}
	if len(r.Rules) > 0 {
		st.Rules = r.Rules
	}
	if r.Managers != nil {
		st.Managers = r.Managers
	}
	if r.Flows != nil {
		st.Flows = r.Flows
	}
	if r.TagKeys != nil {
		st.TagKeys = r.TagKeys
	}
	if r.Full {
		st.Departments = r.Departments
		st.Employees = r.Employees
		return
	}
	st.Departments = upsert(st.Departments, r.Departments, func(d attendance.Department) string { return d.ID })
	st.Employees = upsert(st.Employees, r.Employees, func(e attendance.Employee) string { return e.ID })
	if len(r.Removed) > 0 {
		// A bulk change elsewhere can list thousands: look them up, not scan.
		gone := make(map[string]bool, len(r.Removed))
		for _, id := range r.Removed {
			gone[id] = true
		}
		st.Employees = slices.DeleteFunc(st.Employees, func(e attendance.Employee) bool { return gone[e.ID] })
	}
}

// upsert replaces the items of have that changed carries (by key) and
// appends the new ones, keeping have's order.
func upsert[T any](have, changed []T, key func(T) string) []T {
	at := make(map[string]int, len(have))
	for i, v := range have {
		at[key(v)] = i
	}
	for _, v := range changed {
		if i, ok := at[key(v)]; ok {
			have[i] = v
			continue
		}
		at[key(v)] = len(have)
		have = append(have, v)
	}
	return have
}
