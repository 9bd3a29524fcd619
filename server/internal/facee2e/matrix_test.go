//go:build dlib

package facee2e

import (
	"context"
	"testing"
	"time"

	"punchclock/server/internal/e2etest"
)

// faceEmployee is whose face each site's kiosk camera sees in the clock
// matrix (sample2.jpg enrolled for them at that site).
var faceEmployee = map[string]string{"sh-jingan": "E004", "muc-works": "E021"}

// TestFaceMatrix runs the face punch at every cell of the clock matrix:
// each site gets its own face service, the employee's face is enrolled
// there, and a tap on Face at the cell's instant (at the midnight cell,
// once the open page has crossed into the next day) makes one punch whose
// confirmation and day record say what the rules give at that instant.
func TestFaceMatrix(t *testing.T) {
	still := func(string) string { return stillY4M }
	e2etest.RunMatrix(t, e2etest.Sites, still, func(t *testing.T, browser context.Context, cell e2etest.Cell, i int) {
		site, employee := cell.Site, faceEmployee[cell.Site]
		clock := e2etest.NewClock(cell.Start())
		s := startPunchd(t, clock)
		f := startFaceAt(t, s, site, false)
		f.enroll(employee, photo)
		ctx := e2etest.NewTab(t, browser)
		clock.Install(t, ctx, 0, e2etest.Zone(i+1))
		e2etest.OpenKiosk(t, ctx, s.URL())
		device := cell.EnrollKiosk(t, ctx, s, clock)
		waitStatus(t, ctx, "face", "ready", 30*time.Second)
		if cell.Crosses {
			cell.CrossMidnight(t, ctx)
		}
		tapFace(t, ctx)
		c := waitConfirm(t, ctx, employee, 30*time.Second)
		p := checkFacePunch(t, ctx, s, f, device, "identify", employee)
		if cell.Crosses && cell.For(p.TrueTime).Name != cell.Name {
			t.Fatalf("the face punch after midnight was made at %s", p.TrueTime.In(cell.Loc()))
		}
		cell.CheckConfirm(t, c, p.TrueTime)
		cell.CheckDay(t, s, p)
	})
}
