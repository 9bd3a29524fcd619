package punchd_test

import (
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"punchclock/app/wire"
)

// TestPull: a full snapshot, then 304 until something changes, then only
// the change.
func TestPull(t *testing.T) {
	clk := &clock{t: t0}
	m, admin := server(t, filepath.Join(t.TempDir(), "p.db"), clk)
	base := m.URL()
	k := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)
	pull := func(cursor, etag string) (int, wire.PullResponse, string) {
		t.Helper()
		return pullAs(t, base, k, cursor, etag)
	}
	// The snapshot carries the Shanghai store's staff (E001, E002, E004 to
	// E020), not the Munich workshop's.
	st, full, etag := pull("", "")
	if st != 200 || !full.Full || len(full.Employees) != 19 || full.Site == nil || full.Site.Zone != "Asia/Shanghai" || len(full.Rules) == 0 || len(full.Departments) != 3 || len(full.Removed) != 0 {
		t.Fatalf("full pull: %d full=%v employees=%d site=%v rules=%d removed=%v", st, full.Full, len(full.Employees), full.Site, len(full.Rules), full.Removed)
	}
	for _, e := range full.Employees {
		if e.SiteID != "sh-jingan" {
			t.Errorf("the Shanghai kiosk's snapshot carries %s of %s", e.ID, e.SiteID)
		}
	}
	if st, _, _ := pull(full.Cursor, etag); st != 304 {
		t.Errorf("unchanged pull: %d, want 304", st)
	}
	put := func(id, body string) {
		t.Helper()
		if st, eb := call(t, "PUT", base+"/api/v1/employees/"+id, "Bearer "+admin, []byte(body), nil); st != 200 {
			t.Fatalf("put %s: %d %+v", id, st, eb)
		}
	}
	// A Shanghai leaver comes as a change; a Munich leaver, a Shanghai
	// employee moved to Munich, come as ids to drop; someone with no home
	// site (works everywhere) comes as a change.
	put("E020", `{"name":"Gao Yan","department_id":"retail","site_id":"sh-jingan","badge_code":"PC-0020","active":false}`)
	put("E030", `{"name":"Hannah Wolf","department_id":"works","site_id":"muc-works","badge_code":"PC-0030","active":false}`)
	put("E019", `{"name":"Lin Tao","department_id":"works","site_id":"muc-works","badge_code":"PC-0019","active":true}`)
	put("E003", `{"name":"Anna Schmidt","department_id":"works","badge_code":"PC-0003","active":true}`)
	st, delta, _ := pull(full.Cursor, etag)
	var changed []string
	for _, e := range delta.Employees {
		changed = append(changed, e.ID)
	}
	slices.Sort(changed)
	slices.Sort(delta.Removed)
	if st != 200 || delta.Full || !slices.Equal(changed, []string{"E003", "E020"}) || !slices.Equal(delta.Removed, []string{"E019", "E030"}) || len(delta.Rules) != 0 {
		t.Errorf("delta pull: %d, changed %v, removed %v, want changed [E003 E020], removed [E019 E030]", st, changed, delta.Removed)
	}
}

// TestEnrollRateLimit: guessing enrollment codes is slowed per address,
// and neither a restart nor a second punchd on the same database gives
// the guesser new tries.
func TestEnrollRateLimit(t *testing.T) {
	clk := &clock{t: t0}
	db := filepath.Join(t.TempDir(), "p.db")
	m, _ := server(t, db, clk)
	pub, _, _ := ed25519.GenerateKey(nil)
	body := jsonBody(t, wire.EnrollRequest{Protocol: 1, Code: "AAAA-BBBB-CCCC", PublicKey: pub})
	var codes []int
	for range 12 {
		st, _ := call(t, "POST", m.URL()+"/api/v1/devices/enroll", "", body, nil)
		codes = append(codes, st)
	}
	if fmt.Sprint(codes) != "[401 401 401 401 401 401 401 401 401 401 429 429]" {
		t.Errorf("statuses %v: want ten refusals, then rate_limited", codes)
	}
	// Another punchd on the same database, then this one restarted.
	other, _ := server(t, db, clk)
	if st, _ := call(t, "POST", other.URL()+"/api/v1/devices/enroll", "", body, nil); st != 429 {
		t.Errorf("a second punchd on the database: %d, want 429", st)
	}
	m.Close()
	again, _ := server(t, db, clk)
	if st, _ := call(t, "POST", again.URL()+"/api/v1/devices/enroll", "", body, nil); st != 429 {
		t.Errorf("after a restart: %d, want 429", st)
	}
	clk.Set(t0.Add(time.Minute)) // the bucket refills with the server's clock
	if st, _ := call(t, "POST", again.URL()+"/api/v1/devices/enroll", "", body, nil); st != 401 {
		t.Errorf("after a minute: %d, want 401", st)
	}
}
