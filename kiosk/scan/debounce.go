package scan

import "time"

// DefaultGap is how long a code must be out of view before the same code
// counts as a new presentation. Two seconds is longer than a decode gap
// caused by a moving hand or glare and shorter than an employee walking
// away and coming back.
const DefaultGap = 2 * time.Second

// Debouncer turns the stream of decodes a camera produces into
// presentations: a badge held in view for five seconds decodes a hundred
// times but is one punch. A code fires once when it is first seen and again
// only after it has gone unseen for Gap. Frames that decode nothing need
// not be reported: "out of view" is measured from the last sighting, so a
// few missed frames while the badge is still held up do not re-arm it.
//
// Codes are tracked independently, so two badges shown one after the other
// both fire. Times are passed in so that tests and the kiosk's injected
// clock decide what "now" is; pass times that carry a monotonic reading
// (the browser's time.Now does) so a wall-clock step does not matter. The
// zero value uses DefaultGap. A Debouncer is
// not safe for concurrent use.
//
// This is only about the camera; the outbox has its own, longer,
// per-employee duplicate window.
//
// Out of view must be seen, not inferred from the clock: when the camera
// reports the frames it looks at (Looked), a code must also have been
// missing from MinFrames frames in a row. A slow or stalled tablet (a
// loaded machine, a long redraw) that looked at two frames in two seconds
// has not seen the badge leave. Without Looked calls (a scanner that is
// not a camera) the gap alone decides.
type Debouncer struct {
	// Gap is how long a code must go unseen before it fires again;
	// zero means DefaultGap.
	Gap time.Duration
	// MinFrames is how many frames looked at without the code it takes
	// besides the gap; zero means DefaultMinFrames.
	MinFrames int

	lastSeen map[string]sighting
	frames   int // frames looked at (Looked)
}

// DefaultMinFrames is a second of frames at the kiosk's ten a second.
const DefaultMinFrames = 10

// sighting is when a code was last seen: the time and the frame count.
type sighting struct {
	at    time.Time
	frame int
}

// Looked counts a frame the camera looked at, whatever it read; call it
// before Seen for the codes read from that frame.
func (d *Debouncer) Looked() { d.frames++ }

// gone reports whether a code last seen at s is out of view at now.
func (d *Debouncer) gone(s sighting, now time.Time, gap time.Duration, minFrames int) bool {
	age := now.Sub(s.at)
	if age < gap && age > -gap {
		return false
	}
	// Frames looked at since (the one it was seen in does not count): none
	// means no camera, where the gap alone decides.
	missed := d.frames - s.frame
	return missed == 0 || missed > minFrames
}

// NewDebouncer returns a Debouncer with the given gap (zero means
// DefaultGap).
func NewDebouncer(gap time.Duration) *Debouncer {
	return &Debouncer{Gap: gap}
}

// Seen records that code was decoded at now and reports whether this is a
// new presentation that should produce an event.
func (d *Debouncer) Seen(code string, now time.Time) bool {
	gap := d.Gap
	if gap <= 0 {
		gap = DefaultGap
	}
	minFrames := d.MinFrames
	if minFrames <= 0 {
		minFrames = DefaultMinFrames
	}
	if d.lastSeen == nil {
		d.lastSeen = make(map[string]sighting)
	}
	// Forget codes out of view for longer than the gap so that the map
	// stays as small as the number of badges recently in front of the
	// camera, however long the kiosk runs.
	// A sighting more than a gap in the future means the clock stepped
	// back; it is stale too, or a badge seen before the step could not
	// fire until the clock caught up. Within a gap it counts as still in
	// view: jitter must not fire a held badge twice.
	for c, s := range d.lastSeen {
		if d.gone(s, now, gap, minFrames) {
			delete(d.lastSeen, c)
		}
	}
	_, inView := d.lastSeen[code]
	d.lastSeen[code] = sighting{now, d.frames}
	return !inView
}

// Reset forgets every code, so the next sighting of any code fires. The
// kiosk calls it when it leaves the scanning screen.
func (d *Debouncer) Reset() {
	clear(d.lastSeen)
}
