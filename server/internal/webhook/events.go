package webhook

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"punchclock/app/rules"
	"punchclock/server/internal/approval"
	"punchclock/server/internal/changefeed"
	"punchclock/server/internal/store"
)

// Event types.
const (
	PunchAccepted     = "punch.accepted"
	DayChanged        = "attendance.day_changed"
	ApprovalRequested = "approval.requested"
	ApprovalDecided   = "approval.decided"
)

// EventTypes lists the event types an endpoint may receive.
var EventTypes = []string{PunchAccepted, DayChanged, ApprovalRequested, ApprovalDecided}

// Event is one event, the same for every endpoint that receives it.
type Event struct {
	// ID is stable: derived from what the event is about, so the
	// producer makes the same id if it reads the same change twice.
	ID   string
	Type string
	// Body is the JSON payload: {"type", "timestamp", "data"}.
	Body string
}

// eventID is "msg_" and 20 bytes of the SHA-256 of the event's type and
// key, in lower-case base32.
func eventID(typ, key string) string {
	h := sha256.Sum256([]byte(typ + "\x00" + key))
	return "msg_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:20]))
}

func event(typ, key string, at time.Time, data any) Event {
	b, _ := json.Marshal(struct {
		Type      string    `json:"type"`
		Timestamp time.Time `json:"timestamp"`
		Data      any       `json:"data"`
	}{typ, at.UTC(), data})
	return Event{ID: eventID(typ, key), Type: typ, Body: string(b)}
}

// Events makes the events of a window of the change feed: each accepted
// punch, each approval flow started (requested) and closed (decided:
// approved, rejected or withdrawn), and each employee's changed days.
func Events(w changefeed.Window) []Event {
	var out []Event
	for _, p := range w.Punches {
		if p.Status != store.PunchAccepted {
			continue
		}
		out = append(out, event(PunchAccepted, p.ID, p.ReceivedAt, map[string]any{
			"punch_id": p.ID, "employee_id": p.EmployeeID, "site_id": p.SiteID, "device_id": p.DeviceID,
			"method": p.Method, "true_time": p.TrueTime.UTC(), "received_at": p.ReceivedAt.UTC(),
		}))
	}
	for _, a := range w.Approvals {
		data := map[string]any{"flow_id": a.ID, "kind": a.Kind, "employee_id": a.EmployeeID, "date": rules.Date(a.Day).String(), "state": a.State}
		out = append(out, event(ApprovalRequested, a.ID, a.CreatedAt, data))
		if a.State != string(approval.Pending) {
			out = append(out, event(ApprovalDecided, a.ID, a.ClosedAt, data))
		}
	}
	// A day change is keyed by the window it was read in: a later
	// change of the same day is another event.
	win := strconv.FormatInt(w.To.Version, 10) + "/" + strconv.FormatInt(w.To.At.UnixMilli(), 10)
	for _, c := range w.Changes {
		days := make([]string, len(c.Days))
		for i, d := range c.Days {
			days[i] = d.String()
		}
		out = append(out, event(DayChanged, c.EmployeeID+"/"+win, w.To.At, map[string]any{
			"employee_id": c.EmployeeID, "days": days, "all_days": c.AllDays, "reasons": c.Reasons,
		}))
	}
	return out
}
