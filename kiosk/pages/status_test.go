package pages

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/kiosk/syncer"
)

// TestRisks: the employee screen warns only when punches are at risk, not
// for a kiosk that is offline for a while or whose storage is not marked
// persistent.
func TestRisks(t *testing.T) {
	waiting := func(n int, d time.Duration) Status {
		return Status{Status: syncer.Status{Pending: n, OldestPending: d}, Started: true}
	}
	gb := func(f float64) float64 { return f * (1 << 30) }
	for _, tc := range []struct {
		name    string
		s       Status
		statErr error
		refused bool
		use     storageUse
		want    []string
	}{
		{"all synced", waiting(0, 0), nil, false, storageUse{}, nil},
		{"offline 59 minutes", waiting(12, 59*time.Minute), nil, false, storageUse{gb(1), gb(10)}, nil},
		{"offline just an hour", waiting(1, time.Hour), nil, false, storageUse{}, nil},
		{"unsynced over an hour", waiting(3, time.Hour+time.Second), nil, false, storageUse{}, []string{RiskUnsynced}},
		{"a punch refused by storage", waiting(0, 0), nil, true, storageUse{}, []string{RiskStorage}},
		{"the queue unreadable", Status{}, errors.New("idb closed"), false, storageUse{}, []string{RiskStorage}},
		{"no syncer", Status{StartErr: errors.New("bad server url")}, nil, false, storageUse{}, []string{RiskStorage}},
		{"quota 89%", waiting(0, 0), nil, false, storageUse{gb(8.9), gb(10)}, nil},
		{"quota 90%", waiting(0, 0), nil, false, storageUse{gb(9), gb(10)}, []string{RiskQuota}},
		{"sync stopped", Status{Status: syncer.Status{Fatal: errors.New("unauthorized")}, Started: true}, nil, false, storageUse{}, []string{RiskStopped}},
		{"everything", Status{Status: syncer.Status{Pending: 5, OldestPending: 3 * time.Hour, Fatal: errors.New("x")}, Started: true},
			nil, true, storageUse{gb(2), gb(2)}, []string{RiskUnsynced, RiskStorage, RiskQuota, RiskStopped}},
	} {
		if got := risksOf(tc.s, tc.statErr, tc.refused, tc.use); !slices.Equal(got, tc.want) {
			t.Errorf("%s: risks %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRiskMessages: every risk has its words in both languages, with no
// engineering terms in them.
func TestRiskMessages(t *testing.T) {
	for _, l := range []Lang{English, Chinese} {
		for _, r := range []string{RiskUnsynced, RiskStorage, RiskQuota, RiskStopped} {
			key := "risk." + r
			msg, ok := messages[l][key]
			if !ok || msg == "" {
				t.Errorf("%s: no message %s", l, key)
				continue
			}
			for _, word := range []string{"sync", "quota", "IndexedDB", "offset", "outbox", "%"} {
				if strings.Contains(strings.ToLower(msg), strings.ToLower(word)) {
					t.Errorf("%s %s: %q says %q", l, key, msg, word)
				}
			}
		}
	}
	if messages[Chinese]["risk."+RiskUnsynced] == messages[English]["risk."+RiskUnsynced] {
		t.Error("the Chinese warning is the English one")
	}
}

// TestSounds: "recorded" and "not recorded" sound different: other
// waveforms and no shared pitch.
func TestSounds(t *testing.T) {
	ok, bad := sounds[SoundRecorded], sounds[SoundNotRecorded]
	if len(ok) == 0 || len(bad) == 0 {
		t.Fatal("a sound has no notes")
	}
	for _, a := range ok {
		for _, b := range bad {
			if a.wave == b.wave || a.freq == b.freq {
				t.Errorf("recorded %+v and not recorded %+v share a waveform or a pitch", a, b)
			}
		}
	}
	for name, notes := range sounds {
		for _, n := range notes {
			if n.freq < 100 || n.freq > 4000 || n.len <= 0.05 || n.len > 0.5 {
				t.Errorf("%s: note %+v out of an audible, short range", name, n)
			}
		}
	}
}

// TestGrabPause: a frame that decodes quickly waits out the rest of
// grabEvery; a slow one leaves twice its time to the page.
func TestGrabPause(t *testing.T) {
	for _, c := range []struct{ took, want time.Duration }{
		{0, grabEvery},
		{30 * time.Millisecond, 70 * time.Millisecond},
		{grabEvery / 3, grabEvery - grabEvery/3},
		{60 * time.Millisecond, 120 * time.Millisecond},
		{200 * time.Millisecond, 400 * time.Millisecond},
	} {
		if got := grabPause(c.took); got != c.want {
			t.Errorf("grabPause(%v) = %v, want %v", c.took, got, c.want)
		}
	}
}
