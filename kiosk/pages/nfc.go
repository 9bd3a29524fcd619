package pages

import (
	"context"
	"errors"
	"strings"

	"punchclock/app/attendance"
	"punchclock/app/nfctag"
)

// ErrBlankTag is a BadTag's error for a tag with neither a punchclock
// token nor a serial number.
var ErrBlankTag = errors.New("the tag has no punchclock badge and no serial number")

// PunchNFC records the punch of an NFC tag a kiosk read: serial is its
// serial number as the reader reported it ("04:a2:..", "" none), texts
// the texts of its NDEF text records.
//
// A tag punchclock wrote carries a signed token (app/nfctag): it is
// checked against the tag keys of the latest pull, offline, and names the
// employee, who need not be in the kiosk's roster yet (the server knows
// them). A token that does not hold is refused (BadTag), never recorded
// as a plain card: it would be someone's copied or edited tag. Any other
// tag is a card known by its serial number alone, looked up as a badge
// code; the site's rules decide what such a punch proves
// (rules.Exceptions.NFCSerial).
func (e *Env) PunchNFC(ctx context.Context, serial string, texts []string) Confirmation {
	sn := nfctag.Serial(serial)
	for _, t := range texts {
		if !strings.HasPrefix(t, nfctag.Prefix) {
			continue
		}
		c := Confirmation{Code: sn, Method: attendance.MethodNFC}
		st, err := e.Outbox.Pull(ctx)
		if err != nil {
			c.Outcome, c.Err = Failed, err
			return c
		}
		claims, err := nfctag.Verify(t, nfctag.ParseKeys(st.TagKeys), sn)
		if err != nil {
			c.Outcome, c.Err = BadTag, err
			return c
		}
		roster, err := e.Roster(ctx)
		if err != nil {
			c.Outcome, c.Err = Failed, err
			return c
		}
		emp, known := roster[claims.EmployeeID]
		c.Code = claims.EmployeeID
		p := attendance.Punch{Method: attendance.MethodNFC, EmployeeID: claims.EmployeeID, Evidence: attendance.Evidence{NFCSerial: sn, NFCTag: t}}
		return e.record(ctx, c, p, emp, known)
	}
	if sn == "" {
		return Confirmation{Method: attendance.MethodNFC, Outcome: BadTag, Err: ErrBlankTag}
	}
	emp, known, err := e.employee(ctx, sn)
	if err != nil {
		return Confirmation{Code: sn, Method: attendance.MethodNFC, Outcome: Failed, Err: err}
	}
	p := attendance.Punch{Method: attendance.MethodNFC, Evidence: attendance.Evidence{BadgeCode: sn, NFCSerial: sn}}
	return e.record(ctx, Confirmation{Code: sn, Method: attendance.MethodNFC}, p, emp, known)
}
