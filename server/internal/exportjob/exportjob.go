// Package exportjob runs the exports of package report as asynchronous
// jobs (POST /api/v1/report/export): a job is stored when it is asked
// for, run by one of a few workers, and its file kept in punchd's data
// folder until it expires.
//
// Jobs live in the store, so they outlive a restart: a punchd starting
// again queues the jobs it was running and runs them again, and a job
// whose punchd never comes back is claimed by another once its lease
// (renewed as the export goes) runs out. Each claim is a new attempt, and
// a runner writes only while the job is still its attempt. The export is
// streamed into the file a page of employees at a time, as the GET
// exports stream into the answer.
package exportjob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"punchclock/app/wire"
	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/report"
	"punchclock/server/internal/store"
)

// Defaults of a Runner.
const (
	DefaultWorkers = 1
	// DefaultKeep is how long a finished job and its file are kept.
	DefaultKeep = 24 * time.Hour
	// DefaultLease is how long a running job counts as alive after its
	// runner last said so (it does at every page of employees).
	DefaultLease = 2 * time.Minute
	// DefaultPoll is how often idle workers look for jobs other punchd
	// abandoned, and expired jobs are deleted.
	DefaultPoll = 30 * time.Second
)

// Spec is what a job exports: the query of the GET export of its report.
type Spec struct {
	Report       string `json:"report"`
	EmployeeID   string `json:"employee_id,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
	From         string `json:"from"`
	To           string `json:"to,omitempty"`
	Format       string `json:"format,omitempty"`
	Lang         string `json:"lang,omitempty"`
}

// Export checks the spec as report.Parse checks the GET export's query
// (acceptLanguage gives lang's default) and returns the export.
func (s Spec) Export(acceptLanguage string) (report.Export, error) {
	q := url.Values{}
	for k, v := range map[string]string{"employee_id": s.EmployeeID, "department_id": s.DepartmentID, "from": s.From, "to": s.To, "format": s.Format, "lang": s.Lang} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return report.Parse(s.Report, q, acceptLanguage)
}

// SpecOf is the spec of a parsed export, every default filled in.
func SpecOf(e report.Export) Spec {
	return Spec{Report: e.Report, EmployeeID: e.EmployeeID, DepartmentID: e.DepartmentID, From: e.From.String(), To: e.To.String(), Format: e.Format, Lang: e.Lang}
}

// ErrNotAllowed is the one refusal of a job that is not the caller's, or
// is not there (any more): it names nothing.
var ErrNotAllowed = wire.Errorf(wire.CodeForbidden, "not allowed")

// Runner stores, runs and serves export jobs.
type Runner struct {
	Store store.Store
	Days  *dayrec.Service
	// Dir holds the jobs' files.
	Dir string
	// ID names this punchd among those on the database (its jobs are
	// queued again when it starts); "" the data folder's path.
	ID  string
	Now func() time.Time
	Log *slog.Logger
	// Workers is how many jobs run at once (0: DefaultWorkers).
	Workers int
	// Keep, Lease and Poll: see the defaults.
	Keep, Lease, Poll time.Duration

	wake chan struct{}
	once sync.Once
}

func (r *Runner) init() {
	r.once.Do(func() {
		if r.Workers <= 0 {
			r.Workers = DefaultWorkers
		}
		if r.Keep <= 0 {
			r.Keep = DefaultKeep
		}
		if r.Lease <= 0 {
			r.Lease = DefaultLease
		}
		if r.Poll <= 0 {
			r.Poll = DefaultPoll
		}
		if r.ID == "" {
			r.ID = r.Dir
		}
		if r.Log == nil {
			r.Log = slog.Default()
		}
		r.wake = make(chan struct{}, r.Workers)
	})
}

// Submit stores a job of e for owner, queued, and wakes a worker. It
// counts the employees first, so an export of no such department or
// employee is refused here (wire.CodeNotFound), not in the job.
func (r *Runner) Submit(ctx context.Context, owner string, e report.Export) (store.ExportJob, error) {
	r.init()
	x := report.Exporter{Days: r.Days, Store: r.Store}
	total, err := x.Count(ctx, e)
	if err != nil {
		return store.ExportJob{}, store.Coded(err)
	}
	spec, err := json.Marshal(SpecOf(e))
	if err != nil {
		return store.ExportJob{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return store.ExportJob{}, err
	}
	j := store.ExportJob{ID: id.String(), Owner: owner, Spec: spec, State: store.JobQueued, Total: total, CreatedAt: r.Now().UTC()}
	if err := r.Store.PutExportJob(ctx, j); err != nil {
		return j, store.Coded(err)
	}
	select {
	case r.wake <- struct{}{}:
	default: // every worker is already woken
	}
	return j, nil
}

// Job returns owner's job id; ErrNotAllowed when there is no such job of
// owner's.
func (r *Runner) Job(ctx context.Context, id, owner string) (store.ExportJob, error) {
	j, err := r.Store.ExportJob(ctx, id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) || err == nil && j.Owner != owner {
		return store.ExportJob{}, ErrNotAllowed
	}
	if err != nil {
		return j, store.Coded(err)
	}
	return j, nil
}

// File opens the file of owner's job id, done; a job not done yet is
// wire.CodeConflict.
func (r *Runner) File(ctx context.Context, id, owner string) (*os.File, store.ExportJob, report.Export, error) {
	j, err := r.Job(ctx, id, owner)
	if err != nil {
		return nil, j, report.Export{}, err
	}
	e, err := exportOf(j)
	if err != nil {
		return nil, j, e, err
	}
	if j.State != store.JobDone {
		return nil, j, e, wire.Errorf(wire.CodeConflict, "the export is %s, not done", j.State)
	}
	f, err := os.Open(r.path(j.ID, e.Format))
	if errors.Is(err, os.ErrNotExist) {
		// Deleted as it expired, or lost with a data folder.
		return nil, j, e, wire.Errorf(wire.CodeNotFound, "the export's file is gone; start the export again")
	}
	return f, j, e, err
}

// SpecOfJob reads a job's spec.
func SpecOfJob(j store.ExportJob) (Spec, error) {
	var s Spec
	if err := json.Unmarshal(j.Spec, &s); err != nil {
		return s, fmt.Errorf("exportjob: job %s: spec: %w", j.ID, err)
	}
	return s, nil
}

func exportOf(j store.ExportJob) (report.Export, error) {
	s, err := SpecOfJob(j)
	if err != nil {
		return report.Export{}, err
	}
	return s.Export("")
}

// Filename is the name a job's file is offered under.
func Filename(j store.ExportJob) string {
	e, err := exportOf(j)
	if err != nil {
		return j.ID
	}
	return e.Filename()
}

func (r *Runner) path(id, format string) string {
	return filepath.Join(r.Dir, id+"."+format)
}

// Start queues again the jobs this punchd was running when it stopped,
// deletes expired jobs, and starts the workers; stop ends them and waits.
func (r *Runner) Start() (stop func(), err error) {
	r.init()
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("exportjob: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n, err := r.Store.RequeueExportJobs(ctx, r.ID)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("exportjob: %w", err)
	}
	if n > 0 {
		r.Log.Info("export jobs interrupted by a stop run again", "jobs", n)
	}
	var wg sync.WaitGroup
	for range r.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(r.Poll)
		defer t.Stop()
		for {
			if err := r.Expire(ctx); err != nil && ctx.Err() == nil {
				r.Log.Error("export jobs: expiry", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); wg.Wait() }, nil
}

// Expire deletes the jobs expired now, and their files.
func (r *Runner) Expire(ctx context.Context) error {
	r.init()
	ids, err := r.Store.DeleteExportJobs(ctx, r.Now())
	if err != nil {
		return err
	}
	for _, id := range ids {
		for _, f := range []string{report.FormatCSV, report.FormatXLSX} {
			if err := os.Remove(r.path(id, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				r.Log.Error("export jobs: delete an expired file", "job", id, "err", err)
			}
		}
	}
	return nil
}

// work runs jobs until ctx ends: one claimed, run, the next; idle, it
// waits for a Submit or the poll.
func (r *Runner) work(ctx context.Context) {
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		now := r.Now()
		j, err := r.Store.ClaimExportJob(ctx, r.ID, now, now.Add(r.Lease))
		if err == nil {
			r.run(ctx, j)
			continue
		}
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			r.Log.Error("export jobs: claim", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-t.C:
		}
	}
}

// run runs a claimed job into its file and records how it ended. A job
// another runner claimed meanwhile (this one was too slow to renew its
// lease) is left to it.
func (r *Runner) run(ctx context.Context, j store.ExportJob) {
	e, err := exportOf(j)
	if err == nil {
		err = r.export(ctx, &j, e)
	}
	if errors.Is(err, store.ErrConflict) || ctx.Err() != nil {
		// Claimed by another, or punchd stops: the job is run again.
		return
	}
	now := r.Now().UTC()
	j.State, j.FinishedAt, j.LeaseUntil, j.ExpiresAt = store.JobDone, now, time.Time{}, now.Add(r.Keep)
	if err != nil {
		j.State, j.Error = store.JobFailed, failure(err)
		if code := wire.CodeOf(err); code == wire.CodeInternal || code == wire.CodeTransient {
			r.Log.Error("export job failed", "job", j.ID, "err", err)
		}
	}
	if err := r.Store.UpdateExportJob(ctx, j); err != nil && !errors.Is(err, store.ErrConflict) {
		r.Log.Error("export jobs: record the end of a job", "job", j.ID, "err", err)
	}
}

// failure is what the job's owner is told: a wire error's message (no
// such department any more, too many rows for XLSX), else that it
// failed inside punchd.
func failure(err error) string {
	if c := wire.CodeOf(store.Coded(err)); c != wire.CodeInternal && c != wire.CodeTransient {
		return wire.MessageOf(store.Coded(err))
	}
	return "the export failed inside punchd; start it again"
}

// export writes e into j's file (a temporary file renamed when
// complete), renewing the lease and recording the progress at every page
// of employees.
func (r *Runner) export(ctx context.Context, j *store.ExportJob, e report.Export) error {
	x := report.Exporter{Days: r.Days, Store: r.Store}
	total, err := x.Count(ctx, e)
	if err != nil {
		return err
	}
	j.Total = total
	if err := r.progress(ctx, j); err != nil {
		return err
	}
	x.Progress = func(n int) error {
		j.Done += n
		return r.progress(ctx, j)
	}
	final := r.path(j.ID, e.Format)
	f, err := os.CreateTemp(r.Dir, j.ID+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // gone once renamed
	err = x.Write(ctx, f, e)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	st, err := os.Stat(f.Name())
	if err != nil {
		return err
	}
	j.Size = st.Size()
	return os.Rename(f.Name(), final)
}

// progress records j's progress and renews its lease.
func (r *Runner) progress(ctx context.Context, j *store.ExportJob) error {
	j.LeaseUntil = r.Now().Add(r.Lease)
	return r.Store.UpdateExportJob(ctx, *j)
}

// Owner is the owner key of a caller: a token by its id, a person by
// their account.
func Owner(tokenID, userID string) string {
	if userID != "" {
		return "user:" + userID
	}
	return "token:" + strings.TrimSpace(tokenID)
}
