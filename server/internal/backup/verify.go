package backup

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/postgres"
	"punchclock/server/internal/sqlite"
)

// Report is what Verify found.
type Report struct {
	// Schema is the database's schema version; Current the version this
	// punchd migrates to (an older database is migrated when punchd
	// next opens it).
	Schema, Current int
	Punches         int
	// Devices is the number of devices with punches.
	Devices int
	// Gaps counts punches stored with the chain_gap flag: an earlier
	// punch of their device had not arrived when they did.
	Gaps int
	// Problems are the first problems found (at most maxProblems);
	// NProblems counts them all.
	Problems  []string
	NProblems int
}

// maxProblems bounds the problems a Report lists.
const maxProblems = 20

func (r *Report) problem(format string, args ...any) {
	r.NProblems++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// Verify checks the SQLite database file at path without changing it (it
// is opened read-only): SQLite's header, PRAGMA integrity_check, the
// schema version, and every punch (see the package doc). A database that
// fails any check returns an error wrapping ErrNotSQLite, ErrCorrupt,
// ErrSchema or ErrPunches; the Report says what was checked.
func Verify(ctx context.Context, path string) (Report, error) {
	if err := isSQLite(path); err != nil {
		return Report{}, err
	}
	rep, err := verifyFile(ctx, path)
	if err != nil {
		return rep, fmt.Errorf("backup: %s: %w", path, err)
	}
	return rep, nil
}

// verifyFile is Verify after the header check, its errors not yet
// naming the file (Restore names the backup, not its copy).
func verifyFile(ctx context.Context, path string) (Report, error) {
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro&_pragma=busy_timeout(15000)")
	if err != nil {
		return Report{}, fmt.Errorf("open: %w", err)
	}
	defer db.Close()
	// One connection: the checks then read one state of the file.
	db.SetMaxOpenConns(1)
	if err := integrity(ctx, db); err != nil {
		return Report{}, err
	}
	current, err := sqlite.SchemaVersion()
	if err != nil {
		return Report{}, err
	}
	return verifyDB(ctx, db, current)
}

// VerifyPostgres runs Verify's schema and punch checks on the PostgreSQL
// database at url (for example one pg_restore has just filled). It
// changes nothing. PostgreSQL has no integrity_check: pg_restore itself
// fails on a damaged dump.
func VerifyPostgres(ctx context.Context, url string) (Report, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return Report{}, fmt.Errorf("backup: open: %w", err)
	}
	defer db.Close()
	current, err := postgres.SchemaVersion()
	if err != nil {
		return Report{}, fmt.Errorf("backup: %w", err)
	}
	// A repeatable-read read-only transaction: the checks see one
	// snapshot even while punchd instances write.
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return Report{}, fmt.Errorf("backup: %w", err)
	}
	defer tx.Rollback()
	rep, err := verifyDB(ctx, tx, current)
	if err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	return rep, nil
}

// integrity runs PRAGMA integrity_check.
func integrity(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if m != "ok" && len(msgs) < 5 {
			msgs = append(msgs, m)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%w: integrity_check: %s", ErrCorrupt, strings.Join(msgs, "; "))
	}
	return nil
}

// querier is what verifyDB reads through: a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// verifyDB checks the schema version and every punch. Its SQL has no
// parameters, so it reads both databases as it is.
func verifyDB(ctx context.Context, db querier, current int) (Report, error) {
	rep := Report{Current: current}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return rep, fmt.Errorf("%w: no schema_migrations table, not a punchclock database (%v)", ErrSchema, err)
	}
	rep.Schema = int(v.Int64)
	if rep.Schema > current {
		return rep, fmt.Errorf("%w: schema version %d is newer than this punchd's %d; use the punchd that made it", ErrSchema, rep.Schema, current)
	}
	keys, err := deviceKeys(ctx, db)
	if err != nil {
		return rep, err
	}
	if err := checkPunches(ctx, db, keys, &rep); err != nil {
		return rep, err
	}
	if rep.NProblems > 0 {
		return rep, fmt.Errorf("%w: %d problem(s): %s", ErrPunches, rep.NProblems, strings.Join(rep.Problems, "; "))
	}
	return rep, nil
}

// deviceKeys loads every device's public key.
func deviceKeys(ctx context.Context, db querier) (map[string][]byte, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, public_key FROM devices`)
	if err != nil {
		return nil, fmt.Errorf("%w: devices: %v", ErrSchema, err)
	}
	defer rows.Close()
	keys := map[string][]byte{}
	for rows.Next() {
		var id string
		var pub []byte
		if err := rows.Scan(&id, &pub); err != nil {
			return nil, fmt.Errorf("devices: %w", err)
		}
		keys[id] = pub
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	return keys, nil
}

// link is the chain position of the last punch checked.
type link struct {
	device string
	seq    uint64
	hash   string
}

// checkPunches reads the punches in chain order (device, then seq: the
// unique index serves it) and checks each against its body and the punch
// before it; signatures are checked in batches on all cores.
func checkPunches(ctx context.Context, db querier, keys map[string][]byte, rep *Report) error {
	rows, err := db.QueryContext(ctx, `SELECT device_id, seq, id, body, sig, hash, flags FROM punches ORDER BY device_id, seq`)
	if err != nil {
		return fmt.Errorf("%w: punches: %v", ErrSchema, err)
	}
	defer rows.Close()
	var sigs sigBatch
	var prev link
	for rows.Next() {
		var (
			dev, id, hash, flags string
			seq                  int64
			body, sig            []byte
		)
		if err := rows.Scan(&dev, &seq, &id, &body, &sig, &hash, &flags); err != nil {
			return fmt.Errorf("punches: %w", err)
		}
		rep.Punches++
		if dev != prev.device {
			rep.Devices++
		}
		cur := link{device: dev, seq: uint64(seq), hash: wire.HashBody(body)}
		checkPunch(rep, prev, cur, id, body, hash, flags)
		pub, ok := keys[dev]
		switch {
		case !ok:
			rep.problem("punch %s: its device %s is not in the database", id, dev)
		case len(pub) != ed25519.PublicKeySize:
			rep.problem("punch %s: device %s has no valid public key", id, dev)
		default:
			sigs.add(rep, pub, body, sig, id)
		}
		prev = cur
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("punches: %w", err)
	}
	sigs.flush(rep)
	return nil
}

// checkPunch checks one stored punch's columns against its signed body
// and its link to prev, the punch before it in chain order.
func checkPunch(rep *Report, prev, cur link, id string, body []byte, hash, flags string) {
	// Decoded as ingest decodes it (a json.Decoder reads the first value).
	var p attendance.Punch
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&p); err != nil {
		rep.problem("punch %s: body is not a punch: %v", id, err)
		return
	}
	if p.ID != id || p.DeviceID != cur.device || p.Seq != cur.seq {
		rep.problem("punch %s: stored as device %s seq %d but its signed body says punch %s, device %s, seq %d", id, cur.device, cur.seq, p.ID, p.DeviceID, p.Seq)
	}
	if hash != cur.hash {
		rep.problem("punch %s: stored hash is not the hash of its body", id)
	}
	gap := slices.Contains(strings.Split(flags, ","), wire.FlagChainGap)
	if gap {
		rep.Gaps++
	}
	if p.Seq <= 1 || gap {
		return
	}
	// Ingest stores a punch whose predecessor is missing only with the
	// chain_gap flag, and refuses one whose prev does not match.
	adjacent := prev.device == cur.device && prev.seq == cur.seq-1
	switch {
	case !adjacent:
		rep.problem("punch %s: seq %d of device %s is missing and the punch is not flagged %s", id, cur.seq-1, cur.device, wire.FlagChainGap)
	case prev.hash != p.Prev:
		rep.problem("punch %s: its prev is not the hash of seq %d of device %s", id, prev.seq, cur.device)
	}
}

// sigBatch collects signatures to verify in parallel.
type sigBatch struct {
	pubs, bodies, sigs [][]byte
	ids                []string
}

// sigBatchSize bounds the bodies held before they are verified.
const sigBatchSize = 1024

func (b *sigBatch) add(rep *Report, pub, body, sig []byte, id string) {
	b.pubs = append(b.pubs, pub)
	b.bodies = append(b.bodies, body)
	b.sigs = append(b.sigs, sig)
	b.ids = append(b.ids, id)
	if len(b.ids) == sigBatchSize {
		b.flush(rep)
	}
}

// flush verifies the collected signatures on all cores (Ed25519
// verification is most of Verify's time) and reports, in order, those
// that fail.
func (b *sigBatch) flush(rep *Report) {
	ok := make([]bool, len(b.ids))
	workers := runtime.GOMAXPROCS(0)
	per := (len(b.ids) + workers - 1) / max(workers, 1)
	var wg sync.WaitGroup
	for lo := 0; lo < len(b.ids); lo += per {
		hi := min(lo+per, len(b.ids))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				ok[i] = ed25519.Verify(b.pubs[i], b.bodies[i], b.sigs[i])
			}
		})
	}
	wg.Wait()
	for i, good := range ok {
		if !good {
			rep.problem("punch %s: signature does not verify with its device's key", b.ids[i])
		}
	}
	*b = sigBatch{pubs: b.pubs[:0], bodies: b.bodies[:0], sigs: b.sigs[:0], ids: b.ids[:0]}
}
