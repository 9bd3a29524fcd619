package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/faceadmin"
	"punchclock/server/internal/facematch"
	"punchclock/server/internal/store"
)

// The console's face enrolment: GET, POST and DELETE
// /api/v1/employees/{id}/face. punchd asks the face service of the
// employee's home site (attendance.Site.FaceURL, on the store's LAN) with
// the admin token the face services share (Server.Face), so the browser
// holds no face service credential and punchd alone decides who may:
// administrators anyone, HR its unit's employees; everyone else, and
// anyone outside the unit, is refused naming nothing.

// MaxFaceBody bounds an enrolment request: five phone photos of about
// 2 MiB in base64, under a client address's share of the body budget.
const MaxFaceBody = 14 << 20

// FacePurpose is the purpose of the consent an enrolment records.
const FacePurpose = "face identification for attendance punches at the kiosks of site %s"

// faceTarget is the employee of the route, if the caller may manage their
// face enrolment.
func (s *Server) faceTarget(r *http.Request) (attendance.Employee, error) {
	if u := callerOf(r).User; u != nil && u.Role != auth.RoleSuperAdmin && u.Role != auth.RoleHR {
		return attendance.Employee{}, errNotAllowed
	}
	sc, err := s.scopeOf(r)
	if err != nil {
		return attendance.Employee{}, err
	}
	id := r.PathValue("id")
	if err := s.allowEmployee(r.Context(), sc, id); err != nil {
		return attendance.Employee{}, err
	}
	e, err := s.Store.Employee(r.Context(), id)
	if err != nil {
		return attendance.Employee{}, storeErr(err)
	}
	return e, nil
}

// faceURL is the face service of e's home site, or why there is none.
func (s *Server) faceURL(ctx context.Context, e attendance.Employee) (string, wire.FaceService, error) {
	if e.SiteID == "" {
		return "", wire.FaceNoSite, nil
	}
	site, err := s.Store.Site(ctx, e.SiteID)
	if errors.Is(err, store.ErrNotFound) {
		return "", wire.FaceNoSite, nil
	} else if err != nil {
		return "", "", storeErr(err)
	}
	switch {
	case site.FaceURL == "":
		return "", wire.FaceNoService, nil
	case s.Face == nil:
		return "", wire.FaceNotLinked, nil
	}
	return site.FaceURL, wire.FaceReady, nil
}

// readyFaceURL is faceURL for a change: an employee without a face
// service to ask is a conflict, the state saying why.
func (s *Server) readyFaceURL(ctx context.Context, e attendance.Employee) (string, error) {
	base, svc, err := s.faceURL(ctx, e)
	if err == nil && svc != wire.FaceReady {
		err = wire.Errorf(wire.CodeConflict, "employee %s has no face service to ask: %s", e.ID, svc)
	}
	return base, err
}

// faceErr turns a face service's answer into punchd's.
func faceErr(err error) error {
	var fe *faceadmin.Error
	switch {
	case errors.As(err, &fe):
		return &wire.Error{Code: fe.Code, Message: "face service: " + fe.Message}
	case errors.Is(err, faceadmin.ErrUnreachable):
		return &wire.Error{Code: wire.CodeTransient, Message: "the face service is unreachable, or refuses punchd's admin token", Err: err}
	}
	return err
}

// getFace answers GET /employees/{id}/face: the enrolment state.
func (s *Server) getFace(w http.ResponseWriter, r *http.Request) error {
	e, err := s.faceTarget(r)
	if err != nil {
		return err
	}
	base, svc, err := s.faceURL(r.Context(), e)
	if err != nil {
		return err
	}
	out := wire.FaceState{EmployeeID: e.ID, SiteID: e.SiteID, Service: svc}
	if svc != wire.FaceReady {
		return writeJSON(w, http.StatusOK, out)
	}
	held, err := s.Face.Employee(r.Context(), base, e.ID)
	var fe *faceadmin.Error
	switch {
	case errors.As(err, &fe) && fe.Code == wire.CodeNotFound:
		return writeJSON(w, http.StatusOK, out)
	case errors.Is(err, faceadmin.ErrUnreachable):
		s.Log.Warn("face service unreachable", "site", e.SiteID, "err", err)
		out.Service = wire.FaceUnreachable
		return writeJSON(w, http.StatusOK, out)
	case err != nil:
		return faceErr(err)
	}
	for _, n := range held.Descriptors {
		out.Templates += n
	}
	if n := len(held.Consents); n > 0 {
		c := held.Consents[n-1]
		out.Consent = &wire.FaceConsent{By: c.By, Purpose: c.Purpose, GivenAt: c.GivenAt.UTC()}
		if c.WithdrawnAt != nil {
			out.Consent.WithdrawnAt = c.WithdrawnAt.UTC()
		} else if out.Templates > 0 {
			out.EnrolledAt = c.GivenAt.UTC()
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// postFace answers POST /employees/{id}/face: with dry_run=true the
// verdict on each photo, else the enrolment (all photos accepted, or
// nothing stored and each refusal named by field, "photos[1]"). The
// caller states the employee's consent; the face service keeps it with
// who recorded it and when, and punchd audits the enrolment.
func (s *Server) postFace(w http.ResponseWriter, r *http.Request) error {
	e, err := s.faceTarget(r)
	if err != nil {
		return err
	}
	dry := r.URL.Query().Get("dry_run") == "true"
	var in wire.FaceEnrollRequest
	if err := readJSON(w, r, MaxFaceBody, &in, true); err != nil {
		return err
	}
	if !in.Consent {
		return &wire.Error{Code: wire.CodeInvalid, Message: "consent: the employee's agreement must be recorded first",
			Fields: []attendance.FieldProblem{{Field: "consent", Code: attendance.ProblemRequired}}}
	}
	if len(in.Photos) == 0 || len(in.Photos) > wire.MaxFacePhotos {
		return &wire.Error{Code: wire.CodeInvalid, Message: fmt.Sprintf("send 1 to %d photos, not %d", wire.MaxFacePhotos, len(in.Photos)),
			Fields: []attendance.FieldProblem{{Field: "photos", Code: attendance.ProblemRequired}}}
	}
	base, err := s.readyFaceURL(r.Context(), e)
	if err != nil {
		return err
	}
	who := actor(r)
	req := facematch.EnrollRequest{EmployeeID: e.ID, SiteID: e.SiteID, Photos: in.Photos,
		ConsentBy: "employee " + e.ID + ", recorded by " + who, Purpose: fmt.Sprintf(FacePurpose, e.SiteID)}
	res, err := s.Face.Enroll(r.Context(), base, req, dry)
	var fe *faceadmin.Error
	if errors.As(err, &fe) && len(fe.Photos) > 0 {
		we := &wire.Error{Code: wire.CodeInvalid, Message: "face service: " + fe.Message}
		for i, p := range fe.Photos {
			if p.Result != facematch.PhotoAccepted {
				we.Fields = append(we.Fields, attendance.FieldProblem{Field: "photos[" + strconv.Itoa(i) + "]", Code: string(p.Result)})
			}
		}
		return we
	} else if err != nil {
		return faceErr(err)
	}
	out := wire.FaceEnrollment{DryRun: dry}
	for _, p := range res.Photos {
		out.Photos = append(out.Photos, wire.FacePhoto{Result: string(p.Result), Faces: p.Faces, Message: p.Message})
	}
	if dry {
		return writeJSON(w, http.StatusOK, out)
	}
	out.Templates, out.EnrolledAt = res.Descriptors, res.EnrolledAt.UTC()
	// The face service reports the same act under EventID later: this
	// entry, naming who asked, is the one kept.
	s.record(r, audit.Event{Actor: who, Action: facematch.ActionFaceEnroll, Target: e.ID, Unit: e.DepartmentID, Ref: faceRef(res.EventID),
		Detail: map[string]any{"site_id": e.SiteID, "descriptors": res.Descriptors, "consent_id": res.ConsentID,
			"consent_by": req.ConsentBy, "purpose": req.Purpose, "consent_recorded_by": who, "at": res.EnrolledAt.UTC()}})
	return writeJSON(w, http.StatusCreated, out)
}

// deleteFace answers DELETE /employees/{id}/face: the employee's face
// data deleted on request and their consent withdrawn, audited. Nothing
// held is no error: the answer says 0.
func (s *Server) deleteFace(w http.ResponseWriter, r *http.Request) error {
	e, err := s.faceTarget(r)
	if err != nil {
		return err
	}
	base, err := s.readyFaceURL(r.Context(), e)
	if err != nil {
		return err
	}
	res, err := s.Face.Delete(r.Context(), base, e.ID)
	var fe *faceadmin.Error
	if errors.As(err, &fe) && fe.Code == wire.CodeNotFound {
		err = nil
	}
	if err != nil {
		return faceErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: facematch.ActionFaceDelete, Target: e.ID, Unit: e.DepartmentID, Ref: faceRef(res.EventID),
		Detail: map[string]any{"site_id": e.SiteID, "descriptors": res.Descriptors, "withdrawn_consents": res.WithdrawnConsents, "on_request": true}})
	return writeJSON(w, http.StatusOK, wire.FaceDeletion{Templates: res.Descriptors, WithdrawnConsents: res.WithdrawnConsents})
}

// faceRef is the audit Ref of a face service's event ("" none).
func faceRef(event string) string {
	if event == "" {
		return ""
	}
	return "face:" + event
}
