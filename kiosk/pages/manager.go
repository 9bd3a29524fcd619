package pages

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
	"punchclock/kiosk/syncer"
)

// Manager is the manager's view on the kiosk: today's punches recorded
// here (whatever their sync state) and the punches the server rejected,
// with its codes and messages, of the employees the signed-in manager
// reviews (and badges nobody has). It reads only the local outbox, so it
// works offline. Without a manager signed in (managersignin.go) it shows
// nothing but that it is locked; untouched for ManagerIdle it locks and
// goes back to the kiosk.
type Manager struct {
	app.Compo

	session ManagerSession
	locked  bool
	depts   []attendance.Department
	board   []BoardRow
	flows   []wire.KioskFlow  // waiting for the manager (managerflows.go)
	decided []syncer.Decision // decided on this kiosk
	reason  string            // a rejection's reason, being typed
	flowMsg string            // message key

	lang     Lang
	env      *Env
	err      error
	enrolled bool
	loc      *time.Location
	today    []outbox.Entry
	rejected []outbox.Entry
	names    map[string]attendance.Employee
}

// OnMount loads the lists and reloads them whenever the outbox changes.
func (m *Manager) OnMount(ctx app.Context) {
	m.lang = pickLang(ctx)
	ctx.Async(func() {
		env, err := Use(ctx)
		if err != nil {
			ctx.Dispatch(func(app.Context) { m.err = err })
			return
		}
		ctx.Async(func() { m.watchIdle(ctx, env) })
		for {
			m.load(ctx, env)
			select {
			case <-ctx.Done():
				return
			case <-env.Changed():
			case <-time.After(10 * time.Second):
			}
		}
	})
}

// watchIdle locks the view and goes back to the kiosk once the manager's
// session has ended.
func (m *Manager) watchIdle(ctx app.Context, env *Env) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		if _, ok := env.Manager(false); !ok {
			ctx.Dispatch(func(ctx app.Context) {
				m.locked = true
				ctx.Navigate("/")
			})
			return
		}
	}
}

// touch keeps the manager's session open while they use the view.
func (m *Manager) touch(ctx app.Context, e app.Event) {
	if m.env != nil {
		m.env.Manager(true)
	}
}

func (m *Manager) signOut(ctx app.Context, e app.Event) {
	if m.env != nil {
		m.env.SignOutManager()
	}
	ctx.Navigate("/")
}

// load reads the outbox and hands the result to the UI goroutine.
func (m *Manager) load(ctx app.Context, env *Env) {
	session, ok := env.Manager(false)
	if !ok {
		ctx.Dispatch(func(app.Context) { m.env, m.locked = env, true })
		return
	}
	bg := context.Background()
	var depts []attendance.Department
	var pulled []wire.KioskFlow
	if st, err := env.Outbox.Pull(bg); err == nil {
		depts, pulled = st.Departments, st.Flows
	}
	var decided []syncer.Decision
	if sy := env.Syncer(); sy != nil {
		decided, _ = sy.Decisions(bg)
	}
	flows := flowsFor(session, pulled, decided)
	_, loc, err := env.Site(bg)
	enrolled := err == nil
	var today, rejected []outbox.Entry
	var names map[string]attendance.Employee
	if enrolled {
		today, err = env.Outbox.Today(bg, loc)
		if err == nil {
			rejected, err = env.Outbox.Rejected(bg)
		}
		if err == nil {
			names, err = env.Roster(bg)
		}
	} else {
		err = nil
	}
	// Only the employees the manager reviews, and badges nobody has.
	mine := func(es []outbox.Entry) []outbox.Entry {
		out := es[:0:0]
		for _, e := range es {
			emp, known := names[e.Punch.EmployeeID]
			if !known || session.Reviews(emp.DepartmentID, depts) {
				out = append(out, e)
			}
		}
		return out
	}
	today, rejected = mine(today), mine(rejected)
	var board []BoardRow
	if enrolled && err == nil {
		board, err = env.Board(bg, session, loc)
	}
	ctx.Dispatch(func(app.Context) {
		m.board, m.flows, m.decided = board, flows, decided
		m.env, m.enrolled, m.loc, m.err = env, enrolled, loc, err
		m.today, m.rejected, m.names = today, rejected, names
		m.session, m.locked, m.depts = session, false, depts
	})
}

func (m *Manager) toggleLang(ctx app.Context, e app.Event) {
	m.lang = m.lang.Other()
	ctx.LocalStorage().Set("punchclock.lang", string(m.lang))
}

// Render draws the two lists.
func (m *Manager) Render() app.UI {
	l := m.lang
	body := []app.UI{
		app.Header().Class("top").Body(
			app.H1().Class("brand").Text(l.T("manager.title")),
			app.Div().Class("actions").Body(
				app.Button().Class("button").ID("back").Text(l.T("manager.back")).
					OnClick(func(ctx app.Context, e app.Event) { ctx.Navigate("/") }),
				app.If(!m.locked && m.session.EmployeeID != "", func() app.UI {
					return app.Button().Class("button").ID("manager-signout").Text(l.T("manager.signout")).OnClick(m.signOut)
				}),
				app.Button().Class("button").Text(l.T("lang.toggle")).OnClick(m.toggleLang),
			),
		),
	}
	switch {
	case m.locked:
		body = append(body, app.P().Class("notice").ID("manager-locked").Text(l.T("manager.locked")))
	case m.err != nil:
		body = append(body, app.P().Class("error").ID("manager-error").Title(errText(m.err)).Text(l.T("st.error", errorText(l, m.err))))
	case m.env != nil && !m.enrolled:
		body = append(body, app.P().Class("notice").Text(l.T("manager.notEnrolled")))
	case m.env != nil:
		body = append(body,
			app.Section().Class("panel").Body(
				app.H2().Text(l.T("board.title")),
				m.renderBoard(),
			),
			app.Section().Class("panel").Body(
				app.H2().Text(l.T("flow.title")),
				m.renderFlows(),
			),
			app.Section().Class("panel").Body(
				app.H2().Text(l.T("manager.punches")),
				m.table("today", m.today, false),
			),
			app.Section().Class("panel").Body(
				app.H2().Text(l.T("manager.rejected")),
				m.table("rejected", m.rejected, true),
			),
		)
	}
	return app.Main().Class("manager").DataSet("manager", m.session.EmployeeID).OnClick(m.touch).Body(body...)
}

// table lists entries; the rejected list adds the server's code and
// message.
func (m *Manager) table(id string, es []outbox.Entry, why bool) app.UI {
	l := m.lang
	if len(es) == 0 {
		return app.P().Class("none").ID(id).DataSet("count", "0").Text(l.T("manager.none"))
	}
	loc := m.loc
	if loc == nil {
		loc = time.UTC
	}
	head := []string{l.T("col.time"), l.T("col.employee"), l.T("col.method"), l.T("col.state")}
	if why {
		head = append(head, l.T("col.code"), l.T("col.message"))
	}
	return app.Table().ID(id).DataSet("count", len(es)).Body(
		app.THead().Body(app.Tr().Body(
			app.Range(head).Slice(func(i int) app.UI { return app.Th().Text(head[i]) }),
		)),
		app.TBody().Body(
			app.Range(es).Slice(func(i int) app.UI {
				e := es[i]
				who := e.Punch.EmployeeID
				if emp, ok := m.names[who]; ok {
					who = emp.ID + " " + emp.Name
				} else if who == "" {
					who = e.Punch.Evidence.BadgeCode + " ?"
				}
				cells := []string{
					punchTime(e.Punch).In(loc).Format("15:04:05"),
					who,
					l.T("method." + string(e.Punch.Method)),
					l.T("state." + string(e.State)),
				}
				if why {
					// In the manager's language, by code; the server's own
					// words (English) stay at hand as the cell's title.
					cells = append(cells, string(e.Code), refusalText(l, e.Code))
				}
				return app.Tr().Class(string(e.State)).DataSet("id", e.ID).Body(
					app.Range(cells).Slice(func(j int) app.UI {
						td := app.Td().Text(cells[j])
						if why && j == len(cells)-1 {
							td = td.Title(e.Message)
						}
						return td
					}),
				)
			}),
		),
	)
}

// renderBoard is who is in, late, not in yet or gone home today.
func (m *Manager) renderBoard() app.UI {
	l := m.lang
	if len(m.board) == 0 {
		return app.P().Class("none").ID("board").DataSet("count", "0").Text(l.T("manager.none"))
	}
	loc := m.loc
	if loc == nil {
		loc = time.UTC
	}
	clock := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("15:04")
	}
	return app.Table().ID("board").DataSet("count", len(m.board)).Body(
		app.THead().Body(app.Tr().Body(
			app.Th().Text(l.T("col.employee")), app.Th().Text(l.T("col.state")),
			app.Th().Text(l.T("board.in")), app.Th().Text(l.T("board.out")),
		)),
		app.TBody().Body(
			app.Range(m.board).Slice(func(i int) app.UI {
				r := m.board[i]
				state := l.T("board." + r.State)
				if r.State == BoardLate {
					state = l.T("board.late", r.LateMin)
				}
				return app.Tr().Class("board-"+r.State).DataSet("employee", r.Employee.ID).DataSet("state", r.State).Body(
					app.Td().Text(r.Employee.ID+" "+r.Employee.Name), app.Td().Text(state),
					app.Td().Text(clock(r.In)), app.Td().Text(clock(r.Out)),
				)
			}),
		),
	)
}
