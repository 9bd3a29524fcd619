package httpapi_test

import (
	"net/http"
	"testing"

	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/store"
)

// TestTokenRoles: the face service's token reads the employees and the
// devices and nothing else; integrators do not read devices.
func TestTokenRoles(t *testing.T) {
	base, admin, st := demoStoreServer(t)
	for tok, role := range map[string]string{"face-tok": httpapi.RoleFace, "int-tok": httpapi.RoleIntegrator} {
		if err := st.PutToken(t.Context(), store.Token{Hash: httpapi.HashToken(tok), Name: role, Role: role, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	u := base + "/api/v1"
	for _, tc := range []struct {
		tok, method, path string
		status            int
	}{
		{"face-tok", "GET", "/employees", 200},
		{"face-tok", "GET", "/admin/devices", 200},
		{"face-tok", "GET", "/sites", 403},
		{"face-tok", "GET", "/employees/E001", 403},
		{"face-tok", "GET", "/punches", 403},
		{"face-tok", "GET", "/attendance/record?employee_id=E001&from=2026-11-16&to=2026-11-20", 403},
		{"face-tok", "GET", "/rule/config", 403},
		{"face-tok", "POST", "/admin/enrollment-codes", 403},
		{"face-tok", "POST", "/admin/devices/x/revoke", 403},
		{"face-tok", "PUT", "/employees/E001", 403},
		{"int-tok", "GET", "/admin/devices", 403},
		{"int-tok", "GET", "/admin/audit", 403},
		{"face-tok", "GET", "/admin/audit", 403},
		{admin, "GET", "/admin/audit", 200},
		{"int-tok", "GET", "/employees", 200},
		{admin, "GET", "/admin/devices", 200},
		{"nope", "GET", "/admin/devices", 401},
	} {
		var out struct {
			Devices []struct {
				ID        string `json:"id"`
				Kind      string `json:"kind"`
				PublicKey []byte `json:"public_key"`
			} `json:"devices"`
		}
		status, body := do(t, tc.method, u+tc.path, tc.tok, []byte(`{"site_id":"sh-jingan"}`), &out)
		if status != tc.status {
			t.Errorf("%s %s with %s: %d %s, want %d", tc.method, tc.path, tc.tok, status, body, tc.status)
		}
		if tc.path == "/admin/devices" && status == http.StatusOK && (len(out.Devices) != 1 || out.Devices[0].Kind != "kiosk" || len(out.Devices[0].PublicKey) != 32) {
			t.Errorf("devices for %s: %s", tc.tok, body)
		}
	}
}
