package store

import (
	"context"
	"time"
)

// Trails keep field staff's location reports (package field): each
// point once, by the phone's id, read back by employee and time.
type Trails interface {
	// PutLocations stores the points in one transaction and reports, per
	// point, whether it was new: a point whose id is stored already is
	// left as it is (a resent report).
	PutLocations(ctx context.Context, pts []LocationPoint) ([]bool, error)
	// Trail returns the points f selects, by time then id.
	Trail(ctx context.Context, f TrailFilter) ([]LocationPoint, error)
	// PruneLocations deletes the points whose time is before before and
	// says how many it deleted.
	PruneLocations(ctx context.Context, before time.Time) (int64, error)
}

// LocationPoint is a stored point of a field employee's trail.
type LocationPoint struct {
	ID         string
	EmployeeID string
	DeviceID   string
	// SiteID is the site whose fences judged the point ("" none).
	SiteID string
	// At is the point's time as the server holds it; DeviceTime the
	// phone's clock then; ReceivedAt when the server stored it.
	At, DeviceTime, ReceivedAt time.Time
	Lat, Lng, AccuracyM        float64
	Datum                      string
	// Verdict is rules.Verdict against SiteID's fences ("" none); Fence
	// names the fence that decided.
	Verdict, Fence string
}

// TrailFilter selects an employee's points with From <= At < To.
type TrailFilter struct {
	EmployeeID string
	From, To   time.Time
	// Limit bounds the points returned (0: all).
	Limit int
}
