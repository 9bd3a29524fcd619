package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"punchclock/server/internal/audit"
	"punchclock/server/internal/httpapi"
	"punchclock/server/internal/store"
)

// TestFaceEvents: the face service's enrollments and deletions land in
// the audit log once each, however often they are reported, under its
// token and in the employee's unit (HR of that unit reads them); bad
// events are refused whole; only the face role (and admins) report.
func TestFaceEvents(t *testing.T) {
	ctx := context.Background()
	base, admin, st, clk := clockedServer(t)
	u := base + "/api/v1"
	if err := st.PutToken(ctx, store.Token{Hash: httpapi.HashToken("face-tok"), Name: "facematchd", Role: httpapi.RoleFace, CreatedAt: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutToken(ctx, store.Token{Hash: httpapi.HashToken("int-tok"), Name: "erp", Role: "integrator", CreatedAt: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	web := flowPeople(t, base, admin)
	enrolled, _ := uuid.NewV7()
	deleted, _ := uuid.NewV7()
	batch := `{"events":[` +
		`{"id":"` + enrolled.String() + `","action":"face.enroll","employee_id":"E004","site_id":"sh-jingan","at":"2026-11-20T09:00:00Z","detail":{"consent_by":"E004","descriptors":3}},` +
		`{"id":"` + deleted.String() + `","action":"face.delete","employee_id":"E021","at":"2026-11-20T09:01:00Z","detail":{"descriptors":3}}]}`
	for range 2 {
		if st, body := do(t, "POST", u+"/face/events", "face-tok", []byte(batch), nil); st != 200 || !strings.Contains(body, enrolled.String()) || !strings.Contains(body, deleted.String()) {
			t.Fatalf("the face service reports: %d %s", st, body)
		}
	}
	faces := faceEntries(t, st)
	if len(faces) != 2 || faces[0].Action != "face.enroll" || faces[0].Target != "E004" || faces[0].Unit != "retail" || faces[0].Actor != "token:facematchd" ||
		faces[1].Action != "face.delete" || faces[1].Unit != "works" || !strings.Contains(string(faces[0].Detail), `"consent_by":"E004"`) {
		t.Errorf("face entries after two reports of two events: %+v", faces)
	}
	if _, err := audit.Verify(ctx, st); err != nil {
		t.Errorf("audit verify: %v", err)
	}
	_, log := web("hr-retail").do("GET", u+"/admin/audit", nil, false)
	if !strings.Contains(log, `"face.enroll"`) || strings.Contains(log, `"face.delete"`) {
		t.Errorf("retail HR reads its unit's face entries only: %.600s", log)
	}
	all, _ := st.AuditEntries(ctx, 0, 0)
	id, _ := uuid.NewV7()
	for what, body := range map[string]string{
		"no events":        `{"events":[]}`,
		"an unknown act":   `{"events":[{"id":"` + id.String() + `","action":"face.look","employee_id":"E004","at":"2026-11-20T09:00:00Z"}]}`,
		"no id":            `{"events":[{"action":"face.enroll","employee_id":"E004","at":"2026-11-20T09:00:00Z"}]}`,
		"no employee":      `{"events":[{"id":"` + id.String() + `","action":"face.enroll","at":"2026-11-20T09:00:00Z"}]}`,
		"no time":          `{"events":[{"id":"` + id.String() + `","action":"face.enroll","employee_id":"E004"}]}`,
		"a NUL":            `{"events":[{"id":"` + id.String() + `","action":"face.enroll","employee_id":"E004","at":"2026-11-20T09:00:00Z","detail":{"consent_by":"a\u0000b"}}]}`,
		"an unknown field": `{"events":[],"extra":1}`,
	} {
		if st, b := do(t, "POST", u+"/face/events", "face-tok", []byte(body), nil); st != 400 {
			t.Errorf("%s: %d %s, want 400", what, st, b)
		}
	}
	if after, _ := st.AuditEntries(ctx, 0, 0); len(after) != len(all) {
		t.Errorf("refused reports appended %d entries", len(after)-len(all))
	}
	if st, b := do(t, "POST", u+"/face/events", "int-tok", []byte(batch), nil); st != 403 {
		t.Errorf("an integrator reports face events: %d %s", st, b)
	}
}
