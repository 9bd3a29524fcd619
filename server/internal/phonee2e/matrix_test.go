package phonee2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"punchclock/app/token"
	"punchclock/server/internal/e2etest"
)

// matrixEmployee is whose phone punches at each site's kiosk in the
// clock matrix.
var matrixEmployee = map[string]string{"sh-jingan": "E007", "muc-works": "E024"}

// TestPhoneMatrix runs the phone QR flow at every cell of the clock
// matrix: a kiosk of the site shows its rotating code, the employee's
// activated phone opens it and confirms, and the phone's result and
// punchd's day record must say what the rules give at that instant. The
// phone judges at the token's step (the kiosk's clock when it drew the
// code), as punchd does; at the midnight cell the code is one the kiosk
// drew after midnight, with the page open since before it.
func TestPhoneMatrix(t *testing.T) {
	e2etest.RunMatrix(t, e2etest.Sites, e2etest.NoVideo, func(t *testing.T, browser context.Context, cell e2etest.Cell, i int) {
		employee := matrixEmployee[cell.Site]
		clock := e2etest.NewClock(cell.Start())
		s := startServer(t, clock)
		kiosk, phone := e2etest.NewTab(t, browser), e2etest.NewTab(t, browser)
		clock.Install(t, kiosk, 0, e2etest.Zone(i))
		clock.Install(t, phone, 0, e2etest.Zone(i+2))
		run(t, phone, "size the phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		emp, err := s.Main().Store.Employee(context.Background(), employee)
		if err != nil {
			t.Fatal(err)
		}
		e2etest.OpenKiosk(t, kiosk, s.URL())
		kioskID := cell.EnrollKiosk(t, kiosk, s.Server, clock)
		run(t, phone, "open the activation link", chromedp.Navigate(s.phoneLink(employee)))
		phoneState(t, phone, "ready", 60*time.Second)

		qr := kioskQR(t, kiosk, kioskID, "")
		if cell.Crosses {
			// A code drawn in the step that starts at midnight
			// could count a few milliseconds before it once
			// punchd applies the kiosk's offset: take a later one.
			cell.CrossMidnight(t, kiosk)
			midnight := e2etest.MatrixDay.AddDays(1).At(0, cell.Loc())
			for stepOf(t, qr).Before(midnight.Add(token.Step)) {
				qr = kioskQR(t, kiosk, kioskID, qr)
			}
		}
		punchWith(t, phone, qr, emp.Name, "")
		waitResult(t, phone, "accepted", "", 60*time.Second)
		var got e2etest.Confirmation
		eval(t, phone, `(() => {
						const r = document.getElementById("punch-result");
						return {who: r.innerText, direction: r.dataset.direction || "", late: Number(r.dataset.late || 0)};
					})()`, &got)

		accepted, rejected := s.qrPunches(employee)
		if len(accepted) != 1 || len(rejected) != 0 {
			t.Fatalf("punchd has %d accepted and %d rejected QR punches of %s, want 1 and 0", len(accepted), len(rejected), employee)
		}
		p := accepted[0]
		step := stepOf(t, qr)
		if d := p.TrueTime.Sub(step).Abs(); d > time.Second {
			t.Errorf("punch time %s, %v from the token's step %s", p.TrueTime, d, step)
		}
		want := cell.For(step)
		if cell.Crosses && want.Name != cell.Name {
			t.Fatalf("the code after midnight was drawn at %s", step.In(cell.Loc()))
		}
		want.CheckConfirm(t, got, step)
		want.CheckDay(t, s.Server, p)
	})
}

// stepOf is the instant of the kiosk token a phone URL carries.
func stepOf(t *testing.T, qrURL string) time.Time {
	t.Helper()
	c, err := token.Parse(tokenOf(t, qrURL))
	if err != nil {
		t.Fatal(err)
	}
	return c.StepTime()
}
