package zkpull_test

import (
	"fmt"
	"testing"
	"time"

	"punchclock/server/internal/zkpull/emulator"
	"punchclock/server/internal/zkpull/zkproto"
)

// fixtureUsers is a terminal's user table: PINs up to the 9 characters the
// npm clients read.
var fixtureUsers = []zkproto.User{
	{UID: 1, Privilege: 14, Name: "Ana Admin", Card: 4242, PIN: "1"},
	{UID: 2, Name: "Bo", PIN: "1001", Password: "123"},
	{UID: 3, Name: "Chen Wei", Card: 9000001, PIN: "20417"},
	{UID: 4, Name: "Dora", PIN: "123456789"},
	{UID: 5, Name: "Eli", PIN: "7"},
}

// fixtureRecords is n punches of the fixture's users from 2026-03-01 07:00,
// one every 7 min 13 s (so they cross the DST nights of Europe and the US,
// which a naive terminal time must pass through unchanged), verify codes
// and states varied.
func fixtureRecords(n int) []zkproto.Attendance {
	verify := []uint8{1, 15, 2, 0, 4}
	start := time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)
	out := make([]zkproto.Attendance, n)
	for i := range out {
		u := fixtureUsers[i%len(fixtureUsers)]
		out[i] = zkproto.Attendance{UID: u.UID, PIN: u.PIN, Time: start.Add(time.Duration(i) * (7*time.Minute + 13*time.Second)),
			Verify: verify[i%len(verify)], State: uint8(i % 2)}
	}
	return out
}

// terminalClock is the emulated terminal's clock, fixed.
var terminalClock = time.Date(2026, 12, 2, 16, 20, 45, 0, time.UTC)

func startTerminal(t *testing.T, cfg emulator.Config) *emulator.Terminal {
	t.Helper()
	if cfg.Clock == nil {
		cfg.Clock = func() time.Time { return terminalClock }
	}
	term, err := emulator.Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	return term
}

// flat is a record as the Node scripts print it.
type flat struct {
	PIN    string `json:"pin"`
	Time   string `json:"time"`
	Verify int    `json:"verify"` // -1: not read
	State  int    `json:"state"`
}

func (f flat) String() string { return fmt.Sprintf("%s@%s v%d s%d", f.PIN, f.Time, f.Verify, f.State) }

const naive = "2006-01-02 15:04:05"

func flatten(recs []zkproto.Attendance) []flat {
	out := make([]flat, len(recs))
	for i, r := range recs {
		out[i] = flat{PIN: r.PIN, Time: r.Time.Format(naive), Verify: int(r.Verify), State: int(r.State)}
	}
	return out
}

// sameRecords reports the first differences between two record lists.
func sameRecords(t *testing.T, who string, got, want []flat) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s read %d records, want %d", who, len(got), len(want))
	}
	bad := 0
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			if bad++; bad <= 5 {
				t.Errorf("%s record %d: %v, want %v", who, i, got[i], want[i])
			}
		}
	}
}
