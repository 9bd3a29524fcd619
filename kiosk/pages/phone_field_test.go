package pages

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// TestFixWatch: the weak-GPS route is offered after 15 minutes, on the
// injected clock, without a usable fix: from the start, or from the last
// usable one; a usable fix takes it back; a fix too vague for the
// threshold does not count, nor one older than 15 minutes.
func TestFixWatch(t *testing.T) {
	w := FixWatch{Threshold: 100, Since: t0}
	fix := func(at time.Time, acc float64) Fix {
		return Fix{Location: attendance.Location{Lat: 31.2243, Lng: 121.4453, AccuracyM: acc}, At: at}
	}
	if w.Weak(t0.Add(WeakAfter - time.Second)) {
		t.Error("weak before 15 minutes")
	}
	if !w.Weak(t0.Add(WeakAfter)) {
		t.Error("not weak after 15 minutes without a fix")
	}
	w.Add(fix(t0.Add(WeakAfter), 350))
	if _, ok := w.Usable(t0.Add(WeakAfter)); ok || !w.Weak(t0.Add(WeakAfter)) {
		t.Error("a 350 m fix is usable, or took the weak route back")
	}
	w.Add(fix(t0.Add(20*time.Minute), 30))
	if l, ok := w.Usable(t0.Add(20 * time.Minute)); !ok || l.AccuracyM != 30 || w.Weak(t0.Add(20*time.Minute)) {
		t.Errorf("a 30 m fix: usable %v, weak %v", ok, w.Weak(t0.Add(20*time.Minute)))
	}
	w.Add(fix(t0.Add(21*time.Minute), 500))
	if w.Weak(t0.Add(35*time.Minute - time.Second)) {
		t.Error("weak 14 minutes after the last usable fix")
	}
	if !w.Weak(t0.Add(35 * time.Minute)) {
		t.Error("not weak 15 minutes after the last usable fix")
	}
	w2 := FixWatch{Threshold: 100, Since: t0}
	w2.Add(fix(t0, 20))
	if _, ok := w2.Usable(t0.Add(WeakAfter)); ok || !w2.Weak(t0.Add(WeakAfter)) {
		t.Error("a 15-minute-old fix is still usable")
	}
	if (&FixWatch{Threshold: 100}).Weak(t0.Add(time.Hour)) {
		t.Error("weak before watching started")
	}
}

func TestUsableM(t *testing.T) {
	c := attendance.LatLng{Lat: 31.2, Lng: 121.4}
	for _, tt := range []struct {
		fences []attendance.Fence
		want   float64
	}{
		{nil, 100},
		{[]attendance.Fence{{Center: &c, RadiusM: 300}}, 100},
		{[]attendance.Fence{{Center: &c, RadiusM: 300}, {Center: &c, RadiusM: 60}}, 60},
		{[]attendance.Fence{{Polygon: []attendance.LatLng{c, c, c}}}, 100},
	} {
		if got := UsableM(attendance.Site{Fences: tt.fences}); got != tt.want {
			t.Errorf("UsableM(%+v) = %v, want %v", tt.fences, got, tt.want)
		}
	}
	if got := UsableM(attendance.Site{FixAccuracyM: 500, Fences: []attendance.Fence{{Center: &c, RadiusM: 60}}}); got != 500 {
		t.Errorf("the site's own threshold: %v, want 500", got)
	}
}

func TestCleanPlace(t *testing.T) {
	if got, err := CleanPlace("  客户仓库 Minhang  "); err != nil || got != "客户仓库 Minhang" {
		t.Errorf("CleanPlace: %q %v", got, err)
	}
	for _, bad := range []string{"", "   ", "a\x00b", "\xff", strings.Repeat("地", 201)} {
		if _, err := CleanPlace(bad); !errors.Is(err, ErrNoPlace) {
			t.Errorf("CleanPlace(%q): %v", bad, err)
		}
	}
}

// TestPunchGPS: a field punch is committed to the outbox with method gps,
// its fix, the typed place of the weak-GPS route and the photo's hash;
// the phone places it against its site's fence; without fix nor place
// it is refused before it costs a chain position.
func TestPunchGPS(t *testing.T) {
	ph, _ := activePhone(t)
	ctx := context.Background()
	center := attendance.LatLng{Lat: 31.2243, Lng: 121.4453}
	fenced := site
	fenced.Fences = []attendance.Fence{{Name: "store", Center: &center, RadiusM: 200}}
	if err := ph.Outbox.SetPull(ctx, outbox.PullState{Site: &fenced}); err != nil {
		t.Fatal(err)
	}
	if _, err := ph.PunchGPS(ctx, nil, "", nil); !errors.Is(err, ErrNoFix) {
		t.Errorf("no fix, no place: %v", err)
	}
	if _, err := ph.PunchGPS(ctx, nil, " \t", nil); !errors.Is(err, ErrNoPlace) {
		t.Errorf("a blank place: %v", err)
	}
	if _, err := ph.PunchGPS(ctx, &attendance.Location{Lat: 31.2244, Lng: 121.4452, AccuracyM: 15}, "", make([]byte, attendance.MaxPhoto+1)); !errors.Is(err, ErrPhotoLarge) {
		t.Errorf("a photo too large: %v", err)
	}
	in, err := ph.PunchGPS(ctx, &attendance.Location{Lat: 31.2244, Lng: 121.4452, AccuracyM: 15}, "", []byte("jpeg"))
	if err != nil || in.Verdict != rules.Inside || in.Fence != "store" {
		t.Fatalf("inside: %+v %v", in, err)
	}
	out, err := ph.PunchGPS(ctx, &attendance.Location{Lat: 31.25, Lng: 121.4453, AccuracyM: 15}, "", nil)
	if err != nil || out.Verdict != rules.Outside {
		t.Fatalf("outside: %+v %v", out, err)
	}
	weak, err := ph.PunchGPS(ctx, nil, " Customer Xu's warehouse ", nil)
	if err != nil || weak.Verdict != rules.Uncertain {
		t.Fatalf("weak route: %+v %v", weak, err)
	}
	es, err := ph.Recent(ctx, 0)
	if err != nil || len(es) != 3 {
		t.Fatalf("outbox: %d entries, %v", len(es), err)
	}
	first, last := es[2].Punch, es[0].Punch
	if first.Method != attendance.MethodGPS || first.EmployeeID != "E005" || first.Location == nil || first.Location.AccuracyM != 15 ||
		first.Evidence.Photo != base64.StdEncoding.EncodeToString([]byte("jpeg")) || first.Seq != 1 {
		t.Errorf("the first punch: %+v", first)
	}
	if last.Evidence.Place != "Customer Xu's warehouse" || last.Location != nil || last.Seq != 3 {
		t.Errorf("the weak-route punch: %+v", last)
	}
}

// TestLocationQueue: points are queued on the phone at most one a
// minute unless the phone moved 50 m, kept while offline, then sent in
// a signed report with the phone's clock and each point's estimate of
// the server's time, and leave the queue.
func TestLocationQueue(t *testing.T) {
	clk := &clock{t: t0}
	ph, _ := newPhoneEnv(t, clk)
	activated(t, ph)
	f := &fakeCaller{offline: true}
	ph.call = f
	ctx := context.Background()
	if err := ph.Outbox.SetClock(ctx, outbox.ClockOffset{Offset: 3 * time.Hour, At: t0}); err != nil {
		t.Fatal(err)
	}
	at := func(lat float64) attendance.Location {
		return attendance.Location{Lat: lat, Lng: 121.4453, AccuracyM: 20}
	}
	steps := []struct {
		after time.Duration
		lat   float64
		want  bool
	}{
		{0, 31.2243, true},
		{20 * time.Second, 31.2244, false}, // 11 m, 20 s later
		{10 * time.Second, 31.2253, true},  // 111 m away
		{61 * time.Second, 31.2253, true},  // a minute later
	}
	for i, s := range steps {
		clk.t = clk.t.Add(s.after)
		if ok, err := ph.QueueLocation(ctx, at(s.lat)); err != nil || ok != s.want {
			t.Errorf("step %d: queued %v %v, want %v", i, ok, err, s.want)
		}
	}
	if ok, _ := ph.QueueLocation(ctx, attendance.Location{Lat: 91, Lng: 0, AccuracyM: 20}); ok {
		t.Error("an out-of-range fix was queued")
	}
	if n, err := ph.SendLocations(ctx); n != 0 || err == nil {
		t.Errorf("offline: sent %d, %v", n, err)
	}
	if err := ph.sendLocations(ctx); err != nil {
		t.Errorf("offline is no failure for the loops: %v", err)
	}
	pts, _ := ph.Locations(ctx)
	if len(pts) != 3 {
		t.Fatalf("%d points kept offline, want 3", len(pts))
	}
	f.offline = false
	if n, err := ph.SendLocations(ctx); n != 3 || err != nil {
		t.Fatalf("online: sent %d, %v", n, err)
	}
	if len(f.reports) != 1 || f.reports[0].DeviceID != "phone-1" || !f.reports[0].SentAt.Equal(clk.t) || len(f.reports[0].Points) != 3 {
		t.Fatalf("reports: %+v", f.reports)
	}
	p0 := f.reports[0].Points[0]
	if !p0.DeviceTime.Equal(t0) || !p0.EstTime.Equal(t0.Add(3*time.Hour)) || p0.Location.Lat != 31.2243 || !attendance.IsUUIDv7(p0.ID) {
		t.Errorf("the first point: %+v", p0)
	}
	if pts, _ := ph.Locations(ctx); len(pts) != 0 {
		t.Errorf("%d points left after sending", len(pts))
	}
	if _, err := wireRoundTrip(f.reports[0]); err != nil {
		t.Error(err)
	}
}

// wireRoundTrip checks a report passes the server's own text checks.
func wireRoundTrip(r wire.LocationReport) (wire.LocationReport, error) {
	return r, wire.CheckStrings(&r)
}
