package pages

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// The kiosk's two sounds, so a person hears whether the punch counted
// without reading the screen: a bright rising two-note chime for
// "recorded", a low buzzing double pulse for "not recorded". Both are
// oscillator tones made in code (Web Audio): no sound files to fetch or
// cache, so they play offline too.

// Sound names, as the page's data-sound attribute reports them.
const (
	SoundRecorded    = "recorded"
	SoundNotRecorded = "not-recorded"
)

// tone is one note: an oscillator of a waveform at freq Hz, starting at
// (seconds after now) for length seconds.
type tone struct {
	wave          string
	freq, at, len float64
}

// sounds are the notes of each sound. The chime is two sine notes a fifth
// apart going up (A5, E6); the refusal two square-wave pulses low down,
// which no one takes for the chime even in a noisy entrance.
var sounds = map[string][]tone{
	SoundRecorded:    {{"sine", 880, 0, 0.11}, {"sine", 1320, 0.11, 0.16}},
	SoundNotRecorded: {{"square", 196, 0, 0.18}, {"square", 196, 0.26, 0.18}},
}

var (
	// audio is the page's one AudioContext, made at the first sound.
	audio app.Value
	// played counts the sounds played since the page loaded.
	played int
)

// play plays the named sound. Browsers may keep audio suspended until the
// first touch of the page; the screen still confirms. The page's root
// element records the last sound and a count (data-sound, data-sounds),
// so a test or a technician can tell which one played.
func play(name string) {
	notes, ok := sounds[name]
	if !ok || !app.IsClient {
		return
	}
	root := app.Window().Get("document").Get("documentElement")
	root.Call("setAttribute", "data-sound", name)
	played++
	root.Call("setAttribute", "data-sounds", played)
	if audio == nil {
		ac := app.Window().Get("AudioContext")
		if !ac.Truthy() {
			return
		}
		audio = ac.New()
	}
	if audio.Get("state").String() == "suspended" {
		audio.Call("resume")
	}
	now := audio.Get("currentTime").Float()
	for _, n := range notes {
		osc := audio.Call("createOscillator")
		gain := audio.Call("createGain")
		osc.Set("type", n.wave)
		osc.Get("frequency").Set("value", n.freq)
		// A short fade in and out: a click-free note.
		g := gain.Get("gain")
		start, end := now+n.at, now+n.at+n.len
		g.Call("setValueAtTime", 0, start)
		g.Call("linearRampToValueAtTime", 0.22, start+0.01)
		g.Call("setValueAtTime", 0.22, end-0.03)
		g.Call("linearRampToValueAtTime", 0, end)
		osc.Call("connect", gain)
		gain.Call("connect", audio.Get("destination"))
		osc.Call("start", start)
		osc.Call("stop", end)
	}
}

// beep plays "recorded" when ok, else "not recorded".
func beep(ok bool) {
	if ok {
		play(SoundRecorded)
		return
	}
	play(SoundNotRecorded)
}
