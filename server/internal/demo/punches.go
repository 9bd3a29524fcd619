package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/store"
)

// ensurePunches ingests the week of punches before anchor through signed
// ingest. The punches are the same at every attempt (ids, bodies and
// signatures are deterministic), so what an earlier attempt stored
// answers "duplicate" and only the rest is added.
func (s *seeder) ensurePunches(ctx context.Context, dev attendance.Device, key ed25519.PrivateKey, anchor time.Time) error {
	batch, err := weekOfPunches(dev.ID, key, anchor)
	if err != nil {
		return err
	}
	now := s.now()
	// An attempt finishing the seed weeks later cannot add punches older
	// than ingest accepts; the rest still go in.
	oldest := now.Add(-attendance.MaxPast + time.Hour)
	live := batch[:0:0]
	for _, sp := range batch {
		if sp.at.After(oldest) {
			live = append(live, sp)
		}
	}
	svc := punch.New(s.st, s.now)
	for len(live) > 0 {
		n := min(len(live), 100)
		req := wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: dev.ID, SentAt: now}
		for _, sp := range live[:n] {
			req.Punches = append(req.Punches, sp.SignedPunch)
		}
		resp, err := svc.IngestByID(ctx, dev.ID, req)
		if err != nil {
			return fmt.Errorf("demo: ingest: %w", err)
		}
		for _, r := range resp.Results {
			if err := s.stored(ctx, r); err != nil {
				return err
			}
		}
		live = live[n:]
	}
	return nil
}

// stored checks that a punch of the demo is in the store after ingest.
// Besides accepted and duplicate, a conflict on its id is fine when the
// punch is stored: an earlier demo kiosk, whose key the data directory
// lost, stored it.
func (s *seeder) stored(ctx context.Context, r wire.PunchResult) error {
	switch {
	case r.Status == wire.StatusAccepted || r.Status == wire.StatusDuplicate:
		return nil
	case r.Code == wire.CodeConflict:
		_, err := s.st.Punch(ctx, r.ID)
		if err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return fmt.Errorf("demo: punch %s %s: %s %s", r.ID, r.Status, r.Code, r.Message)
}

// signedPunch is a demo punch ready for ingest, with its time.
type signedPunch struct {
	wire.SignedPunch
	at time.Time
}

// weekOfPunches makes the week of day-shift punches of the store's staff
// before anchor's day, chained and signed by the demo kiosk: most arrive
// 08:40-09:05, one is late each day, one forgets to punch out, so reports
// have something to show. So that every chart of the dashboard does too:
// E010 stays until 20:10 on Tuesday and Thursday (workday overtime),
// E015 leaves at 17:20 on Wednesday (an early leave), E011 works the Saturday
// morning (rest-day overtime), and the field sales staff E019 and E020
// punch by GPS from a customer visit at 14:30 each weekday, inside the
// store's fence or, every third day, about 450 m east of it (outside),
// where they then punch out by GPS as well: an out-of-fence day.
func weekOfPunches(deviceID string, key ed25519.PrivateKey, anchor time.Time) ([]signedPunch, error) {
	loc, err := time.LoadLocation(Sites[0].Zone)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var chain wire.Chain
	var week []signedPunch
	today := anchor.In(loc)
	for back := 7; back >= 1; back-- {
		day := today.AddDate(0, 0, -back)
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		if weekend && day.Weekday() == time.Sunday {
			continue
		}
		for i, e := range Employees() {
			if e.SiteID != Sites[0].ID || weekend && i != 10 {
				continue
			}
			inMin := 40 + (i*7+back*3)%25
			if (i+back)%9 == 0 {
				inMin = 72 // 09:12: late past the 10-minute grace
			}
			in := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, loc).Add(time.Duration(inMin) * time.Minute)
			out := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, loc).Add(time.Duration((i*5+back)%40) * time.Minute)
			at := func(h, m int) time.Time { return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc) }
			switch {
			case weekend:
				in, out = at(9, 30), at(14, 15)
			case i == 9 && (day.Weekday() == time.Tuesday || day.Weekday() == time.Thursday):
				out = at(20, 10)
			case i == 14 && day.Weekday() == time.Wednesday:
				out = at(17, 20)
			}
			times := []time.Time{in, out}
			if i == 5 && back == 2 {
				times = times[:1] // forgot to punch out
			}
			var visit *attendance.Location
			if !weekend && (i == 18 || i == 19) {
				visit = fieldVisit(i, back)
				times = []time.Time{in, at(14, 30), out}
			}
			for k, t := range times {
				p := attendance.Punch{ID: punchID(e.ID, t), EmployeeID: e.ID, DeviceID: deviceID, SiteID: Sites[0].ID,
					Method: attendance.MethodBadge, DeviceTime: t.UTC(), EstTime: t.UTC(), Evidence: attendance.Evidence{BadgeCode: e.BadgeCode}}
				// The visit by GPS; from a visit outside the fence they
				// punch out by GPS there too (the day needs approval).
				if visit != nil && (k == 1 || k == 2 && outsideVisit(i, back)) {
					p.Method, p.Location, p.Evidence = attendance.MethodGPS, visit, attendance.Evidence{}
				}
				var sp wire.SignedPunch
				if sp, chain, err = chain.Next(&p, key); err != nil {
					return nil, fmt.Errorf("demo: %w", err)
				}
				week = append(week, signedPunch{sp, t})
			}
		}
	}
	return week, nil
}

// fieldVisit is where field sales employee i punches from back days
// before the anchor: within 40 m of the store's point (inside its fence),
// or every third day about 450 m east of it (outside).
func fieldVisit(i, back int) *attendance.Location {
	east, north := float64(10+(i*13+back*7)%30), float64((i*5+back*11)%30)-15
	if outsideVisit(i, back) {
		east = 430 + float64(back*5)
	}
	return &attendance.Location{Lat: StorePoint.Lat + north/111_320, Lng: StorePoint.Lng + east/(111_320*math.Cos(StorePoint.Lat*math.Pi/180)),
		AccuracyM: 12, Datum: "wgs84"}
}

// outsideVisit reports whether field sales employee i's visit back days
// before the anchor is outside the store's fence.
func outsideVisit(i, back int) bool { return (i+back)%3 == 0 }

// punchID is the UUIDv7 of the demo punch of employee at t: t's
// milliseconds, and the rest from a hash of both. It does not depend on
// the kiosk, so a second demo kiosk cannot store the same punch twice.
func punchID(employeeID string, t time.Time) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "punchclock demo punch\n%s\n%d", employeeID, t.UnixMilli()))
	var u uuid.UUID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(u[:6], ms[2:])
	copy(u[6:], sum[:10])
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // RFC 9562 variant
	return u.String()
}
