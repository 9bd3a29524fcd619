package syncer

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"punchclock/app/wire"
)

// HealthEvery is how often at most a kiosk reports its health.
const HealthEvery = time.Minute

// ReportHealth sends the kiosk's health (POST /api/v1/device/health,
// protocol 2) when Config.Health is set and HealthEvery has passed since
// the last report punchd took, or sooner when that report showed punches
// waiting and the queue has since emptied (the fleet view must not show
// a kiosk's punches as waiting for a minute after they arrived): what the
// page knows (Config.Health) with the queue and the clock offset the
// syncer knows. A report is best effort: it never fails a sync; one
// refused or lost is sent again after the next sync.
func (s *Syncer) ReportHealth(ctx context.Context) {
	if s.cfg.Health == nil {
		return
	}
	now := s.cfg.Clock()
	s.mu.Lock()
	due := s.healthAt.IsZero() || now.Sub(s.healthAt) >= HealthEvery || now.Before(s.healthAt)
	waited := s.healthPending > 0
	s.mu.Unlock()
	// The queue is read (IndexedDB counts) only for a report that is due
	// or may be: not after every sync of a busy entrance.
	if !due && !waited {
		return
	}
	st, err := s.Status(ctx)
	if err != nil || !due && st.Pending > 0 {
		return
	}
	h, ok := s.cfg.Health()
	if !ok {
		return
	}
	h.Protocol, h.Pending, h.OffsetMS = wire.ProtocolVersion, st.Pending, st.Offset.Milliseconds()
	h.At = now.Add(st.Offset).UTC()
	h.OldestPending = time.Time{}
	if st.Pending > 0 {
		h.OldestPending = now.Add(-st.OldestPending).Add(st.Offset).UTC()
	}
	body, err := json.Marshal(h)
	if err != nil {
		return
	}
	id, err := s.identity()
	if err != nil {
		return
	}
	x, err := s.do(ctx, id, http.MethodPost, "/api/v1/device/health", now, body, nil)
	if err == nil && x.resp.StatusCode == http.StatusOK {
		s.mu.Lock()
		s.healthAt, s.healthPending = now, h.Pending
		s.mu.Unlock()
	}
}
