// Package demotest checks that a store and a data directory hold the whole
// demo organisation, each part once: for the demo's own tests and for
// punchd's, which kill a real process during the seed.
package demotest

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/demo"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/store"
)

// StoreStaff is how many demo employees work at the Shanghai store and
// punch there each weekday.
const StoreStaff = 19

// CheckWhole fails t unless st and dir hold the whole demo: its two
// sites, three departments and thirty employees, the default and the
// workshop's rule sets, the admin token of dir known to the store (and
// equal to token, unless that is ""), one kiosk enrolled with the key in
// dir under the id in dir, the week of punches before the marker's
// anchor, each once, and the marker done. It returns the anchor.
func CheckWhole(t testing.TB, st store.Store, dir, token string, hashToken func(string) string) time.Time {
	t.Helper()
	ctx := context.Background()
	ch, err := st.Changes(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var emps []string
	for _, e := range ch.Employees {
		emps = append(emps, e.ID+" "+e.BadgeCode)
	}
	var want []string
	for _, e := range demo.Employees() {
		want = append(want, e.ID+" "+e.BadgeCode)
	}
	if len(ch.Sites) != 2 || len(ch.Departments) != 3 || !slices.Equal(emps, want) || !slices.Equal(ch.RulesChanged, []string{"", "muc-works"}) {
		t.Errorf("organisation: %d sites, %d departments, %d employees (want E001 to E030 with their badges), rule sets %q",
			len(ch.Sites), len(ch.Departments), len(ch.Employees), ch.RulesChanged)
	}

	tok := ReadFile(t, dir, demo.AdminTokenFile)
	if !strings.HasPrefix(tok, "pc_admin_") || token != "" && token != tok {
		t.Errorf("admin token %q in %s, %q given", tok, demo.AdminTokenFile, token)
	}
	if got, err := st.TokenByHash(ctx, hashToken(tok)); err != nil || got.Role != "admin" {
		t.Errorf("the store does not know the admin token: %+v %v", got, err)
	}

	devs, err := st.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := hex.DecodeString(ReadFile(t, dir, demo.KioskKeyFile))
	id := ReadFile(t, dir, demo.KioskIDFile)
	if len(devs) != 1 || len(seed) != ed25519.SeedSize || devs[0].ID != id || devs[0].Revoked ||
		!ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(devs[0].PublicKey)) {
		t.Errorf("want one kiosk, %s, enrolled with the key in %s; devices %+v", id, demo.KioskKeyFile, devs)
	}

	m, err := st.DemoSeed(ctx)
	if err != nil || m.Done.IsZero() {
		t.Errorf("marker %+v %v, want done", m, err)
	}
	ps, err := st.Punches(ctx, store.PunchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	CheckWeek(t, ps, m.Anchor)
	for _, p := range ps {
		if p.DeviceID != id || p.SiteID != "sh-jingan" {
			t.Errorf("punch %s by %s at %s, want by the demo kiosk at sh-jingan", p.ID, p.DeviceID, p.SiteID)
		}
	}
	return m.Anchor
}

// CheckWeek fails t unless punches are the week the demo promises before
// anchor's day in Shanghai: the store's staff punch in and out each
// weekday, but for one forgotten check-out two days before, and two of
// them punch once more from a field visit; one works the Saturday
// morning; all accepted, none twice.
func CheckWeek(t testing.TB, punches []store.StoredPunch, anchor time.Time) {
	t.Helper()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	today := anchor.In(sh)
	want := 0
	for back := 1; back <= 7; back++ {
		switch d := today.AddDate(0, 0, -back).Weekday(); d {
		case time.Saturday:
			want += 2
		case time.Sunday:
		default:
			want += StoreStaff*2 + 2
			if back == 2 {
				want--
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range punches {
		key := p.EmployeeID + " " + p.TrueTime.Format(time.RFC3339)
		if seen[key] {
			t.Errorf("punch of %s is stored twice", key)
		}
		seen[key] = true
		if day := p.TrueTime.In(sh); p.Status != store.PunchAccepted || !day.Before(today) || day.Before(today.AddDate(0, 0, -8)) {
			t.Errorf("punch %s of %s: %s, want accepted, in the week before %s", p.ID, key, p.Status, today.Format(time.DateOnly))
		}
	}
	if len(punches) != want {
		t.Errorf("%d punches, want %d (in the week before %s)", len(punches), want, today.Format("Mon 2006-01-02"))
	}
}

// ReadFile returns a data directory file's content without surrounding
// space; a missing file fails t.
func ReadFile(t testing.TB, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Error(err)
	}
	return strings.TrimSpace(string(b))
}

// Seeded is a new SQLite store holding the demo, seeded at now's time
// with tokens hashed by hashToken, closed when t ends, and the seed's
// result (its admin token).
func Seeded(t testing.TB, now func() time.Time, hashToken func(string) string) (store.Store, demo.Result) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	res, err := demo.Seed(ctx, st, t.TempDir(), now, hashToken, "")
	if err != nil {
		t.Fatal(err)
	}
	return st, res
}
