package httpapi_test

import (
	"context"
	"strings"
	"testing"
)

// TestTerminalsAdmin: the admin registers, lists, accepts and deletes
// hardware terminals; accepting a serial that never called is not_found,
// one already accepted a conflict; a bad serial, an unknown site or zone,
// NUL or invalid UTF-8 are invalid; every change is audited.
func TestTerminalsAdmin(t *testing.T) {
	base, admin, st, clk := clockedServer(t)
	u := base + "/api/v1"
	ctx := context.Background()
	if _, err := st.SeeTerminal(ctx, "CQQC220960011", clk.Now(), "10.0.0.9", "pushver=2.4.1"); err != nil {
		t.Fatal(err)
	}
	if s, b := do(t, "GET", u+"/admin/terminals", admin, nil, nil); s != 200 || !strings.Contains(b, `"state":"pending"`) {
		t.Fatalf("list: %d %s", s, b)
	}
	if s, b := do(t, "POST", u+"/admin/terminals/NEVERCALLED/accept", admin, []byte(`{"site_id":"sh-jingan"}`), nil); s != 404 || strings.Contains(b, "NEVERCALLED") {
		t.Errorf("accept a serial that never called: %d %s", s, b)
	}
	if s, b := do(t, "POST", u+"/admin/terminals/CQQC220960011/accept", admin, []byte(`{"site_id":"sh-jingan","name":"Front door","zone":"Asia/Shanghai"}`), nil); s != 200 || !strings.Contains(b, `"state":"active"`) {
		t.Fatalf("accept: %d %s", s, b)
	}
	if s, b := do(t, "POST", u+"/admin/terminals/CQQC220960011/accept", admin, []byte(`{"site_id":"sh-jingan"}`), nil); s != 409 {
		t.Errorf("accept twice: %d %s", s, b)
	}
	for _, c := range []struct{ path, body string }{
		{"/admin/terminals/bad-serial!", `{"site_id":"sh-jingan"}`},
		{"/admin/terminals/T1", `{"site_id":"nowhere"}`},
		{"/admin/terminals/T1", `{"site_id":"sh-jingan","zone":"Mars/Olympus"}`},
		{"/admin/terminals/T1", `{"site_id":"sh-jingan","name":"a\u0000b"}`},
		{"/admin/terminals/T1", "{\"site_id\":\"sh-jingan\",\"name\":\"\xff\"}"},
		{"/admin/terminals/T1", `{"site_id":"sh-jingan","nope":1}`},
	} {
		if s, b := do(t, "PUT", u+c.path, admin, []byte(c.body), nil); s != 400 {
			t.Errorf("PUT %s %q: %d %s, want 400", c.path, c.body, s, b)
		}
	}
	// Commands by hand: to an accepted terminal only.
	if s, b := do(t, "POST", u+"/admin/terminals/CQQC220960011/commands", admin, []byte(`{"kind":"catch_up","from":"2026-11-13","to":"2026-11-19"}`), nil); s != 201 ||
		!strings.Contains(b, `DATA QUERY ATTLOG StartTime=2026-11-13 00:00:00\tEndTime=2026-11-19 23:59:59`) {
		t.Errorf("catch-up: %d %s", s, b)
	}
	if _, err := st.SeeTerminal(ctx, "WAITING1", clk.Now(), "", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		serial, body string
		status       int
	}{
		{"WAITING1", `{"kind":"info"}`, 409},
		{"NEVERCALLED", `{"kind":"check"}`, 404},
		{"CQQC220960011", `{"kind":"reboot"}`, 400},
		{"CQQC220960011", `{"kind":"catch_up","from":"2026-11-19","to":"2026-11-13"}`, 400},
		{"CQQC220960011", `{"kind":"catch_up","from":"2026-01-01","to":"2026-11-13"}`, 400},
	} {
		if s, b := do(t, "POST", u+"/admin/terminals/"+c.serial+"/commands", admin, []byte(c.body), nil); s != c.status {
			t.Errorf("command %s %s: %d %s, want %d", c.serial, c.body, s, b, c.status)
		}
	}
	if s, b := do(t, "DELETE", u+"/admin/terminals/CQQC220960011", admin, nil, nil); s != 204 {
		t.Errorf("delete: %d %s", s, b)
	}
	if s, b := do(t, "DELETE", u+"/admin/terminals/CQQC220960011", admin, nil, nil); s != 404 {
		t.Errorf("delete again: %d %s", s, b)
	}
	entries, err := st.AuditEntries(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "terminal.") && e.Target == "CQQC220960011" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d audit entries of the terminal, want 3 (accept, catch-up, delete)", n)
	}
}
