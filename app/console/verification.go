package console

import (
	"slices"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"punchclock/app/attendance"
	"punchclock/app/rules"
)

// Mixed verification (rules.Verification): an in or out punch counts only
// when punches of two different methods back it within a window, as the
// seed's bank asks a phone GPS punch and a fingerprint at the door within
// 15 minutes. The overtime card's editor keeps it: the flag
// "verification", a flag "verification.M" per method M, and the window.

// The paths rules.RuleSet.Validate names.
const (
	verifyWindow  = "exceptions.verification.window_min"
	verifyMethods = "exceptions.verification.methods"
)

// verifyChoices are the methods a verification may ask for: every method
// a punch is made with (a manager's make-up punch is not one).
var verifyChoices = slices.DeleteFunc(slices.Clone(attendance.Methods), func(m attendance.Method) bool { return m == attendance.MethodManual })

// verification is the rule set's mixed verification, made when missing.
func verification(rs *rules.RuleSet) *rules.Verification {
	if rs.Exceptions.Verification == nil {
		rs.Exceptions.Verification = &rules.Verification{}
	}
	return rs.Exceptions.Verification
}

// nfcSerialFlag is the editor's flag of rules.Exceptions.NFCSerial: ticked,
// a card read by its serial alone needs a second factor.
const nfcSerialFlag = "nfc_serial"

// loadVerification sets the flags from the rule set's verification and
// its NFC serial policy.
func (e *overtimeEditor) loadVerification(v *rules.Verification, nfcSerial string) {
	e.flags[nfcSerialFlag] = nfcSerial == rules.NFCSerialSecondFactor
	e.flags["verification"] = v != nil
	if v == nil {
		return
	}
	for _, m := range v.Methods {
		e.flags["verification."+string(m)] = true
	}
}

// fillVerification puts the ticked methods into rs when verification is
// asked for (the window is one of numFields), and the NFC serial policy.
func (e *overtimeEditor) fillVerification(rs *rules.RuleSet) {
	rs.Exceptions.NFCSerial = ""
	if e.flags[nfcSerialFlag] {
		rs.Exceptions.NFCSerial = rules.NFCSerialSecondFactor
	}
	if !e.flags["verification"] {
		rs.Exceptions.Verification = nil
		return
	}
	vr := verification(rs)
	vr.Methods = nil
	for _, m := range verifyChoices {
		if e.flags["verification."+string(m)] {
			vr.Methods = append(vr.Methods, m)
		}
	}
}

// renderVerification is the mixed verification part of the card: asked
// for or not, the methods, the window, each problem next to its field.
func (v *rulesView) renderVerification(l lang) app.UI {
	on := v.ot.flags["verification"]
	var methodsErr app.UI = app.Text("")
	if fe, bad := v.ot.errs[verifyMethods]; bad && on {
		methodsErr = app.Span().ID("verification-methods-error").Class("error").Attr("role", "alert").Title(v.ot.words[verifyMethods]).Text(l.t(fe.key, fe.args...))
	}
	return app.FieldSet().ID("verification").Body(
		app.Legend().Text(l.t("verification.title")),
		v.otCheck("verification", l.t("verification.enabled")),
		app.If(on, func() app.UI {
			return app.Div().Body(
				app.FieldSet().ID("verification-methods").Body(
					app.Legend().Text(l.t("verification.methods")),
					app.Range(verifyChoices).Slice(func(i int) app.UI {
						m := string(verifyChoices[i])
						return v.otCheck("verification."+m, l.t("method."+m))
					}),
					methodsErr,
				),
				v.otInput(l, verifyWindow, l.t("verification.window")),
			)
		}),
		v.otCheck(nfcSerialFlag, l.t("verification.nfcSerial")),
	)
}
