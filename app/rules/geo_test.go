package rules

import (
	"math"
	"testing"

	"punchclock/app/attendance"
)

// Reference points of the widely used eviltransform test suite.
var gcjRefs = []struct {
	name     string
	wgs, gcj LatLng
}{
	{"shanghai", LatLng{Lat: 31.1774276, Lng: 121.5272106}, LatLng{Lat: 31.17530398364597, Lng: 121.531541859215}},
	{"shenzhen", LatLng{Lat: 22.543847, Lng: 113.912316}, LatLng{Lat: 22.540796131694766, Lng: 113.9171764808363}},
	{"beijing", LatLng{Lat: 39.911954, Lng: 116.377817}, LatLng{Lat: 39.91334545536069, Lng: 116.38404722455657}},
}

func TestWGS84ToGCJ02(t *testing.T) {
	for _, tt := range gcjRefs {
		got := WGS84ToGCJ02(tt.wgs)
		if math.Abs(got.Lat-tt.gcj.Lat) > 1e-9 || math.Abs(got.Lng-tt.gcj.Lng) > 1e-9 {
			t.Errorf("%s: WGS84ToGCJ02(%v) = %v, want %v", tt.name, tt.wgs, got, tt.gcj)
		}
	}
}

func TestGCJ02ToWGS84(t *testing.T) {
	for _, tt := range gcjRefs {
		got := GCJ02ToWGS84(tt.gcj)
		if d := DistanceM(got, tt.wgs); d > 0.01 {
			t.Errorf("%s: GCJ02ToWGS84(%v) = %v, %.4f m from %v, want < 1 cm", tt.name, tt.gcj, got, d, tt.wgs)
		}
		// The offset itself is hundreds of metres: a datum mix-up is not noise.
		if d := DistanceM(tt.wgs, tt.gcj); d < 100 || d > 1000 {
			t.Errorf("%s: WGS-84 and GCJ-02 are %.0f m apart, want a few hundred", tt.name, d)
		}
	}
}

func TestGCJ02OutsideChina(t *testing.T) {
	for _, p := range []LatLng{{Lat: 52.52, Lng: 13.405}, {Lat: 40.7128, Lng: -74.006}, {Lat: -33.86, Lng: 151.21}} {
		if got := WGS84ToGCJ02(p); got != p {
			t.Errorf("WGS84ToGCJ02(%v) = %v, want unchanged outside China", p, got)
		}
		if got := GCJ02ToWGS84(p); got != p {
			t.Errorf("GCJ02ToWGS84(%v) = %v, want unchanged outside China", p, got)
		}
	}
}

func TestDistanceM(t *testing.T) {
	// One degree of latitude is about 111.2 km on the mean sphere.
	got := DistanceM(LatLng{Lat: 0, Lng: 0}, LatLng{Lat: 1, Lng: 0})
	if want := 111195.0; math.Abs(got-want) > 5 {
		t.Errorf("DistanceM(1 degree) = %.1f, want %.1f", got, want)
	}
	if got := DistanceM(LatLng{Lat: 31, Lng: 121}, LatLng{Lat: 31, Lng: 121}); got != 0 {
		t.Errorf("DistanceM(same) = %v, want 0", got)
	}
}

// north moves p by metres north and east.
func north(p LatLng, n, e float64) LatLng {
	return LatLng{Lat: p.Lat + n/111195.0, Lng: p.Lng + e/(111195.0*math.Cos(p.Lat*math.Pi/180))}
}

func TestFenceVerdict(t *testing.T) {
	c := LatLng{Lat: 31.2304, Lng: 121.4737}
	circle := compileFence(Fence{Center: &c, RadiusM: 200})
	sq := []LatLng{north(c, -100, -100), north(c, -100, 100), north(c, 100, 100), north(c, 100, -100)}
	poly := compileFence(Fence{Polygon: sq})
	tests := []struct {
		name  string
		f     *fenceC
		p     LatLng
		acc   float64
		want  Verdict
		wantC string
	}{
		{"circle centre", &circle, c, 20, Inside, ""},
		{"circle 150 m acc 40", &circle, north(c, 150, 0), 40, Inside, ""},
		{"circle 150 m acc 60 crosses edge", &circle, north(c, 150, 0), 60, Uncertain, ""},
		{"circle 190 m exact", &circle, north(c, 190, 0), 0, Inside, ""},
		{"circle 210 m exact", &circle, north(c, 0, 210), 0, Outside, ""},
		{"circle 300 m acc 150", &circle, north(c, 300, 0), 150, Uncertain, ""},
		{"circle 1 km", &circle, north(c, 1000, 0), 50, Outside, ""},
		{"square centre", &poly, c, 50, Inside, ""},
		{"square centre acc 120", &poly, c, 120, Uncertain, ""},
		{"square near edge", &poly, north(c, 90, 0), 20, Uncertain, ""},
		{"square outside", &poly, north(c, 0, 150), 20, Outside, ""},
		{"square corner outside", &poly, north(c, 120, 120), 10, Outside, ""},
	}
	for _, tt := range tests {
		if got := tt.f.verdict(tt.p, tt.acc); got != tt.want {
			t.Errorf("%s: verdict = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestGCJ02Fence(t *testing.T) {
	ref := gcjRefs[0]
	// A fence drawn on a Chinese map (GCJ-02) around the spot contains the
	// browser's WGS-84 fix of the same spot...
	right := compileFence(Fence{Datum: DatumGCJ02, Center: &ref.gcj, RadiusM: 50})
	if got := right.verdict(ref.wgs, 10); got != Inside {
		t.Errorf("gcj02 fence, wgs84 fix: %s, want inside", got)
	}
	// ...and one that forgets the datum does not.
	wrong := compileFence(Fence{Center: &ref.gcj, RadiusM: 50})
	if got := wrong.verdict(ref.wgs, 10); got != Outside {
		t.Errorf("mislabelled fence: %s, want outside", got)
	}
}

func TestParseNetwork(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"10.1.2.3/16", "10.1.0.0/16", true},
		{"203.0.113.7", "203.0.113.7/32", true},
		{"2001:db8::/32", "2001:db8::/32", true},
		{"10.0.0.0/33", "", false},
		{"store-wifi", "", false},
	}
	for _, tt := range tests {
		p, err := parseNetwork(tt.in)
		if (err == nil) != tt.ok || tt.ok && p.String() != tt.want {
			t.Errorf("parseNetwork(%q) = %v, %v; want %s, ok=%v", tt.in, p, err, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		in   string
		want bool
	}{{"203.0.113.9", true}, {"::ffff:203.0.113.9", true}, {"203.0.113.9:4431", true}, {"bogus", false}, {"", false}} {
		a, ok := parseAddr(tt.in)
		if ok != tt.want {
			t.Errorf("parseAddr(%q) = %v, %v; want ok=%v", tt.in, a, ok, tt.want)
		}
	}
}

// TestLocate: a fix inside, across the edge of, and outside a 200 m
// circle, and inside a polygon given in GCJ-02.
func TestLocate(t *testing.T) {
	store := LatLng{Lat: 31.2304, Lng: 121.4737}
	fences := []Fence{{Name: "store", Center: &store, RadiusM: 200},
		{Name: "yard", Datum: DatumGCJ02, Polygon: []LatLng{
			WGS84ToGCJ02(LatLng{Lat: 31.2290, Lng: 121.4760}), WGS84ToGCJ02(LatLng{Lat: 31.2290, Lng: 121.4770}),
			WGS84ToGCJ02(LatLng{Lat: 31.2280, Lng: 121.4770}), WGS84ToGCJ02(LatLng{Lat: 31.2280, Lng: 121.4760})}}}
	for _, tt := range []struct {
		l     attendance.Location
		want  Verdict
		fence string
	}{
		{attendance.Location{Lat: 31.2304, Lng: 121.4737, AccuracyM: 20}, Inside, "store"},
		{attendance.Location{Lat: 31.2312993, Lng: 121.4737, AccuracyM: 150}, Uncertain, "store"},
		{attendance.Location{Lat: 31.2393932, Lng: 121.4737, AccuracyM: 20}, Outside, ""},
		{attendance.Location{Lat: 31.2285, Lng: 121.4765, AccuracyM: 10}, Inside, "yard"},
		{attendance.Location{Lat: 31.2304, Lng: 121.4737}, Inside, "store"},
	} {
		if got, fence := Locate(fences, tt.l); got != tt.want || fence != tt.fence {
			t.Errorf("Locate(%+v) = %s %q, want %s %q", tt.l, got, fence, tt.want, tt.fence)
		}
	}
	if got, _ := Locate(nil, attendance.Location{Lat: 31.2304, Lng: 121.4737}); got != Outside {
		t.Errorf("no fences: %s, want outside", got)
	}
}
