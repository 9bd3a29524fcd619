package sqlstore

import (
	"context"
	"fmt"
	"time"

	"punchclock/server/internal/store"
)

const exportJobColumns = `id, owner, spec, state, done, total, size, error, attempt, runner, created_at_ms, started_at_ms, finished_at_ms, lease_ms, expires_at_ms`

// PutExportJob implements store.Store.
func (s *DB) PutExportJob(ctx context.Context, j store.ExportJob) error {
	if err := checkID("put export job", j.ID); err != nil {
		return err
	}
	if err := checkAll("put export job", j); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.Rebind(`INSERT INTO export_jobs (`+exportJobColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		j.ID, j.Owner, string(j.Spec), j.State, j.Done, j.Total, j.Size, j.Error, j.Attempt, j.Runner,
		ms(j.CreatedAt), ms(j.StartedAt), ms(j.FinishedAt), ms(j.LeaseUntil), ms(j.ExpiresAt))
	if err != nil && s.d.IsUnique(err) {
		return fmt.Errorf("sqlstore: put export job %s: %w", j.ID, store.ErrConflict)
	} else if err != nil {
		return fmt.Errorf("sqlstore: put export job: %w", err)
	}
	return nil
}

func scanExportJob(row interface{ Scan(...any) error }) (store.ExportJob, error) {
	var j store.ExportJob
	var spec string
	var created, started, finished, lease, expires int64
	err := row.Scan(&j.ID, &j.Owner, &spec, &j.State, &j.Done, &j.Total, &j.Size, &j.Error, &j.Attempt, &j.Runner, &created, &started, &finished, &lease, &expires)
	j.Spec = []byte(spec)
	j.CreatedAt, j.StartedAt, j.FinishedAt, j.LeaseUntil, j.ExpiresAt = fromMS(created), fromMS(started), fromMS(finished), fromMS(lease), fromMS(expires)
	return j, err
}

// ExportJob implements store.Store.
func (s *DB) ExportJob(ctx context.Context, id string) (store.ExportJob, error) {
	if err := checkID("export job", id); err != nil {
		return store.ExportJob{}, err
	}
	j, err := scanExportJob(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+exportJobColumns+` FROM export_jobs WHERE id = ?`), id))
	if err != nil {
		return j, notFound(err, "export job "+id)
	}
	return j, nil
}

// ClaimExportJob implements store.Store: it reads the oldest claimable
// job and claims it with an update that holds only if the job is still
// claimable as read (same attempt), so of two runners one wins; the
// loser reads the next.
func (s *DB) ClaimExportJob(ctx context.Context, runner string, now, lease time.Time) (store.ExportJob, error) {
	if err := checkText("claim export job", runner); err != nil {
		return store.ExportJob{}, err
	}
	for {
		var id string
		var attempt int
		err := s.db.QueryRowContext(ctx, s.Rebind(`SELECT id, attempt FROM export_jobs
			WHERE state = ? OR (state = ? AND lease_ms < ?) ORDER BY created_at_ms, id LIMIT 1`),
			store.JobQueued, store.JobRunning, ms(now)).Scan(&id, &attempt)
		if err != nil {
			return store.ExportJob{}, notFound(err, "claim export job")
		}
		res, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE export_jobs SET state = ?, attempt = attempt + 1, runner = ?, done = 0, started_at_ms = ?, lease_ms = ?
			WHERE id = ? AND attempt = ? AND (state = ? OR (state = ? AND lease_ms < ?))`),
			store.JobRunning, runner, ms(now), ms(lease), id, attempt, store.JobQueued, store.JobRunning, ms(now))
		if err != nil {
			return store.ExportJob{}, fmt.Errorf("sqlstore: claim export job: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return store.ExportJob{}, fmt.Errorf("sqlstore: claim export job: %w", err)
		} else if n == 0 {
			continue // another runner claimed it first
		}
		return s.ExportJob(ctx, id)
	}
}

// RequeueExportJobs implements store.Store.
func (s *DB) RequeueExportJobs(ctx context.Context, runner string) (int, error) {
	if err := checkText("requeue export jobs", runner); err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE export_jobs SET state = ?, lease_ms = 0 WHERE state = ? AND runner = ?`), store.JobQueued, store.JobRunning, runner)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: requeue export jobs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: requeue export jobs: %w", err)
	}
	return int(n), nil
}

// UpdateExportJob implements store.Store.
func (s *DB) UpdateExportJob(ctx context.Context, j store.ExportJob) error {
	if err := checkID("update export job", j.ID); err != nil {
		return err
	}
	if err := checkText("update export job", j.State, j.Error); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.Rebind(`UPDATE export_jobs SET state = ?, done = ?, total = ?, size = ?, error = ?, finished_at_ms = ?, lease_ms = ?, expires_at_ms = ?
		WHERE id = ? AND attempt = ?`),
		j.State, j.Done, j.Total, j.Size, j.Error, ms(j.FinishedAt), ms(j.LeaseUntil), ms(j.ExpiresAt), j.ID, j.Attempt)
	if err != nil {
		return fmt.Errorf("sqlstore: update export job: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: update export job: %w", err)
	} else if n == 0 {
		if _, err := s.ExportJob(ctx, j.ID); err != nil {
			return err
		}
		return fmt.Errorf("sqlstore: update export job %s: attempt %d is over: %w", j.ID, j.Attempt, store.ErrConflict)
	}
	return nil
}

// DeleteExportJobs implements store.Store.
func (s *DB) DeleteExportJobs(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.Rebind(`DELETE FROM export_jobs WHERE expires_at_ms > 0 AND expires_at_ms <= ? RETURNING id`), ms(now))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: delete export jobs: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: delete export jobs: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: delete export jobs: %w", err)
	}
	return ids, nil
}
