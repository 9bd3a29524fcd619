package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"punchclock/server/internal/groupcommit"
)

// DefaultGroupCommit is the most batches one ingest transaction holds.
const DefaultGroupCommit = 128

// Group commit: the batches of many devices that arrive while an ingest
// transaction runs are written together in the next one, which pays one
// commit (one fsync) for all of them. Nothing of the guarantees moves:
//
//   - A batch is decided inside the transaction that writes it, after
//     reading the state as that transaction sees it. A group holds at
//     most one batch of a device (groupcommit keys), so each batch sees
//     its device's earlier batches committed, as it would alone; on
//     PostgreSQL the per-device advisory lock still serialises the
//     instances sharing a database.
//   - Ingest returns only after the transaction holding its batch
//     committed (or with the error that kept it from committing).
//   - A batch that fails in the database (a unique key another device's
//     punch already holds, a lost connection) would take its group down
//     with it: the group is rolled back, the failed batch is run alone,
//     and the others are run again as a group, then each alone if that
//     fails too. A batch decide refuses wrote nothing and does not
//     disturb its group.
//   - Batches are taken in device id order, so two PostgreSQL instances'
//     groups lock devices in one order and cannot deadlock each other.

// SetGroupCommit sets the most batches one ingest transaction holds; 1
// or less turns group commit off (each batch in its own transaction,
// concurrently). Call it before the store is used.
func (s *DB) SetGroupCommit(size int) {
	if s.group != nil {
		s.group.Close()
		s.group = nil
	}
	if size > 1 {
		s.group = groupcommit.New(size, func(r ingestReq) string { return r.deviceID }, s.ingestGroup)
	}
}

// GroupStats counts the work of group commit so far (zero when it is off).
func (s *DB) GroupStats() groupcommit.Stats {
	if s.group == nil {
		return groupcommit.Stats{}
	}
	return s.group.Stats()
}

// ingestGroup runs a group of batches of distinct devices; see above.
func (s *DB) ingestGroup(rs []ingestReq) []error {
	errs := make([]error, len(rs))
	live := make([]int, len(rs))
	for i := range live {
		live[i] = i
	}
	slices.SortFunc(live, func(a, b int) int { return strings.Compare(rs[a].deviceID, rs[b].deviceID) })
	for attempt := 0; attempt < 2 && len(live) > 1; attempt++ {
		culprit, err := s.tryGroup(rs, live, errs)
		if err == nil {
			return errs
		}
		if culprit < 0 {
			break
		}
		errs[culprit] = s.ingestAlone(rs[culprit])
		live = slices.DeleteFunc(live, func(i int) bool { return i == culprit })
	}
	for _, i := range live {
		errs[i] = s.ingestAlone(rs[i])
	}
	return errs
}

// tryGroup runs the batches live (indexes into rs) in one transaction and
// commits it, putting each batch's own outcome in errs. On a database
// error it rolls back and names the batch that met it (culprit), or -1
// when the transaction itself failed to begin or commit.
func (s *DB) tryGroup(rs []ingestReq, live []int, errs []error) (culprit int, err error) {
	// Not one request's context: the transaction serves them all.
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("sqlstore: begin: %w", err)
	}
	for _, i := range live {
		if err := rs[i].ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("sqlstore: ingest: %w", err)
			continue
		}
		fatal, err := s.ingestIn(ctx, tx, rs[i])
		if fatal {
			tx.Rollback()
			return i, err
		}
		errs[i] = err
	}
	if err := tx.Commit(); err != nil {
		return -1, fmt.Errorf("sqlstore: commit: %w", err)
	}
	return -1, nil
}
