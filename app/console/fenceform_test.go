package console

import (
	"math"
	"strings"
	"testing"

	"punchclock/app/attendance"
)

// TestFences: a site's several fences in the form: each listed, the
// first selected on opening, one added after the others and selected,
// one removed keeping the others' order and the selection on the fence it
// was on; the plan draws them all (the selected one highlighted, with its
// vertices) and fits them; each fence's problems are found by punchd's
// own check, under that fence.
func TestFences(t *testing.T) {
	o := attendance.LatLng{Lat: 22.54, Lng: 114.05}
	at := func(e, n float64) attendance.LatLng { return fromPlane(o, e, n) }
	c1 := at(300, 0)
	site := attendance.Site{ID: "sz", Name: "SZ", Zone: "Asia/Shanghai", Point: &o, Fences: []attendance.Fence{
		{Name: "shop", Polygon: []attendance.LatLng{at(-50, 50), at(50, 50), at(50, -50), at(-50, -50)}},
		{Name: "car park", Datum: "gcj02", Center: &c1, RadiusM: 120},
	}}
	f := newSiteForm(&site)
	if len(f.fences) != 2 || f.sel != 0 || f.fences[0].kind != "polygon" || f.fences[1].kind != "circle" {
		t.Fatalf("the form of two fences: %+v", f.fences)
	}
	if f.extent != 500 { // the car park reaches 420 m east
		t.Errorf("the plan shows ±%v m, want ±500 m for both fences", f.extent)
	}
	l := lang("en")
	if got := siteSummary(l, site); got != "polygon, 4 vertices; circle, 120 m" {
		t.Errorf("siteSummary = %q", got)
	}
	if errs, _ := f.check(func(string) bool { return false }); len(errs) != 0 {
		t.Errorf("a good site: %v", errs)
	}

	// Drawn on the plan: the polygon selected, the circle dimmed.
	doc := f.planeSVG(o)
	if !strings.Contains(doc, `id="plane-polygon" class="fence selected" data-fence="0"`) || !strings.Contains(doc, `class="fence other" data-fence="1"`) ||
		strings.Count(doc, `class="vertex"`) != 4 {
		t.Errorf("the plan of two fences: %s", doc)
	}
	// The circle selected: clicks move its centre; the polygon is kept.
	f.selectFence(1)
	f.place(0, 200)
	if c, _ := parseLatLng(f.fences[1].cLat, f.fences[1].cLng); math.Abs(c.Lat-at(0, 200).Lat) > 1e-6 || f.fences[0].polygon == "" {
		t.Errorf("a click with the circle selected: %+v", f.fences)
	}
	if doc := f.planeSVG(o); !strings.Contains(doc, `id="plane-circle" class="fence selected" data-fence="1"`) || strings.Contains(doc, `id="plane-polygon"`) {
		t.Errorf("the plan with the circle selected: %s", doc)
	}

	// Added: a circle of 100 m at the site's point, then a polygon, each
	// after the others and selected.
	f.addFence("circle")
	f.addFence("polygon")
	if len(f.fences) != 4 || f.sel != 3 || f.fences[2].kind != "circle" || f.fences[2].radius != "100" || f.fences[2].cLat != f.lat {
		t.Fatalf("two fences added: sel %d, %+v", f.sel, f.fences)
	}
	// Each fence's problems, under that fence only: a radius of 20 m,
	// a polygon of two vertices.
	f.fences[2].radius = "20"
	f.place(0, 0)
	f.place(10, 10)
	errs, words := f.check(func(string) bool { return false })
	if len(errs) != 2 || errs["fences[2].radius"].key != "sites.err.radius" || errs["fences[3].polygon"].key != "sites.err.vertices" ||
		!strings.Contains(words["fences[2].radius"], "20 m") {
		t.Errorf("two fences' problems: %v %v", errs, words)
	}
	if fenceErrs(errs, 0) || fenceErrs(errs, 1) || !fenceErrs(errs, 2) || !fenceErrs(errs, 3) {
		t.Errorf("fenceErrs by fence: %v", errs)
	}
	f.place(10, -10)
	f.fences[2].radius = "200"
	if errs, _ := f.check(func(string) bool { return false }); len(errs) != 0 {
		t.Errorf("the fences fixed: %v", errs)
	}

	// Removing the circle in the middle keeps the order, and the
	// selection on the polygon it was on.
	f.removeFence(1)
	if len(f.fences) != 3 || f.sel != 2 || f.fences[0].name != "shop" || f.fences[1].radius != "200" || f.fences[2].kind != "polygon" {
		t.Fatalf("after removing fence 2: sel %d, %+v", f.sel, f.fences)
	}
	// Removing the selected last one selects the one before.
	f.removeFence(2)
	if len(f.fences) != 2 || f.sel != 1 {
		t.Errorf("after removing the selected last fence: sel %d, %d fences", f.sel, len(f.fences))
	}
	got := f.site().Fences
	if len(got) != 2 || got[0].Name != "shop" || len(got[0].Polygon) != 4 || got[1].Center == nil || got[1].RadiusM != 200 {
		t.Errorf("site() = %+v", got)
	}
	f.removeFence(0)
	f.removeFence(0)
	if len(f.fences) != 0 || f.sel != -1 || f.current() != nil || len(f.site().Fences) != 0 {
		t.Errorf("every fence removed: sel %d, %+v", f.sel, f.fences)
	}
}
