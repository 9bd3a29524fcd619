package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// Devices, phones and tokens: enrollment, revocation, phone bindings and
// their QR uses, API tokens.

// enrollDevice enrolls kiosk id at site s1 with a new enrollment code.
func enrollDevice(t *testing.T, s store.Store, code, id string) attendance.Device {
	t.Helper()
	if err := s.PutEnrollCode(ctx, store.EnrollCode{Hash: code, SiteID: "s1", CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return must(s.Enroll(ctx, code, attendance.Device{ID: id, Name: "Kiosk", PublicKey: make([]byte, 32), QRSecret: []byte("0123456789abcdef")}, T0))
}

func testEnroll(t *testing.T, s store.Store) {
	seedOrg(t, s)
	d := enrollDevice(t, s, "h1", "dev1")
	if d.SiteID != "s1" || !d.EnrolledAt.Equal(T0) {
		t.Errorf("Enroll = %+v", d)
	}
	got := must(s.Device(ctx, "dev1"))
	if got.SiteID != "s1" || string(got.QRSecret) != "0123456789abcdef" || len(got.PublicKey) != 32 || got.Revoked {
		t.Errorf("Device = %+v", got)
	}
	_, err := s.Enroll(ctx, "h1", attendance.Device{ID: "dev2", PublicKey: make([]byte, 32), QRSecret: []byte("x")}, T0)
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("code used twice: err = %v, want ErrConflict", err)
	}
	if _, err := s.Device(ctx, "dev2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second enrollment stored a device: %v", err)
	}
	if _, err := s.Enroll(ctx, "nope", attendance.Device{ID: "dev3"}, T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown code err = %v", err)
	}
	mustDo(s.PutEnrollCode(ctx, store.EnrollCode{Hash: "h2", SiteID: "s1", CreatedAt: T0, ExpiresAt: T0.Add(time.Minute)}))
	if _, err := s.Enroll(ctx, "h2", attendance.Device{ID: "dev4", PublicKey: make([]byte, 32), QRSecret: []byte("x")}, T0.Add(2*time.Minute)); !errors.Is(err, store.ErrExpired) {
		t.Errorf("expired code err = %v", err)
	}
	if err := s.PutEnrollCode(ctx, store.EnrollCode{Hash: "h2", SiteID: "s1", CreatedAt: T0, ExpiresAt: T0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same code hash twice err = %v", err)
	}
	devs := must(s.Devices(ctx))
	if len(devs) != 1 || devs[0].ID != "dev1" {
		t.Errorf("Devices = %+v", devs)
	}
	// The last health report of a device.
	if hs := must(s.DeviceHealths(ctx)); len(hs) != 0 {
		t.Errorf("health reports before any: %+v", hs)
	}
	mustDo(s.PutDeviceHealth(ctx, "dev1", json.RawMessage(`{"pending":1}`), T0))
	mustDo(s.PutDeviceHealth(ctx, "dev1", json.RawMessage(`{"pending":2}`), T0.Add(time.Minute)))
	if hs := must(s.DeviceHealths(ctx)); len(hs) != 1 || hs[0].DeviceID != "dev1" || string(hs[0].Health) != `{"pending":2}` || !hs[0].At.Equal(T0.Add(time.Minute)) {
		t.Errorf("health reports: %+v", hs)
	}
	if err := s.PutDeviceHealth(ctx, "nope", json.RawMessage(`{}`), T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("health of an unknown device: %v", err)
	}
}

func testRevoke(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	// Renamed first: the name is all that changes.
	before := must(s.Device(ctx, "dev1"))
	mustDo(s.RenameDevice(ctx, "dev1", "Front door 前门"))
	if d := must(s.Device(ctx, "dev1")); d.Name != "Front door 前门" || d.SiteID != before.SiteID || !bytes.Equal(d.PublicKey, before.PublicKey) || d.Revoked {
		t.Errorf("renamed device: %+v", d)
	}
	if err := s.RenameDevice(ctx, "nope", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rename an unknown device: %v", err)
	}
	c0 := must(s.Changes(ctx, 0))
	if err := s.RevokeDevice(ctx, "dev1"); err != nil {
		t.Fatal(err)
	}
	if d := must(s.Device(ctx, "dev1")); !d.Revoked {
		t.Error("device not revoked")
	}
	c := must(s.Changes(ctx, c0.Version))
	if !slices.Equal(c.DevicesRevoked, []string{"dev1"}) {
		t.Errorf("DevicesRevoked = %v", c.DevicesRevoked)
	}
	if err := s.RevokeDevice(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke unknown err = %v", err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	mustDo(s.PutToken(ctx, store.Token{Hash: "th", Name: "hr", Role: "admin", CreatedAt: T0}))
	tok := must(s.TokenByHash(ctx, "th"))
	if tok.Role != "admin" || tok.Name != "hr" || !tok.CreatedAt.Equal(T0) {
		t.Errorf("token = %+v", tok)
	}
	if _, err := s.TokenByHash(ctx, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token err = %v", err)
	}
	// A scoped, expiring token: used, revoked, stored again (punchd
	// token -file at every start), still revoked.
	long := "0123456789abcdef0123456789abcdef"
	mustDo(s.PutToken(ctx, store.Token{Hash: long, Name: "payroll", Role: "integrator", Scope: "attendance:read", RatePerMin: 120, CreatedAt: T0, ExpiresAt: T0.Add(90 * 24 * time.Hour)}))
	mustDo(s.TouchToken(ctx, long, T0.Add(time.Hour)))
	mustDo(s.TouchToken(ctx, long, T0.Add(time.Minute)))
	tok = must(s.TokenByHash(ctx, long))
	if tok.ID != long[:12] || tok.Scope != "attendance:read" || tok.RatePerMin != 120 || !tok.ExpiresAt.Equal(T0.Add(90*24*time.Hour)) || !tok.LastUsed.Equal(T0.Add(time.Hour)) || !tok.RevokedAt.IsZero() {
		t.Errorf("scoped token = %+v", tok)
	}
	if r := must(s.RevokeToken(ctx, tok.ID, T0.Add(2*time.Hour))); !r.RevokedAt.Equal(T0.Add(2 * time.Hour)) {
		t.Errorf("revoked token = %+v", r)
	}
	if r := must(s.RevokeToken(ctx, tok.ID, T0.Add(3*time.Hour))); !r.RevokedAt.Equal(T0.Add(2 * time.Hour)) {
		t.Errorf("revoked twice: %v, want the first time", r.RevokedAt)
	}
	mustDo(s.PutToken(ctx, store.Token{Hash: long, Name: "payroll", Role: "integrator", CreatedAt: T0.Add(4 * time.Hour)}))
	if tok := must(s.TokenByHash(ctx, long)); tok.RevokedAt.IsZero() {
		t.Error("a revoked token stored again is no longer revoked")
	}
	if _, err := s.RevokeToken(ctx, "nope", T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke an unknown token: %v", err)
	}
	if ts := must(s.Tokens(ctx)); len(ts) != 2 || ts[0].Hash != long || ts[1].Hash != "th" {
		t.Errorf("tokens: %+v", ts)
	}
}

func testPhonesAndQRUses(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	if d := must(s.Device(ctx, "dev1")); d.Kind != attendance.DeviceKiosk || d.EmployeeID != "" {
		t.Errorf("kiosk: kind %q employee %q", d.Kind, d.EmployeeID)
	}
	mustDo(s.PutEnrollCode(ctx, store.EnrollCode{Hash: "ph", SiteID: "s1", EmployeeID: "e2", CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}))
	ph := must(s.Enroll(ctx, "ph", attendance.Device{ID: "phone1", PublicKey: make([]byte, 32), QRSecret: []byte("x")}, T0))
	if got := must(s.Device(ctx, "phone1")); got.Kind != attendance.DevicePhone || got.EmployeeID != "e2" || ph.EmployeeID != "e2" {
		t.Errorf("phone: %+v", got)
	}
	use := store.QRUse{KioskID: "dev1", Step: 42, EmployeeID: "e1", PunchID: punchN(1, T0).ID}
	if err := s.Ingest(ctx, "dev1", store.IngestKeys{QR: []store.QRUse{use}}, func(v store.IngestView) (store.IngestPlan, error) {
		if len(v.UsedQR) != 0 {
			t.Errorf("UsedQR before any use: %v", v.UsedQR)
		}
		return store.IngestPlan{Insert: []store.StoredPunch{punchN(1, T0)}, QRUses: []store.QRUse{use}, Device: v.Device}, nil
	}); err != nil {
		t.Fatal(err)
	}
	other := use
	other.EmployeeID = "e2"
	var seen store.IngestView
	mustDo(s.Ingest(ctx, "dev1", store.IngestKeys{QR: []store.QRUse{use.Key(), other}}, func(v store.IngestView) (store.IngestPlan, error) {
		seen = v
		return store.IngestPlan{Device: v.Device}, nil
	}))
	if got := seen.UsedQR[use.Key()]; got.PunchID != use.PunchID || len(seen.UsedQR) != 1 {
		t.Errorf("UsedQR = %+v", seen.UsedQR)
	}
	// The same use twice is refused by the store itself, and nothing of
	// that batch is written.
	err := s.Ingest(ctx, "dev1", store.IngestKeys{}, func(v store.IngestView) (store.IngestPlan, error) {
		return store.IngestPlan{Insert: []store.StoredPunch{punchN(2, T0)}, QRUses: []store.QRUse{use}, Device: v.Device}, nil
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("second use err = %v, want ErrConflict", err)
	}
	if _, err := s.Punch(ctx, punchN(2, T0).ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("punch of the refused batch was written: %v", err)
	}
}
