package scan_test

import (
	"testing"
	"time"

	"punchclock/kiosk/scan"
)

func TestDebouncer(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 8, 57, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	type sighting struct {
		code string
		ms   int
	}
	tests := []struct {
		name  string
		gap   time.Duration
		seen  []sighting
		fires []bool
	}{
		{
			name:  "first sighting fires",
			seen:  []sighting{{"A", 0}},
			fires: []bool{true},
		},
		{
			name:  "held in view at 30 fps fires once",
			seen:  []sighting{{"A", 0}, {"A", 33}, {"A", 66}, {"A", 100}, {"A", 1500}, {"A", 3000}, {"A", 4900}},
			fires: []bool{true, false, false, false, false, false, false},
		},
		{
			name:  "a short dropout while held does not re-fire",
			seen:  []sighting{{"A", 0}, {"A", 100}, {"A", 1999 + 100}},
			fires: []bool{true, false, false},
		},
		{
			name:  "out of view for the gap fires again",
			seen:  []sighting{{"A", 0}, {"A", 100}, {"A", 2100}},
			fires: []bool{true, false, true},
		},
		{
			name:  "custom gap",
			gap:   500 * time.Millisecond,
			seen:  []sighting{{"A", 0}, {"A", 400}, {"A", 899}, {"A", 1399}},
			fires: []bool{true, false, false, true},
		},
		{
			name:  "two badges fire independently",
			seen:  []sighting{{"A", 0}, {"B", 50}, {"A", 100}, {"B", 150}, {"C", 200}},
			fires: []bool{true, true, false, false, true},
		},
		{
			name:  "alternating badges in view fire once each",
			seen:  []sighting{{"A", 0}, {"B", 1000}, {"A", 1900}, {"B", 2800}, {"A", 3700}},
			fires: []bool{true, true, false, false, false},
		},
		{
			name:  "small backward step counts as in view",
			seen:  []sighting{{"A", 1000}, {"A", 500}, {"A", 600}},
			fires: []bool{true, false, false},
		},
		{
			name:  "large backward step forgets the badge",
			seen:  []sighting{{"A", 10000}, {"A", 100}, {"A", 200}},
			fires: []bool{true, true, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := scan.NewDebouncer(tt.gap)
			for i, s := range tt.seen {
				if got, want := d.Seen(s.code, at(s.ms)), tt.fires[i]; got != want {
					t.Errorf("sighting %d (%s at %d ms): Seen = %v, want %v", i, s.code, s.ms, got, want)
				}
			}
		})
	}
}

func TestDebouncerZeroValueAndReset(t *testing.T) {
	var d scan.Debouncer
	t0 := time.Date(2026, 3, 2, 8, 57, 0, 0, time.UTC)
	if !d.Seen("A", t0) {
		t.Fatal("zero Debouncer: first sighting did not fire")
	}
	if d.Seen("A", t0.Add(scan.DefaultGap-time.Millisecond)) {
		t.Fatal("zero Debouncer: re-fired within DefaultGap")
	}
	d.Reset()
	if !d.Seen("A", t0.Add(scan.DefaultGap)) {
		t.Fatal("after Reset: sighting did not fire")
	}
}

// TestDebouncerFrames: with the camera reporting the frames it looks at, a
// badge fires again only once it was missing from MinFrames frames as well
// as for the gap; a tablet that looked at two frames in three seconds (a
// stall) has not seen it leave.
func TestDebouncerFrames(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 8, 57, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

	var stalled scan.Debouncer
	stalled.Looked()
	if !stalled.Seen("A", at(0)) {
		t.Fatal("first sighting did not fire")
	}
	stalled.Looked() // one frame without A, then a 3 s stall
	stalled.Looked()
	if stalled.Seen("A", at(3000)) {
		t.Error("after a stall of 3 s with 1 frame missing the badge, it fired again")
	}

	var left scan.Debouncer
	left.Looked()
	left.Seen("A", at(0))
	for range scan.DefaultMinFrames {
		left.Looked() // frames without A, 100 ms apart
	}
	left.Looked()
	if left.Seen("A", at(1100)) {
		t.Error("fired again before the gap")
	}
	for range scan.DefaultMinFrames {
		left.Looked()
	}
	left.Looked()
	if !left.Seen("A", at(3300)) {
		t.Error("seen last at 1.1 s, then missing for 2.2 s and 10 frames: it did not fire again")
	}

	// A scanner that reports no frames (the debug hook): the gap decides.
	var hook scan.Debouncer
	hook.Seen("A", at(0))
	if !hook.Seen("A", at(2000)) {
		t.Error("without frames, the gap alone did not re-arm")
	}
}
