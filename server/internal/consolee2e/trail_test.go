package consolee2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/store"
)

// TestConsoleTrail: an administrator opens the Field trail section and
// asks for a field employee's last 24 hours: the plan draws the store's
// fence and the three points the employee's phone reported (stored by
// the test as punchd stores reports), joined in time order, the one
// outside the fence in its own class, and the list says each one's
// verdict (console-trail.png).
func TestConsoleTrail(t *testing.T) {
	s, ctx := consoleOn(t, 4*time.Minute, map[string]auth.UserRequest{"u-admin": {Login: adminLogin, Name: "Ada Admin", Role: auth.RoleSuperAdmin, Password: adminPassword}})
	bg := context.Background()
	st := s.Main().Store
	site, err := st.Site(bg, "sh-jingan")
	if err != nil {
		t.Fatal(err)
	}
	storeAt := attendance.LatLng{Lat: 31.2243, Lng: 121.4453}
	site.Point = &storeAt
	site.Fences = []attendance.Fence{{Name: "store", Center: &storeAt, RadiusM: 200}}
	if _, err := st.PutSite(bg, site); err != nil {
		t.Fatal(err)
	}
	now := s.Main().API.Now()
	pts := []store.LocationPoint{
		{ID: "019cdb6a-0000-7000-8000-000000000001", Lat: 31.2244, Lng: 121.4452, AccuracyM: 15, Verdict: "inside", Fence: "store", At: now.Add(-3 * time.Hour)},
		{ID: "019cdb6a-0000-7000-8000-000000000002", Lat: 31.2500, Lng: 121.4453, AccuracyM: 25, Verdict: "outside", At: now.Add(-2 * time.Hour)},
		{ID: "019cdb6a-0000-7000-8000-000000000003", Lat: 31.2259, Lng: 121.4453, AccuracyM: 80, Verdict: "uncertain", Fence: "store", At: now.Add(-time.Hour)},
	}
	for i := range pts {
		pts[i].EmployeeID, pts[i].DeviceID, pts[i].SiteID, pts[i].Datum = "E005", "dev-phone", "sh-jingan", "wgs84"
		pts[i].DeviceTime, pts[i].ReceivedAt = pts[i].At, pts[i].At
	}
	if _, err := st.PutLocations(bg, pts); err != nil {
		t.Fatal(err)
	}

	signIn(t, ctx, adminLogin, adminPassword)
	e2etest.Tap(t, ctx, "the field trail section", "#nav-trail")
	e2etest.Wait(t, ctx, "the field trail's form", `!!document.getElementById("trail-employee")`, 30*time.Second)
	e2etest.SetInput(t, ctx, "trail-employee", "E005")
	e2etest.Tap(t, ctx, "show", "#trail-show")
	e2etest.Wait(t, ctx, "the trail drawn", `(() => {
		const r = document.getElementById("trail-result");
		return !!r && r.dataset.points === "3" && r.dataset.outside === "1";
	})()`, 30*time.Second)
	var drawn struct {
		Points   []string `json:"points"`
		Fences   int      `json:"fences"`
		Path     int      `json:"path"`
		Rows     []string `json:"rows"`
		Extent   string   `json:"extent"`
		InFence  bool     `json:"inFence"`
		OutFence bool     `json:"outFence"`
	}
	e2etest.Eval(t, ctx, `(() => {
		const svg = document.querySelector("#trail-plane svg");
		const f = svg.querySelector(".trail-fence");
		const inside = (c) => Math.hypot(c.cx.baseVal.value - f.cx.baseVal.value, c.cy.baseVal.value - f.cy.baseVal.value) < f.r.baseVal.value;
		const pts = [...svg.querySelectorAll(".trail-point")];
		return {
			points: pts.map(c => c.dataset.verdict),
			fences: svg.querySelectorAll(".trail-fence").length,
			path: svg.querySelector("#trail-path").points.numberOfItems,
			rows: [...document.querySelectorAll("#trail-points tbody tr")].map(r => r.dataset.verdict),
			extent: svg.dataset.extent,
			inFence: inside(pts[0]),
			outFence: inside(pts[1]),
		};
	})()`, &drawn)
	if got := fmt.Sprint(drawn.Points); got != "[inside outside uncertain]" || drawn.Fences != 1 || drawn.Path != 3 || fmt.Sprint(drawn.Rows) != got {
		t.Errorf("the trail drawn: %+v", drawn)
	}
	if !drawn.InFence || drawn.OutFence || drawn.Extent != "5000" {
		t.Errorf("the points against the fence on the plan: %+v", drawn)
	}
	keepShot(t, ctx, "console-trail.png")
}
