package console

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
)

// The field trail section: where a field employee's phone reported it
// was (GET /api/v1/user/location), drawn on the same kind of metric plan
// as the site form's (no map tiles), with the fences of the employee's
// site, each point coloured by its verdict and joined in time order,
// and listed below. It only reads; the fences are edited in the sites
// section.

// trailRanges are the periods a person may look back over, in hours.
var trailRanges = []int{24, 24 * 7, 24 * 31}

// trailView is the field trail section's state.
type trailView struct {
	employee string
	hours    int
	busy     bool
	err      string // a refusal code
	trail    *wire.Trail
}

func (v *trailView) onEmployee(ctx app.Context, e app.Event) {
	v.employee = strings.TrimSpace(ctx.JSSrc().Get("value").String())
}

func (v *trailView) onRange(ctx app.Context, e app.Event) {
	fmt.Sscan(ctx.JSSrc().Get("value").String(), &v.hours)
}

// show asks punchd for the trail.
func (v *trailView) show(c *Console) app.EventHandler {
	return func(_ app.Context, e app.Event) {
		e.PreventDefault()
		if v.busy || v.employee == "" {
			return
		}
		if v.hours == 0 {
			v.hours = trailRanges[0]
		}
		v.busy, v.err = true, ""
		ctx, a := c.ctx, c.api
		q := url.Values{"employee_id": {v.employee}, "from": {time.Now().Add(-time.Duration(v.hours) * time.Hour).UTC().Format(time.RFC3339)}}
		ctx.Async(func() {
			var tr wire.Trail
			err := a.call(context.Background(), http.MethodGet, wire.PathUserLocation+"?"+q.Encode(), nil, &tr)
			ctx.Dispatch(func(app.Context) {
				v.busy, v.err = false, code(err)
				if err == nil {
					v.trail = &tr
				} else {
					v.trail = nil
				}
			})
		})
	}
}

func (v *trailView) render(c *Console, l lang) app.UI {
	var result app.UI = app.Text("")
	switch {
	case v.err != "":
		result = app.P().ID("trail-error").Class("error").Attr("role", "alert").DataSet("code", v.err).Text(l.refusal(v.err))
	case v.trail != nil && len(v.trail.Points) == 0:
		result = app.P().ID("trail-none").Class("empty").Text(l.t("trail.none"))
	case v.trail != nil:
		result = v.renderTrail(l)
	}
	return app.Section().ID("trail").Class("card").Body(
		app.H2().Text(l.t("trail.title")),
		app.P().Class("hint").Text(l.t("trail.hint")),
		app.Form().ID("trail-form").Class("field-row").OnSubmit(v.show(c)).Body(
			app.Div().Class("field").Body(
				app.Label().For("trail-employee").Text(l.t("trail.employee")),
				app.Input().ID("trail-employee").Type("text").Value(v.employee).OnInput(v.onEmployee),
			),
			app.Div().Class("field").Body(
				app.Label().For("trail-range").Text(l.t("trail.range")),
				app.Select().ID("trail-range").OnChange(v.onRange).Body(app.Range(trailRanges).Slice(func(i int) app.UI {
					label := l.t("trail.day")
					if h := trailRanges[i]; h > 24 {
						label = l.t("trail.days", h/24)
					}
					return app.Option().Value(trailRanges[i]).Selected(trailRanges[i] == v.hours).Text(label)
				})),
			),
			app.Button().ID("trail-show").Class("button primary").Type("submit").Disabled(v.busy).Text(l.t("trail.show")),
		),
		result,
	)
}

// renderTrail draws the plan and lists the points.
func (v *trailView) renderTrail(l lang) app.UI {
	tr := v.trail
	// Times in the site's zone (the console carries the zone database).
	loc := time.UTC
	if tr.Site != nil {
		if z, err := time.LoadLocation(tr.Site.Zone); err == nil && tr.Site.Zone != "" {
			loc = z
		}
	}
	outside := 0
	for _, p := range tr.Points {
		if p.Verdict == string(rules.Outside) {
			outside++
		}
	}
	return app.Div().ID("trail-result").DataSet("points", len(tr.Points)).DataSet("outside", outside).Body(
		app.P().ID("trail-summary").Text(l.t("trail.summary", len(tr.Points), outside)),
		app.Div().ID("trail-plane").Class("plane").Body(app.Raw(trailSVG(tr))),
		app.Table().ID("trail-points").Class("table").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(l.t("trail.when")), app.Th().Text(l.t("trail.where")),
				app.Th().Text(l.t("trail.accuracy")), app.Th().Text(l.t("trail.verdict")),
			)),
			app.TBody().Body(app.Range(tr.Points).Slice(func(i int) app.UI {
				p := tr.Points[i]
				verdict := l.t("trail.v." + p.Verdict)
				if p.Fence != "" {
					verdict += " · " + p.Fence
				}
				return app.Tr().DataSet("verdict", p.Verdict).Body(
					app.Td().Text(p.At.In(loc).Format("2006-01-02 15:04:05 MST")),
					app.Td().Text(fmt.Sprintf("%.5f, %.5f", p.Location.Lat, p.Location.Lng)),
					app.Td().Text(fmt.Sprintf("±%.0f m", p.Location.AccuracyM)),
					app.Td().Text(verdict),
				)
			})),
		),
	)
}

// trailSVG draws the trail's plane: the fences, the path in time order,
// and each point (its accuracy circle, its dot classed by verdict). The
// plane is centred on the site's point (else its first fence's centre,
// else the first point) and wide enough for everything.
func trailSVG(tr *wire.Trail) string {
	o, ok := trailOrigin(tr)
	if !ok {
		return ""
	}
	far := 50.0
	grow := func(p attendance.LatLng, r float64) {
		e, n := toPlane(o, p)
		far = math.Max(far, math.Max(math.Abs(e), math.Abs(n))+r)
	}
	fences := make([]attendance.Fence, len(tr.Fences))
	for i, f := range tr.Fences {
		f = wgs84Fence(f)
		fences[i] = f
		if f.Center != nil {
			grow(*f.Center, f.RadiusM)
		}
		for _, p := range f.Polygon {
			grow(p, 0)
		}
	}
	for _, p := range tr.Points {
		grow(pointOf(p), 0)
	}
	extent := extents[len(extents)-1]
	for _, x := range extents {
		if far*1.15 <= x {
			extent = x
			break
		}
	}
	half := float64(planeSize) / 2
	k := half / extent
	px := func(p attendance.LatLng) (float64, float64) {
		e, n := toPlane(o, p)
		return half + e*k, half - n*k
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="%s" viewBox="0 0 %d %d" width="%d" height="%d" data-extent="%g"><rect class="ground" width="%d" height="%d"/>`,
		svgNS, planeSize, planeSize, planeSize, planeSize, extent, planeSize, planeSize)
	for i, f := range fences {
		if f.Center != nil {
			x, y := px(*f.Center)
			fmt.Fprintf(&b, `<circle class="fence other trail-fence" data-fence="%d" cx="%.1f" cy="%.1f" r="%.1f"/>`, i, x, y, f.RadiusM*k)
			continue
		}
		var pts strings.Builder
		for _, p := range f.Polygon {
			x, y := px(p)
			fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
		}
		fmt.Fprintf(&b, `<polygon class="fence other trail-fence" data-fence="%d" points="%s"/>`, i, strings.TrimSpace(pts.String()))
	}
	var path strings.Builder
	for _, p := range tr.Points {
		x, y := px(pointOf(p))
		fmt.Fprintf(&path, "%.1f,%.1f ", x, y)
	}
	fmt.Fprintf(&b, `<polyline id="trail-path" class="trail-path" points="%s"/>`, strings.TrimSpace(path.String()))
	for i, p := range tr.Points {
		x, y := px(pointOf(p))
		fmt.Fprintf(&b, `<circle class="trail-accuracy" cx="%.1f" cy="%.1f" r="%.1f"/><circle class="trail-point %s" data-i="%d" data-verdict="%s" cx="%.1f" cy="%.1f" r="4"/>`,
			x, y, p.Location.AccuracyM*k, p.Verdict, i, p.Verdict, x, y)
	}
	bar := scaleBar(extent)
	y := planeSize - 14
	fmt.Fprintf(&b, `<text class="north" x="%d" y="18" text-anchor="end">N ↑</text><line class="scale" x1="12" y1="%d" x2="%.1f" y2="%d"/><text class="scale-label" x="12" y="%d">%s</text></svg>`,
		planeSize-8, y, 12+bar*k, y, y-6, metres(bar))
	return b.String()
}

// trailOrigin is the centre of a trail's plane.
func trailOrigin(tr *wire.Trail) (attendance.LatLng, bool) {
	switch {
	case tr.Site != nil && tr.Site.Point != nil:
		return *tr.Site.Point, true
	case len(tr.Fences) > 0 && wgs84Fence(tr.Fences[0]).Center != nil:
		return *wgs84Fence(tr.Fences[0]).Center, true
	case len(tr.Points) > 0:
		return pointOf(tr.Points[0]), true
	}
	return attendance.LatLng{}, false
}

// pointOf is a trail point's WGS-84 coordinate.
func pointOf(p wire.TrailPoint) attendance.LatLng {
	ll := attendance.LatLng{Lat: p.Location.Lat, Lng: p.Location.Lng}
	if p.Location.Datum == rules.DatumGCJ02 {
		ll = rules.GCJ02ToWGS84(ll)
	}
	return ll
}

// wgs84Fence is f with its coordinates in WGS-84, as the points are.
func wgs84Fence(f attendance.Fence) attendance.Fence {
	if f.Datum != rules.DatumGCJ02 {
		return f
	}
	if f.Center != nil {
		c := rules.GCJ02ToWGS84(*f.Center)
		f.Center = &c
	}
	poly := make([]attendance.LatLng, len(f.Polygon))
	for i, p := range f.Polygon {
		poly[i] = rules.GCJ02ToWGS84(p)
	}
	f.Polygon, f.Datum = poly, rules.DatumWGS84
	return f
}
