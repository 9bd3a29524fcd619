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

// TestEvidenceOfNFC: an NFC punch names its tag's serial, and says when
// the tag carried a signed token (the token itself is in the signed body).
func TestEvidenceOfNFC(t *testing.T) {
	for _, c := range []struct {
		ev   attendance.Evidence
		want string
	}{
		{attendance.Evidence{NFCSerial: "04A21B7C112233", NFCTag: "pc1.AAAA"}, "nfc:04A21B7C112233 nfc-tag:signed"},
		{attendance.Evidence{BadgeCode: "04AABBCCDD", NFCSerial: "04AABBCCDD"}, "badge:04AABBCCDD nfc:04AABBCCDD"},
	} {
		if got := evidenceOf(c.ev); got != c.want {
			t.Errorf("evidence %q, want %q", got, c.want)
		}
	}
}
