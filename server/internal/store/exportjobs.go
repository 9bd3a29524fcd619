package store

import (
	"context"
	"encoding/json"
	"time"
)

// States of an export job.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ExportJob is an asynchronous export (package exportjob runs them).
type ExportJob struct {
	ID string
	// Owner is who asked ("token:ID" or "user:ID"): the only caller who
	// may read the job or its file.
	Owner string
	// Spec is the export's parameters (report.Export as JSON).
	Spec  json.RawMessage
	State string
	// Done and Total count the employees the export went through.
	Done, Total int
	// Size is the file's length in bytes once done.
	Size int64
	// Error says why a failed job failed.
	Error string
	// Attempt counts the runs that claimed the job: a runner writes only
	// while the job is still its attempt.
	Attempt int
	// Runner names the punchd that claimed it last.
	Runner string
	// StartedAt, FinishedAt, LeaseUntil and ExpiresAt are zero until set.
	CreatedAt, StartedAt, FinishedAt time.Time
	// LeaseUntil is when a running job counts as abandoned (its runner
	// renews it as it goes) and another runner may claim it.
	LeaseUntil time.Time
	// ExpiresAt is when the job and its file are deleted.
	ExpiresAt time.Time
}

// ExportJobs stores export jobs.
type ExportJobs interface {
	// PutExportJob stores a new job (ErrConflict: its id is taken).
	PutExportJob(ctx context.Context, j ExportJob) error
	ExportJob(ctx context.Context, id string) (ExportJob, error)
	// ClaimExportJob takes the oldest job that is queued, or running with
	// its lease run out at now (its runner died), and marks it running
	// for runner's new attempt until lease: done back to 0, started now.
	// Of two runners, of this punchd or another, only one claims a job.
	// ErrNotFound when there is none to claim.
	ClaimExportJob(ctx context.Context, runner string, now, lease time.Time) (ExportJob, error)
	// RequeueExportJobs queues again the jobs runner was running (a
	// punchd starting again after a crash) and says how many.
	RequeueExportJobs(ctx context.Context, runner string) (int, error)
	// UpdateExportJob writes j's state, progress, size, error, finish,
	// lease and expiry, if the stored job is still at j.Attempt
	// (ErrConflict otherwise: another runner claimed it; ErrNotFound: it
	// is gone).
	UpdateExportJob(ctx context.Context, j ExportJob) error
	// DeleteExportJobs deletes the jobs that expired before now and
	// returns their ids (their files are the caller's to remove).
	DeleteExportJobs(ctx context.Context, now time.Time) ([]string, error)
}
