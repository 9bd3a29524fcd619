package pages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/syncer"
)

// The phone's own endpoints (server/internal/httpapi/phone.go), signed
// with the phone's device key through the syncer.
const (
	PathPhoneRecords = "/api/v1/device/records"
	PathPhoneFlows   = "/api/v1/device/flows"
)

// Outbox state keys of the employee's own days on the phone.
const (
	// KeyPhoneMonth holds the last successful read of the month (PhoneMonth),
	// so the month view opens offline.
	KeyPhoneMonth = "phone.month"
	// KeyPhoneMakeups holds the make-up requests made on the phone and not
	// yet taken by the server ([]Makeup), in the order they were made.
	KeyPhoneMakeups = "phone.makeups"
)

// Approval kinds the phone acts on: a make-up punch request (made on the
// phone) and an offline-declared punch (which takes a proof photo).
const (
	KindMakeup  = "makeup_punch"
	KindOffline = "offline_declared"
)

// ErrNoSync: the phone has no syncer (not activated, or stopped).
var ErrNoSync = errors.New("pages: the phone is not syncing")

// FlowRequest is a request of the phone's employee as the phone sends it
// (the body of POST /device/flows) and as the server lists it.
type FlowRequest struct {
	ID        string               `json:"id"`
	Kind      string               `json:"kind"`
	Date      rules.Date           `json:"date"`
	Time      time.Time            `json:"time,omitzero"`
	Direction attendance.Direction `json:"direction,omitempty"`
	Reason    string               `json:"reason"`
}

// PhoneFlow is an approval request of the phone's employee as the server
// lists it (approval.Request, the fields the phone shows).
type PhoneFlow struct {
	FlowRequest
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Proof is the id of the photo attached to an offline-declared punch.
	Proof string `json:"proof,omitempty"`
}

// PhoneMonth is the employee's month as last read from the server.
type PhoneMonth struct {
	From    rules.Date        `json:"from"`
	To      rules.Date        `json:"to"`
	Records []rules.DayRecord `json:"records"`
	Flows   []PhoneFlow       `json:"flows"`
	// At is the device time of the read.
	At time.Time `json:"at"`
}

// Makeup is a make-up punch request made on the phone, plus what became
// of it on the phone.
type Makeup struct {
	FlowRequest
	// Refused is the code of the server's refusal (not retried; shown in
	// the viewer's language), "" while queued.
	Refused string `json:"refused,omitempty"`
}

// caller sends a signed request; *syncer.Syncer is one.
type caller interface {
	Call(ctx context.Context, method, pathQuery string, body []byte) (int, []byte, error)
	CallAs(ctx context.Context, method, pathQuery, contentType string, body []byte) (int, []byte, error)
}

// MonthRange is the current month of the site's calendar at now, in loc,
// up to today: the days the month view lists.
func MonthRange(now time.Time, loc *time.Location) (from, to rules.Date) {
	y, m, d := now.In(loc).Date()
	return rules.NewDate(y, m, 1), rules.NewDate(y, m, d)
}

// Missing reports whether a day's verdict is one a make-up punch mends,
// and which direction the punch would be.
func Missing(rec rules.DayRecord) (attendance.Direction, bool) {
	switch rec.Status {
	case rules.StatusMissingIn, rules.StatusAbsent:
		return attendance.DirectionIn, true
	case rules.StatusMissingOut:
		return attendance.DirectionOut, true
	}
	return attendance.DirectionNone, false
}

// MakeupFor prefills a make-up request for a day marked missing: the
// missing direction, at the shift's start (in) or end (out) if the record
// has its shift, else at 09:00 or 18:00 in loc.
func MakeupFor(rec rules.DayRecord, loc *time.Location, reason string) (Makeup, error) {
	dir, ok := Missing(rec)
	if !ok {
		return Makeup{}, wire.Errorf(wire.CodeInvalid, "day %s is not marked missing", rec.Date)
	}
	var at time.Time
	switch {
	case rec.Shift != nil && dir == attendance.DirectionIn && !rec.Shift.Start.IsZero():
		at = rec.Shift.Start
	case rec.Shift != nil && dir == attendance.DirectionOut && !rec.Shift.End.IsZero():
		at = rec.Shift.End
	case dir == attendance.DirectionIn:
		at = rec.Date.At(rules.NewClock(9, 0), loc)
	default:
		at = rec.Date.At(rules.NewClock(18, 0), loc)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Makeup{}, err
	}
	return Makeup{FlowRequest: FlowRequest{ID: id.String(), Kind: KindMakeup, Date: rec.Date, Time: at, Direction: dir, Reason: reason}}, nil
}

// caller is the phone's signed request path: its syncer.
func (p *PhoneEnv) caller() (caller, error) {
	if p.call != nil {
		return p.call, nil
	}
	if s := p.Syncer(); s != nil {
		return s, nil
	}
	return nil, ErrNoSync
}

// Month returns the month as last read (ok false before any read).
func (p *PhoneEnv) Month(ctx context.Context) (PhoneMonth, bool, error) {
	var m PhoneMonth
	b, err := p.Outbox.Store().State(ctx, KeyPhoneMonth)
	if errors.Is(err, outbox.ErrNotFound) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("pages: phone month: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("pages: phone month: %w", err)
	}
	return m, true, nil
}

// RefreshMonth sends the queued requests (SendQueued), then reads the current
// month's records and the employee's flows and stores them (KeyPhoneMonth).
// Offline (or on any failure) the stored month stays as it was and the
// error says why.
func (p *PhoneEnv) RefreshMonth(ctx context.Context) (PhoneMonth, error) {
	c, err := p.caller()
	if err != nil {
		return PhoneMonth{}, err
	}
	if _, err := p.SendQueued(ctx); err != nil {
		return PhoneMonth{}, err
	}
	_, loc, err := p.Site(ctx)
	if err != nil {
		return PhoneMonth{}, err
	}
	from, to := MonthRange(p.Now(ctx), loc)
	_, b, err := c.Call(ctx, http.MethodGet, fmt.Sprintf("%s?from=%s&to=%s", PathPhoneRecords, from, to), nil)
	if err != nil {
		return PhoneMonth{}, err
	}
	m := PhoneMonth{From: from, To: to}
	if err := json.Unmarshal(b, &m); err != nil {
		return PhoneMonth{}, fmt.Errorf("pages: phone records: %w", err)
	}
	_, b, err = c.Call(ctx, http.MethodGet, PathPhoneFlows, nil)
	if err != nil {
		return PhoneMonth{}, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return PhoneMonth{}, fmt.Errorf("pages: phone flows: %w", err)
	}
	// Newest first: the request just made is on top.
	slices.SortStableFunc(m.Flows, func(a, b PhoneFlow) int { return b.CreatedAt.Compare(a.CreatedAt) })
	m.At = p.Clock().Round(0).UTC()
	raw, err := json.Marshal(m)
	if err != nil {
		return PhoneMonth{}, err
	}
	if err := p.Outbox.Store().SetState(ctx, KeyPhoneMonth, raw); err != nil {
		return PhoneMonth{}, fmt.Errorf("pages: phone month: %w", err)
	}
	p.notify()
	return m, nil
}

// Makeups returns the make-up requests still on the phone: queued ones
// and the ones the server refused.
func (p *PhoneEnv) Makeups(ctx context.Context) ([]Makeup, error) {
	return loadList[Makeup](ctx, p.Outbox.Store(), KeyPhoneMakeups)
}

func (p *PhoneEnv) setMakeups(ctx context.Context, ms []Makeup) error {
	return saveList(ctx, p.Outbox.Store(), KeyPhoneMakeups, ms)
}

// RequestMakeup queues m (a request of MakeupFor) on the phone before it
// returns, then tries to send the queue. Offline, the request waits and
// SendMakeups (at the next refresh, or the syncer's next sync) sends it;
// the server keys requests by id, so a request sent twice is started once.
func (p *PhoneEnv) RequestMakeup(ctx context.Context, m Makeup) error {
	p.mu.Lock()
	ms, err := p.Makeups(ctx)
	if err == nil && !slices.ContainsFunc(ms, func(q Makeup) bool { return q.ID == m.ID }) {
		err = p.setMakeups(ctx, append(ms, m))
	}
	p.mu.Unlock()
	if err != nil {
		return err
	}
	p.notify()
	if _, err := p.SendMakeups(ctx); err != nil && !errors.Is(err, syncer.ErrOffline) && !errors.Is(err, ErrNoSync) {
		return err
	}
	return nil
}

// SendMakeups posts the queued make-up requests in order and returns how
// many the server took. A request taken (201, or 200: started before)
// leaves the queue; one refused (invalid, conflict, forbidden) stays,
// marked with the refusal and not sent again. It stops at the first
// request-level failure (offline, transient) and returns it.
func (p *PhoneEnv) SendMakeups(ctx context.Context) (int, error) {
	c, err := p.caller()
	if err != nil {
		return 0, err
	}
	p.send.Lock()
	defer p.send.Unlock()
	ms, err := p.Makeups(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	var failed error
	for _, m := range ms {
		if m.Refused != "" {
			continue
		}
		body, err := json.Marshal(m.FlowRequest)
		if err != nil {
			return sent, err
		}
		_, _, err = c.Call(ctx, http.MethodPost, PathPhoneFlows, body)
		var werr *wire.Error
		switch {
		case err == nil:
			sent++
			err = p.settleMakeup(ctx, m.ID, "")
		case errors.As(err, &werr) && refusal(werr.Code):
			err = p.settleMakeup(ctx, m.ID, string(werr.Code))
		default:
			failed = err
		}
		if failed != nil {
			break
		}
		if err != nil {
			return sent, err
		}
	}
	if sent > 0 {
		p.notify()
	}
	return sent, failed
}

// refusal reports whether an error code is the server's final word on a
// request (resending cannot help).
func refusal(c wire.Code) bool {
	switch c {
	case wire.CodeInvalid, wire.CodeConflict, wire.CodeForbidden, wire.CodeNotFound:
		return true
	}
	return false
}

// settleMakeup removes the queued request id (refused "") or marks it
// refused.
func (p *PhoneEnv) settleMakeup(ctx context.Context, id, refused string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return settleList(ctx, p.Outbox.Store(), KeyPhoneMakeups, id, refused,
		func(m Makeup) string { return m.ID }, func(m *Makeup, why string) { m.Refused = why })
}

// loadList reads the JSON list kept under key (nil when there is none).
func loadList[T any](ctx context.Context, st outbox.Store, key string) ([]T, error) {
	var ts []T
	b, err := st.State(ctx, key)
	if errors.Is(err, outbox.ErrNotFound) {
		return nil, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &ts)
	}
	if err != nil {
		return nil, fmt.Errorf("pages: %s: %w", key, err)
	}
	return ts, nil
}

// saveList keeps ts under key, as JSON.
func saveList[T any](ctx context.Context, st outbox.Store, key string, ts []T) error {
	b, err := json.Marshal(ts)
	if err == nil {
		err = st.SetState(ctx, key, b)
	}
	if err != nil {
		return fmt.Errorf("pages: %s: %w", key, err)
	}
	return nil
}

// settleList removes the item id of the list under key (refused "") or
// marks it refused; the caller holds the lock of the list.
func settleList[T any](ctx context.Context, st outbox.Store, key, id, refused string, idOf func(T) string, refuse func(*T, string)) error {
	ts, err := loadList[T](ctx, st, key)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ts, func(t T) bool { return idOf(t) == id })
	if i < 0 {
		return nil
	}
	if refused == "" {
		ts = slices.Delete(ts, i, i+1)
	} else {
		refuse(&ts[i], refused)
	}
	return saveList(ctx, st, key, ts)
}
