package httpapi

import (
	"mime"
	"net/http"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/exportjob"
	"punchclock/server/internal/store"
)

// exportJobView is an export job on the wire.
type exportJobView struct {
	ID     string `json:"id"`
	Report string `json:"report"`
	Format string `json:"format"`
	State  string `json:"state"`
	// Progress counts the employees the export went through.
	Progress struct {
		Done  int    `json:"done"`
		Total int    `json:"total"`
		Unit  string `json:"unit"`
	} `json:"progress"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	Error      string     `json:"error,omitempty"`
	// Size and Download once done.
	Size     int64  `json:"size,omitempty"`
	Filename string `json:"filename,omitempty"`
	Download string `json:"download,omitempty"`
}

func viewExportJob(j store.ExportJob, spec exportjob.Spec) exportJobView {
	v := exportJobView{ID: j.ID, Report: spec.Report, Format: spec.Format, State: j.State, CreatedAt: j.CreatedAt.UTC(),
		StartedAt: opt(j.StartedAt), FinishedAt: opt(j.FinishedAt), ExpiresAt: opt(j.ExpiresAt), Error: j.Error}
	v.Progress.Done, v.Progress.Total, v.Progress.Unit = j.Done, j.Total, "employees"
	if j.State == store.JobDone {
		v.Size, v.Filename, v.Download = j.Size, exportjob.Filename(j), "/api/v1/report/export/"+j.ID+"/file"
	}
	return v
}

// ownerOf is the export job owner key of the request's caller.
func ownerOf(r *http.Request) string {
	c := callerOf(r)
	if c.User != nil {
		return exportjob.Owner("", c.User.ID)
	}
	return exportjob.Owner(c.TokenID, "")
}

// errNoJobs answers the export job routes of a server that runs none.
var errNoJobs = wire.Errorf(wire.CodeNotFound, "this server runs no export jobs")

// startExportJob answers POST /report/export: the export the body names,
// checked as the GET export's query is (report, scope, parameters) and
// audited alike, is queued as a job of the caller's; 202 with the job.
func (s *Server) startExportJob(w http.ResponseWriter, r *http.Request) error {
	if s.Exports == nil {
		return errNoJobs
	}
	var spec exportjob.Spec
	if err := readJSON(w, r, MaxBody, &spec, true); err != nil {
		return err
	}
	e, err := spec.Export(r.Header.Get("Accept-Language"))
	if err != nil {
		return err
	}
	if err := s.allowRecords(r, e.EmployeeID, e.DepartmentID); err != nil {
		return err
	}
	j, err := s.Exports.Submit(r.Context(), ownerOf(r), e)
	if err != nil {
		return err
	}
	s.auditExport(r, e, j.ID)
	w.Header().Set("Location", "/api/v1/report/export/"+j.ID)
	return writeJSON(w, http.StatusAccepted, viewExportJob(j, exportjob.SpecOf(e)))
}

// exportJob answers GET /report/export/{id}: the caller's own job.
func (s *Server) exportJob(w http.ResponseWriter, r *http.Request) error {
	if s.Exports == nil {
		return errNoJobs
	}
	j, err := s.Exports.Job(r.Context(), r.PathValue("id"), ownerOf(r))
	if err != nil {
		return err
	}
	spec, err := exportjob.SpecOfJob(j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewExportJob(j, spec))
}

// exportJobFile answers GET /report/export/{id}/file: the caller's own
// job's file, once done.
func (s *Server) exportJobFile(w http.ResponseWriter, r *http.Request) error {
	if s.Exports == nil {
		return errNoJobs
	}
	f, j, e, err := s.Exports.File(r.Context(), r.PathValue("id"), ownerOf(r))
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", e.ContentType())
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": e.Filename()}))
	h.Set("Cache-Control", "no-store")
	// Ranges, so a large file's download can resume.
	http.ServeContent(w, r, "", j.FinishedAt, f)
	return nil
}
