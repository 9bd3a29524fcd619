package punch_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/store"
	"punchclock/server/internal/store/storetest"
)

var t0 = storetest.T0

type fixture struct {
	st    store.Store
	svc   *punch.Service
	key   ed25519.PrivateKey
	chain wire.Chain
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	st.PutSite(ctx, attendance.Site{ID: "s1", Name: "S", Zone: "Asia/Shanghai"})
	st.PutDepartment(ctx, attendance.Department{ID: "d1", Name: "D"})
	for i := range 100 {
		st.PutEmployee(ctx, attendance.Employee{ID: fmt.Sprintf("e%d", i), Name: "N", DepartmentID: "d1", BadgeCode: fmt.Sprintf("B%d", i), Active: true})
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	st.PutEnrollCode(ctx, store.EnrollCode{Hash: "c", SiteID: "s1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if _, err := st.Enroll(ctx, "c", attendance.Device{ID: "dev1", PublicKey: pub, QRSecret: []byte("k")}, t0); err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, svc: punch.New(st, func() time.Time { return t0 }), key: priv}
}

func (f *fixture) next(t testing.TB, emp string) wire.SignedPunch {
	id, _ := uuid.NewV7()
	p := attendance.Punch{ID: id.String(), EmployeeID: emp, DeviceID: "dev1", Method: attendance.MethodBadge, DeviceTime: t0, EstTime: t0}
	sp, c, err := f.chain.Next(&p, f.key)
	if err != nil {
		t.Fatal(err)
	}
	f.chain = c
	return sp
}

func (f *fixture) ingest(t testing.TB, ps []wire.SignedPunch) []wire.PunchResult {
	t.Helper()
	resp, err := f.svc.IngestByID(context.Background(), "dev1", wire.BatchRequest{Protocol: 1, DeviceID: "dev1", SentAt: t0, Punches: ps})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Results
}

func summary(rs []wire.PunchResult) string {
	var out []string
	for _, r := range rs {
		s := r.Status
		if r.Code != "" {
			s += ":" + string(r.Code)
		}
		for _, fl := range r.Flags {
			s += "+" + fl
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestIngestRuns(t *testing.T) {
	tests := []struct {
		name   string
		mangle func(ps []wire.SignedPunch, key ed25519.PrivateKey) []wire.SignedPunch
		want   string
	}{
		{"clean", func(ps []wire.SignedPunch, _ ed25519.PrivateKey) []wire.SignedPunch { return ps },
			"accepted accepted accepted accepted accepted"},
		{"last signature bad", func(ps []wire.SignedPunch, _ ed25519.PrivateKey) []wire.SignedPunch {
			ps[4].Sig = bytes.Repeat([]byte{1}, 64)
			return ps
		}, "accepted accepted accepted accepted rejected:invalid"},
		{"reverse order", func(ps []wire.SignedPunch, _ ed25519.PrivateKey) []wire.SignedPunch {
			slices.Reverse(ps)
			return ps
		}, "accepted accepted accepted accepted accepted"},
		{"same punch twice", func(ps []wire.SignedPunch, _ ed25519.PrivateKey) []wire.SignedPunch {
			return append(ps[:2], ps[1], ps[2], ps[3], ps[4])
		}, "accepted accepted duplicate accepted accepted accepted"},
		{"middle rewritten and the link after it patched", func(ps []wire.SignedPunch, _ ed25519.PrivateKey) []wire.SignedPunch {
			// Without the key the forger cannot re-sign: punch 3's body
			// changes, punch 4's prev is made to match it, and both fail.
			ps[2].Body = bytes.Replace(ps[2].Body, []byte(`"e2"`), []byte(`"e9"`), 1)
			var p4 map[string]any
			json.Unmarshal(ps[3].Body, &p4)
			p4["prev"] = wire.HashBody(ps[2].Body)
			ps[3].Body, _ = json.Marshal(p4)
			return ps
		}, "accepted accepted rejected:invalid rejected:invalid accepted+chain_gap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var ps []wire.SignedPunch
			for i := range 5 {
				ps = append(ps, f.next(t, fmt.Sprintf("e%d", i)))
			}
			got := summary(f.ingest(t, tt.mangle(ps, f.key)))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			stored, _ := f.st.Punches(context.Background(), store.PunchFilter{})
			if want := strings.Count(tt.want, "accepted"); len(stored) != want {
				t.Errorf("stored %d punches, want %d", len(stored), want)
			}
		})
	}
}

// TestIngestBadge resolves a punch made with only a badge code.
func TestIngestBadge(t *testing.T) {
	f := newFixture(t)
	id, _ := uuid.NewV7()
	p := attendance.Punch{ID: id.String(), DeviceID: "dev1", Method: attendance.MethodBadge, DeviceTime: t0, EstTime: t0,
		Evidence: attendance.Evidence{BadgeCode: "B7"}}
	sp, c, _ := f.chain.Next(&p, f.key)
	f.chain = c
	p2 := attendance.Punch{ID: uuid.Must(uuid.NewV7()).String(), DeviceID: "dev1", Method: attendance.MethodBadge, DeviceTime: t0, EstTime: t0,
		Evidence: attendance.Evidence{BadgeCode: "NOPE"}}
	sp2, _, _ := f.chain.Next(&p2, f.key)
	if got := summary(f.ingest(t, []wire.SignedPunch{sp, sp2})); got != "accepted rejected:invalid" {
		t.Fatalf("got %s", got)
	}
	stored, err := f.st.Punch(context.Background(), p.ID)
	if err != nil || stored.EmployeeID != "e7" || stored.SiteID != "s1" {
		t.Errorf("stored %+v %v", stored, err)
	}
}

// TestIngestStaleDevice: the device the HTTP layer authenticated comes from
// a cache and knows an old chain head; a punch that fills a gap below the
// current head is still checked against its stored neighbours.
func TestIngestStaleDevice(t *testing.T) {
	f := newFixture(t)
	stale, err := f.st.Device(context.Background(), "dev1")
	if err != nil {
		t.Fatal(err)
	}
	ps := []wire.SignedPunch{f.next(t, "e1"), f.next(t, "e2"), f.next(t, "e3")}
	held := ps[1]
	ps = []wire.SignedPunch{ps[0], ps[2]} // the second lost in transit
	ingest := func(batch []wire.SignedPunch) string {
		t.Helper()
		resp, err := f.svc.Ingest(context.Background(), stale, wire.BatchRequest{Protocol: 1, DeviceID: "dev1", SentAt: t0, Punches: batch}, "192.0.2.7")
		if err != nil {
			t.Fatal(err)
		}
		return summary(resp.Results)
	}
	if got := ingest(ps); got != "accepted accepted+chain_gap" {
		t.Fatalf("first: %s", got)
	}
	if got := ingest([]wire.SignedPunch{held}); got != "accepted" {
		t.Errorf("gap filled with a stale device: %s, want accepted without chain_gap", got)
	}
	if got := ingest(ps[:1]); got != "duplicate" {
		t.Errorf("retry with a stale device: %s", got)
	}
	// A revoked device is refused by the transaction even when the caller
	// still holds it as valid.
	if err := f.st.RevokeDevice(context.Background(), "dev1"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Ingest(context.Background(), stale, wire.BatchRequest{Protocol: 1, DeviceID: "dev1", SentAt: t0, Punches: []wire.SignedPunch{f.next(t, "e4")}}, "")
	if wire.CodeOf(err) != wire.CodeUnauthorized {
		t.Errorf("revoked since authentication: %v, want unauthorized", err)
	}
}

// TestIngestRosterChange: an employee added after the roster was cached
// is found (the transaction sees the newer version and the batch is judged
// again), and a leaver is refused.
func TestIngestRosterChange(t *testing.T) {
	f := newFixture(t)
	if got := summary(f.ingest(t, []wire.SignedPunch{f.next(t, "e1")})); got != "accepted" {
		t.Fatalf("warm-up: %s", got)
	}
	ctx := context.Background()
	if _, err := f.st.PutEmployee(ctx, attendance.Employee{ID: "new1", Name: "New", DepartmentID: "d1", Active: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.PutEmployee(ctx, attendance.Employee{ID: "e2", Name: "N", DepartmentID: "d1", Active: false}); err != nil {
		t.Fatal(err)
	}
	if got := summary(f.ingest(t, []wire.SignedPunch{f.next(t, "new1"), f.next(t, "e2")})); got != "accepted rejected:invalid" {
		t.Errorf("after roster change: %s, want the new employee accepted and the leaver refused", got)
	}
}

// TestIngestFace: a face punch carries the face service's verdict sealed
// for the server; the server accepts it only when the envelope opens with
// its key and names a match of this employee at this kiosk.
func TestIngestFace(t *testing.T) {
	key := bytes.Repeat([]byte{5}, 32)
	d := 0.32
	seal := func(verdictID, emp, kiosk string, v facematch.Verdict) string {
		env, err := facematch.SealAudit(key, facematch.AuditRecord{VerdictID: verdictID, Kind: "identify", SiteID: "s1", KioskID: kiosk,
			Verdict: v, EmployeeID: emp, Distance: &d, Threshold: 0.55, Margin: 0.08, Faces: 1, At: t0})
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	facePunch := func(f *fixture, emp, verdictID, audit string) wire.SignedPunch {
		p := attendance.Punch{ID: uuid.Must(uuid.NewV7()).String(), EmployeeID: emp, DeviceID: "dev1", Method: attendance.MethodFace,
			DeviceTime: t0, EstTime: t0, Evidence: attendance.Evidence{FaceID: verdictID, FaceAudit: audit}}
		sp, c, err := f.chain.Next(&p, f.key)
		if err != nil {
			t.Fatal(err)
		}
		f.chain = c
		return sp
	}
	f := newFixture(t)
	f.svc.FaceAuditKey = key
	cases := []struct {
		name string
		sp   wire.SignedPunch
		want string
	}{
		{"sealed match", facePunch(f, "e1", "v1", seal("v1", "e1", "dev1", facematch.VerdictMatch)), "accepted"},
		{"no envelope", facePunch(f, "e1", "v2", ""), "rejected:invalid"},
		{"other key", facePunch(f, "e1", "v3", func() string {
			env, _ := facematch.SealAudit(bytes.Repeat([]byte{6}, 32), facematch.AuditRecord{VerdictID: "v3", KioskID: "dev1", Verdict: facematch.VerdictMatch, EmployeeID: "e1"})
			return env
		}()), "rejected:invalid"},
		{"other verdict id", facePunch(f, "e1", "v4", seal("v9", "e1", "dev1", facematch.VerdictMatch)), "rejected:invalid"},
		{"not a match", facePunch(f, "e1", "v5", seal("v5", "e1", "dev1", facematch.VerdictNotSure)), "rejected:invalid"},
		{"someone else's face", facePunch(f, "e2", "v6", seal("v6", "e1", "dev1", facematch.VerdictMatch)), "rejected:invalid"},
		{"another kiosk's verdict", facePunch(f, "e1", "v7", seal("v7", "e1", "dev9", facematch.VerdictMatch)), "rejected:invalid"},
	}
	for _, c := range cases {
		if got := summary(f.ingest(t, []wire.SignedPunch{c.sp})); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	// Without a key the punch is taken on the kiosk's word, flagged.
	g := newFixture(t)
	if got := summary(g.ingest(t, []wire.SignedPunch{facePunch(g, "e1", "v1", "")})); got != "accepted+face_unverified" {
		t.Errorf("no key: %s", got)
	}
}

// TestIngestLeavingDate: a leaving date is judged at the punch's time in
// the employee's site's zone: on the last day a punch is accepted, the day
// after it is refused. t0 is 09:00 UTC on 2026-11-20, still the 19th in
// Pago Pago (UTC-11).
func TestIngestLeavingDate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.st.PutSite(ctx, attendance.Site{ID: "s2", Name: "Pago Pago", Zone: "Pacific/Pago_Pago"}); err != nil {
		t.Fatal(err)
	}
	for _, e := range []attendance.Employee{
		{ID: "last", Name: "N", DepartmentID: "d1", SiteID: "s1", Active: true, LeavingDate: "2026-11-20"},
		{ID: "gone", Name: "N", DepartmentID: "d1", SiteID: "s1", Active: true, LeavingDate: "2026-11-19"},
		{ID: "west", Name: "N", DepartmentID: "d1", SiteID: "s2", Active: true, LeavingDate: "2026-11-19"},
	} {
		if _, err := f.st.PutEmployee(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got := summary(f.ingest(t, []wire.SignedPunch{f.next(t, "last"), f.next(t, "west"), f.next(t, "gone")}))
	if got != "accepted accepted rejected:invalid" {
		t.Errorf("leaving dates: %s, want the last day accepted, the day after refused, Pago Pago's 19th accepted", got)
	}
}
