package console

import (
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
)

// TestTrailSVG: the trail's plan is centred on the site's point, wide
// enough for the fence and every point, draws a GCJ-02 fence where its
// WGS-84 points are, and classes each point by its verdict.
func TestTrailSVG(t *testing.T) {
	o := attendance.LatLng{Lat: 31.2243, Lng: 121.4453}
	at := time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC)
	pt := func(e, n float64, v string) wire.TrailPoint {
		p := fromPlane(o, e, n)
		return wire.TrailPoint{At: at, Location: attendance.Location{Lat: p.Lat, Lng: p.Lng, AccuracyM: 20}, Verdict: v}
	}
	gcj := rules.WGS84ToGCJ02(o)
	tr := &wire.Trail{Site: &attendance.Site{ID: "s", Point: &o},
		Fences: []attendance.Fence{{Name: "store", Datum: rules.DatumGCJ02, Center: &gcj, RadiusM: 200}},
		Points: []wire.TrailPoint{pt(10, 10, "inside"), pt(0, 800, "outside"), pt(150, 150, "uncertain")}}
	svg := trailSVG(tr)
	for _, want := range []string{`data-extent="1000"`, `class="trail-point inside" data-i="0"`, `class="trail-point outside" data-i="1"`,
		`class="trail-point uncertain" data-i="2"`, `id="trail-path"`, `<circle class="fence other trail-fence" data-fence="0" cx="200.0" cy="200.0" r="40.0"/>`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the trail's plan lacks %s:\n%s", want, svg)
		}
	}
	if got, ok := trailOrigin(&wire.Trail{Points: tr.Points[1:]}); !ok || got != pointOf(tr.Points[1]) {
		t.Errorf("origin without site or fence: %v %v", got, ok)
	}
	if _, ok := trailOrigin(&wire.Trail{}); ok || trailSVG(&wire.Trail{}) != "" {
		t.Error("an empty trail has a plan")
	}
}
