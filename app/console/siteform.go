package console

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"punchclock/app/attendance"
)

// siteForm is the site being made or edited, its fields as typed.
type siteForm struct {
	isNew                         bool
	id, name, zone, address, face string
	lat, lng                      string      // the site's point
	fences                        []fenceForm // the site's geofences, in their order
	sel                           int         // the fence being edited and drawn on, -1: none
	removing                      int         // the fence whose removal waits for its confirmation, -1: none
	networks                      string      // one CIDR prefix or address a line
	fixAcc                        string      // the accuracy a phone's fix needs, metres ("" the default)
	extent                        float64     // the plane's half width in metres
	curE, curN                    float64     // the keyboard's cursor on the plane, metres east and north of the point
}

// fieldErr is a field's problem: a text key and its arguments.
type fieldErr struct {
	key  string
	args []any
}

// newSiteForm is the form of s (nil: a new site), its first fence
// selected.
func newSiteForm(s *attendance.Site) *siteForm {
	f := &siteForm{isNew: s == nil, extent: 250, sel: -1, removing: -1}
	if s == nil {
		return f
	}
	f.id, f.name, f.zone, f.address, f.face = s.ID, s.Name, s.Zone, s.Address, s.FaceURL
	if s.Point != nil {
		f.lat, f.lng = coord(s.Point.Lat), coord(s.Point.Lng)
	}
	f.networks = strings.Join(s.Networks, "\n")
	if s.FixAccuracyM > 0 {
		f.fixAcc = strconv.FormatFloat(s.FixAccuracyM, 'f', -1, 64)
	}
	for _, fe := range s.Fences {
		f.fences = append(f.fences, newFenceForm(fe))
	}
	if len(f.fences) > 0 {
		f.sel = 0
	}
	if f.lat == "" && f.lng == "" {
		// A site set up through the API without its point: the plan
		// centres on its first fence.
		if c, ok := fenceCentre(s.Fences); ok {
			f.lat, f.lng = coord(c.Lat), coord(c.Lng)
		}
	}
	f.extent = f.fit()
	return f
}

// fenceCentre is the first fence's centre: a circle's, or the mean of a
// polygon's vertices.
func fenceCentre(fs []attendance.Fence) (attendance.LatLng, bool) {
	switch {
	case len(fs) == 0:
		return attendance.LatLng{}, false
	case fs[0].Center != nil:
		return *fs[0].Center, true
	case len(fs[0].Polygon) == 0:
		return attendance.LatLng{}, false
	}
	var c attendance.LatLng
	for _, p := range fs[0].Polygon {
		c.Lat += p.Lat / float64(len(fs[0].Polygon))
		c.Lng += p.Lng / float64(len(fs[0].Polygon))
	}
	return c, true
}

// coord writes a coordinate to a tenth of a metre or so.
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// point is the site's point, false when it is not typed or not valid.
func (f *siteForm) point() (attendance.LatLng, bool) {
	return parseLatLng(f.lat, f.lng)
}

func parseLatLng(lat, lng string) (attendance.LatLng, bool) {
	a, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	b, err2 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
	if err1 != nil || err2 != nil || !(a >= -90 && a <= 90 && b >= -180 && b <= 180) {
		return attendance.LatLng{}, false
	}
	return attendance.LatLng{Lat: a, Lng: b}, true
}

// netLines are the typed networks, blank lines left out.
func (f *siteForm) netLines() []string {
	var out []string
	for _, line := range strings.Split(f.networks, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// check is every field's problem, by field, as punchd would see them
// (and a few it cannot: an id already taken by another site); a fence's
// are under fenceKey, and words has the validator's own words of those
// it found.
func (f *siteForm) check(taken func(id string) bool) (errs map[string]fieldErr, words map[string]string) {
	errs, words = map[string]fieldErr{}, map[string]string{}
	if !validID(f.id) {
		errs["id"] = fieldErr{key: "sites.err.id"}
	} else if f.isNew && taken(f.id) {
		errs["id"] = fieldErr{key: "sites.err.taken"}
	}
	if strings.TrimSpace(f.name) == "" {
		errs["name"] = fieldErr{key: "sites.err.name"}
	}
	if _, ok := slices.BinarySearch(zoneNames, f.zone); !ok {
		errs["zone"] = fieldErr{key: "sites.err.zone"}
	}
	if len(f.address) > 500 {
		errs["address"] = fieldErr{key: "sites.err.address"}
	}
	if f.face != "" {
		u, err := url.Parse(f.face)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs["face"] = fieldErr{key: "sites.err.face"}
		}
	}
	if f.lat != "" || f.lng != "" {
		if _, ok := f.point(); !ok {
			errs["point"] = fieldErr{key: "sites.err.coord"}
		}
	}
	if _, ok := f.fixAccuracy(); !ok {
		errs["fix"] = fieldErr{key: "sites.err.fix"}
	}
	for i := range f.fences {
		f.fences[i].typed(i, errs)
	}
	checkGeo(f.fences, f.netLines(), errs, words)
	return errs, words
}

// validID is attendance's rule for ids: 1 to 64 letters, digits or -_.:
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c)) {
			return false
		}
	}
	return true
}

// site is the form as punchd takes it; call it once check finds nothing.
func (f *siteForm) site() attendance.Site {
	s := attendance.Site{ID: f.id, Name: strings.TrimSpace(f.name), Zone: f.zone, Address: strings.TrimSpace(f.address), FaceURL: f.face, Networks: f.netLines()}
	if p, ok := f.point(); ok {
		s.Point = &p
	}
	for i := range f.fences {
		s.Fences = append(s.Fences, f.fences[i].fence())
	}
	s.FixAccuracyM, _ = f.fixAccuracy()
	return s
}

// fixAccuracy is the typed accuracy a phone's fix needs (0: the
// default), and whether it is 10 to 5,000 metres or empty.
func (f *siteForm) fixAccuracy() (float64, bool) {
	t := strings.TrimSpace(f.fixAcc)
	if t == "" {
		return 0, true
	}
	m, err := strconv.ParseFloat(t, 64)
	return m, err == nil && m >= 10 && m <= 5000
}

// metresPerDegree is the length of a degree of latitude (and of
// longitude at the equator) on the mean Earth sphere.
const metresPerDegree = 111195.0

// toPlane is p in metres east and north of o: a flat local map, true to
// a few centimetres across the 10 km a plane shows.
func toPlane(o, p attendance.LatLng) (e, n float64) {
	return (p.Lng - o.Lng) * metresPerDegree * math.Cos(o.Lat*math.Pi/180), (p.Lat - o.Lat) * metresPerDegree
}

// fromPlane is the coordinate e metres east and n north of o.
func fromPlane(o attendance.LatLng, e, n float64) attendance.LatLng {
	return attendance.LatLng{Lat: o.Lat + n/metresPerDegree, Lng: o.Lng + e/(metresPerDegree*math.Cos(o.Lat*math.Pi/180))}
}

// extents are the plane's half widths a person may pick, in metres.
var extents = []float64{100, 250, 500, 1000, 2500, 5000, 10000}

// fit is the smallest extent that shows every fence whole, with a
// margin.
func (f *siteForm) fit() float64 {
	o, ok := f.point()
	if !ok {
		return 250
	}
	far := 0.0
	for i := range f.fences {
		fe := &f.fences[i]
		switch fe.kind {
		case "circle":
			if c, ok := parseLatLng(fe.cLat, fe.cLng); ok {
				e, n := toPlane(o, c)
				r, _ := strconv.ParseFloat(strings.TrimSpace(fe.radius), 64)
				far = math.Max(far, math.Max(math.Abs(e), math.Abs(n))+r)
			}
		default:
			pts, _ := fe.vertices()
			for _, p := range pts {
				e, n := toPlane(o, p)
				far = math.Max(far, math.Max(math.Abs(e), math.Abs(n)))
			}
		}
	}
	for _, x := range extents {
		if far*1.15 <= x {
			return x
		}
	}
	return extents[len(extents)-1]
}

// scaleBar is a round length of about a fifth of the plane's width.
func scaleBar(extent float64) float64 {
	want := extent * 2 / 5
	best := 10.0
	for _, m := range []float64{10, 20, 50, 100, 200, 500, 1000, 2000, 5000} {
		if m <= want {
			best = m
		}
	}
	return best
}

// metres says a length: "200 m", "2 km".
func metres(m float64) string {
	if m >= 1000 {
		return strconv.FormatFloat(m/1000, 'f', -1, 64) + " km"
	}
	return strconv.FormatFloat(m, 'f', -1, 64) + " m"
}
