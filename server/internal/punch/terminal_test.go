package punch_test

import (
	"testing"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

// TestTerminalMethodsRefused: a kiosk or phone cannot claim a fingerprint
// or card punch, nor carry a terminal's record: those are written by the
// server for hardware terminals only (mixed verification trusts them).
func TestTerminalMethodsRefused(t *testing.T) {
	f := newFixture(t)
	var ps []wire.SignedPunch
	for _, p := range []attendance.Punch{
		{EmployeeID: "e1", Method: attendance.MethodFingerprint},
		{EmployeeID: "e1", Method: attendance.MethodCard},
		{EmployeeID: "e1", Method: attendance.MethodBadge, Evidence: attendance.Evidence{Terminal: &attendance.TerminalRecord{Serial: "X", PIN: "1", Verify: 1}}},
	} {
		id, _ := uuid.NewV7()
		p.ID, p.DeviceID, p.DeviceTime, p.EstTime = id.String(), "dev1", t0, t0
		sp, c, err := f.chain.Next(&p, f.key)
		if err != nil {
			t.Fatal(err)
		}
		f.chain = c
		ps = append(ps, sp)
	}
	if got := summary(f.ingest(t, ps)); got != "rejected:invalid rejected:invalid rejected:invalid" {
		t.Errorf("results %s", got)
	}
}
