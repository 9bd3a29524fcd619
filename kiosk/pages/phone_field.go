package pages

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/kiosk/syncer"
)

// Field staff on the phone: a punch by GPS, without a kiosk's QR code,
// with the browser's fix (position and accuracy) and an optional live
// photo; the weak-GPS route (a typed place) after WeakAfter without a
// usable fix; and the location reports, queued on the phone and sent
// signed to POST /api/v1/user/location. The punch goes through the
// outbox like every phone punch (signed, chained, its time the device's
// corrected by the learnt offset); the server judges it against the
// site's fences, and out of them it needs the manager's approval.

// KeyPhoneLocations holds the points taken and not yet sent
// ([]wire.LocationPoint), oldest first.
const KeyPhoneLocations = "phone.locations"

// WeakAfter is how long the phone waits for a usable fix before it
// offers the weak-GPS route.
const WeakAfter = 15 * time.Minute

// DefaultUsableM is the accuracy a usable fix needs at most, in metres,
// when the site has no smaller circle (UsableM).
const DefaultUsableM = 100

// Location reports: at most one point per LocationEvery of the phone's
// clock unless it moved more than LocationMoveM, and at most MaxQueued
// kept while offline (the oldest go first).
const (
	LocationEvery = time.Minute
	LocationMoveM = 50
	MaxQueued     = 5000
)

// Errors of a GPS punch.
var (
	ErrNoFix   = errors.New("pages: no usable location fix yet")
	ErrNoPlace = errors.New("pages: type the place where you are (at most 200 characters)")
	// ErrPhotoLarge: the camera's frame did not fit attendance.MaxPhoto.
	ErrPhotoLarge = errors.New("pages: the photo is too large: take it again")
)

// UsableM is the accuracy threshold of site's fixes: the site's own
// (attendance.Site.FixAccuracyM), else DefaultUsableM, or its smallest
// circle's radius when smaller (a fix vaguer than a fence cannot place
// anyone inside it).
func UsableM(site attendance.Site) float64 {
	if site.FixAccuracyM > 0 {
		return site.FixAccuracyM
	}
	m := float64(DefaultUsableM)
	for _, f := range site.Fences {
		if f.Center != nil && f.RadiusM > 0 {
			m = min(m, f.RadiusM)
		}
	}
	return m
}

// Fix is one reading of the browser's Geolocation, at the phone's clock.
type Fix struct {
	Location attendance.Location
	At       time.Time
}

// FixWatch follows a page's fixes and says when the weak-GPS route is
// due. It never reads a clock: its caller passes the times, so tests
// inject theirs.
type FixWatch struct {
	// Threshold is the accuracy a usable fix needs (UsableM).
	Threshold float64
	// Since is when the page started watching; Last the latest fix;
	// LastUsable when the latest usable one came.
	Since      time.Time
	Last       *Fix
	LastUsable time.Time
	// Denied: the browser refused the position (or has no Geolocation).
	Denied bool
}

// Add takes a fix.
func (w *FixWatch) Add(f Fix) {
	w.Last, w.Denied = &f, false
	if w.usable(f) {
		w.LastUsable = f.At
	}
}

func (w *FixWatch) usable(f Fix) bool {
	return f.Location.AccuracyM > 0 && f.Location.AccuracyM <= w.Threshold
}

// Usable returns the latest fix if it is usable at now (good enough, and
// not older than WeakAfter).
func (w *FixWatch) Usable(now time.Time) (attendance.Location, bool) {
	if w.Last == nil || !w.usable(*w.Last) || now.Sub(w.Last.At) >= WeakAfter {
		return attendance.Location{}, false
	}
	return w.Last.Location, true
}

// Weak reports whether the weak-GPS route is due at now: no usable fix
// for WeakAfter since the page started watching or the last usable one.
func (w *FixWatch) Weak(now time.Time) bool {
	if _, ok := w.Usable(now); ok || w.Since.IsZero() {
		return false
	}
	from := w.Since
	if w.LastUsable.After(from) {
		from = w.LastUsable
	}
	return now.Sub(from) >= WeakAfter
}

// CleanPlace trims a typed place and checks it.
func CleanPlace(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) || strings.ContainsRune(s, 0) || utf8.RuneCountInString(s) > attendance.MaxPlace {
		return "", ErrNoPlace
	}
	return s, nil
}

// PunchGPS records a field punch for the phone's employee: by its fix
// (loc), or on the weak-GPS route by the place typed (place, with the
// weak fix if there is one), with the live photo (a JPEG of at most
// attendance.MaxPhoto bytes) as evidence when one was taken. Like PunchQR it is in the outbox before it
// returns, then the syncer is kicked.
func (p *PhoneEnv) PunchGPS(ctx context.Context, loc *attendance.Location, place string, photo []byte) (GPSPunch, error) {
	if place != "" {
		var err error
		if place, err = CleanPlace(place); err != nil {
			return GPSPunch{}, err
		}
	} else if loc == nil {
		return GPSPunch{}, ErrNoFix
	}
	emp, err := p.Employee(ctx)
	if err != nil {
		return GPSPunch{}, err
	}
	ev := attendance.Evidence{Place: place}
	if len(photo) > attendance.MaxPhoto {
		return GPSPunch{}, ErrPhotoLarge
	}
	if len(photo) > 0 {
		ev.Photo = base64.StdEncoding.EncodeToString(photo)
	}
	pu := attendance.Punch{EmployeeID: emp.ID, Method: attendance.MethodGPS, Location: loc, Evidence: ev}
	if emp.SiteID != "" {
		pu.SiteID = emp.SiteID
	}
	e, err := p.Outbox.Record(ctx, pu)
	if err != nil {
		return GPSPunch{}, err
	}
	out := GPSPunch{ID: e.ID, Verdict: rules.Outside}
	if place != "" && (loc == nil) {
		out.Verdict = rules.Uncertain
	} else if site, _, err := p.Site(ctx); err == nil && len(site.Fences) > 0 {
		out.Verdict, out.Fence = rules.Locate(site.Fences, *loc)
		if place != "" && out.Verdict != rules.Inside {
			out.Verdict = rules.Uncertain
		}
	} else {
		out.Verdict = ""
	}
	if s := p.Syncer(); s != nil {
		s.Kick()
	}
	p.notify()
	return out, nil
}

// GPSPunch is a field punch committed on the phone and where the phone
// itself places it (the server judges again): inside a fence, outside
// (the manager decides), uncertain (the weak-GPS route: the manager
// decides), or "" when the site has no fences.
type GPSPunch struct {
	ID      string
	Verdict rules.Verdict
	Fence   string
}

// Locations returns the points waiting to be sent.
func (p *PhoneEnv) Locations(ctx context.Context) ([]wire.LocationPoint, error) {
	return loadList[wire.LocationPoint](ctx, p.Outbox.Store(), KeyPhoneLocations)
}

// QueueLocation keeps a point of l, taken now, to be sent: unless the
// last point queued is less than LocationEvery old and less than
// LocationMoveM away. It reports whether it queued one.
func (p *PhoneEnv) QueueLocation(ctx context.Context, l attendance.Location) (bool, error) {
	if !p.Activated() || l.Validate() != nil || l.AccuracyM <= 0 {
		return false, nil
	}
	wall := p.Clock()
	p.mu.Lock()
	defer p.mu.Unlock()
	pts, err := p.Locations(ctx)
	if err != nil {
		return false, err
	}
	if n := len(pts); n > 0 {
		last := pts[n-1]
		d := rules.DistanceM(attendance.LatLng{Lat: last.Location.Lat, Lng: last.Location.Lng}, attendance.LatLng{Lat: l.Lat, Lng: l.Lng})
		if age := wall.Sub(last.DeviceTime); age >= 0 && age < LocationEvery && d < LocationMoveM {
			return false, nil
		}
	}
	id, err := uuid.NewV7()
	if err != nil {
		return false, err
	}
	pt := wire.LocationPoint{ID: id.String(), DeviceTime: wall.Round(0).UTC().Truncate(time.Millisecond), Location: l}
	if _, _, err := p.Outbox.Clock(ctx); err == nil {
		// The phone's estimate of the server's time; the server checks
		// it against the offset it measures.
		pt.EstTime = p.Now(ctx).Round(0).UTC().Truncate(time.Millisecond)
	}
	pts = append(pts, pt)
	if len(pts) > MaxQueued {
		pts = pts[len(pts)-MaxQueued:]
	}
	if err := saveList(ctx, p.Outbox.Store(), KeyPhoneLocations, pts); err != nil {
		return false, err
	}
	p.notify()
	return true, nil
}

// SendLocations posts the queued points, MaxLocationBatch at a time, and
// returns how many the server answered. Every point answered leaves the
// queue (accepted, duplicate, or rejected: resending cannot mend it); a
// report the server refuses whole (invalid, forbidden) is dropped too. It
// stops at the first request-level failure (offline, transient) and
// returns it, the points kept.
func (p *PhoneEnv) SendLocations(ctx context.Context) (int, error) {
	c, err := p.caller()
	if err != nil {
		return 0, err
	}
	id, err := p.Outbox.Identity()
	if err != nil {
		return 0, err
	}
	p.send.Lock()
	defer p.send.Unlock()
	sent := 0
	for {
		pts, err := p.Locations(ctx)
		if err != nil || len(pts) == 0 {
			return sent, err
		}
		batch := pts[:min(len(pts), wire.MaxLocationBatch)]
		body, err := json.Marshal(wire.LocationReport{Protocol: wire.ProtocolVersion, DeviceID: id.DeviceID, SentAt: p.Clock().Round(0).UTC(), Points: batch})
		if err != nil {
			return sent, err
		}
		_, _, err = c.Call(ctx, http.MethodPost, wire.PathUserLocation, body)
		var werr *wire.Error
		if err != nil && !(errors.As(err, &werr) && refusal(werr.Code)) {
			return sent, err
		}
		// The batch is the queue's head; QueueLocation only appends.
		p.mu.Lock()
		if pts, err = p.Locations(ctx); err == nil && len(pts) >= len(batch) && pts[0].ID == batch[0].ID {
			err = saveList(ctx, p.Outbox.Store(), KeyPhoneLocations, pts[len(batch):])
		}
		p.mu.Unlock()
		if err != nil {
			return sent, err
		}
		sent += len(batch)
		p.notify()
	}
}

// sendLocations is SendLocations for the loops: offline is no failure.
func (p *PhoneEnv) sendLocations(ctx context.Context) error {
	_, err := p.SendLocations(ctx)
	if errors.Is(err, syncer.ErrOffline) || errors.Is(err, ErrNoSync) {
		return nil
	}
	return err
}
