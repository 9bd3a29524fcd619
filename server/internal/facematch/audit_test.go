package facematch

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestAuditEnvelope(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	d, d2 := 0.31, 0.52
	rec := AuditRecord{VerdictID: "v1", Kind: "identify", SiteID: "s1", KioskID: "k1", Verdict: VerdictMatch,
		EmployeeID: "E004", Distance: &d, SecondEmployeeID: "E009", SecondDistance: &d2, Threshold: 0.55, Margin: 0.08,
		Faces: 1, At: time.Date(2026, 11, 20, 1, 2, 3, 0, time.UTC)}
	env, err := SealAudit(key, rec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenAudit(key, env)
	if err != nil || got.VerdictID != "v1" || got.EmployeeID != "E004" || *got.Distance != 0.31 || *got.SecondDistance != 0.52 || !got.At.Equal(rec.At) {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	other := bytes.Repeat([]byte{8}, 32)
	if _, err := OpenAudit(other, env); !errors.Is(err, ErrAuditSeal) {
		t.Errorf("other key: %v", err)
	}
	b := []byte(env)
	b[len(b)/2] ^= 1
	if _, err := OpenAudit(key, string(b)); !errors.Is(err, ErrAuditSeal) {
		t.Errorf("altered envelope: %v", err)
	}
	for _, bad := range []string{"", "!!", "AAAA"} {
		if _, err := OpenAudit(key, bad); !errors.Is(err, ErrAuditSeal) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := SealAudit(key[:16], rec); err == nil {
		t.Error("short key accepted")
	}
	again, _ := SealAudit(key, rec)
	if again == env {
		t.Error("two seals of one record are equal: nonce reused")
	}
}

// TestIdentifySealsAudit: with an audit key, a verdict carries its audit
// record sealed for punchd, the same record the service stores.
func TestIdentifySealsAudit(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	svc, ex, _, st := newTestService(t, Config{AuditKey: key, KioskRate: 1000, KioskBurst: 1000})
	alice := desc(1)
	enroll(t, svc, "alice", "s1", ex.photo(1, face(alice)))
	got, err := svc.Identify(t.Context(), IdentifyRequest{SiteID: "s1", KioskID: "k1", JPEG: ex.photo(2, face(near(alice, 0.3, 5)))})
	if err != nil || got.Verdict != VerdictMatch || got.Audit == "" {
		t.Fatalf("identify: %+v %v", got, err)
	}
	sealed, err := OpenAudit(key, got.Audit)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Audit(t.Context(), got.VerdictID)
	if err != nil {
		t.Fatal(err)
	}
	if sealed.VerdictID != got.VerdictID || sealed.EmployeeID != "alice" || sealed.KioskID != "k1" || sealed.Distance == nil ||
		*sealed.Distance != *stored.Distance || !sealed.At.Equal(stored.At) {
		t.Errorf("sealed %+v, stored %+v", sealed, stored)
	}
	// Without a key nothing is sealed.
	svc2, ex2, _, _ := newTestService(t, Config{KioskRate: 1000, KioskBurst: 1000})
	enroll(t, svc2, "alice", "s1", ex2.photo(1, face(alice)))
	if r, _ := svc2.Identify(t.Context(), IdentifyRequest{SiteID: "s1", KioskID: "k1", JPEG: ex2.photo(2, face(alice))}); r.Audit != "" {
		t.Errorf("audit sealed without a key")
	}
}
