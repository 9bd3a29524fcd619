package httpapi

import (
	"net/http"

	"punchclock/app/nfctag"
	"punchclock/app/wire"
	"punchclock/server/internal/audit"
)

// ActionNFCTag is the audit action of an NFC tag token issued.
const ActionNFCTag = "nfc_tag.issue"

// nfcTag issues the signed badge token of an employee's NFC tag: for
// admins, and for HR of the employee's unit, like a badge sheet. The
// employee must be active now.
func (s *Server) nfcTag(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.writerScope(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.allowEmployee(r.Context(), sc, id); err != nil {
		return err
	}
	var req wire.NFCTagRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	serial := ""
	if req.Serial != "" {
		if serial = nfctag.Serial(req.Serial); serial == "" {
			return wire.Errorf(wire.CodeInvalid, "serial %q is not a tag's serial number (hex bytes, at most %d)", req.Serial, nfctag.MaxSerial)
		}
	}
	e, err := s.Store.Employee(r.Context(), id)
	if err != nil {
		return storeErr(err)
	}
	zones, err := s.zones(r.Context())
	if err != nil {
		return err
	}
	if !e.ActiveAt(s.Now(), zones[e.SiteID]) {
		return wire.Errorf(wire.CodeInvalid, "employee %s has left: no tag for them", id)
	}
	tok, err := s.TagKeys.Sign(r.Context(), e.ID, serial)
	if err != nil {
		return err
	}
	s.record(r, audit.Event{Actor: actor(r), Action: ActionNFCTag, Target: "employee:" + e.ID, Unit: e.DepartmentID,
		Detail: map[string]any{"employee_id": e.ID, "serial": serial}})
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, wire.NFCTag{EmployeeID: e.ID, Serial: serial, Token: tok})
}
