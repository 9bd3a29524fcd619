package console

import (
	"strings"
	"testing"
	"time"
)

// TestWhen: an instant is said in the zone given, with its abbreviation
// and offset (summer time included), or the offset alone when the zone
// has no name of its own; the viewer's zone ("") says its offset too.
func TestWhen(t *testing.T) {
	at := time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 20, 30, 0, 0, time.UTC)
	tests := []struct {
		t    time.Time
		zone string
		want string
	}{
		{at, "Asia/Shanghai", "2026-03-11 10:00:00 CST (UTC+08:00)"},
		{at, "Europe/Berlin", "2026-03-11 03:00:00 CET (UTC+01:00)"},
		{summer, "Europe/Berlin", "2026-07-01 22:30:00 CEST (UTC+02:00)"},
		{summer, "America/New_York", "2026-07-01 16:30:00 EDT (UTC-04:00)"},
		{at, "Asia/Dubai", "2026-03-11 06:00:00 UTC+04:00"},
		{at, "Asia/Kolkata", "2026-03-11 07:30:00 IST (UTC+05:30)"},
		{at, "UTC", "2026-03-11 02:00:00 UTC+00:00"},
		{time.Time{}, "Asia/Shanghai", "never"},
	}
	for _, tt := range tests {
		if got := when("en", tt.t, tt.zone); got != tt.want {
			t.Errorf("when(%v, %q) = %q, want %q", tt.t, tt.zone, got, tt.want)
		}
	}
	// The viewer's zone, natively Go's Local: its offset is said.
	if got := when("en", at, ""); !strings.Contains(got, "UTC") {
		t.Errorf("in the viewer's zone: %q names no offset", got)
	}
	if got := when("en", at, "Mars/Olympus"); !strings.Contains(got, "UTC") {
		t.Errorf("an unknown zone: %q", got)
	}
}
