package console

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
)

// The site plan: a plain metric plane around the site's point (no map
// tiles, nothing from the internet), planeSize pixels a side, north up,
// with a grid and a scale bar. A click adds a polygon's vertex or places
// a circle's centre; with the keyboard, the arrow keys move a cursor and
// Enter places it (Backspace takes the last vertex back).

const (
	planeSize = 400
	svgNS     = "http://www.w3.org/2000/svg"
)

// px is metres east and north as the plane's pixels.
func (f *siteForm) px(e, n float64) (x, y float64) {
	k := planeSize / 2 / f.extent
	return planeSize/2 + e*k, planeSize/2 - n*k
}

// place puts a point e metres east and n north of the site's point into
// the fence being edited: a polygon's next vertex or the circle's centre.
func (f *siteForm) place(e, n float64) {
	o, ok := f.point()
	fe := f.current()
	if !ok || fe == nil {
		return
	}
	p := fromPlane(o, e, n)
	switch fe.kind {
	case "circle":
		fe.cLat, fe.cLng = coord(p.Lat), coord(p.Lng)
		if fe.radius == "" {
			fe.radius = "100"
		}
	default:
		text := strings.TrimRight(fe.polygon, "\n ")
		if text != "" {
			text += "\n"
		}
		fe.polygon = text + coord(p.Lat) + ", " + coord(p.Lng)
	}
}

// unplace takes the edited polygon's last vertex back.
func (f *siteForm) unplace() {
	fe := f.current()
	if fe == nil || fe.kind == "circle" {
		return
	}
	lines := strings.Split(strings.TrimRight(fe.polygon, "\n "), "\n")
	if len(lines) > 0 {
		fe.polygon = strings.Join(lines[:len(lines)-1], "\n")
	}
}

// setValue sets the value of the input or textarea with id: go-app
// neither sets an empty value nor a textarea's value once it was typed
// in, so a change made other than by typing (the plan, a clear button)
// goes to the element as well.
func setValue(id, v string) {
	if e := app.Window().GetElementByID(id); e.Truthy() {
		e.Set("value", v)
	}
}

// focus moves the keyboard's focus to the element id, if it is on the
// page (autofocus works only when a page loads, not on an element an
// event shows).
func focus(id string) {
	if e := app.Window().GetElementByID(id); e.Truthy() {
		e.Call("focus")
	}
}

// onPlaneClick places a point where the plane was clicked.
func (v *sitesView) onPlaneClick(ctx app.Context, e app.Event) {
	f := v.form
	if f == nil {
		return
	}
	r := ctx.JSSrc().Call("querySelector", "svg")
	if !r.Truthy() {
		return
	}
	r = r.Call("getBoundingClientRect")
	w, h := r.Get("width").Float(), r.Get("height").Float()
	if w == 0 || h == 0 {
		return
	}
	x := (e.Get("clientX").Float() - r.Get("left").Float()) * planeSize / w
	y := (e.Get("clientY").Float() - r.Get("top").Float()) * planeSize / h
	k := f.extent / (planeSize / 2)
	f.curE, f.curN = (x-planeSize/2)*k, (planeSize/2-y)*k
	f.place(f.curE, f.curN)
	v.placed()
}

// placed shows a point placed on the plan (or a fence selected) in the
// typed fields.
func (v *sitesView) placed() {
	if fe := v.form.current(); fe != nil {
		setValue("site-polygon", fe.polygon)
		setValue("site-center-lat", fe.cLat)
		setValue("site-center-lng", fe.cLng)
		setValue("site-radius", fe.radius)
	}
	v.checkForm()
}

// onPlaneKey moves the cursor with the arrow keys (a twentieth of the
// plane; with Shift a hundredth) and places it with Enter or Space.
func (v *sitesView) onPlaneKey(ctx app.Context, e app.Event) {
	f := v.form
	if f == nil {
		return
	}
	step := f.extent / 10
	if e.Get("shiftKey").Bool() {
		step = f.extent / 50
	}
	switch e.Get("key").String() {
	case "ArrowUp":
		f.curN = math.Min(f.curN+step, f.extent)
	case "ArrowDown":
		f.curN = math.Max(f.curN-step, -f.extent)
	case "ArrowRight":
		f.curE = math.Min(f.curE+step, f.extent)
	case "ArrowLeft":
		f.curE = math.Max(f.curE-step, -f.extent)
	case "Enter", " ":
		f.place(f.curE, f.curN)
		v.placed()
	case "Backspace", "Delete":
		f.unplace()
		v.placed()
	default:
		return
	}
	e.PreventDefault()
}

func (v *sitesView) onExtent(ctx app.Context, e app.Event) {
	if x, err := strconv.ParseFloat(ctx.JSSrc().Get("value").String(), 64); err == nil && v.form != nil {
		v.form.extent = x
	}
}

// renderPlane draws the plane, or says why it cannot.
func (v *sitesView) renderPlane(l lang) app.UI {
	f := v.form
	o, ok := f.point()
	if !ok || len(f.fences) == 0 {
		return app.P().ID("plane-hint").Class("hint").Text(l.t("sites.planeNeedsPoint"))
	}
	return app.Div().Class("plane").Body(
		app.Label().For("plane-extent").Text(l.t("sites.extent")),
		app.Select().ID("plane-extent").OnChange(v.onExtent).Body(app.Range(extents).Slice(func(i int) app.UI {
			return app.Option().Value(extents[i]).Selected(extents[i] == f.extent).Text("± " + metres(extents[i]))
		})),
		app.Div().ID("plane").TabIndex(0).Attr("role", "application").Aria("label", l.t("sites.planeLabel")).
			DataSet("extent", f.extent).On("click", v.onPlaneClick).On("keydown", v.onPlaneKey).
			Body(app.Raw(f.planeSVG(o))),
		app.P().Class("hint").Text(l.t("sites.planeHint")),
	)
}

// planeSVG draws the plane around o: the ground, a grid the scale bar
// apart, the axes through the site's point, every fence (the one edited
// highlighted, with its vertices, the others numbered), the site's point,
// the keyboard's cross, north and the scale bar. One string (app.Raw):
// go-app's SVG elements would each add their whole method set to the
// download.
func (f *siteForm) planeSVG(o attendance.LatLng) string {
	half := float64(planeSize) / 2
	bar := scaleBar(f.extent)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="%s" viewBox="0 0 %d %d" width="%d" height="%d"><rect class="ground" width="%d" height="%d"/>`,
		svgNS, planeSize, planeSize, planeSize, planeSize, planeSize, planeSize)
	for m := bar; m < f.extent; m += bar {
		for _, s := range []float64{m, -m} {
			x, y := f.px(s, s)
			fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="0" x2="%.1f" y2="%d"/><line class="grid" x1="0" y1="%.1f" x2="%d" y2="%.1f"/>`, x, x, planeSize, y, planeSize, y)
		}
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%[1]g" y1="0" x2="%[1]g" y2="%[2]d"/><line class="axis" x1="0" y1="%[1]g" x2="%[2]d" y2="%[1]g"/>`, half, planeSize)
	for i := range f.fences {
		if i != f.sel {
			f.fenceSVG(&b, o, i)
		}
	}
	if f.current() != nil {
		f.fenceSVG(&b, o, f.sel) // on top of the others
	}
	cx, cy := f.px(f.curE, f.curN)
	fmt.Fprintf(&b, `<circle id="plane-site" class="site" cx="%[1]g" cy="%[1]g" r="5"/><path class="cursor" d="M%.1f %.1fh16M%.1f %.1fv16"/>`, half, cx-8, cy, cx, cy-8)
	fmt.Fprintf(&b, `<text class="north" x="%d" y="18" text-anchor="end">N ↑</text>`, planeSize-8)
	y := planeSize - 14
	fmt.Fprintf(&b, `<line id="plane-scale" class="scale" x1="12" y1="%d" x2="%.1f" y2="%d" data-metres="%g"/><text class="scale-label" x="12" y="%d">%s</text>`,
		y, 12+bar*half/f.extent, y, bar, y-6, metres(bar))
	b.WriteString(`</svg>`)
	return b.String()
}

// fenceSVG draws fence i: the one edited as plane-circle or
// plane-polygon with its vertices, another dimmed with its number.
func (f *siteForm) fenceSVG(b *strings.Builder, o attendance.LatLng, i int) {
	fe := &f.fences[i]
	half := float64(planeSize) / 2
	id, class := "", "fence other"
	if i == f.sel {
		class = "fence selected"
	}
	var lx, ly float64 // where its number goes
	switch fe.kind {
	case "circle":
		c, ok := parseLatLng(fe.cLat, fe.cLng)
		if !ok {
			return
		}
		r, _ := strconv.ParseFloat(strings.TrimSpace(fe.radius), 64)
		x, y := f.px(toPlane(o, c))
		if i == f.sel {
			id = ` id="plane-circle"`
		}
		fmt.Fprintf(b, `<circle%s class="%s" data-fence="%d" cx="%.1f" cy="%.1f" r="%.1f"/>`, id, class, i, x, y, math.Max(r, 0)*half/f.extent)
		if i == f.sel {
			fmt.Fprintf(b, `<circle class="vertex" cx="%.1f" cy="%.1f" r="4"/>`, x, y)
		}
		lx, ly = x, y
	default:
		pts, _ := fe.vertices()
		if len(pts) == 0 {
			return
		}
		var points, dots strings.Builder
		for _, p := range pts {
			x, y := f.px(toPlane(o, p))
			fmt.Fprintf(&points, "%.1f,%.1f ", x, y)
			fmt.Fprintf(&dots, `<circle class="vertex" cx="%.1f" cy="%.1f" r="4"/>`, x, y)
			lx, ly = lx+x/float64(len(pts)), ly+y/float64(len(pts))
		}
		tag := "polyline"
		if len(pts) >= 3 {
			tag = "polygon"
		}
		if i == f.sel {
			id = ` id="plane-polygon"`
		} else {
			dots.Reset()
		}
		fmt.Fprintf(b, `<%s%s class="%s" data-fence="%d" points="%s"/>%s`, tag, id, class, i, strings.TrimSpace(points.String()), dots.String())
	}
	fmt.Fprintf(b, `<text class="fence-no" x="%.1f" y="%.1f" text-anchor="middle">%d</text>`, lx, ly-6, i+1)
}

// siteSummary says a site's fences in words: "polygon, 4 vertices;
// circle, 200 m".
func siteSummary(l lang, s attendance.Site) string {
	if len(s.Fences) == 0 {
		return l.t("sites.noFence")
	}
	out := make([]string, len(s.Fences))
	for i, fe := range s.Fences {
		ff := newFenceForm(fe)
		out[i] = ff.summary(l)
	}
	return strings.Join(out, l.t("sites.fenceSep"))
}
