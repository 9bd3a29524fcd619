package pages

import (
	"strings"

	"punchclock/app/wire"
)

// SetHealth keeps what the kiosk page knows of its health, for the
// syncer's next report (syncer.Config.Health).
func (e *Env) SetHealth(h wire.Health) {
	e.mu.Lock()
	e.health, e.healthSet = h, true
	e.mu.Unlock()
}

// Health is the page's last health snapshot; false before the kiosk page
// made one (and on a phone, which never does).
func (e *Env) Health() (wire.Health, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.health, e.healthSet
}

// healthSnapshot is what the kiosk page knows of its health: its version,
// the face service, the storage and the camera.
func (k *Kiosk) healthSnapshot() wire.Health {
	h := wire.Health{AppVersion: Version(), Face: "none", Camera: "ok"}
	switch st, _ := k.faceStatus(); st {
	case faceReady:
		h.Face = "ready"
	case faceUnavailable, faceChecking:
		h.Face = "unreachable"
	}
	switch {
	case k.cam == nil:
		h.Camera = "missing"
	case k.cam.err != nil && strings.Contains(k.cam.err.Error(), "NotAllowed"):
		h.Camera = "denied"
	case k.cam.err != nil && (strings.Contains(k.cam.err.Error(), "NotFound") || strings.Contains(k.cam.err.Error(), "no camera access")):
		h.Camera = "missing"
	case k.cam.err != nil:
		h.Camera = "error"
	}
	if k.env != nil {
		h.StoragePersisted = k.env.Persisted
	}
	return h
}
