package punchd_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/nfctag"
	"punchclock/app/rules"
	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
)

// TestNFCPunches is issue 15's NFC path on the server, on both
// databases: a kiosk's pull carries the tag keys; an admin issues a tag
// token bound to a tag's serial; a kiosk's nfc punch with it is accepted,
// and refused when the token is copied to another tag, claimed for
// another employee, or signed by a key punchd does not hold; a card known
// by its serial alone is looked up as a badge code; and a site asking a
// second factor of serial-only cards flags such a punch until another
// kind backs it.
func TestNFCPunches(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		clk := &clock{t: t0}
		m, admin := server(t, db, clk)
		base := m.URL()
		k := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)

		st, pull, etag := pullAs(t, base, k, "", "")
		keys := nfctag.ParseKeys(pull.TagKeys)
		if st != 200 || len(keys) != 1 {
			t.Fatalf("pull: %d, tag keys %v", st, pull.TagKeys)
		}
		if st, _, _ := pullAs(t, base, k, pull.Cursor, etag); st != 304 {
			t.Errorf("pull again with its ETag: %d, want 304", st)
		}

		const serial = "04:A2:1B:7C:11:22:33"
		var tag wire.NFCTag
		if st, eb := call(t, "POST", base+"/api/v1/employees/E004/nfc-tag", "Bearer "+admin, []byte(`{"serial":"`+serial+`"}`), &tag); st != 200 {
			t.Fatalf("issue tag: %d %+v", st, eb)
		}
		if c, err := nfctag.Verify(tag.Token, keys, serial); err != nil || c.EmployeeID != "E004" || tag.Serial != "04A21B7C112233" {
			t.Fatalf("issued tag %+v: %+v %v", tag, c, err)
		}
		for _, bad := range []string{`{"serial":"not hex"}`, `{"serial":1}`, `{"seriel":"04"}`} {
			if st, eb := call(t, "POST", base+"/api/v1/employees/E004/nfc-tag", "Bearer "+admin, []byte(bad), nil); st != 400 || eb.Error.Code != wire.CodeInvalid {
				t.Errorf("issue tag with %s: %d %+v, want 400 invalid", bad, st, eb)
			}
		}
		// A card known by its serial alone: E006's badge code is its UID.
		var e6 map[string]any
		call(t, "GET", base+"/api/v1/employees/E006", "Bearer "+admin, nil, &e6)
		e6["badge_code"] = "04AABBCCDD"
		if st, eb := call(t, "PUT", base+"/api/v1/employees/E006", "Bearer "+admin, jsonBody(t, e6), nil); st != 200 {
			t.Fatalf("put E006: %d %+v", st, eb)
		}
		other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
		forged, _ := nfctag.Sign(other, "E004", serial, clk.Now())

		nfc := func(emp string, ev attendance.Evidence, at time.Time) wire.SignedPunch {
			id, _ := uuid.NewV7()
			p := attendance.Punch{ID: id.String(), EmployeeID: emp, DeviceID: k.id, Method: attendance.MethodNFC, DeviceTime: at, EstTime: at, Evidence: ev}
			sp, next, err := k.chain.Next(&p, k.key)
			if err != nil {
				t.Fatal(err)
			}
			k.chain = next
			return sp
		}
		mon := time.Date(2026, 11, 23, 8, 55, 0, 0, sh)
		clk.Set(mon.Add(time.Minute))
		batch := []wire.SignedPunch{
			nfc("E004", attendance.Evidence{NFCSerial: "04A21B7C112233", NFCTag: tag.Token}, mon),
			nfc("E004", attendance.Evidence{NFCSerial: "04A21B7C112234", NFCTag: tag.Token}, mon),
			nfc("E005", attendance.Evidence{NFCSerial: "04A21B7C112233", NFCTag: tag.Token}, mon),
			nfc("E004", attendance.Evidence{NFCSerial: "04A21B7C112233", NFCTag: forged}, mon),
			nfc("", attendance.Evidence{NFCSerial: "04AABBCCDD", BadgeCode: "04AABBCCDD"}, mon),
			nfc("", attendance.Evidence{NFCSerial: "04EEEEEEEE", BadgeCode: "04EEEEEEEE"}, mon),
		}
		st, resp, eb := k.send(batch)
		if want := "accepted rejected:invalid rejected:invalid rejected:invalid accepted rejected:invalid"; st != 200 || statuses(resp.Results) != want {
			t.Fatalf("NFC batch: %d %+v %s, want %s", st, eb, statuses(resp.Results), want)
		}
		for i, want := range map[int]string{1: "another tag", 2: "names employee E004", 3: "unknown key", 5: "belongs to no active employee"} {
			if !bytes.Contains([]byte(resp.Results[i].Message), []byte(want)) {
				t.Errorf("punch %d refused with %q, want it to say %q", i, resp.Results[i].Message, want)
			}
		}

		// The site now asks a second factor of serial-only cards: E006's
		// Monday morning card read stands alone, Tuesday's is backed by a
		// badge scan two minutes later; E004's signed tag needs none.
		var cfg struct{ Config map[string]any }
		call(t, "GET", base+"/api/v1/rule/config?site_id=sh-jingan", "Bearer "+admin, nil, &cfg)
		rs := cfg.Config["rules"].(map[string]any)
		ex, _ := rs["exceptions"].(map[string]any)
		if ex == nil {
			ex = map[string]any{}
			rs["exceptions"] = ex
		}
		ex["nfc_serial"] = "second_factor"
		if st, eb := call(t, "PUT", base+"/api/v1/rule/config?site_id=sh-jingan", "Bearer "+admin, jsonBody(t, cfg.Config), nil); st != 200 {
			t.Fatalf("put rule config: %d %+v", st, eb)
		}
		tue := mon.AddDate(0, 0, 1)
		clk.Set(tue.Add(5 * time.Minute))
		if st, resp, eb := k.send([]wire.SignedPunch{
			nfc("", attendance.Evidence{NFCSerial: "04AABBCCDD", BadgeCode: "04AABBCCDD"}, tue),
			k.punch("E006", tue.Add(2*time.Minute)),
			nfc("E004", attendance.Evidence{NFCSerial: "04A21B7C112233", NFCTag: tag.Token}, tue),
		}); st != 200 || statuses(resp.Results) != "accepted accepted accepted" {
			t.Fatalf("Tuesday: %d %+v %s", st, eb, statuses(resp.Results))
		}
		clk.Set(tue.Add(3 * time.Hour))
		unverified := func(emp string, day int) bool {
			t.Helper()
			res, err := m.API.Days.Records(context.Background(), dayrec.Filter{EmployeeID: emp, From: rules.NewDate(2026, 11, day), To: rules.NewDate(2026, 11, day)})
			if err != nil || len(res.Records) != 1 {
				t.Fatalf("%s's record of the %d: %+v %v", emp, day, res.Records, err)
			}
			r := res.Records[0]
			if r.In == nil || r.In.Method != attendance.MethodNFC && r.In.Method != attendance.MethodBadge {
				t.Errorf("%s on the %d: in-punch %+v", emp, day, r.In)
			}
			return slices.ContainsFunc(r.Anomalies, func(a rules.Anomaly) bool { return a.Code == rules.AnomalyUnverified })
		}
		if !unverified("E006", 23) {
			t.Errorf("E006's Monday card serial alone is not flagged")
		}
		if unverified("E006", 24) || unverified("E004", 23) || unverified("E004", 24) {
			t.Errorf("a backed serial or a signed tag is flagged")
		}
	})
}
