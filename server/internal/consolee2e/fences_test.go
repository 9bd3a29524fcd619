package consolee2e

import (
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"punchclock/server/internal/e2etest"
)

// TestConsoleFences: head office HR gives a site several geofences: the
// polygon drawn as TestConsoleSitesOrg draws it, a stray polygon added by
// mistake, and a circle whose centre is clicked on the plan; a radius of
// 20 m is refused next to that fence's field (and the stray polygon's
// problem stays with it); with 200 m the plan widens to show every
// fence. The stray one is removed after a cancelled confirmation, the
// site saved, and punchd's API answers the polygon and the circle in
// their order, each within 2 m of where it was drawn. The form is kept
// as console-fences-en.png and -zh.png.
func TestConsoleFences(t *testing.T) {
	_, ctx := hqSignedIn(t, 5*time.Minute)
	drawSite(t, ctx)

	// A second polygon by mistake, one vertex placed with the keyboard.
	e2etest.Tap(t, ctx, "add a polygon", "#fence-add-polygon")
	e2etest.Wait(t, ctx, "fence 2 selected", `document.getElementById("site-fences")?.dataset.selected === "1" && document.getElementById("site-polygon")?.value === ""`, 10*time.Second)
	e2etest.Run(t, ctx, "focus the plan", chromedp.Focus("#plane", chromedp.ByQuery))
	e2etest.Run(t, ctx, "Enter", chromedp.KeyEvent(kb.Enter))
	e2etest.Wait(t, ctx, "its one vertex, the first polygon kept and dimmed",
		`document.querySelectorAll("#plane .vertex").length === 1 && document.querySelectorAll("#plane .fence.other").length === 1 && document.getElementById("site-polygon-error")?.dataset.fence === "1"`, 10*time.Second)

	// A circle, its centre clicked 125 m east of the site's point.
	e2etest.Tap(t, ctx, "add a circle", "#fence-add-circle")
	e2etest.Wait(t, ctx, "fence 3 selected", `document.getElementById("site-fences")?.dataset.selected === "2" && document.getElementById("site-radius")?.value === "100"`, 10*time.Second)
	clickPlan(t, ctx, "the circle's centre", 325, 200)
	e2etest.Wait(t, ctx, "the circle moved", `Math.abs((parseFloat(document.getElementById("site-center-lng")?.value) - 114.05) * 111195 * Math.cos(22.54 * Math.PI / 180) - 156.25) < 2`, 10*time.Second)
	e2etest.SetInput(t, ctx, "site-radius", "20")
	e2etest.Wait(t, ctx, "20 m refused next to the circle's radius, the stray polygon marked in the list",
		`document.getElementById("site-radius-error")?.dataset.fence === "2" && document.getElementById("site-radius").getAttribute("aria-invalid") === "true" &&
		 document.getElementById("site-radius").parentElement.contains(document.getElementById("site-radius-error")) &&
		 !!document.getElementById("fence-bad-1") && !!document.getElementById("fence-bad-2") && !document.getElementById("fence-bad-0")`, 10*time.Second)
	e2etest.SetInput(t, ctx, "site-radius", "200")
	e2etest.Wait(t, ctx, "200 m taken, the plan widened to show it", `!document.getElementById("site-radius-error") && !document.getElementById("fence-bad-2") &&
		document.getElementById("plane")?.dataset.extent === "500" && document.querySelectorAll("#plane .fence").length === 3 && document.querySelectorAll("#plane .fence.selected").length === 1`, 10*time.Second)
	e2etest.SetInput(t, ctx, "site-radius", "20")
	e2etest.Wait(t, ctx, "20 m refused again", `!!document.getElementById("site-radius-error")`, 10*time.Second)
	shotsEnZh(t, ctx, "fences", `document.getElementById("site-radius-error")?.textContent.includes("米")`)
	e2etest.SetInput(t, ctx, "site-radius", "200")
	e2etest.Wait(t, ctx, "200 m", `!document.getElementById("site-radius-error")`, 10*time.Second)

	// The stray polygon removed: the first confirmation cancelled.
	e2etest.Tap(t, ctx, "remove fence 2", "#fence-remove-1")
	e2etest.Wait(t, ctx, "the confirmation", `document.getElementById("confirm-fence-remove")?.dataset.fence === "1"`, 10*time.Second)
	e2etest.Tap(t, ctx, "cancel", "#fence-remove-no")
	e2etest.Wait(t, ctx, "nothing removed", `!document.getElementById("confirm-fence-remove") && document.getElementById("site-fences")?.dataset.count === "3"`, 10*time.Second)
	e2etest.Tap(t, ctx, "remove fence 2", "#fence-remove-1")
	e2etest.Tap(t, ctx, "confirm", "#fence-remove-yes")
	e2etest.Wait(t, ctx, "two fences, the circle still edited", `document.getElementById("site-fences")?.dataset.count === "2" && document.getElementById("site-fences")?.dataset.selected === "1" &&
		document.getElementById("fence-1")?.dataset.kind === "circle" && !document.querySelector("#site-form .error")`, 10*time.Second)
	// The polygon picked again from the list, with the keyboard.
	e2etest.Run(t, ctx, "pick fence 1", chromedp.Focus("#fence-pick-0", chromedp.ByQuery), chromedp.KeyEvent(kb.Enter))
	e2etest.Wait(t, ctx, "the polygon edited", `document.getElementById("site-fences")?.dataset.selected === "0" && document.getElementById("site-polygon")?.value.split("\n").length === 4`, 10*time.Second)

	site := savedSite(t, ctx, 2)
	checkDrawn(t, site.Fences[0].Polygon)
	c := site.Fences[1]
	if c.Center == nil || c.RadiusM != 200 || len(c.Polygon) != 0 {
		t.Fatalf("the second fence through the API: %+v", c)
	}
	if e, n := onPlan(*c.Center); math.Hypot(e-156.25, n) > 2 {
		t.Errorf("the circle's centre is %.1f m east, %.1f m north; clicked at 156.25 m east", e, n)
	}
}
