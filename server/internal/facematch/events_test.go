package facematch

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// TestEventSync: an enrollment and a deletion are written to the outbox
// with the act; EventSync reports them to punchd oldest first and marks
// them sent only once punchd recorded them: punchd down, they wait; sent
// again after a lost answer, punchd gets the same ids.
func TestEventSync(t *testing.T) {
	svc, ex, _, st := newTestService(t, Config{})
	enroll(t, svc, "alice", "s1", ex.photo(1, face(desc(1))))
	if _, err := svc.DeleteEmployee(t.Context(), "alice"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []Event
	failing, forget := true, false
	punchd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.Method != http.MethodPost || r.URL.Path != "/api/v1/face/events" {
			http.Error(w, `{"error":{"code":"unauthorized","message":"no"}}`, http.StatusUnauthorized)
			return
		}
		if failing {
			http.Error(w, `{"error":{"code":"transient","message":"down"}}`, http.StatusServiceUnavailable)
			return
		}
		var in EventBatch
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			t.Errorf("punchd reads the events: %v", err)
		}
		mu.Lock()
		got = append(got, in.Events...)
		mu.Unlock()
		ids := []string{}
		for _, ev := range in.Events {
			ids = append(ids, ev.ID)
		}
		if forget { // recorded, but the answer is lost
			http.Error(w, `{"error":{"code":"transient","message":"lost"}}`, http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"recorded": ids})
	}))
	defer punchd.Close()
	es := &EventSync{Store: st, PunchdURL: punchd.URL, Token: "tok"}
	if n, err := es.Once(t.Context()); err == nil || n != 0 {
		t.Fatalf("punchd down: %d sent, err %v; want an error and none sent", n, err)
	}
	if evs, _ := st.Unsent(t.Context(), 10); len(evs) != 2 {
		t.Fatalf("%d events wait after punchd was down, want 2", len(evs))
	}
	failing, forget = false, true
	if _, err := es.Once(t.Context()); err == nil {
		t.Fatal("a lost answer: no error")
	}
	forget = false
	if n, err := es.Once(t.Context()); err != nil || n != 2 {
		t.Fatalf("sync: %d sent, err %v; want 2", n, err)
	}
	if len(got) != 4 || got[0].ID != got[2].ID || got[1].ID != got[3].ID {
		t.Fatalf("punchd got %+v: want the same two events twice (the second time after a lost answer)", got)
	}
	actions := []string{got[0].Action, got[1].Action}
	if !slices.Equal(actions, []string{ActionFaceEnroll, ActionFaceDelete}) || got[0].EmployeeID != "alice" || got[0].SiteID != "s1" ||
		got[0].Detail["consent_by"] == nil || got[1].Detail["descriptors"] == nil {
		t.Errorf("events sent: %+v", got[:2])
	}
	if n, err := es.Once(t.Context()); err != nil || n != 0 {
		t.Errorf("nothing left to send: %d sent, err %v", n, err)
	}
}
