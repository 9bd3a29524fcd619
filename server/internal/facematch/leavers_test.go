package facematch

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"punchclock/app/attendance"
)

// TestLeaverSync: the face data of an employee punchd reports as having
// left is deleted and their consent withdrawn; others are kept.
func TestLeaverSync(t *testing.T) {
	svc, ex, _, st := newTestService(t, Config{})
	enroll(t, svc, "alice", "s1", ex.photo(1, face(desc(1))))
	enroll(t, svc, "bob", "s1", ex.photo(2, face(desc(2))))
	enroll(t, svc, "bob", "s2", ex.photo(3, face(desc(2))))
	failing := false
	punchd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/api/v1/employees" {
			http.Error(w, `{"error":{"code":"unauthorized","message":"no"}}`, http.StatusUnauthorized)
			return
		}
		if failing {
			http.Error(w, `{"error":{"code":"transient","message":"down"}}`, http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"employees": []attendance.Employee{
			{ID: "alice", Name: "A", DepartmentID: "d", Active: true},
			{ID: "bob", Name: "B", DepartmentID: "d", Active: false},
			{ID: "carol", Name: "C", DepartmentID: "d", Active: false}, // never enrolled
		}})
	}))
	defer punchd.Close()

	l := &LeaverSync{Service: svc, PunchdURL: punchd.URL, Token: "tok"}
	failing = true
	if got, err := l.Once(t.Context()); err == nil || len(got) != 0 {
		t.Fatalf("punchd down: %v %v, want an error and nothing deleted", got, err)
	}
	if !slices.Equal(svc.Enrolled(), []string{"alice", "bob"}) {
		t.Fatalf("enrolled after a failed sync: %v", svc.Enrolled())
	}
	failing = false
	got, err := l.Once(t.Context())
	if err != nil || !slices.Equal(got, []string{"bob"}) {
		t.Fatalf("sync: %v %v, want [bob]", got, err)
	}
	if !slices.Equal(svc.Enrolled(), []string{"alice"}) {
		t.Errorf("enrolled after sync: %v", svc.Enrolled())
	}
	cs, err := st.Consents(t.Context(), "bob")
	if err != nil || len(cs) == 0 {
		t.Fatalf("bob's consents: %v %v", cs, err)
	}
	for _, c := range cs {
		if c.WithdrawnAt == nil {
			t.Errorf("bob's consent %+v not withdrawn", c)
		}
	}
	if got, err := l.Once(t.Context()); err != nil || len(got) != 0 {
		t.Errorf("second sync: %v %v, want nothing", got, err)
	}
	bad := &LeaverSync{Service: svc, PunchdURL: punchd.URL, Token: "wrong"}
	if _, err := bad.Once(t.Context()); err == nil {
		t.Error("wrong token: no error")
	}
}
