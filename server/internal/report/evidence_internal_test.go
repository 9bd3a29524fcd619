package report

import (
	"testing"

	"punchclock/app/attendance"
)

// TestEvidenceOfTerminal: a terminal's punch names its terminal, PIN and
// raw codes in the export's evidence column.
func TestEvidenceOfTerminal(t *testing.T) {
	got := evidenceOf(attendance.Evidence{Terminal: &attendance.TerminalRecord{Serial: "CQQC220960011", PIN: "PC0004", LocalTime: "2026-11-20 08:55:00", Verify: 1}})
	if want := "terminal:CQQC220960011 pin:PC0004 verify:1 status:0"; got != want {
		t.Errorf("evidence %q, want %q", got, want)
	}
}
