package pages

import (
	"context"

	"github.com/google/uuid"
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/wire"
	"punchclock/kiosk/syncer"
)

// The manager's approvals on the kiosk: the flows waiting for them (from
// the latest pull), decided right here, offline too: a decision is kept
// in IndexedDB and sent by the syncer; one the server finds closed by
// someone else first comes back as a conflict and stays listed.

// flowsFor are the pulled flows waiting for the manager that this kiosk
// has not decided.
func flowsFor(m ManagerSession, flows []wire.KioskFlow, decided []syncer.Decision) []wire.KioskFlow {
	done := map[string]bool{}
	for _, d := range decided {
		done[d.FlowID] = true
	}
	var out []wire.KioskFlow
	for _, f := range flows {
		if f.WaitingFor == m.EmployeeID && !done[f.ID] {
			out = append(out, f)
		}
	}
	return out
}

func (m *Manager) onReason(ctx app.Context, e app.Event) {
	m.reason = ctx.JSSrc().Get("value").String()
}

// decide queues the manager's decision on a flow.
func (m *Manager) decide(f wire.KioskFlow, approve bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		m.touch(ctx, e)
		if !approve && m.reason == "" {
			m.flowMsg = "flow.needReason"
			return
		}
		sy := m.env.Syncer()
		id, err := uuid.NewV7()
		if sy == nil || err != nil {
			m.flowMsg = "flow.cannot"
			return
		}
		d := wire.KioskDecision{ID: id.String(), FlowID: f.ID, By: m.session.EmployeeID, Approve: approve, At: m.env.Clock()}
		if !approve {
			d.Reason = m.reason
		}
		m.reason, m.flowMsg = "", ""
		ctx.Async(func() {
			err := sy.QueueDecision(context.Background(), d)
			ctx.Dispatch(func(ctx app.Context) {
				if err != nil {
					m.flowMsg = "flow.cannot"
				}
			})
		})
	}
}

// renderFlows is the flows waiting for the manager and those decided here.
func (m *Manager) renderFlows() app.UI {
	l := m.lang
	var msg app.UI = app.Text("")
	if m.flowMsg != "" {
		msg = app.P().Class("error").ID("flow-msg").DataSet("code", m.flowMsg).Text(l.T(m.flowMsg))
	}
	name := func(id string) string {
		if emp, ok := m.names[id]; ok {
			return emp.ID + " " + emp.Name
		}
		return id
	}
	what := func(f wire.KioskFlow) string {
		s := l.T("flow."+f.Kind) + " · " + f.Date
		if !f.Time.IsZero() && m.loc != nil {
			s += " " + f.Time.In(m.loc).Format("15:04")
		}
		if f.Direction != "" {
			s += " " + l.T("board."+f.Direction)
		}
		return s
	}
	reason := func(f wire.KioskFlow) string {
		if f.Auto {
			if t := l.T("flow.auto." + f.Kind); t != "flow.auto."+f.Kind {
				return t
			}
		}
		return f.Reason
	}
	var pending app.UI = app.P().Class("none").ID("flows").DataSet("count", "0").Text(l.T("manager.none"))
	if len(m.flows) > 0 {
		pending = app.Table().ID("flows").DataSet("count", len(m.flows)).Body(
			app.TBody().Body(app.Range(m.flows).Slice(func(i int) app.UI {
				f := m.flows[i]
				return app.Tr().DataSet("flow", f.ID).Body(
					app.Td().Text(name(f.EmployeeID)), app.Td().Text(what(f)), app.Td().Text(reason(f)),
					app.Td().Body(
						app.Button().Class("button").ID("approve-"+f.ID).Text(l.T("flow.approve")).OnClick(m.decide(f, true)),
						app.Button().Class("button").ID("reject-"+f.ID).Text(l.T("flow.reject")).OnClick(m.decide(f, false)),
					),
				)
			})),
		)
	}
	var decided app.UI = app.Text("")
	if len(m.decided) > 0 {
		decided = app.Table().ID("decided").DataSet("count", len(m.decided)).Body(
			app.TBody().Body(app.Range(m.decided).Slice(func(i int) app.UI {
				d := m.decided[i]
				verdict := l.T("flow.rejected")
				if d.Approve {
					verdict = l.T("flow.approved")
				}
				state := l.T("flow.status." + d.Status)
				if d.Status == syncer.DecisionConflict {
					state = l.T("flow.status.conflict", l.T("flow.state."+d.State))
				}
				return app.Tr().DataSet("flow", d.FlowID).DataSet("status", d.Status).Body(
					app.Td().Text(d.FlowID[len(d.FlowID)-6:]), app.Td().Text(verdict), app.Td().Text(state),
				)
			})),
		)
	}
	return app.Div().Body(
		app.Input().ID("reject-reason").Type("text").Placeholder(l.T("flow.reason")).Value(m.reason).OnInput(m.onReason),
		msg, pending, decided,
	)
}
