package consolee2e

import (
	"testing"
)

// TestConsoleShifts: an administrator (TestConsoleCalendar has head
// office HR, whom punchd lets change the rule configuration too) adds a
// night shift 22:00 to 06:00 to the default rules, shown as ending the
// next day, and a rotation night, night, rest, rest. A time that is not
// one and a pattern naming an unknown shift are refused next to their
// fields, in the words of the rules' own validation; the change is
// previewed, then saved, and punchd's API answers both
// (addNightRotation, saveNightRotation). TestConsoleAcceptance does the
// same as head office HR and keeps the page in English and Chinese.
func TestConsoleShifts(t *testing.T) {
	_, ctx := adminRules(t)
	addNightRotation(t, ctx)
	saveNightRotation(t, ctx)
}
