package facematch

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"punchclock/app/attendance"
)

// Device is a kiosk enrolled in punchd, as far as the face service needs
// it: to verify the kiosk's signed requests and bind them to its site.
type Device struct {
	ID        string
	SiteID    string
	PublicKey ed25519.PublicKey
	Revoked   bool
}

// Devices finds the kiosks whose signed requests identify and liveness
// accept (Handler.Devices); an unknown id is ErrNotFound.
type Devices interface {
	Device(ctx context.Context, id string) (Device, error)
}

// replaceDevices makes the stored kiosks exactly devs, in one transaction:
// punchd's list is complete, so a kiosk it no longer lists is gone here too.
func (s *Store) replaceDevices(ctx context.Context, devs []Device, at time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("facematch: devices: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM devices`); err != nil {
		return fmt.Errorf("facematch: devices: %w", err)
	}
	ts := at.UTC().Format(timeFormat)
	for _, d := range devs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, site_id, public_key, revoked, synced_at) VALUES (?, ?, ?, ?, ?)`,
			d.ID, d.SiteID, []byte(d.PublicKey), d.Revoked, ts); err != nil {
			return fmt.Errorf("facematch: devices: %w", err)
		}
	}
	return tx.Commit()
}

// device returns a stored kiosk, or ErrNotFound.
func (s *Store) device(ctx context.Context, id string) (Device, error) {
	var d Device
	var key []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, site_id, public_key, revoked FROM devices WHERE id = ?`, id).Scan(&d.ID, &d.SiteID, &key, &d.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, ErrNotFound
	}
	if err != nil {
		return Device{}, fmt.Errorf("facematch: device %s: %w", id, err)
	}
	d.PublicKey = key
	return d, nil
}

// DefaultDeviceRefresh is how often, at most, kiosks facematchd does not
// know make it ask punchd again (DeviceSync.Refresh).
const DefaultDeviceRefresh = 10 * time.Second

// DeviceSync keeps the store's copy of punchd's kiosks (GET
// /api/v1/admin/devices: id, site, public key, revoked) and looks kiosks
// up there for the handler. The copy is what keeps face punches working
// while punchd is out of reach: the store's LAN may lose its uplink, the
// face service must not. A kiosk the copy lacks (enrolled since the last
// sync) makes it ask punchd at once, at most every Refresh, so a new
// tablet punches by face right away and made-up ids cannot make the
// service hammer punchd.
type DeviceSync struct {
	Store *Store
	// PunchdURL is punchd's base URL; Token a bearer token with the face
	// role (or admin): integrator tokens may not list devices.
	PunchdURL string
	Token     string
	Client    *http.Client
	Log       *slog.Logger
	// Now is the clock of the Refresh limit (time.Now when nil).
	Now func() time.Time
	// Refresh is the least time between two fetches asked for by unknown
	// kiosks; DefaultDeviceRefresh when 0.
	Refresh time.Duration

	mu    sync.Mutex // one fetch at a time: an older list must not overwrite a newer
	asked time.Time  // when an unknown kiosk last made us fetch
}

func (d *DeviceSync) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// Once fetches punchd's devices and stores its kiosks (phones never call
// the face service), replacing the copy. It returns how many kiosks it
// stored; on any error from punchd the copy stays as it was.
func (d *DeviceSync) Once(ctx context.Context) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.once(ctx)
}

func (d *DeviceSync) once(ctx context.Context) (int, error) {
	var list struct {
		Devices []attendance.Device `json:"devices"`
	}
	if err := getPunchd(ctx, d.Client, d.PunchdURL, d.Token, "/api/v1/admin/devices", &list); err != nil {
		var pe *punchdError
		if errors.As(err, &pe) && pe.status == http.StatusForbidden {
			return 0, fmt.Errorf("facematch: devices: %w (the punchd token needs the face role: punchd token -role face)", err)
		}
		return 0, fmt.Errorf("facematch: devices: %w", err)
	}
	kiosks := make([]Device, 0, len(list.Devices))
	for _, v := range list.Devices {
		if v.Kind != attendance.DeviceKiosk {
			continue
		}
		kiosks = append(kiosks, Device{ID: v.ID, SiteID: v.SiteID, PublicKey: v.PublicKey, Revoked: v.Revoked})
	}
	return len(kiosks), d.Store.replaceDevices(ctx, kiosks, d.now())
}

// Device returns a kiosk from the copy, asking punchd first when the copy
// lacks it (see DeviceSync). Unknown to both is ErrNotFound.
func (d *DeviceSync) Device(ctx context.Context, id string) (Device, error) {
	dev, err := d.Store.device(ctx, id)
	if !errors.Is(err, ErrNotFound) {
		return dev, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	// A request for the same kiosk may have fetched while we waited.
	if dev, err := d.Store.device(ctx, id); !errors.Is(err, ErrNotFound) {
		return dev, err
	}
	now := d.now()
	refresh := d.Refresh
	if refresh <= 0 {
		refresh = DefaultDeviceRefresh
	}
	if !d.asked.IsZero() && now.Sub(d.asked) < refresh {
		return Device{}, ErrNotFound
	}
	d.asked = now
	// The kiosk is waiting: a punchd that does not answer soon is down.
	fctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err = d.once(fctx)
	cancel()
	if err != nil && d.Log != nil {
		d.Log.Warn("device sync for an unknown kiosk", "kiosk", id, "err", err)
	}
	return d.Store.device(ctx, id)
}

// Run calls Once now and then every interval until ctx ends, logging any
// error (punchd unreachable is retried next time; the copy serves
// meanwhile).
func (d *DeviceSync) Run(ctx context.Context, every time.Duration) {
	repeat(ctx, every, func() {
		if _, err := d.Once(ctx); err != nil && d.Log != nil {
			d.Log.Warn("device sync", "err", err)
		}
	})
}
