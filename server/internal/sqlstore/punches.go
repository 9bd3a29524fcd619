package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"punchclock/server/internal/store"
)

// --- punches ---

// punchCols are the columns of a punch insert, in InsertPunches' order.
const punchCols = `id, device_id, seq, employee_id, site_id, method, true_time_ms, received_at_ms, body, sig, hash, status, code, message, flags, addr`

// punchArgs returns p's values in punchCols order.
func punchArgs(p *store.StoredPunch) []any {
	return []any{p.ID, p.DeviceID, int64(p.Seq), p.EmployeeID, p.SiteID, string(p.Method), ms(p.TrueTime),
		ms(p.ReceivedAt), p.Body, p.Sig, p.Hash, p.Status, p.Code, p.Message, strings.Join(p.Flags, ","), p.Addr}
}

// InsertPunches writes punches in tx: with multi-row INSERTs, or where the
// driver binds slices as arrays (PostgreSQL) with one INSERT of column
// arrays (insertPunchArrays). It is the one write path of raw punches.
func (s *DB) InsertPunches(ctx context.Context, tx *sql.Tx, ps []store.StoredPunch) error {
	if s.d.Arrays {
		return s.insertPunchArrays(ctx, tx, ps)
	}
	return s.InsertPunchesPlain(ctx, tx, ps)
}

// insertPunchArrays writes punches with one INSERT of unnest()ed column
// arrays (in punchCols' order, as punchArgs), where the driver binds slices as arrays (PostgreSQL): its text
// is the same whatever the count. A multi-row INSERT's text changes with
// its row count, and pgx's cache of prepared statements, per connection,
// then prepared a group commit's INSERT again on most groups: a round trip
// and a plan of hundreds of parameters each time.
func (s *DB) insertPunchArrays(ctx context.Context, tx *sql.Tx, ps []store.StoredPunch) error {
	if len(ps) == 0 {
		return nil
	}
	var ids, devs, emps, sites, methods, hashes, statuses, codes, msgs, flags, addrs []string
	var seqs, times, received []int64
	var bodies, sigs [][]byte
	for i := range ps {
		p := &ps[i]
		ids, devs, emps, sites = append(ids, p.ID), append(devs, p.DeviceID), append(emps, p.EmployeeID), append(sites, p.SiteID)
		methods, hashes, statuses = append(methods, string(p.Method)), append(hashes, p.Hash), append(statuses, p.Status)
		codes, msgs, flags, addrs = append(codes, p.Code), append(msgs, p.Message), append(flags, strings.Join(p.Flags, ",")), append(addrs, p.Addr)
		seqs, times, received = append(seqs, int64(p.Seq)), append(times, ms(p.TrueTime)), append(received, ms(p.ReceivedAt))
		bodies, sigs = append(bodies, p.Body), append(sigs, p.Sig)
	}
	_, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO punches (`+punchCols+`) SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[],
		?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bytea[], ?::bytea[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])`),
		ids, devs, seqs, emps, sites, methods, times, received, bodies, sigs, hashes, statuses, codes, msgs, flags, addrs)
	if err != nil {
		return s.insertErr(err)
	}
	return nil
}

// InsertPunchesPlain writes punches with plain multi-row INSERTs, on
// either database: the shift-change storm's baseline (package storm).
func (s *DB) InsertPunchesPlain(ctx context.Context, tx *sql.Tx, ps []store.StoredPunch) error {
	for len(ps) > 0 {
		n := min(len(ps), maxInsertRows)
		args := make([]any, 0, n*punchColCount)
		for i := range ps[:n] {
			args = append(args, punchArgs(&ps[i])...)
		}
		if _, err := tx.ExecContext(ctx, s.insertSQL(n), args...); err != nil {
			return s.insertErr(err)
		}
		ps = ps[n:]
	}
	return nil
}

// insertErr is an INSERT of punches' error: a unique key another punch
// holds is store.ErrConflict.
func (s *DB) insertErr(err error) error {
	if s.d.IsUnique(err) {
		return fmt.Errorf("sqlstore: insert punches: %w", store.ErrConflict)
	}
	return fmt.Errorf("sqlstore: insert punches: %w", err)
}

const (
	punchColCount = 16
	maxInsertRows = 500 // stays far below both databases' bind limits
)

// insertSQL is the INSERT of n punches, rebound.
func (s *DB) insertSQL(n int) string {
	if v, ok := s.q.Load(n); ok {
		return v.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO punches (` + punchCols + `) VALUES `)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", punchColCount), ", ") + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	q := s.Rebind(b.String())
	s.q.Store(n, q)
	return q
}

// Ingest runs one batch in a transaction, which it shares with the
// batches of other devices that come meanwhile (see groupcommit.go); see
// store.Store. It returns once that transaction has committed or failed.
func (s *DB) Ingest(ctx context.Context, deviceID string, keys store.IngestKeys, decide func(store.IngestView) (store.IngestPlan, error)) error {
	if err := checkID("ingest", deviceID); err != nil {
		return err
	}
	if err := checkAll("ingest", keys); err != nil {
		return err
	}
	if err := checkSeqs("ingest", keys.Seqs...); err != nil {
		return err
	}
	r := ingestReq{ctx: ctx, deviceID: deviceID, keys: keys, decide: decide}
	if s.group == nil {
		return s.ingestAlone(r)
	}
	return s.group.Do(r)
}

// ingestReq is one batch's call of Ingest.
type ingestReq struct {
	ctx      context.Context
	deviceID string
	keys     store.IngestKeys
	decide   func(store.IngestView) (store.IngestPlan, error)
}

// ingestAlone runs one batch in a transaction of its own.
func (s *DB) ingestAlone(r ingestReq) error {
	return s.inTx(r.ctx, func(tx *sql.Tx) error {
		_, err := s.ingestIn(r.ctx, tx, r)
		return err
	})
}

// ingestGrouped is ingestAlone for the group committer, in its
// transactions (groupBegin).
func (s *DB) ingestGrouped(r ingestReq) error {
	tx, err := s.groupBegin(r.ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	if _, err := s.ingestIn(r.ctx, tx, r); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// ingestIn runs one batch in tx: it locks the device, reads what decide
// needs, calls it and writes its plan. fatal says the error came from the
// database, which may have written part of the batch (or, on PostgreSQL,
// aborted tx): only a rollback undoes it. Otherwise (decide refused, the
// plan holds bad text) nothing of the batch was written and tx goes on.
func (s *DB) ingestIn(ctx context.Context, tx *sql.Tx, r ingestReq) (fatal bool, err error) {
	deviceID, keys := r.deviceID, r.keys
	if s.d.LockDevice != "" {
		if _, err := tx.ExecContext(ctx, s.Rebind(s.d.LockDevice), deviceID); err != nil {
			return true, fmt.Errorf("sqlstore: lock device %s: %w", deviceID, err)
		}
	}
	var version int64
	dev, err := scanDevice(scanFunc(func(dest ...any) error {
		return tx.QueryRowContext(ctx, s.Rebind(`SELECT `+deviceCols+`, (SELECT v FROM meta WHERE k = 'version') FROM devices WHERE id = ?`), deviceID).
			Scan(append(dest, &version)...)
	}))
	if errors.Is(err, sql.ErrNoRows) {
		return false, notFound(err, "device "+deviceID)
	} else if err != nil {
		return true, notFound(err, "device "+deviceID)
	}
	view := store.IngestView{Device: dev, Version: version, ByID: map[string]store.Existing{}, BySeq: map[uint64]store.Existing{}, UsedQR: map[store.QRUse]store.QRUse{}}
	if err := s.usedQR(ctx, tx, keys.QR, view.UsedQR); err != nil {
		return true, err
	}
	if len(keys.IDs) > 0 {
		cond, args := in(s, "id", keys.IDs)
		if err := s.existing(ctx, tx, cond, args, view.ByID, nil); err != nil {
			return true, err
		}
	}
	if len(keys.Seqs) > 0 {
		seqs := make([]int64, len(keys.Seqs))
		for i, q := range keys.Seqs {
			seqs[i] = int64(q)
		}
		cond, args := in(s, "seq", seqs)
		if err := s.existing(ctx, tx, `device_id = ? AND `+cond, append([]any{deviceID}, args...), nil, view.BySeq); err != nil {
			return true, err
		}
	}
	plan, err := r.decide(view)
	if err != nil {
		return false, err
	}
	if err := checkPlan(plan); err != nil {
		return false, err
	}
	if err := s.InsertPunches(ctx, tx, plan.Insert); err != nil {
		return true, err
	}
	if err := s.writeRest(ctx, tx, deviceID, plan); err != nil {
		return true, err
	}
	return false, nil
}

// usedQR reads the stored uses of the QR tokens keys into used.
func (s *DB) usedQR(ctx context.Context, tx *sql.Tx, keys []store.QRUse, used map[store.QRUse]store.QRUse) error {
	for _, u := range keys {
		var punchID string
		err := tx.QueryRowContext(ctx, s.Rebind(`SELECT punch_id FROM qr_uses WHERE kiosk_id = ? AND step = ? AND employee_id = ?`), u.KioskID, u.Step, u.EmployeeID).Scan(&punchID)
		if err == nil {
			k := u.Key()
			used[k] = store.QRUse{KioskID: k.KioskID, Step: k.Step, EmployeeID: k.EmployeeID, PunchID: punchID}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlstore: qr uses: %w", err)
		}
	}
	return nil
}

// writeRest writes what a plan holds besides its punches: its QR token
// uses and the device's clock offset. Any error is the database's.
func (s *DB) writeRest(ctx context.Context, tx *sql.Tx, deviceID string, plan store.IngestPlan) error {
	if err := s.writeQRUses(ctx, tx, plan.QRUses); err != nil {
		return err
	}
	if !plan.UpdateDevice {
		return nil
	}
	return s.updateDevices(ctx, tx, []deviceSeen{{deviceID, plan.Device.OffsetMS, ms(plan.Device.SeenAt)}})
}

// writeQRUses stores QR token uses.
func (s *DB) writeQRUses(ctx context.Context, tx *sql.Tx, uses []store.QRUse) error {
	for _, u := range uses {
		_, err := tx.ExecContext(ctx, s.Rebind(`INSERT INTO qr_uses (kiosk_id, step, employee_id, punch_id) VALUES (?, ?, ?, ?)`), u.KioskID, u.Step, u.EmployeeID, u.PunchID)
		if err != nil {
			if s.d.IsUnique(err) {
				return fmt.Errorf("sqlstore: qr use: %w", store.ErrConflict)
			}
			return fmt.Errorf("sqlstore: qr use: %w", err)
		}
	}
	return nil
}

// deviceSeen is a device row's new clock offset and last sighting.
type deviceSeen struct {
	id               string
	offsetMS, seenMS int64
}

// updateDevices writes devices' clock offsets and sightings: in one
// statement where the database takes arrays (a group's devices cost one
// round trip to PostgreSQL, not one each), otherwise one a device.
func (s *DB) updateDevices(ctx context.Context, tx *sql.Tx, ds []deviceSeen) error {
	if s.d.Arrays && len(ds) > 1 {
		ids, offsets, seen := make([]string, len(ds)), make([]int64, len(ds)), make([]int64, len(ds))
		for i, d := range ds {
			ids[i], offsets[i], seen[i] = d.id, d.offsetMS, d.seenMS
		}
		_, err := tx.ExecContext(ctx, s.Rebind(`UPDATE devices SET offset_ms = v.o, seen_at_ms = v.s
			FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS v(id, o, s) WHERE devices.id = v.id`), ids, offsets, seen)
		if err != nil {
			return fmt.Errorf("sqlstore: update devices: %w", err)
		}
		return nil
	}
	for _, d := range ds {
		_, err := tx.ExecContext(ctx, s.Rebind(`UPDATE devices SET offset_ms = ?, seen_at_ms = ? WHERE id = ?`), d.offsetMS, d.seenMS, d.id)
		if err != nil {
			return fmt.Errorf("sqlstore: update device %s: %w", d.id, err)
		}
	}
	return nil
}

func (s *DB) existing(ctx context.Context, tx *sql.Tx, where string, args []any, byID map[string]store.Existing, bySeq map[uint64]store.Existing) error {
	rows, err := tx.QueryContext(ctx, s.Rebind(`SELECT id, seq, hash, status, code, message, flags FROM punches WHERE `+where), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: existing punches: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e store.Existing
		var seq int64
		var flags string
		if err := rows.Scan(&e.ID, &seq, &e.Hash, &e.Status, &e.Code, &e.Message, &flags); err != nil {
			return fmt.Errorf("sqlstore: existing punches: %w", err)
		}
		e.Seq, e.Flags = uint64(seq), splitFlags(flags)
		if byID != nil {
			byID[e.ID] = e
		}
		if bySeq != nil {
			bySeq[e.Seq] = e
		}
	}
	return rows.Err()
}

// scanFunc adapts a function to the Scan interface of the scan helpers.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

func splitFlags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// in returns the condition "col is one of vals" and its arguments.
func in[T any](s *DB, col string, vals []T) (string, []any) {
	if s.d.Arrays {
		return col + ` = ANY(?)`, []any{vals}
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return col + ` IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + `)`, args
}

const storedCols = `id, employee_id, site_id, true_time_ms, received_at_ms, body, sig, hash, status, code, message, flags, addr`

// storedColsNoSig is storedCols without the signature.
const storedColsNoSig = `id, employee_id, site_id, true_time_ms, received_at_ms, body, NULL, hash, status, code, message, flags, addr`

func scanStored(sc interface{ Scan(...any) error }) (store.StoredPunch, error) {
	var r rawPunch
	if err := r.scan(sc); err != nil {
		return r.p, err
	}
	return r.stored()
}

// rawPunch is a row of storedCols as scanned, its body not yet read.
type rawPunch struct {
	p                    store.StoredPunch
	trueMS, recvMS       int64
	flags, id, emp, site string
}

func (r *rawPunch) scan(sc interface{ Scan(...any) error }) error {
	p := &r.p
	return sc.Scan(&r.id, &r.emp, &r.site, &r.trueMS, &r.recvMS, &p.Body, &p.Sig, &p.Hash, &p.Status, &p.Code, &p.Message, &r.flags, &p.Addr)
}

// stored reads the body.
func (r *rawPunch) stored() (store.StoredPunch, error) {
	p := r.p
	if err := decodePunch(p.Body, &p.Punch); err != nil {
		return p, fmt.Errorf("sqlstore: stored punch %s body: %w", r.id, err)
	}
	// The server's resolution (badge to employee, device to site) wins
	// over what the device wrote.
	p.ID, p.EmployeeID, p.SiteID = r.id, r.emp, r.site
	p.TrueTime, p.ReceivedAt, p.Flags = fromMS(r.trueMS), fromMS(r.recvMS), splitFlags(r.flags)
	return p, nil
}

// Punch returns one stored punch.
func (s *DB) Punch(ctx context.Context, id string) (store.StoredPunch, error) {
	if err := checkID("punch", id); err != nil {
		return store.StoredPunch{}, err
	}
	p, err := scanStored(s.db.QueryRowContext(ctx, s.Rebind(`SELECT `+storedCols+` FROM punches WHERE id = ?`), id))
	if err != nil {
		return p, notFound(err, "punch "+id)
	}
	return p, nil
}

// Punches lists stored punches by true time, then id.
func (s *DB) Punches(ctx context.Context, f store.PunchFilter) ([]store.StoredPunch, error) {
	var out []store.StoredPunch
	err := s.EachPunch(ctx, f, func(p *store.StoredPunch) error {
		out = append(out, *p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachPunch hands the punches f selects to fn as they are read.
func (s *DB) EachPunch(ctx context.Context, f store.PunchFilter, fn func(p *store.StoredPunch) error) error {
	if err := checkAll("punches", f); err != nil {
		return err
	}
	if f.Lean {
		return s.eachLean(ctx, f, fn)
	}
	cols := storedCols
	if f.NoEvidence {
		cols = storedColsNoSig
	}
	q := `SELECT ` + cols + ` FROM punches WHERE 1 = 1`
	var args []any
	add := func(cond string, v any) { q += ` AND ` + cond; args = append(args, v) }
	if f.EmployeeID != "" {
		add(`employee_id = ?`, f.EmployeeID)
	}
	if len(f.EmployeeIDs) > 0 {
		cond, a := in(s, "employee_id", f.EmployeeIDs)
		q += ` AND ` + cond
		args = append(args, a...)
	}
	if f.DeviceID != "" {
		add(`device_id = ?`, f.DeviceID)
	}
	if f.SiteID != "" {
		add(`site_id = ?`, f.SiteID)
	}
	if !f.From.IsZero() {
		add(`true_time_ms >= ?`, ms(f.From))
	}
	if !f.To.IsZero() {
		add(`true_time_ms < ?`, ms(f.To))
	}
	if f.Status != "" {
		add(`status = ?`, f.Status)
	}
	if f.AfterID != "" {
		q += ` AND (true_time_ms > ? OR (true_time_ms = ? AND id > ?))`
		args = append(args, ms(f.AfterTime), ms(f.AfterTime), f.AfterID)
	}
	if f.ByEmployee {
		q += ` ORDER BY employee_id` + s.d.ByteOrder + `, true_time_ms, id`
	} else {
		q += ` ORDER BY true_time_ms, id`
	}
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: punches: %w", err)
	}
	// The rows are read on a goroutine of their own, a batch ahead of
	// the bodies being read and fn: a company's month is hundreds of
	// thousands of them.
	batches, done := make(chan []rawPunch, 2), make(chan struct{})
	var readErr error
	go func() {
		defer close(batches)
		defer rows.Close()
		batch := make([]rawPunch, 0, 256)
		send := func() bool {
			select {
			case batches <- batch:
				batch = make([]rawPunch, 0, 256)
				return true
			case <-done:
				return false
			}
		}
		for rows.Next() {
			batch = append(batch, rawPunch{})
			if err := batch[len(batch)-1].scan(rows); err != nil {
				readErr = err
				return
			}
			if len(batch) == cap(batch) && !send() {
				return
			}
		}
		if readErr = rows.Err(); readErr == nil && len(batch) > 0 {
			send()
		}
	}()
	var stop error
	for batch := range batches {
		for i := 0; i < len(batch) && stop == nil; i++ {
			p, err := batch[i].stored()
			if err == nil {
				if f.NoEvidence {
					p.Body, p.Sig = nil, nil
				}
				err = fn(&p)
			}
			if err != nil {
				stop = err
				close(done) // the reader stops; batches is drained to its close
			}
		}
	}
	if stop != nil {
		return stop
	}
	if readErr != nil {
		return fmt.Errorf("sqlstore: punches: %w", readErr)
	}
	return nil
}
