package device_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/device"
)

// TestZoneRulesSent checks the site a kiosk gets at enrollment and in a
// full pull carries its zone's rules, which load into the site's zone
// (the kiosk has no zone database of its own), and that a changed site
// carries them in a partial pull too.
func TestZoneRulesSent(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	svc := &device.Service{Store: st, Now: func() time.Time { return now }}
	code, _, err := svc.IssueCode(ctx, "s1", 0, "test")
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	resp, err := svc.Enroll(ctx, wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, site *attendance.Site) {
		t.Helper()
		if site == nil || len(site.ZoneRules) == 0 {
			t.Fatalf("%s: site %+v without zone rules", what, site)
		}
		loc, err := site.Location()
		want, _ := time.LoadLocation(site.Zone)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for at := now.AddDate(-1, 0, 0); at.Before(now.AddDate(1, 0, 0)); at = at.Add(7 * time.Hour) {
			if a, b := at.In(loc).Format(time.RFC3339), at.In(want).Format(time.RFC3339); a != b {
				t.Fatalf("%s: %s from the rules, %s from the database", what, a, b)
			}
		}
	}
	same("enrollment", &resp.Site)
	same("full pull", resp.Pull.Site)
	dev, err := st.Device(ctx, resp.DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	site := *resp.Pull.Site
	site.ZoneRules, site.Name = nil, "renamed"
	if _, err := st.PutSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	pull, _, err := svc.Pull(ctx, dev, resp.Pull.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if pull.Full {
		t.Fatal("the pull after a site change is full")
	}
	same("partial pull", pull.Site)
	// Never stored: the store's site has none.
	if s, err := st.Site(ctx, site.ID); err != nil || len(s.ZoneRules) != 0 {
		t.Errorf("stored site has zone rules (%d bytes), %v", len(s.ZoneRules), err)
	}
}
