package rules

import (
	"math"
	"net/netip"
	"punchclock/app/attendance"
	"strings"
)

// LatLng is a coordinate in degrees.
type LatLng = attendance.LatLng

// The datums a coordinate may be given in.
const (
	DatumWGS84 = "wgs84" // GPS and browsers
	DatumGCJ02 = "gcj02" // maps of mainland China (AMap, Tencent, Google China)
)

// GCJ-02 is WGS-84 plus a published, deterministic offset computed on the
// Krasovsky 1940 ellipsoid; outside mainland China it is the identity. The
// constants are those of the widely used open implementations.
const (
	krasovskyA  = 6378245.0
	krasovskyEE = 0.00669342162296594323
)

// outOfChina is the usual rough bounding box outside which GCJ-02 applies no
// offset.
func outOfChina(lat, lng float64) bool {
	return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

func gcjDelta(lat, lng float64) (dLat, dLng float64) {
	x, y := lng-105.0, lat-35.0
	tLat := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	tLat += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	tLat += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	tLat += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	tLng := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	tLng += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	tLng += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	tLng += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - krasovskyEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (tLat * 180.0) / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * math.Pi)
	dLng = (tLng * 180.0) / (krasovskyA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLat, dLng
}

// WGS84ToGCJ02 converts a WGS-84 coordinate to GCJ-02.
func WGS84ToGCJ02(p LatLng) LatLng {
	if outOfChina(p.Lat, p.Lng) {
		return p
	}
	dLat, dLng := gcjDelta(p.Lat, p.Lng)
	return LatLng{Lat: p.Lat + dLat, Lng: p.Lng + dLng}
}

// GCJ02ToWGS84 converts a GCJ-02 coordinate back to WGS-84. The forward
// transform has no closed inverse; a few fixed-point iterations bring the
// error far below a millimetre, which a one-step inverse (error up to a few
// metres) does not.
func GCJ02ToWGS84(p LatLng) LatLng {
	if outOfChina(p.Lat, p.Lng) {
		return p
	}
	w := p
	for range 8 {
		g := WGS84ToGCJ02(w)
		w.Lat -= g.Lat - p.Lat
		w.Lng -= g.Lng - p.Lng
	}
	return w
}

// toWGS84 returns p in WGS-84 given its datum ("" is WGS-84).
func toWGS84(p LatLng, datum string) LatLng {
	if datum == DatumGCJ02 {
		return GCJ02ToWGS84(p)
	}
	return p
}

const earthRadiusM = 6371008.8 // mean Earth radius (IUGG)

// DistanceM is the great-circle (haversine) distance between a and b in
// metres.
func DistanceM(a, b LatLng) float64 {
	lat1, lat2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat := lat2 - lat1
	dLng := (b.Lng - a.Lng) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Verdict is where a location fix lies relative to a site's geofences.
type Verdict string

// The location verdicts.
const (
	Inside    Verdict = "inside"    // the whole accuracy circle is inside a fence
	Outside   Verdict = "outside"   // the whole accuracy circle is outside every fence
	Uncertain Verdict = "uncertain" // the accuracy circle crosses a fence's edge
)

// fenceC is a compiled fence: WGS-84 coordinates, and for polygons the
// vertices projected to metres around the first vertex.
type fenceC struct {
	name   string
	circle bool
	center LatLng
	radius float64
	origin LatLng
	xy     [][2]float64
}

func compileFence(f Fence) fenceC {
	if f.Center != nil {
		return fenceC{name: f.Name, circle: true, center: toWGS84(*f.Center, f.Datum), radius: f.RadiusM}
	}
	c := fenceC{name: f.Name}
	pts := make([]LatLng, len(f.Polygon))
	for i, p := range f.Polygon {
		pts[i] = toWGS84(p, f.Datum)
	}
	c.origin = pts[0]
	c.xy = make([][2]float64, len(pts))
	for i, p := range pts {
		c.xy[i] = project(c.origin, p)
	}
	return c
}

// project maps p to metres east and north of origin on a local
// equirectangular plane; fences are at most a few kilometres across, where
// the error of this projection is far below GPS accuracy.
func project(origin, p LatLng) [2]float64 {
	k := math.Pi / 180 * earthRadiusM
	return [2]float64{(p.Lng - origin.Lng) * k * math.Cos(origin.Lat*math.Pi/180), (p.Lat - origin.Lat) * k}
}

// verdict places a WGS-84 fix with accuracy radius acc (metres) relative to
// the fence.
func (f *fenceC) verdict(p LatLng, acc float64) Verdict {
	if f.circle {
		d := DistanceM(f.center, p)
		switch {
		case d+acc <= f.radius:
			return Inside
		case d-acc > f.radius:
			return Outside
		}
		return Uncertain
	}
	q := project(f.origin, p)
	in := pointInPolygon(q, f.xy)
	edge := distToEdges(q, f.xy)
	switch {
	case in && edge >= acc:
		return Inside
	case !in && edge > acc:
		return Outside
	}
	return Uncertain
}

// pointInPolygon is the even-odd ray casting test.
func pointInPolygon(q [2]float64, poly [][2]float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[1] > q[1]) != (b[1] > q[1]) && q[0] < (b[0]-a[0])*(q[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func distToEdges(q [2]float64, poly [][2]float64) float64 {
	best := math.Inf(1)
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		best = math.Min(best, distToSegment(q, poly[j], poly[i]))
	}
	return best
}

func distToSegment(q, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, ((q[0]-a[0])*dx+(q[1]-a[1])*dy)/l))
	}
	ex, ey := q[0]-(a[0]+t*dx), q[1]-(a[1]+t*dy)
	return math.Hypot(ex, ey)
}

// siteC is a compiled site.
type siteC struct {
	id       string
	fences   []fenceC
	networks []netip.Prefix
	netNames []string // networks[i].String(), so that a match allocates nothing
}

// locate returns the best verdict over the site's fences and the name of the
// fence that gave it: one fence containing the fix makes it inside.
func (s *siteC) locate(p LatLng, acc float64) (Verdict, string) {
	best, name := Outside, ""
	for i := range s.fences {
		switch v := s.fences[i].verdict(p, acc); v {
		case Inside:
			return Inside, s.fences[i].name
		case Uncertain:
			best, name = Uncertain, s.fences[i].name
		}
	}
	return best, name
}

// inNetwork reports whether addr is in one of the site's allowed ranges,
// and which one.
func (s *siteC) inNetwork(addr netip.Addr) (string, bool) {
	for i, p := range s.networks {
		if p.Contains(addr) {
			return s.netNames[i], true
		}
	}
	return "", false
}

// parseNetwork accepts a CIDR prefix ("10.1.0.0/16", "2001:db8::/32") or a
// single address.
func parseNetwork(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Locate places a fix relative to fences (a site's): Inside when its
// accuracy circle lies inside one of them, Uncertain when it crosses an
// edge, else Outside, with the name of the fence that decided. A fix of
// unknown accuracy (0) is taken as a point. To place many fixes against
// the same fences, compile them once with CompileFences.
func Locate(fences []Fence, l attendance.Location) (Verdict, string) {
	return CompileFences(fences).Locate(l)
}

// FenceSet is fences compiled once (projected, converted to WGS-84) for
// placing many fixes: a report of a phone's points.
type FenceSet struct{ s siteC }

// CompileFences compiles fences for FenceSet.Locate.
func CompileFences(fences []Fence) FenceSet {
	s := siteC{fences: make([]fenceC, len(fences))}
	for i, f := range fences {
		s.fences[i] = compileFence(f)
	}
	return FenceSet{s}
}

// Locate is Locate with the set's fences.
func (f FenceSet) Locate(l attendance.Location) (Verdict, string) {
	return f.s.locate(toWGS84(LatLng{Lat: l.Lat, Lng: l.Lng}, l.Datum), max(l.AccuracyM, 0))
}
