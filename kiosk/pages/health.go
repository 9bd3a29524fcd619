package pages

import (
	"strings"
	"time"

	"punchclock/app/wire"
)

// SetHealth keeps what the kiosk page knows of its health, for the
// syncer's next report (syncer.Config.Health). The first snapshot asks
// for a sync at once: an administrator who has just enrolled the tablet
// sees it in the fleet without waiting for the syncer's next round.
func (e *Env) SetHealth(h wire.Health) {
	e.mu.Lock()
	first := !e.healthSet
	e.health, e.healthSet = h, true
	sy := e.sync
	e.mu.Unlock()
	if first && sy != nil {
		sy.Kick()
	}
}

// Health is the page's last health snapshot; false before the kiosk page
// made one (and on a phone, which never does).
func (e *Env) Health() (wire.Health, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.health, e.healthSet
}

// cameraWait is how long the health report waits for the camera's answer
// (a stream or a refusal) before it calls the camera failing.
const cameraWait = 15 * time.Second

// healthKnown reports whether the page knows enough for a health report:
// the camera and the storage estimate have answered, or have had
// cameraWait to. A report taken just after enrollment, before the page
// even asked, would call a working camera missing, and the storage
// unknown, until the next one, a minute later.
func (k *Kiosk) healthKnown() bool {
	c := k.cam
	if c == nil {
		return false
	}
	waited := time.Since(c.asked) >= cameraWait
	return (c.stream != nil || c.err != nil || waited) && (k.use.quota > 0 || waited)
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
	case k.cam.err != nil, k.cam.stream == nil:
		h.Camera = "error" // refused for another reason, or no answer in cameraWait
	}
	if k.env != nil {
		h.StoragePersisted = k.env.Persisted
	}
	// What the browser estimated last (checkQuota; 0 until it answers).
	h.StorageUsage, h.StorageQuota = int64(k.use.usage), int64(k.use.quota)
	return h
}
