package punchd_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/terminal"
	"punchclock/server/internal/terminal/emulator"
)

// TestBankMixedVerification is issue 15's bank end to end: the site
// requires a phone GPS punch and a fingerprint at the door's terminal
// within 15 minutes of each other. Monday: GPS at 08:50, fingerprint at
// 08:58 (and 18:00 / 18:04 at night): a verified, normal day. Tuesday:
// GPS at 08:50, fingerprint only at 09:10: the morning is an anomaly for
// the manager.
func TestBankMixedVerification(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base, ctx := m.URL(), context.Background()

	var cfg struct{ Config map[string]any }
	if st, eb := call(t, "GET", base+"/api/v1/rule/config?site_id=sh-jingan", "Bearer "+admin, nil, &cfg); st != 200 {
		t.Fatalf("rule config: %d %+v", st, eb)
	}
	rs := cfg.Config["rules"].(map[string]any)
	ex, _ := rs["exceptions"].(map[string]any)
	if ex == nil {
		ex = map[string]any{}
		rs["exceptions"] = ex
	}
	ex["verification"] = map[string]any{"methods": []string{"gps", "fingerprint"}, "window_min": 15}
	if st, eb := call(t, "PUT", base+"/api/v1/rule/config?site_id=sh-jingan", "Bearer "+admin, jsonBody(t, cfg.Config), nil); st != 200 {
		t.Fatalf("put rule config: %d %+v", st, eb)
	}

	act, priv := activatePhone(t, base, admin, "E005")
	phone := &kiosk{t: t, base: base, id: act.DeviceID, key: priv, clk: clk}
	gps := func() {
		t.Helper()
		now := clk.Now()
		id, _ := uuid.NewV7()
		p := attendance.Punch{ID: id.String(), EmployeeID: "E005", DeviceID: phone.id, Method: attendance.MethodGPS, DeviceTime: now, EstTime: now,
			Location: &attendance.Location{Lat: 31.2243, Lng: 121.4453, AccuracyM: 15}}
		sp, next, err := phone.chain.Next(&p, priv)
		if err != nil {
			t.Fatal(err)
		}
		phone.chain = next
		if st, resp, eb := phone.send([]wire.SignedPunch{sp}); st != 200 || resp.Results[0].Status != wire.StatusAccepted {
			t.Fatalf("GPS punch: %d %+v %+v", st, resp, eb)
		}
	}
	door := emulator.New("BANKDOOR1", base, clk.Now, sh)
	if st, eb := call(t, "PUT", base+"/api/v1/admin/terminals/"+door.Serial, "Bearer "+admin, []byte(`{"site_id":"sh-jingan","name":"Branch door"}`), nil); st != 200 {
		t.Fatalf("put terminal: %d %+v", st, eb)
	}
	finger := func() {
		t.Helper()
		if _, err := door.Handshake(ctx); err != nil {
			t.Fatal(err)
		}
		door.Punch("PC0005", terminal.VerifyFingerprint)
		if n, err := door.Upload(ctx); err != nil || n != 1 {
			t.Fatalf("fingerprint upload: %d %v", n, err)
		}
	}
	// Monday 23 November and Tuesday 24: workdays after the demo's week.
	for _, step := range []struct {
		day, hh, mm int
		punch       func()
	}{
		{23, 8, 50, gps}, {23, 8, 58, finger}, {23, 18, 0, finger}, {23, 18, 4, gps},
		{24, 8, 50, gps}, {24, 9, 10, finger}, {24, 18, 0, finger}, {24, 18, 4, gps},
	} {
		clk.Set(time.Date(2026, 11, step.day, step.hh, step.mm, 0, 0, sh))
		step.punch()
	}
	clk.Set(time.Date(2026, 11, 25, 12, 0, 0, 0, sh))

	res, err := m.API.Days.Records(ctx, dayrec.Filter{EmployeeID: "E005", From: rules.NewDate(2026, 11, 23), To: rules.NewDate(2026, 11, 24)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 2 {
		t.Fatalf("%d records", len(res.Records))
	}
	unverified := func(r rules.DayRecord) bool {
		return slices.ContainsFunc(r.Anomalies, func(a rules.Anomaly) bool { return a.Code == rules.AnomalyUnverified })
	}
	mon, tue := res.Records[0], res.Records[1]
	if mon.Status != rules.StatusNormal || unverified(mon) || mon.In == nil || mon.In.Method != attendance.MethodGPS {
		t.Errorf("Monday: %s %+v %+v", mon.Status, mon.Anomalies, mon.Reasons)
	}
	if tue.Status != rules.StatusNeedsApproval || !unverified(tue) {
		t.Errorf("Tuesday: %s %+v", tue.Status, tue.Anomalies)
	}
}
