package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

// StaleAfter is how long a kiosk may go without syncing before the fleet
// view highlights it.
const StaleAfter = time.Hour

// deviceHealth answers POST /api/v1/device/health: a kiosk's report of
// itself, signed like its punches, kept as the device's last report.
func (s *Server) deviceHealth(w http.ResponseWriter, r *http.Request) error {
	dev, body, err := s.kioskRequest(w, r)
	if err != nil {
		return err
	}
	var h wire.Health
	if err := decode(body, &h, true); err != nil {
		return err
	}
	switch {
	case h.Protocol < 2:
		return wire.Errorf(wire.CodeInvalid, "health reports start with protocol 2")
	case h.Pending < 0 || h.StorageUsage < 0 || h.StorageQuota < 0:
		return wire.Errorf(wire.CodeInvalid, "counts and sizes are not negative")
	case len(h.AppVersion) > 64:
		return wire.Errorf(wire.CodeInvalid, "app_version is at most 64 bytes")
	case !slices.Contains(wire.HealthFaces, h.Face):
		return wire.Errorf(wire.CodeInvalid, "face is one of %v", wire.HealthFaces)
	case !slices.Contains(wire.HealthCameras, h.Camera):
		return wire.Errorf(wire.CodeInvalid, "camera is one of %v", wire.HealthCameras)
	}
	if err := wire.CheckText("app_version", h.AppVersion); err != nil {
		return err
	}
	clean, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := s.Store.PutDeviceHealth(r.Context(), dev.ID, clean, s.Now()); err != nil {
		return storeErr(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"server_time": s.Now().UTC()})
}

// fleetKiosk is one kiosk in the fleet view.
type fleetKiosk struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	SiteID     string       `json:"site_id"`
	Revoked    bool         `json:"revoked"`
	EnrolledAt time.Time    `json:"enrolled_at"`
	LastSync   time.Time    `json:"last_sync,omitzero"`
	OffsetMS   int64        `json:"offset_ms"`
	Stale      bool         `json:"stale"`
	Health     *wire.Health `json:"health,omitempty"`
	HealthAt   time.Time    `json:"health_at,omitzero"`
}

// fleet answers GET /api/v1/admin/fleet: every kiosk with when it last
// synced (its last batch or health report, whichever is later), its
// clock offset and its last health report; a kiosk not revoked that has
// not synced for StaleAfter is stale.
func (s *Server) fleet(w http.ResponseWriter, r *http.Request) error {
	devs, err := s.Store.Devices(r.Context())
	if err != nil {
		return storeErr(err)
	}
	hs, err := s.Store.DeviceHealths(r.Context())
	if err != nil {
		return storeErr(err)
	}
	byID := map[string]int{}
	for i, h := range hs {
		byID[h.DeviceID] = i
	}
	now := s.Now()
	out := []fleetKiosk{}
	for _, d := range devs {
		if d.Kind != attendance.DeviceKiosk {
			continue
		}
		k := fleetKiosk{ID: d.ID, Name: d.Name, SiteID: d.SiteID, Revoked: d.Revoked, EnrolledAt: d.EnrolledAt, LastSync: d.SeenAt, OffsetMS: d.OffsetMS}
		if i, ok := byID[d.ID]; ok {
			var h wire.Health
			if json.Unmarshal(hs[i].Health, &h) == nil {
				k.Health, k.HealthAt = &h, hs[i].At
			}
			// A report comes after each sync: the later of the two is
			// when the kiosk last synced.
			if hs[i].At.After(k.LastSync) {
				k.LastSync = hs[i].At
			}
		}
		since := k.LastSync
		if since.IsZero() {
			since = d.EnrolledAt
		}
		k.Stale = !d.Revoked && now.Sub(since) > StaleAfter
		out = append(out, k)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"kiosks": out, "stale_after_s": int(StaleAfter.Seconds())})
}
