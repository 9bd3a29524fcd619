package console

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// fenceForm is one of a site's geofences as typed: a circle (its centre
// and radius) or a polygon (one "lat, lng" a line). Its name and datum
// are kept as they came (the form does not edit them).
type fenceForm struct {
	kind               string // "circle" or "polygon"
	cLat, cLng, radius string
	polygon            string
	name, datum        string
}

// newFenceForm is the form of fe.
func newFenceForm(fe attendance.Fence) fenceForm {
	f := fenceForm{name: fe.Name, datum: fe.Datum, kind: "polygon"}
	if fe.Center != nil {
		f.kind, f.cLat, f.cLng = "circle", coord(fe.Center.Lat), coord(fe.Center.Lng)
		f.radius = strconv.FormatFloat(fe.RadiusM, 'f', -1, 64)
		return f
	}
	lines := make([]string, len(fe.Polygon))
	for i, p := range fe.Polygon {
		lines[i] = coord(p.Lat) + ", " + coord(p.Lng)
	}
	f.polygon = strings.Join(lines, "\n")
	return f
}

// vertices parses the polygon's lines; bad is the first bad line (1-based,
// 0: none).
func (f *fenceForm) vertices() (pts []attendance.LatLng, bad int) {
	n := 0
	for _, line := range strings.Split(f.polygon, "\n") {
		n++
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '，' })
		if len(parts) != 2 {
			return pts, n
		}
		p, ok := parseLatLng(parts[0], parts[1])
		if !ok {
			return pts, n
		}
		pts = append(pts, p)
	}
	return pts, 0
}

// fence is the fence as typed, with what parses: a centre that does not
// parse is (0, 0) and a radius 0, which the form's own problems name.
func (f *fenceForm) fence() attendance.Fence {
	out := attendance.Fence{Name: f.name, Datum: f.datum}
	if f.kind == "circle" {
		c, _ := parseLatLng(f.cLat, f.cLng)
		out.Center = &c
		out.RadiusM, _ = strconv.ParseFloat(strings.TrimSpace(f.radius), 64)
		return out
	}
	out.Polygon, _ = f.vertices()
	return out
}

// fenceKey names field of fence i in a form's problems ("fences[1].radius").
func fenceKey(i int, field string) string { return fmt.Sprintf("fences[%d].%s", i, field) }

// typed is every fence's problem that is the typing's, before any rule:
// a centre that is not a coordinate, a radius that is not a number, a
// polygon's line that is not "lat, lng".
func (f *fenceForm) typed(i int, errs map[string]fieldErr) {
	switch f.kind {
	case "circle":
		if _, ok := parseLatLng(f.cLat, f.cLng); !ok {
			errs[fenceKey(i, "center")] = fieldErr{key: "sites.err.coord"}
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(f.radius), 64); err != nil {
			errs[fenceKey(i, "radius")] = fieldErr{key: "sites.err.radius", args: []any{rules.MinRadiusM, rules.MaxRadiusM}}
		}
	default:
		if _, bad := f.vertices(); bad > 0 {
			errs[fenceKey(i, "polygon")] = fieldErr{key: "sites.err.vertex", args: []any{bad}}
		}
	}
}

// geoPath is a path of rules.CheckSiteGeo: "fences[2].radius_m",
// "fences[0].polygon[3]", "networks[1]".
var geoPath = regexp.MustCompile(`^(fences|networks)\[(\d+)\](?:\.([a-z_]+))?`)

// checkGeo runs punchd's own check of the fences and networks
// (rules.CheckSiteGeo) and puts each problem next to its field, in the
// console's words (words keeps the validator's own, for a tooltip); a
// field the typing already faulted keeps that problem.
func checkGeo(fs []fenceForm, nets []string, errs map[string]fieldErr, words map[string]string) {
	fences := make([]attendance.Fence, len(fs))
	for i := range fs {
		fences[i] = fs[i].fence()
	}
	for _, fe := range rules.FieldErrors(rules.CheckSiteGeo(fences, nets)) {
		m := geoPath.FindStringSubmatch(fe.Path)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[2])
		var field string
		var e fieldErr
		switch {
		case m[1] == "networks":
			field, e = "networks", fieldErr{key: "sites.err.network", args: []any{i + 1, nets[i]}}
		case m[3] == "radius_m":
			field, e = fenceKey(i, "radius"), fieldErr{key: "sites.err.radius", args: []any{rules.MinRadiusM, rules.MaxRadiusM}}
		case m[3] == "center":
			field, e = fenceKey(i, "center"), fieldErr{key: "sites.err.coord"}
		case m[3] == "polygon" && len(fences[i].Polygon) > rules.MaxVertices:
			field, e = fenceKey(i, "polygon"), fieldErr{key: "sites.err.tooMany", args: []any{rules.MaxVertices}}
		case m[3] == "polygon" || m[3] == "" && fs[i].kind == "polygon":
			// too few vertices, a vertex that is not a coordinate, or none
			field, e = fenceKey(i, "polygon"), fieldErr{key: "sites.err.vertices", args: []any{len(fences[i].Polygon)}}
		default:
			field, e = fenceKey(i, "fence"), fieldErr{key: "sites.err.fence"}
		}
		if _, done := errs[field]; done {
			continue
		}
		errs[field], words[field] = e, fe.Msg
	}
}

// fenceErrs reports whether fence i has a problem in errs.
func fenceErrs(errs map[string]fieldErr, i int) bool {
	prefix := fmt.Sprintf("fences[%d].", i)
	for k := range errs {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// summary says the fence in a few words: "circle, 200 m", "polygon, 4
// vertices".
func (f *fenceForm) summary(l lang) string {
	if f.kind == "circle" {
		r, err := strconv.ParseFloat(strings.TrimSpace(f.radius), 64)
		if err != nil {
			return l.t("sites.kind.circle")
		}
		return l.t("sites.circleOf", metres(r))
	}
	pts, _ := f.vertices()
	return l.t("sites.polygonOf", len(pts))
}

// addFence adds an empty fence of kind ("circle": centred on the site's
// point, 100 m) after the others and selects it.
func (f *siteForm) addFence(kind string) {
	fe := fenceForm{kind: kind}
	if kind == "circle" {
		fe.cLat, fe.cLng, fe.radius = f.lat, f.lng, "100"
	}
	f.fences = append(f.fences, fe)
	f.sel, f.removing = len(f.fences)-1, -1
	f.grow()
}

// grow widens the plan to show every fence whole; it never narrows it
// (a person may have picked a wider view).
func (f *siteForm) grow() { f.extent = math.Max(f.extent, f.fit()) }

// selectFence makes fence i the one edited and drawn on.
func (f *siteForm) selectFence(i int) {
	if i >= 0 && i < len(f.fences) {
		f.sel, f.removing = i, -1
	}
}

// removeFence removes fence i, keeping the others in their order; the
// selection stays on the fence it was on (the one after a removed
// selection, or the last).
func (f *siteForm) removeFence(i int) {
	if i < 0 || i >= len(f.fences) {
		return
	}
	f.fences = append(f.fences[:i:i], f.fences[i+1:]...)
	switch {
	case f.sel > i:
		f.sel--
	case f.sel >= len(f.fences):
		f.sel = len(f.fences) - 1
	}
	f.removing = -1
}

// current is the fence being edited, nil when none is.
func (f *siteForm) current() *fenceForm {
	if f.sel < 0 || f.sel >= len(f.fences) {
		return nil
	}
	return &f.fences[f.sel]
}
