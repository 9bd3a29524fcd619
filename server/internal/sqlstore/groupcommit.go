package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"punchclock/server/internal/groupcommit"
	"punchclock/server/internal/store"
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
//   - The group costs a few statements, not a few per batch: one locks
//     its devices (PostgreSQL), one reads them, one the punch ids and one
//     the chain positions its batches ask for, then each batch is decided
//     in turn, one multi-row INSERT writes all their punches and one
//     UPDATE (PostgreSQL) the clock offsets of the devices that moved.
//   - A batch that fails in the database (a unique key another device's
//     punch already holds, a lost connection) would take its group down
//     with it: the group is rolled back and each of its batches runs
//     alone, in a transaction of its own. A batch decide refuses wrote
//     nothing and does not disturb its group.
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
		var sync func() error
		if s.groupConn != nil {
			sync = s.groupSync
		}
		s.group = groupcommit.NewSynced(size, s.d.GroupWriters, func(r ingestReq) string { return r.deviceID }, s.ingestGroup, sync)
	}
}

// SetDeferredSync moves the group committer's wait on the disk off its
// serial path (package sqlite sets it): its transactions run on conn,
// which commits without waiting for the disk (SQLite's synchronous=NORMAL
// in WAL mode), and sync, run by groupcommit's sync stage while the next
// group is written, makes every commit so far durable (an fsync of the
// write-ahead log) before their batches are answered. A batch is still
// answered only once it is on disk. Call it before the store is used;
// conn is the committer's alone (its one worker), and Close closes it.
func (s *DB) SetDeferredSync(conn *sql.Conn, sync func() error) {
	s.groupConn, s.groupSync = conn, sync
	if s.group != nil {
		s.SetGroupCommit(DefaultGroupCommit)
	}
}

// groupBegin begins a group committer's transaction: on its own
// connection where SetDeferredSync gave one.
func (s *DB) groupBegin(ctx context.Context) (*sql.Tx, error) {
	if s.groupConn != nil {
		return s.groupConn.BeginTx(ctx, nil)
	}
	return s.db.BeginTx(ctx, nil)
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
	if len(rs) == 1 {
		errs[0] = s.ingestGrouped(rs[0])
		return errs
	}
	order := make([]int, len(rs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(rs[a].deviceID, rs[b].deviceID) })
	if err := s.tryGroup(rs, order, errs); err == nil {
		return errs
	}
	for _, i := range order {
		errs[i] = s.ingestGrouped(rs[i])
	}
	return errs
}

// member is one batch of a group as tryGroup runs it.
type member struct {
	r    *ingestReq
	view store.IngestView
	plan store.IngestPlan
	err  *error // the batch's own outcome
}

// tryGroup runs the batches rs[order...] in one transaction with a few
// statements for all of them: it locks their devices, reads what each
// decide needs, decides each, writes every plan's punches in one
// multi-row INSERT, and commits, putting each batch's own outcome in
// errs. A database error (the transaction failed, or a batch met a unique
// key) is returned after a rollback: the caller then runs each alone.
func (s *DB) tryGroup(rs []ingestReq, order []int, errs []error) error {
	// Not one request's context: the transaction serves them all.
	ctx := context.Background()
	var members []*member
	for _, i := range order {
		if err := rs[i].ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("sqlstore: ingest: %w", err)
			continue
		}
		errs[i] = nil
		members = append(members, &member{r: &rs[i], err: &errs[i]})
	}
	if len(members) == 0 {
		return nil
	}
	tx, err := s.groupBegin(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	if err := s.groupTx(ctx, tx, members); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// groupTx is tryGroup's work inside the transaction.
func (s *DB) groupTx(ctx context.Context, tx *sql.Tx, members []*member) error {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.r.deviceID
	}
	if s.d.LockDevices != "" {
		// In device id order: two instances' groups cannot deadlock.
		if _, err := tx.ExecContext(ctx, s.Rebind(s.d.LockDevices), ids); err != nil {
			return fmt.Errorf("sqlstore: lock devices: %w", err)
		}
	}
	if err := s.groupViews(ctx, tx, members, ids); err != nil {
		return err
	}
	var rows []store.StoredPunch
	var planned []*member
	for _, m := range members {
		if *m.err != nil {
			continue
		}
		plan, err := m.r.decide(m.view)
		if err == nil {
			err = checkPlan(plan)
		}
		if err != nil {
			*m.err = err
			continue
		}
		m.plan = plan
		rows = append(rows, plan.Insert...)
		planned = append(planned, m)
	}
	if err := s.InsertPunches(ctx, tx, rows); err != nil {
		return err
	}
	var seen []deviceSeen
	for _, m := range planned {
		if err := s.writeQRUses(ctx, tx, m.plan.QRUses); err != nil {
			return err
		}
		if m.plan.UpdateDevice {
			seen = append(seen, deviceSeen{m.r.deviceID, m.plan.Device.OffsetMS, ms(m.plan.Device.SeenAt)})
		}
	}
	return s.updateDevices(ctx, tx, seen)
}

// groupViews reads each member's IngestView, with one query for all
// devices, one for all punch ids, and one for all chain positions where
// the database takes arrays (one per device otherwise). A member whose
// device is gone gets its error.
func (s *DB) groupViews(ctx context.Context, tx *sql.Tx, members []*member, ids []string) error {
	devs := map[string]store.IngestView{}
	if err := s.groupDevices(ctx, tx, ids, devs); err != nil {
		return fmt.Errorf("sqlstore: devices: %w", err)
	}
	var punchIDs []string
	for _, m := range members {
		v, ok := devs[m.r.deviceID]
		if !ok {
			*m.err = fmt.Errorf("sqlstore: device %s: %w", m.r.deviceID, store.ErrNotFound)
			continue
		}
		v.ByID, v.BySeq, v.UsedQR = map[string]store.Existing{}, map[uint64]store.Existing{}, map[store.QRUse]store.QRUse{}
		m.view = v
		punchIDs = append(punchIDs, m.r.keys.IDs...)
		if err := s.usedQR(ctx, tx, m.r.keys.QR, v.UsedQR); err != nil {
			return err
		}
	}
	if len(punchIDs) > 0 {
		byID := map[string]store.Existing{}
		cond, args := in(s, "id", punchIDs)
		if err := s.existing(ctx, tx, cond, args, byID, nil); err != nil {
			return err
		}
		for _, m := range members {
			for _, id := range m.r.keys.IDs {
				if e, ok := byID[id]; ok && *m.err == nil {
					m.view.ByID[id] = e
				}
			}
		}
	}
	return s.groupSeqs(ctx, tx, members)
}

// groupDevices reads the devices ids into devs, with one query.
func (s *DB) groupDevices(ctx context.Context, tx *sql.Tx, ids []string, devs map[string]store.IngestView) error {
	cond, args := in(s, "id", ids)
	rows, err := tx.QueryContext(ctx, s.Rebind(`SELECT `+deviceCols+`, (SELECT v FROM meta WHERE k = 'version') FROM devices WHERE `+cond), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v store.IngestView
		dev, err := scanDevice(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &v.Version)...) }))
		if err != nil {
			return err
		}
		v.Device = dev
		devs[dev.ID] = v
	}
	return rows.Err()
}

// groupSeqs reads the chain positions each member asks for.
func (s *DB) groupSeqs(ctx context.Context, tx *sql.Tx, members []*member) error {
	var devs []string
	var seqs []int64
	byDev := map[string]*member{}
	for _, m := range members {
		if *m.err != nil || len(m.r.keys.Seqs) == 0 {
			continue
		}
		byDev[m.r.deviceID] = m
		for _, q := range m.r.keys.Seqs {
			devs = append(devs, m.r.deviceID)
			seqs = append(seqs, int64(q))
		}
	}
	if len(seqs) == 0 {
		return nil
	}
	if !s.d.Arrays {
		for _, m := range byDev {
			seqs := make([]int64, len(m.r.keys.Seqs))
			for i, q := range m.r.keys.Seqs {
				seqs[i] = int64(q)
			}
			cond, args := in(s, "seq", seqs)
			if err := s.existing(ctx, tx, `device_id = ? AND `+cond, append([]any{m.r.deviceID}, args...), nil, m.view.BySeq); err != nil {
				return err
			}
		}
		return nil
	}
	rows, err := tx.QueryContext(ctx, s.Rebind(`SELECT device_id, id, seq, hash, status, code, message, flags FROM punches
		WHERE (device_id, seq) IN (SELECT * FROM unnest(?::text[], ?::bigint[]))`), devs, seqs)
	if err != nil {
		return fmt.Errorf("sqlstore: existing punches: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dev, flags string
		var e store.Existing
		var seq int64
		if err := rows.Scan(&dev, &e.ID, &seq, &e.Hash, &e.Status, &e.Code, &e.Message, &flags); err != nil {
			return fmt.Errorf("sqlstore: existing punches: %w", err)
		}
		e.Seq, e.Flags = uint64(seq), splitFlags(flags)
		if m := byDev[dev]; m != nil {
			m.view.BySeq[e.Seq] = e
		}
	}
	return rows.Err()
}
