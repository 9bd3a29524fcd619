package console

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"punchclock/app/attendance"
)

// TestSiteFormCheck: each field's problem is found next to it, before
// punchd is asked: ids, zones from the IANA list, the radius's bounds, a
// polygon's vertices, networks.
func TestSiteFormCheck(t *testing.T) {
	good := func() *siteForm {
		return &siteForm{isNew: true, id: "sz-1", name: "Shenzhen", zone: "Asia/Shanghai", lat: "22.54", lng: "114.05",
			fences: []fenceForm{{kind: "polygon", polygon: "22.541, 114.049\n22.541,114.051\n\n22.539 114.050\n"}}, networks: "203.0.113.0/24\n198.51.100.7"}
	}
	taken := func(id string) bool { return id == "sh-jingan" }
	circle := func(lat, radius string) func(*siteForm) {
		return func(f *siteForm) { f.fences[0] = fenceForm{kind: "circle", cLat: lat, cLng: "114.05", radius: radius} }
	}
	if errs, _ := good().check(taken); len(errs) != 0 {
		t.Fatalf("a good form: %v", errs)
	}
	for _, c := range []struct {
		edit  func(*siteForm)
		field string
	}{
		{func(f *siteForm) { f.id = "a b" }, "id"},
		{func(f *siteForm) { f.id = "sh-jingan" }, "id"},
		{func(f *siteForm) { f.name = " " }, "name"},
		{func(f *siteForm) { f.zone = "Asia/Shanghia" }, "zone"},
		{func(f *siteForm) { f.face = "ftp://x" }, "face"},
		{func(f *siteForm) { f.lat = "91" }, "point"},
		{func(f *siteForm) { f.fences[0].polygon = "22.5, 114\n22.6, 114" }, "fences[0].polygon"},
		{func(f *siteForm) { f.fences[0].polygon = "" }, "fences[0].polygon"},
		{func(f *siteForm) { f.fences[0].polygon = "22.5, 114\nnorth\n22.6, 114\n22.6, 115" }, "fences[0].polygon"},
		{circle("22.54", "49"), "fences[0].radius"},
		{circle("22.54", "5001"), "fences[0].radius"},
		{circle("22.54", "wide"), "fences[0].radius"},
		{circle("x", "100"), "fences[0].center"},
		{func(f *siteForm) { f.fences[0].datum = "bd09" }, "fences[0].fence"},
		{func(f *siteForm) { f.networks = "10.0.0.0/33" }, "networks"},
		{func(f *siteForm) { f.fixAcc = "5" }, "fix"},
		{func(f *siteForm) { f.fixAcc = "far" }, "fix"},
	} {
		f := good()
		c.edit(f)
		if errs, _ := f.check(taken); len(errs) != 1 || errs[c.field].key == "" {
			t.Errorf("%+v: %v, want a problem of %s", f, errs, c.field)
		}
	}
	s := good().site()
	if len(s.Fences) != 1 || len(s.Fences[0].Polygon) != 3 || s.Fences[0].Polygon[2] != (attendance.LatLng{Lat: 22.539, Lng: 114.050}) || len(s.Networks) != 2 || s.Point.Lat != 22.54 {
		t.Errorf("site() = %+v", s)
	}
	// An edited site keeps its other fences and its datum.
	c := &attendance.LatLng{Lat: 22.54, Lng: 114.05}
	old := attendance.Site{ID: "x", Name: "X", Zone: "UTC", Point: c, Fences: []attendance.Fence{{Datum: "gcj02", Center: c, RadiusM: 300}, {Center: c, RadiusM: 60}}}
	f := newSiteForm(&old)
	if len(f.fences) != 2 || f.sel != 0 || f.fences[0].kind != "circle" || f.fences[0].radius != "300" || f.extent != 500 {
		t.Errorf("the form of a 300 m circle: %+v", f)
	}
	// Without a point (set up through the API), the plan centres on the
	// fence.
	noPoint := attendance.Site{ID: "y", Name: "Y", Zone: "UTC", Fences: []attendance.Fence{{Polygon: []attendance.LatLng{{Lat: 1, Lng: 2}, {Lat: 3, Lng: 2}, {Lat: 2, Lng: 5}}}}}
	if g := newSiteForm(&noPoint); g.lat != "2.000000" || g.lng != "3.000000" {
		t.Errorf("the plan of a site without its point centres at %s, %s", g.lat, g.lng)
	}
	if got := f.site(); len(got.Fences) != 2 || got.Fences[0].Datum != "gcj02" || got.Fences[1].RadiusM != 60 {
		t.Errorf("site() of an edited site: %+v", got.Fences)
	}
	// The accuracy a phone's fix needs is kept through the form.
	old.FixAccuracyM = 150
	if got := newSiteForm(&old).site(); got.FixAccuracyM != 150 {
		t.Errorf("site() of a site needing 150 m fixes: %v", got.FixAccuracyM)
	}
}

// TestPlane: a point placed on the plane is where it was placed, in
// metres from the site's point, both ways; the scale bar is round.
func TestPlane(t *testing.T) {
	o := attendance.LatLng{Lat: 48.137, Lng: 11.575}
	p := fromPlane(o, 300, -200)
	if e, n := toPlane(o, p); math.Abs(e-300) > 1e-6 || math.Abs(n+200) > 1e-6 {
		t.Errorf("toPlane(fromPlane(300, -200)) = %v, %v", e, n)
	}
	f := &siteForm{lat: "48.137", lng: "11.575", extent: 250, sel: -1, removing: -1}
	f.addFence("polygon")
	f.place(100, 100)
	f.place(-100, 50)
	f.place(0, -120)
	if pts, bad := f.fences[0].vertices(); len(pts) != 3 || bad != 0 {
		t.Fatalf("three placed vertices: %q", f.fences[0].polygon)
	}
	doc := f.planeSVG(attendance.LatLng{Lat: 48.137, Lng: 11.575})
	d := xml.NewDecoder(strings.NewReader(doc))
	vertices := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the plane's SVG: %v\n%s", err, doc)
		}
		if e, ok := tok.(xml.StartElement); ok && e.Name.Local == "circle" && strings.Contains(fmt.Sprint(e.Attr), "vertex") {
			vertices++
		}
	}
	if vertices != 3 || !strings.Contains(doc, `<polygon id="plane-polygon" class="fence selected" data-fence="0" points="280.0,120.0 120.0,160.0 200.0,296.0"/>`) {
		t.Errorf("the plane draws %d vertices: %s", vertices, doc)
	}
	f.unplace()
	if pts, _ := f.fences[0].vertices(); len(pts) != 2 {
		t.Errorf("after taking one back: %q", f.fences[0].polygon)
	}
	if x, y := f.px(250, -250); x != planeSize || y != planeSize {
		t.Errorf("the plane's corner is at %v, %v", x, y)
	}
	for extent, want := range map[float64]float64{100: 20, 250: 100, 500: 200, 1000: 200, 5000: 2000, 10000: 2000} {
		if got := scaleBar(extent); got != want {
			t.Errorf("scaleBar(%v) = %v, want %v", extent, got, want)
		}
	}
}
