package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/store"
)

// faceEvents records the face service's enrollments and deletions in the
// audit log (facematch.EventSync sends them): each under the face
// service's token as actor, the employee as target and the employee's
// department as unit, once however often it is sent (its id is the
// entry's Ref). The answer lists the ids recorded, which the face service
// then marks sent.
func (s *Server) faceEvents(w http.ResponseWriter, r *http.Request) error {
	var in facematch.EventBatch
	if err := readJSON(w, r, MaxBody, &in, true); err != nil {
		return err
	}
	if len(in.Events) == 0 || len(in.Events) > facematch.MaxEventBatch {
		return wire.Errorf(wire.CodeInvalid, "send 1 to %d events", facematch.MaxEventBatch)
	}
	for i, ev := range in.Events {
		if err := checkFaceEvent(ev); err != nil {
			return wire.Errorf(wire.CodeInvalid, "events[%d]: %v", i, err)
		}
	}
	out := []string{}
	for _, ev := range in.Events {
		unit := ""
		e, err := s.Store.Employee(r.Context(), ev.EmployeeID)
		switch {
		case err == nil:
			unit = e.DepartmentID
		case !errors.Is(err, store.ErrNotFound):
			return storeErr(err)
		}
		detail := map[string]any{"at": ev.At.UTC(), "site_id": ev.SiteID}
		for k, v := range ev.Detail {
			detail[k] = v
		}
		if _, err := s.Audit.Record(r.Context(), audit.Event{Actor: actor(r), Action: ev.Action, Target: ev.EmployeeID, Unit: unit, Detail: detail, Ref: "face:" + ev.ID}); err != nil {
			return storeErr(err)
		}
		out = append(out, ev.ID)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"recorded": out})
}

func checkFaceEvent(ev facematch.Event) error {
	if _, err := uuid.Parse(ev.ID); err != nil {
		return fmt.Errorf("id must be a UUID")
	}
	if ev.Action != facematch.ActionFaceEnroll && ev.Action != facematch.ActionFaceDelete {
		return fmt.Errorf("action must be %s or %s", facematch.ActionFaceEnroll, facematch.ActionFaceDelete)
	}
	if err := wire.CheckID("employee_id", ev.EmployeeID); err != nil || ev.EmployeeID == "" {
		return fmt.Errorf("employee_id must be an id")
	}
	if err := wire.CheckID("site_id", ev.SiteID); err != nil {
		return err
	}
	if ev.At.IsZero() {
		return fmt.Errorf("at is required")
	}
	for k, v := range ev.Detail {
		if err := wire.CheckText("detail", fmt.Sprint(k, v)); err != nil {
			return err
		}
	}
	return nil
}
