// Package field keeps field staff's location trails: the points an
// activated phone reports (POST /api/v1/user/location), each judged in
// time and place before it is stored, and the trail a manager reads back
// (GET /api/v1/user/location) to draw on the site plan with its fences.
//
// Time: the phone's clock is never trusted. Like a punch batch, a report
// carries the phone's clock when it was sent; the server measures the
// phone's offset from it and holds each point happened at its device time
// corrected by that offset (attendance.Punch.Timing: the phone's own
// estimate is used only while it agrees). A point later than the server's
// now plus attendance.MaxFuture, or older than attendance.MaxPast, is
// refused.
//
// Place: a point is placed against the fences of the employee's home site
// (the site's own, else its rule set's entry, as the rules engine does)
// by rules.FenceSet.Locate; a site without fences gives no verdict.
package field

import (
	"context"
	"errors"
	"fmt"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

// Service reports and reads trails.
type Service struct {
	Store store.Store
	// Now is the server's clock, read once per report.
	Now func() time.Time
	// Fences returns a site's fences as the rules engine checks them
	// (nil: the site's own only).
	Fences func(ctx context.Context, siteID string) ([]attendance.Fence, error)
}

// fences returns siteID's fences ("" none).
func (s *Service) fences(ctx context.Context, siteID string) ([]attendance.Fence, *attendance.Site, error) {
	if siteID == "" {
		return nil, nil, nil
	}
	site, err := s.Store.Site(ctx, siteID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, store.Coded(err)
	}
	fences := site.Fences
	if len(fences) == 0 && s.Fences != nil {
		if fences, err = s.Fences(ctx, siteID); err != nil {
			return nil, nil, err
		}
	}
	return fences, &site, nil
}

// Report stores the points of req, sent by dev, an activated phone the
// caller authenticated: each is answered accepted, duplicate (stored
// before) or rejected with a stable code; a request-level fault (another
// device's report, too many points, no sent_at) refuses the whole report.
func (s *Service) Report(ctx context.Context, dev attendance.Device, req wire.LocationReport) (wire.LocationResponse, error) {
	now := s.Now().UTC()
	resp := wire.LocationResponse{Protocol: wire.ProtocolVersion, ServerTime: now}
	switch {
	case req.Protocol < wire.MinProtocolVersion:
		return resp, wire.Errorf(wire.CodeInvalid, "protocol %d is older than the oldest supported (%d)", req.Protocol, wire.MinProtocolVersion)
	case req.DeviceID != dev.ID:
		return resp, wire.Errorf(wire.CodeForbidden, "report names device %q but is signed by %q", req.DeviceID, dev.ID)
	case dev.Kind != attendance.DevicePhone || dev.EmployeeID == "":
		return resp, wire.Errorf(wire.CodeForbidden, "only an activated phone reports locations")
	case len(req.Points) > wire.MaxLocationBatch:
		return resp, wire.Errorf(wire.CodeTooLarge, "report has %d points; at most %d", len(req.Points), wire.MaxLocationBatch)
	case req.SentAt.IsZero():
		return resp, wire.Errorf(wire.CodeInvalid, "sent_at is missing: the server measures the phone's clock from it")
	}
	offset := now.Sub(req.SentAt).Truncate(time.Millisecond)
	resp.OffsetMS = offset.Milliseconds()
	emp, err := s.Store.Employee(ctx, dev.EmployeeID)
	if err != nil {
		return resp, store.Coded(err)
	}
	siteID := emp.SiteID
	if siteID == "" {
		siteID = dev.SiteID
	}
	fences, site, err := s.fences(ctx, siteID)
	if err != nil {
		return resp, err
	}
	if len(fences) == 0 {
		siteID = ""
	}
	set := rules.CompileFences(fences)
	// A leaving date is judged in the site's zone, as for punches.
	loc := time.UTC
	if site != nil {
		if l, err := site.Location(); err == nil {
			loc = l
		}
	}
	resp.Results = make([]wire.LocationResult, len(req.Points))
	var rows []store.LocationPoint
	var idx []int
	seen := map[string]bool{}
	for i, p := range req.Points {
		res := &resp.Results[i]
		res.ID = p.ID
		at, err := judge(p, offset, now)
		switch {
		case err != nil:
		case seen[p.ID]:
			err = wire.Errorf(wire.CodeConflict, "point %s is twice in the report", p.ID)
		case !emp.ActiveAt(at, loc):
			err = wire.Errorf(wire.CodeInvalid, "point %s: employee %s has left", p.ID, emp.ID)
		}
		if err != nil {
			res.Status, res.Code, res.Message = wire.StatusRejected, wire.CodeOf(err), wire.MessageOf(err)
			continue
		}
		seen[p.ID] = true
		res.At = at
		if len(fences) > 0 {
			v, fence := set.Locate(p.Location)
			res.Verdict, res.Fence = string(v), fence
		}
		rows = append(rows, store.LocationPoint{ID: p.ID, EmployeeID: emp.ID, DeviceID: dev.ID, SiteID: siteID,
			At: at, DeviceTime: p.DeviceTime.UTC(), ReceivedAt: now, Lat: p.Location.Lat, Lng: p.Location.Lng,
			AccuracyM: p.Location.AccuracyM, Datum: p.Location.Datum, Verdict: res.Verdict, Fence: res.Fence})
		idx = append(idx, i)
	}
	if len(rows) == 0 {
		return resp, nil
	}
	fresh, err := s.Store.PutLocations(ctx, rows)
	if err != nil {
		return resp, store.Coded(err)
	}
	for j, i := range idx {
		resp.Results[i].Status = wire.StatusAccepted
		if !fresh[j] {
			resp.Results[i].Status = wire.StatusDuplicate
		}
	}
	return resp, nil
}

// MaxAccuracyM is the widest accuracy circle a point may have: a fix
// vaguer than 10 km says nothing of where a person is.
const MaxAccuracyM = 10000

// judge checks a point's own fields and returns its true time.
func judge(p wire.LocationPoint, offset time.Duration, now time.Time) (time.Time, error) {
	if !attendance.IsUUIDv7(p.ID) {
		return time.Time{}, wire.Errorf(wire.CodeInvalid, "point id %q is not a UUIDv7", p.ID)
	}
	if err := p.Location.Validate(); err != nil {
		return time.Time{}, wire.Errorf(wire.CodeInvalid, "point %s: %v", p.ID, err)
	}
	if !(p.Location.AccuracyM > 0 && p.Location.AccuracyM <= MaxAccuracyM) {
		return time.Time{}, wire.Errorf(wire.CodeInvalid, "point %s: accuracy_m %v is not in (0, %d] metres", p.ID, p.Location.AccuracyM, MaxAccuracyM)
	}
	if p.DeviceTime.IsZero() {
		return time.Time{}, wire.Errorf(wire.CodeInvalid, "point %s has no device_time", p.ID)
	}
	// The punch's clock judgement, on the point's two times.
	pp := attendance.Punch{DeviceTime: p.DeviceTime, EstTime: p.EstTime}
	at := pp.Timing(offset, now).Time.Truncate(time.Millisecond)
	if err := attendance.CheckTime(at, now); err != nil {
		return time.Time{}, wire.Errorf(wire.CodeInvalid, "point %s: %v", p.ID, err)
	}
	return at, nil
}

// Trail returns employeeID's points with from <= at < to, at most
// wire.MaxTrail of them, with the fences of the site that judged them.
func (s *Service) Trail(ctx context.Context, employeeID string, from, to time.Time) (wire.Trail, error) {
	if !to.After(from) {
		return wire.Trail{}, wire.Errorf(wire.CodeInvalid, "to must be after from")
	}
	emp, err := s.Store.Employee(ctx, employeeID)
	if err != nil {
		return wire.Trail{}, store.Coded(err)
	}
	pts, err := s.Store.Trail(ctx, store.TrailFilter{EmployeeID: employeeID, From: from, To: to, Limit: wire.MaxTrail + 1})
	if err != nil {
		return wire.Trail{}, store.Coded(err)
	}
	out := wire.Trail{EmployeeID: employeeID, From: from.UTC(), To: to.UTC(), Points: make([]wire.TrailPoint, 0, len(pts))}
	if len(pts) > wire.MaxTrail {
		pts, out.Truncated = pts[:wire.MaxTrail], true
	}
	siteID := emp.SiteID
	for _, p := range pts {
		if p.SiteID != "" {
			siteID = p.SiteID
		}
		out.Points = append(out.Points, wire.TrailPoint{ID: p.ID, DeviceID: p.DeviceID, At: p.At,
			Location: attendance.Location{Lat: p.Lat, Lng: p.Lng, AccuracyM: p.AccuracyM, Datum: p.Datum}, Verdict: p.Verdict, Fence: p.Fence})
	}
	fences, site, err := s.fences(ctx, siteID)
	if err != nil {
		return out, fmt.Errorf("field: trail of %s: %w", employeeID, err)
	}
	out.Site, out.Fences = site, fences
	if out.Fences == nil {
		out.Fences = []attendance.Fence{}
	}
	return out, nil
}
