package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

// testApprovals: a request starts once by its id; concurrent updates are
// applied one after the other, none lost; lists filter by employee,
// approver, state, kind and day; settings read back.
func testApprovals(t *testing.T, s store.Store) {
	row := func(id, emp string, day int32, waiting string) store.ApprovalRow {
		return store.ApprovalRow{ID: id, Kind: "makeup_punch", EmployeeID: emp, Day: day, State: "pending", WaitingFor: waiting, CreatedAt: T0, Body: json.RawMessage(`{"n":[]}`)}
	}
	a, created := must2(s.StartApproval(ctx, row("a1", "E004", 100, "E002")))
	if !created || a.ID != "a1" || a.Day != 100 || !a.CreatedAt.Equal(T0) || string(a.Body) != `{"n":[]}` {
		t.Fatalf("start: %+v %v", a, created)
	}
	again := row("a1", "E005", 101, "E009")
	if a, created := must2(s.StartApproval(ctx, again)); created || a.EmployeeID != "E004" {
		t.Errorf("started again: %+v %v, want the first one unchanged", a, created)
	}
	must2(s.StartApproval(ctx, row("a2", "E005", 102, "E002")))
	must2(s.StartApproval(ctx, row("a3", "E004", 103, "E003")))

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := s.UpdateApproval(ctx, "a1", func(old store.ApprovalRow) (store.ApprovalRow, error) {
				var b struct{ N []int }
				if err := json.Unmarshal(old.Body, &b); err != nil {
					return old, err
				}
				b.N = append(b.N, i)
				old.Body, _ = json.Marshal(b)
				return old, nil
			})
			if err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	var b struct{ N []int }
	json.Unmarshal(must(s.Approval(ctx, "a1")).Body, &b)
	if len(b.N) != 8 {
		t.Errorf("after 8 concurrent updates the body holds %v: updates were lost", b.N)
	}
	closed := must(s.UpdateApproval(ctx, "a2", func(old store.ApprovalRow) (store.ApprovalRow, error) {
		old.State, old.WaitingFor, old.ClosedAt = "approved", "", T0.Add(time.Hour)
		return old, nil
	}))
	if closed.State != "approved" || !closed.ClosedAt.Equal(T0.Add(time.Hour)) {
		t.Errorf("closed: %+v", closed)
	}
	if _, err := s.UpdateApproval(ctx, "a3", func(old store.ApprovalRow) (store.ApprovalRow, error) {
		old.State = "rejected"
		return old, fmt.Errorf("refused")
	}); err == nil || must(s.Approval(ctx, "a3")).State != "pending" {
		t.Errorf("a failed change was stored: %v", err)
	}
	if _, err := s.UpdateApproval(ctx, "nope", func(o store.ApprovalRow) (store.ApprovalRow, error) { return o, nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update unknown: %v", err)
	}
	ids := func(f store.ApprovalFilter) string {
		out := ""
		for _, a := range must(s.Approvals(ctx, f)) {
			out += a.ID + " "
		}
		return out
	}
	for _, tc := range []struct {
		f    store.ApprovalFilter
		want string
	}{
		{store.ApprovalFilter{}, "a1 a2 a3 "},
		{store.ApprovalFilter{EmployeeIDs: []string{"E004"}}, "a1 a3 "},
		{store.ApprovalFilter{WaitingFor: "E002", State: "pending"}, "a1 "},
		{store.ApprovalFilter{State: "approved"}, "a2 "},
		{store.ApprovalFilter{FromDay: 101, ToDay: 102}, "a2 "},
		{store.ApprovalFilter{Kind: "overtime"}, ""},
		{store.ApprovalFilter{Limit: 2}, "a1 a2 "},
	} {
		if got := ids(tc.f); got != tc.want {
			t.Errorf("approvals %+v: %q, want %q", tc.f, got, tc.want)
		}
	}
	if _, err := s.ApprovalSetting(ctx, "policy"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unset setting: %v", err)
	}
	mustDo(s.PutApprovalSetting(ctx, "policy", json.RawMessage(`{"monthly_cap":3}`)))
	mustDo(s.PutApprovalSetting(ctx, "policy", json.RawMessage(`{"monthly_cap":5}`)))
	if v := must(s.ApprovalSetting(ctx, "policy")); string(v) != `{"monthly_cap":5}` {
		t.Errorf("setting: %s", v)
	}
	att := store.Attachment{ID: "att-1", FlowID: "a1", ContentType: "image/png", SHA256: "h", CreatedAt: T0, Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 2}}
	mustDo(s.PutAttachment(ctx, att))
	if got := must(s.Attachment(ctx, "att-1")); got.FlowID != "a1" || string(got.Data) != string(att.Data) || !got.CreatedAt.Equal(T0) {
		t.Errorf("attachment: %+v", got)
	}
	if err := s.PutAttachment(ctx, att); !errors.Is(err, store.ErrConflict) {
		t.Errorf("an attachment stored twice: %v", err)
	}
	if _, err := s.Attachment(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown attachment: %v", err)
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
