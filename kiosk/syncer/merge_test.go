package syncer

import (
	"slices"
	"testing"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// TestMerge: a full answer replaces the roster; a partial one updates the
// employees it carries and drops those it lists as removed.
func TestMerge(t *testing.T) {
	ids := func(st *outbox.PullState) []string {
		var out []string
		for _, e := range st.Employees {
			out = append(out, e.ID+map[bool]string{true: "", false: "(left)"}[e.Active])
		}
		return out
	}
	st := &outbox.PullState{}
	merge(st, &wire.PullResponse{Full: true, Cursor: "1", Employees: []attendance.Employee{{ID: "E1", Active: true}, {ID: "E2", Active: true}, {ID: "E3", Active: true}}})
	merge(st, &wire.PullResponse{Cursor: "2", Employees: []attendance.Employee{{ID: "E2"}, {ID: "E4", Active: true}}, Removed: []string{"E3", "E9"}})
	if got, want := ids(st), []string{"E1", "E2(left)", "E4"}; !slices.Equal(got, want) || st.Cursor != "2" {
		t.Errorf("after a partial pull: %v at cursor %s, want %v at 2", got, st.Cursor, want)
	}
	merge(st, &wire.PullResponse{Full: true, Cursor: "3", Employees: []attendance.Employee{{ID: "E5", Active: true}}})
	if got := ids(st); !slices.Equal(got, []string{"E5"}) {
		t.Errorf("after a full pull: %v, want [E5]", got)
	}
	// The managers' list is replaced whole by every answer that carries
	// it, kept by one that does not (a phone's).
	merge(st, &wire.PullResponse{Cursor: "4", Managers: []wire.KioskManager{{EmployeeID: "E2", PINHash: "v"}}, Flows: []wire.KioskFlow{{ID: "f1", WaitingFor: "E2"}}})
	merge(st, &wire.PullResponse{Cursor: "5"})
	if len(st.Managers) != 1 || st.Managers[0].EmployeeID != "E2" || len(st.Flows) != 1 {
		t.Errorf("managers and flows after an answer without them: %+v %+v", st.Managers, st.Flows)
	}
	merge(st, &wire.PullResponse{Cursor: "6", Managers: []wire.KioskManager{}, Flows: []wire.KioskFlow{}})
	if len(st.Managers) != 0 || len(st.Flows) != 0 {
		t.Errorf("managers and flows after empty lists: %+v %+v", st.Managers, st.Flows)
	}
	// The tag keys likewise: kept by an answer without them (an older
	// server's), replaced by one with them.
	merge(st, &wire.PullResponse{Cursor: "7", TagKeys: []string{"k1"}})
	merge(st, &wire.PullResponse{Cursor: "8"})
	if !slices.Equal(st.TagKeys, []string{"k1"}) {
		t.Errorf("tag keys after an answer without them: %v", st.TagKeys)
	}
	merge(st, &wire.PullResponse{Cursor: "9", TagKeys: []string{"k1", "k2"}})
	if !slices.Equal(st.TagKeys, []string{"k1", "k2"}) {
		t.Errorf("tag keys after a new list: %v", st.TagKeys)
	}
}
