package pages

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/kiosk/syncer"
)

// The phone's requests beyond the make-up: withdrawing its own pending
// request (queued offline like a make-up), and the proof photo of an
// offline-declared punch (sent at once: a photo is not kept on the phone).
// The syncer's loop sends the queues too (hookSyncer), so a request made
// offline goes out when the server answers again, page or no page.

// KeyPhoneWithdrawals holds the withdrawals made on the phone and not yet
// answered ([]Withdrawal), in the order they were made.
const KeyPhoneWithdrawals = "phone.withdrawals"

// MaxProof is the largest proof photo the server takes (approval.MaxProof).
const MaxProof = 4 << 20

// Errors of a make-up's time (MakeupTime) and of a proof (AttachProof).
var (
	ErrMakeupTime   = errors.New("pages: give a time of that day as HH:MM")
	ErrMakeupFuture = errors.New("pages: that time is still to come")
	ErrProofLarge   = errors.New("pages: the photo is larger than 4 MiB and could not be shrunk")
	ErrProofEmpty   = errors.New("pages: no photo was chosen")
)

// Withdrawal is the phone's employee taking back one of their pending
// requests, plus what became of it on the phone.
type Withdrawal struct {
	// ID is the phone's id of the withdrawal (UUIDv7): a double tap
	// queues one. The server keys a withdrawal by its flow, so a resent
	// one finds the flow closed (conflict), which settles it.
	ID     string `json:"id"`
	FlowID string `json:"flow_id"`
	// Refused is the code of the server's refusal (not retried; shown in
	// the viewer's language), "" while queued.
	Refused string `json:"refused,omitempty"`
}

// MakeupTime is the time of a make-up on date, typed as "HH:MM" (or
// "HH:MM:SS", as some browsers give a time input's value) in loc: a time
// of that day, and not later than now (a make-up mends a punch missed).
func MakeupTime(date rules.Date, text string, loc *time.Location, now time.Time) (time.Time, error) {
	text = strings.TrimSpace(text)
	if len(text) == 8 && strings.HasSuffix(text, ":00") {
		text = text[:5]
	}
	c, err := rules.ParseClock(text)
	if err != nil || c >= rules.NewClock(24, 0) {
		return time.Time{}, ErrMakeupTime
	}
	at := date.At(c, loc)
	// A time a DST change skips lands on another hour: still the day,
	// but not the one typed.
	if y, m, d := at.Date(); rules.NewDate(y, m, d) != date || at.Hour()*60+at.Minute() != int(c) {
		return time.Time{}, ErrMakeupTime
	}
	if at.After(now) {
		return time.Time{}, ErrMakeupFuture
	}
	return at, nil
}

// hookSyncer has the phone's syncer send the queued requests at the end
// of every sync, once per syncer.
func (p *PhoneEnv) hookSyncer() {
	s := p.Syncer()
	p.mu.Lock()
	if s == nil || p.hooked == s {
		p.mu.Unlock()
		return
	}
	p.hooked = s
	p.mu.Unlock()
	s.AddTask(p.syncTask)
}

// syncTask sends the queued location points, then the queued requests;
// if any request went out, it reads the month again, so the page shows what the server made of them.
func (p *PhoneEnv) syncTask(ctx context.Context) error {
	if err := p.sendLocations(ctx); err != nil {
		return err
	}
	n, err := p.SendQueued(ctx)
	if err != nil || n == 0 {
		return err
	}
	_, err = p.RefreshMonth(ctx)
	return err
}

// SendQueued sends the queued make-ups, then the queued withdrawals (a
// make-up and its withdrawal, both made offline, go in that order), and
// returns how many the server answered.
func (p *PhoneEnv) SendQueued(ctx context.Context) (int, error) {
	n, err := p.SendMakeups(ctx)
	if err != nil {
		return n, err
	}
	m, err := p.SendWithdrawals(ctx)
	return n + m, err
}

// Withdrawals returns the withdrawals still on the phone: queued ones and
// the ones the server refused.
func (p *PhoneEnv) Withdrawals(ctx context.Context) ([]Withdrawal, error) {
	return loadList[Withdrawal](ctx, p.Outbox.Store(), KeyPhoneWithdrawals)
}

func (p *PhoneEnv) setWithdrawals(ctx context.Context, ws []Withdrawal) error {
	return saveList(ctx, p.Outbox.Store(), KeyPhoneWithdrawals, ws)
}

// Withdraw takes back the request flowID. A make-up still queued on the
// phone (never sent, or refused) is simply dropped; otherwise a
// withdrawal is queued before Withdraw returns, then sent if the server
// answers (else at the next refresh or sync). A second withdrawal of the
// same flow queues nothing more.
func (p *PhoneEnv) Withdraw(ctx context.Context, flowID string) error {
	if flowID == "" {
		return wire.Errorf(wire.CodeInvalid, "no request to withdraw")
	}
	// Holding send: a queued make-up is either sent already or dropped
	// here, never both.
	p.send.Lock()
	p.mu.Lock()
	dropped, err := p.dropMakeup(ctx, flowID)
	if err == nil && !dropped {
		var ws []Withdrawal
		ws, err = p.Withdrawals(ctx)
		i := slices.IndexFunc(ws, func(w Withdrawal) bool { return w.FlowID == flowID })
		switch {
		case err != nil:
		case i >= 0 && ws[i].Refused == "":
			// Queued already: a double tap.
		default:
			var id uuid.UUID
			if id, err = uuid.NewV7(); err == nil {
				if i >= 0 { // refused before: try again under a new id
					ws = slices.Delete(ws, i, i+1)
				}
				err = p.setWithdrawals(ctx, append(ws, Withdrawal{ID: id.String(), FlowID: flowID}))
			}
		}
	}
	p.mu.Unlock()
	p.send.Unlock()
	if err != nil {
		return err
	}
	p.notify()
	if dropped {
		return nil
	}
	if _, err := p.SendWithdrawals(ctx); err != nil && !errors.Is(err, syncer.ErrOffline) && !errors.Is(err, ErrNoSync) {
		return err
	}
	return nil
}

// dropMakeup removes the queued make-up id; p.mu is held.
func (p *PhoneEnv) dropMakeup(ctx context.Context, id string) (bool, error) {
	ms, err := p.Makeups(ctx)
	if err != nil {
		return false, err
	}
	i := slices.IndexFunc(ms, func(m Makeup) bool { return m.ID == id })
	if i < 0 {
		return false, nil
	}
	return true, p.setMakeups(ctx, slices.Delete(ms, i, i+1))
}

// SendWithdrawals posts the queued withdrawals in order and returns how
// many the server answered. Taken (200), or refused as closed (conflict:
// withdrawn already by an answer that was lost, or decided first; the
// month's flows say which), a withdrawal leaves the queue; refused
// otherwise (forbidden, not found) it stays, marked, and is not resent.
// It stops at the first request-level failure (offline, transient).
func (p *PhoneEnv) SendWithdrawals(ctx context.Context) (int, error) {
	c, err := p.caller()
	if err != nil {
		return 0, err
	}
	p.send.Lock()
	defer p.send.Unlock()
	ws, err := p.Withdrawals(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, w := range ws {
		if w.Refused != "" {
			continue
		}
		_, _, err := c.Call(ctx, http.MethodPost, PathPhoneFlows+"/"+url.PathEscape(w.FlowID)+"/withdraw", nil)
		var werr *wire.Error
		switch {
		case err == nil || errors.As(err, &werr) && werr.Code == wire.CodeConflict:
			sent++
			err = p.settleWithdrawal(ctx, w.ID, "")
		case errors.As(err, &werr) && refusal(werr.Code):
			sent++
			err = p.settleWithdrawal(ctx, w.ID, string(werr.Code))
		default:
			if sent > 0 {
				p.notify()
			}
			return sent, err
		}
		if err != nil {
			return sent, err
		}
	}
	if sent > 0 {
		p.notify()
	}
	return sent, nil
}

// settleWithdrawal removes the queued withdrawal id (refused "") or marks
// it refused.
func (p *PhoneEnv) settleWithdrawal(ctx context.Context, id, refused string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return settleList(ctx, p.Outbox.Store(), KeyPhoneWithdrawals, id, refused,
		func(w Withdrawal) string { return w.ID }, func(w *Withdrawal, why string) { w.Refused = why })
}

// AttachProof sends data, a photo of contentType, as the proof of the
// employee's offline-declared request flowID, then reads the month again.
// It is not queued: offline it fails with syncer.ErrOffline and the
// employee tries again. The server's refusals come back as *wire.Error:
// invalid (not a readable JPEG or PNG), expired (more than 4 h after the
// declared time), conflict (the request is closed or has its proof),
// too_large.
func (p *PhoneEnv) AttachProof(ctx context.Context, flowID string, data []byte, contentType string) error {
	switch {
	case len(data) == 0:
		return ErrProofEmpty
	case len(data) > MaxProof:
		return ErrProofLarge
	}
	c, err := p.caller()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(contentType, "image/") {
		contentType = "application/octet-stream"
	}
	if _, _, err := c.CallAs(ctx, http.MethodPost, PathPhoneFlows+"/"+url.PathEscape(flowID)+"/proof", contentType, data); err != nil {
		return err
	}
	_, err = p.RefreshMonth(ctx)
	return err
}
