package pages

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
	"punchclock/kiosk/syncer"
)

// The requests of the phone's month view: the ones queued on the phone,
// then the server's, each with its state, a Withdraw button while it is
// pending (or still queued), and, for an offline-declared punch waiting
// for its proof, a photo input (the camera on a phone).

// Proof states of a flow row (data-proof).
const (
	proofNeeded   = "needed"
	proofAttached = "attached"
)

// flowRow is one request as the month view lists it.
type flowRow struct {
	ID, State, Date, What string
	// Withdraw: the row has a Withdraw button.
	Withdraw bool
	// Proof is proofNeeded, proofAttached or "".
	Proof string
	// Refused is the server's refusal of the phone's make-up or withdrawal.
	Refused string
}

// flowRows lists the make-ups queued on the phone (newest first), then the
// server's flows, with the phone's queued withdrawals applied: a flow
// whose withdrawal waits shows "withdrawing"; a refused withdrawal is
// noted on its flow.
func flowRows(l Lang, makeups []Makeup, withdrawals []Withdrawal, flows []PhoneFlow, loc *time.Location) []flowRow {
	var rows []flowRow
	for _, m := range slices.Backward(makeups) {
		r := flowRow{ID: m.ID, State: "queued", Date: m.Date.String(), Withdraw: true,
			What: l.T("flow.makeup", l.T(directionKeyOf(m.Direction)), m.Time.In(loc).Format("15:04"))}
		if m.Refused != "" {
			r.State, r.Refused = "refused", m.Refused
		}
		rows = append(rows, r)
	}
	for _, f := range flows {
		if slices.ContainsFunc(makeups, func(m Makeup) bool { return m.ID == f.ID }) {
			continue
		}
		r := flowRow{ID: f.ID, State: f.State, Date: f.Date.String(), What: l.T("flow." + f.Kind)}
		if f.Kind == KindMakeup {
			r.What = l.T("flow.makeup", l.T(directionKeyOf(f.Direction)), f.Time.In(loc).Format("15:04"))
		}
		if f.Kind == KindOffline && f.State == "pending" && f.Proof == "" {
			r.Proof = proofNeeded
		} else if f.Kind == KindOffline && f.Proof != "" {
			r.Proof = proofAttached
		}
		r.Withdraw = f.State == "pending"
		if i := slices.IndexFunc(withdrawals, func(w Withdrawal) bool { return w.FlowID == f.ID }); i >= 0 && f.State == "pending" {
			if withdrawals[i].Refused == "" {
				r.State, r.Withdraw, r.Proof = "withdrawing", false, ""
			} else {
				r.Refused = withdrawals[i].Refused
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// requestMessage says in l why a withdrawal or a proof did not go
// through, by error and code (a code of the server's answers to a proof,
// the only request of the two it refuses rather than settles), with the
// server's raw English only as the last resort.
func requestMessage(l Lang, err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrProofLarge):
		return l.T("proof.tooLarge")
	case errors.Is(err, ErrProofEmpty):
		return l.T("proof.empty")
	case errors.Is(err, syncer.ErrOffline):
		return l.T("req.offline")
	}
	switch wire.CodeOf(err) {
	case wire.CodeInvalid:
		return l.T("proof.invalid")
	case wire.CodeExpired:
		return l.T("proof.expired")
	case wire.CodeTooLarge:
		return l.T("proof.tooLarge")
	case wire.CodeConflict:
		return l.T("proof.closed")
	}
	return l.T("req.failed", errorText(l, err))
}

// makeupMessage says in l why a make-up request could not be made.
func makeupMessage(l Lang, err error) string {
	switch {
	case errors.Is(err, ErrMakeupTime):
		return l.T("makeup.badTime")
	case errors.Is(err, ErrMakeupFuture):
		return l.T("makeup.future")
	}
	return errorText(l, err)
}

// withdraw takes back the request id (queued offline if need be).
func (p *Phone) withdraw(id string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if p.env == nil || p.busyFlow != "" {
			return
		}
		p.busyFlow, p.flowErrID, p.flowErr = id, id, nil
		env, mctx := p.env, p.mctx
		mctx.Async(func() {
			err := env.Withdraw(context.WithoutCancel(mctx), id)
			mctx.Dispatch(func(app.Context) {
				p.busyFlow, p.flowErr = "", err
				if err == nil {
					p.refreshMonth()
				}
			})
		})
	}
}

// onProof reads the photo chosen for the request id (shrunk if it is
// too large, readPhoto) and sends it.
func (p *Phone) onProof(id string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		input := e.Get("target")
		files := input.Get("files")
		if p.env == nil || p.busyFlow != "" || !files.Truthy() || files.Length() == 0 {
			return
		}
		file := files.Index(0)
		p.busyFlow, p.flowErrID, p.flowErr = id, id, nil
		env, mctx := p.env, p.mctx
		mctx.Async(func() {
			data, kind, err := readPhoto(file)
			if err == nil {
				err = env.AttachProof(context.WithoutCancel(mctx), id, data, kind)
			}
			mctx.Dispatch(func(app.Context) {
				p.busyFlow, p.flowErr = "", err
				input.Set("value", "") // the same photo chosen again fires again
			})
		})
	}
}

// renderFlows lists the requests queued on the phone, then the server's.
func (p *Phone) renderFlows() app.UI {
	l := p.lang
	rows := flowRows(l, p.makeups, p.withdrawals, p.month.Flows, p.location())
	if len(rows) == 0 {
		return app.P().Class("none").ID("flows").DataSet("count", 0).Text(l.T("manager.none"))
	}
	return app.Ul().Class("recent flows").ID("flows").DataSet("count", len(rows)).Body(
		app.Range(rows).Slice(func(i int) app.UI { return p.renderFlow(rows[i]) }),
	)
}

// renderFlow is one request: what, when, its state, and what the employee
// may do with it.
func (p *Phone) renderFlow(r flowRow) app.UI {
	l := p.lang
	busy := p.busyFlow == r.ID
	var extra []app.UI
	if r.Refused != "" && r.State != "refused" {
		extra = append(extra, app.P().Class("error withdraw-refused").Text(l.T("flow.withdrawRefused", refusalText(l, wire.Code(r.Refused)))))
	}
	switch {
	case r.Proof == proofAttached:
		extra = append(extra, app.P().Class("notice proof-attached").Text(l.T("proof.attached")))
	case r.Proof == proofNeeded && busy:
		extra = append(extra, app.P().Class("notice proof-sending").Text(l.T("proof.sending")))
	case r.Proof == proofNeeded:
		extra = append(extra, app.Label().Class("button proof").Body(
			app.Text(l.T("proof.add")),
			app.Input().Type("file").Class("proof-input").Accept("image/*").Capture("environment").
				DataSet("id", r.ID).OnChange(p.onProof(r.ID)),
		))
	}
	if r.Withdraw {
		extra = append(extra, app.Button().Class("button withdraw").DataSet("id", r.ID).Disabled(busy).
			Text(l.T("flow.withdraw")).OnClick(p.withdraw(r.ID)))
	}
	if p.flowErrID == r.ID && p.flowErr != nil {
		extra = append(extra, app.P().Class("error flow-error").DataSet("code", string(wire.CodeOf(p.flowErr))).
			Text(requestMessage(l, p.flowErr)))
	}
	return app.Li().Class("flow "+r.State).DataSet("id", r.ID).DataSet("state", r.State).DataSet("date", r.Date).
		DataSet("proof", r.Proof).Body(
		app.Span().Class("when").Text(r.Date[5:]),
		app.Span().Class("what").Text(r.What),
		app.Span().Class("state").Text(l.T("flow.state."+r.State)),
		app.If(len(extra) > 0, func() app.UI { return app.Div().Class("flow-actions").Body(extra...) }),
	)
}
