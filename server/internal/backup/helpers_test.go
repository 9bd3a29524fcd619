package backup_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/store"
)

// t0 is the server's clock in these tests: a fixed instant, so nothing
// depends on when or where they run.
var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func clock() time.Time { return t0 }

// kiosk signs and chains punches as a real kiosk does.
type kiosk struct {
	id    string
	key   ed25519.PrivateKey
	chain wire.Chain
}

// seed puts a site, a department, 50 employees and n enrolled kiosks in st.
func seed(t testing.TB, st store.Store, n int) []*kiosk {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.PutSite(ctx, attendance.Site{ID: "s1", Name: "S", Zone: "Asia/Shanghai"})
	must(err)
	_, err = st.PutDepartment(ctx, attendance.Department{ID: "d1", Name: "D"})
	must(err)
	for i := range 50 {
		_, err := st.PutEmployee(ctx, attendance.Employee{ID: fmt.Sprintf("e%d", i), Name: "N", DepartmentID: "d1", Active: true})
		must(err)
	}
	var ks []*kiosk
	for i := range n {
		pub, priv, err := ed25519.GenerateKey(nil)
		must(err)
		code := fmt.Sprintf("code%d", i)
		must(st.PutEnrollCode(ctx, store.EnrollCode{Hash: code, SiteID: "s1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		dev, err := st.Enroll(ctx, code, attendance.Device{ID: fmt.Sprintf("k%d", i), Name: "K", PublicKey: pub, QRSecret: []byte("q")}, t0)
		must(err)
		ks = append(ks, &kiosk{id: dev.ID, key: priv})
	}
	return ks
}

// batch signs the kiosk's next n punches; with lose, one punch before
// them is made and never sent (the server stores the next with
// chain_gap).
func (k *kiosk) batch(t testing.TB, n int, lose bool) wire.BatchRequest {
	req := wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: k.id, SentAt: t0}
	if lose {
		k.sign(t)
	}
	for range n {
		req.Punches = append(req.Punches, k.sign(t))
	}
	return req
}

func (k *kiosk) sign(t testing.TB) wire.SignedPunch {
	p := attendance.Punch{ID: uuid.Must(uuid.NewV7()).String(), EmployeeID: fmt.Sprintf("e%d", k.chain.Seq%50), DeviceID: k.id,
		Method: attendance.MethodBadge, DeviceTime: t0, EstTime: t0}
	sp, c, err := k.chain.Next(&p, k.key)
	if err != nil {
		t.Error(err)
	}
	k.chain = c
	return sp
}

// ingest sends req through punch ingest and returns how many punches were
// accepted; anything else is an error of the test.
func ingest(t testing.TB, svc *punch.Service, req wire.BatchRequest) int {
	resp, err := svc.IngestByID(context.Background(), req.DeviceID, req)
	if err != nil {
		t.Errorf("ingest: %v", err)
		return 0
	}
	n := 0
	for _, r := range resp.Results {
		if r.Status != wire.StatusAccepted {
			t.Errorf("punch %s: %s %s %s", r.ID, r.Status, r.Code, r.Message)
			continue
		}
		n++
	}
	return n
}

// fill puts 2 kiosks in st with 30 punches each, one of them after a
// lost punch (chain_gap).
func fill(t testing.TB, st store.Store) {
	t.Helper()
	svc := punch.New(st, clock)
	for i, k := range seed(t, st, 2) {
		ingest(t, svc, k.batch(t, 10, false))
		ingest(t, svc, k.batch(t, 20, i == 1))
	}
}

// smallDB makes a closed SQLite database filled by fill and returns its
// path.
func smallDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "punchclock.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fill(t, st)
	return path
}

// snapshot maps each file of dir to the hash of its content. A -shm file
// is left out: it is SQLite's shared-memory index, which any connection
// that merely reads the database writes to.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range es {
		if strings.HasSuffix(e.Name(), "-shm") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		m[e.Name()] = hex.EncodeToString(sum[:])
	}
	return m
}

// countPunches opens path with punchd's SQLite store and counts its punches.
func countPunches(t testing.TB, path string) int {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open %s with the store: %v", path, err)
	}
	defer st.Close()
	ps, err := st.Punches(context.Background(), store.PunchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(ps)
}
