package console

import (
	"slices"
	"testing"

	"punchclock/app/attendance"
)

// TestVerificationEditor: mixed verification is off unless asked for;
// one method, or a window out of range, is refused next to its field as
// punchd's validator refuses it; two methods within 15 minutes are
// written to the rules' exceptions beside the grace periods, and
// switching it off takes it out again.
func TestVerificationEditor(t *testing.T) {
	cfg := demoConfig(t)
	e := newOvertimeEditor(ruleSet(cfg))
	if !e.apply(cfg) {
		t.Fatalf("untouched: %+v", e.errs)
	}
	if _, ok := exceptions(cfg)["verification"]; ok {
		t.Fatalf("an untouched verification was added: %v", exceptions(cfg))
	}
	grace := exceptions(cfg)["late_grace_min"]
	e.flags["verification"] = true
	e.flags["verification.gps"] = true
	e.values[verifyWindow] = "300"
	e.check(cfg)
	if e.errs[verifyMethods].key != "verification.err.methods" || e.errs[verifyWindow].key != "rules.range" {
		t.Errorf("one method, 300 minutes: %+v", e.errs)
	}
	if e.apply(cfg) {
		t.Error("applied with errors")
	}
	e.flags["verification.terminal"] = true
	e.values[verifyWindow] = "15"
	if !e.apply(cfg) {
		t.Fatalf("gps and terminal within 15 min: %+v", e.errs)
	}
	rs := ruleSet(cfg)
	if v := rs.Exceptions.Verification; v == nil || v.WindowMin != 15 || !slices.Equal(v.Methods, []attendance.Method{attendance.MethodGPS, attendance.MethodTerminal}) {
		t.Errorf("applied: %+v", v)
	}
	if exceptions(cfg)["late_grace_min"] != grace {
		t.Errorf("the grace changed: %v, was %v", exceptions(cfg)["late_grace_min"], grace)
	}
	// Loaded back, then switched off.
	e = newOvertimeEditor(rs)
	if !e.flags["verification"] || !e.flags["verification.gps"] || e.values[verifyWindow] != "15" {
		t.Errorf("loaded: %v %v", e.flags, e.values[verifyWindow])
	}
	e.flags["verification"] = false
	if !e.apply(cfg) {
		t.Fatalf("off: %+v", e.errs)
	}
	if _, ok := exceptions(cfg)["verification"]; ok {
		t.Errorf("switched off, still there: %v", exceptions(cfg)["verification"])
	}
}

// TestNFCSerialEditor: the site's NFC serial policy is off (accept) unless
// ticked; ticked, the rules ask a second factor of serial-only cards,
// and it loads back ticked.
func TestNFCSerialEditor(t *testing.T) {
	cfg := demoConfig(t)
	e := newOvertimeEditor(ruleSet(cfg))
	if e.flags[nfcSerialFlag] {
		t.Fatal("ticked in the demo's rules")
	}
	e.flags[nfcSerialFlag] = true
	if !e.apply(cfg) {
		t.Fatalf("ticked: %+v", e.errs)
	}
	if got := exceptions(cfg)["nfc_serial"]; got != "second_factor" {
		t.Fatalf("applied: nfc_serial %v", got)
	}
	e = newOvertimeEditor(ruleSet(cfg))
	if !e.flags[nfcSerialFlag] {
		t.Error("not loaded back ticked")
	}
	e.flags[nfcSerialFlag] = false
	if !e.apply(cfg) {
		t.Fatalf("unticked: %+v", e.errs)
	}
	if got, ok := exceptions(cfg)["nfc_serial"]; ok {
		t.Errorf("unticked, still there: %v", got)
	}
}
