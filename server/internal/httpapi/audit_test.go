package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"punchclock/server/internal/audit"
	"punchclock/server/internal/sqlstore"
)

// TestAuditLog: an enrollment code issued, a device revoked and a rule
// set saved are each appended to the chain with who did it; the log reads
// back page by page to admins only; the chain verifies; and an entry
// edited, edited with its hash made again, or removed is named.
func TestAuditLog(t *testing.T) {
	base, admin, st := demoStoreServer(t)
	u := base + "/api/v1"
	if status, body := do(t, "POST", u+"/admin/enrollment-codes", admin, []byte(`{"site_id":"sh-jingan"}`), nil); status != 201 {
		t.Fatalf("issue code: %d %s", status, body)
	}
	var devs struct{ Devices []struct{ ID string } }
	if status, body := do(t, "GET", u+"/admin/devices", admin, nil, &devs); status != 200 || len(devs.Devices) == 0 {
		t.Fatalf("devices: %d %s", status, body)
	}
	if status, body := do(t, "POST", u+"/admin/devices/"+devs.Devices[0].ID+"/revoke", admin, nil, nil); status != 200 {
		t.Fatalf("revoke: %d %s", status, body)
	}
	var cfg struct{ Config map[string]any }
	if status, body := do(t, "GET", u+"/rule/config?site_id=sh-jingan", admin, nil, &cfg); status != 200 {
		t.Fatalf("rule config: %d %s", status, body)
	}
	body, _ := json.Marshal(cfg.Config)
	if status, body := do(t, "PUT", u+"/rule/config?site_id=sh-jingan", admin, body, nil); status != 200 {
		t.Fatalf("put rule config: %d %s", status, body)
	}

	type entry struct {
		Seq                               int64
		Actor, Action, Target, Prev, Hash string
	}
	var all []entry
	for after := ""; ; {
		var page struct {
			Entries []entry
			Next    string
		}
		if status, body := do(t, "GET", u+"/admin/audit?limit=2&after="+after, admin, nil, &page); status != 200 {
			t.Fatalf("audit: %d %s", status, body)
		}
		all = append(all, page.Entries...)
		if after = page.Next; after == "" {
			break
		}
	}
	var got []string
	for _, e := range all {
		got = append(got, e.Action+" "+e.Target+" by "+e.Actor)
	}
	want := []string{"device.enroll_code sh-jingan by token:", "device.revoke " + devs.Devices[0].ID + " by token:", "rules.change sh-jingan by token:"}
	if len(got) != len(want) {
		t.Fatalf("audit log: %q, want %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) || all[i].Actor == "token:" || i > 0 && all[i].Prev != all[i-1].Hash {
			t.Errorf("entry %d: %q (prev %s), want %q and a named token", i+1, got[i], all[i].Prev, want[i])
		}
	}
	if status, _ := do(t, "GET", u+"/admin/audit", "nope", nil, nil); status != 401 {
		t.Errorf("audit without a token: %d", status)
	}

	ctx := context.Background()
	rep, err := audit.Verify(ctx, st)
	if err != nil || rep.Entries != 3 || rep.Head != all[2].Hash {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	db := st.(*sqlstore.DB).SQL()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	broken := func(seq int64) {
		t.Helper()
		_, err := audit.Verify(ctx, st)
		var b *audit.BrokenError
		if !errors.As(err, &b) || b.Seq != seq {
			t.Errorf("verify after tampering: %v, want entry %d named", err, seq)
		}
	}
	exec(`UPDATE audit_log SET actor = 'token:somebody-else' WHERE seq = 2`)
	broken(2)
	// Edited with its hash made again: the next entry no longer holds it.
	es, err := st.AuditEntries(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE audit_log SET hash = ? WHERE seq = 2`, audit.Sum(es[0]))
	broken(3)
	exec(`DELETE FROM audit_log WHERE seq = 2`)
	broken(2)
}
