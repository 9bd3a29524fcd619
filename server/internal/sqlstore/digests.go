package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/store"
)

// Punch digests (table punch_digests, migration 0015) keep what the rules
// engine reads of an employee's accepted punches, one row per employee and
// bucket of digestBucket of true time: a company's month is read as about
// 50,000 rows rather than 440,000, each of which costs the driver far more
// than its bytes.
//
// A digest is a cache that cannot go stale unnoticed. Punches are
// append-only (the database refuses UPDATE and DELETE), so the punches of
// an employee's bucket only ever grow, and a digest built from n of them
// is that set exactly while the bucket still holds n. Each read counts the
// page's punches per employee and bucket from the (employee_id,
// true_time_ms) index alone, uses the digests whose count matches, and
// rebuilds the others from the punches, writing them back for the next
// read. Ingest does not touch them: a shift-change storm pays nothing.

// digestBucket is the width of a digest's bucket of true time. Only the
// buckets a new punch falls in are rebuilt, so a narrow one keeps a month's
// report quick while today's punches arrive; a 31-day range with its edge
// days spans five or six.
const digestBucket = 8 * 24 * time.Hour

const digestBucketMS = int64(digestBucket / time.Millisecond)

// digestVersion is the first byte of a digest's data; a digest of another
// version is rebuilt. Version 2 added the place typed on the weak-GPS
// route (attendance.Evidence.Place).
const digestVersion = 2

// leanOK reports whether f can be served from digests, and why not.
func leanOK(f store.PunchFilter) error {
	switch {
	case !f.ByEmployee || len(f.EmployeeIDs) == 0 || f.Status != store.PunchAccepted:
		return errors.New("lean punches need ByEmployee, EmployeeIDs and Status accepted")
	case f.EmployeeID != "" || f.DeviceID != "" || f.SiteID != "" || f.AfterID != "" || f.Limit != 0:
		return errors.New("lean punches take no employee, device, site, cursor or limit")
	case f.From.IsZero() || f.To.IsZero():
		return errors.New("lean punches need From and To")
	}
	return nil
}

type digestKey struct {
	emp    string
	bucket int64
}

// eachLean serves EachPunch for f.Lean: the accepted punches of
// f.EmployeeIDs in [f.From, f.To), each employee's by true time then id,
// employees in byte order, with the fields the rules engine reads.
func (s *DB) eachLean(ctx context.Context, f store.PunchFilter, fn func(p *store.StoredPunch) error) error {
	if err := leanOK(f); err != nil {
		return fmt.Errorf("sqlstore: punches: %w", err)
	}
	from, to := ms(f.From), ms(f.To)
	lo, hi := from/digestBucketMS, (to+digestBucketMS-1)/digestBucketMS
	emps := slices.Sorted(slices.Values(f.EmployeeIDs))
	emps = slices.Compact(emps)

	// How many punches each employee's buckets hold, from the index: one
	// row per employee, read in the index's order (grouping by bucket
	// too would sort).
	counts := map[digestKey]int64{}
	cond, args := in(s, "employee_id", emps)
	var cols strings.Builder
	for b := lo; b < hi; b++ {
		fmt.Fprintf(&cols, ", COUNT(*) FILTER (WHERE true_time_ms < %d)", (b+1)*digestBucketMS)
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(`SELECT employee_id`+cols.String()+` FROM punches
		WHERE `+cond+` AND true_time_ms >= ? AND true_time_ms < ? GROUP BY employee_id`), append(args, lo*digestBucketMS, hi*digestBucketMS)...)
	if err != nil {
		return fmt.Errorf("sqlstore: punch counts: %w", err)
	}
	cum := make([]int64, hi-lo)
	dest := make([]any, 1+len(cum))
	for i := range cum {
		dest[1+i] = &cum[i]
	}
	for rows.Next() {
		var emp string
		dest[0] = &emp
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return fmt.Errorf("sqlstore: punch counts: %w", err)
		}
		// The columns count up to each bucket's end: a bucket's own
		// count is the difference.
		for i, prev := range cum {
			if i > 0 {
				prev -= cum[i-1]
			}
			if prev > 0 {
				counts[digestKey{emp, lo + int64(i)}] = prev
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: punch counts: %w", err)
	}

	// The digests that still hold their bucket's punches.
	fresh := map[digestKey][]store.StoredPunch{}
	rows, err = s.db.QueryContext(ctx, s.Rebind(`SELECT employee_id, bucket, n, data FROM punch_digests
		WHERE `+cond+` AND bucket >= ? AND bucket < ?`), append(args, lo, hi)...)
	if err != nil {
		return fmt.Errorf("sqlstore: punch digests: %w", err)
	}
	for rows.Next() {
		var k digestKey
		var n int64
		var data []byte
		if err := rows.Scan(&k.emp, &k.bucket, &n, &data); err != nil {
			rows.Close()
			return fmt.Errorf("sqlstore: punch digests: %w", err)
		}
		if n != counts[k] {
			continue
		}
		ps, err := decodeDigest(k.emp, data)
		if err != nil {
			continue // rebuilt below
		}
		fresh[k] = ps
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: punch digests: %w", err)
	}

	// The employees with a bucket to rebuild: their punches, read whole.
	var stale []string
	for k := range counts {
		if _, ok := fresh[k]; !ok {
			stale = append(stale, k.emp)
		}
	}
	if len(stale) > 0 {
		built, err := s.buildDigests(ctx, slices.Compact(slices.Sorted(slices.Values(stale))), lo, hi)
		if err != nil {
			return err
		}
		for k, ps := range built {
			if _, ok := fresh[k]; !ok {
				fresh[k] = ps
			}
		}
	}

	for _, emp := range emps {
		for b := lo; b < hi; b++ {
			for i := range fresh[digestKey{emp, b}] {
				p := &fresh[digestKey{emp, b}][i]
				if t := ms(p.TrueTime); t < from || t >= to {
					continue
				}
				if err := fn(p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// buildDigests reads the punches of emps in buckets [lo, hi), makes their
// digests and writes them back. A digest that cannot be written is only
// rebuilt again next time: the answer does not depend on it.
func (s *DB) buildDigests(ctx context.Context, emps []string, lo, hi int64) (map[digestKey][]store.StoredPunch, error) {
	type acc struct {
		n  int64
		ps []store.StoredPunch
	}
	built := map[digestKey]*acc{}
	err := s.EachPunch(ctx, store.PunchFilter{EmployeeIDs: emps, From: fromMS(lo * digestBucketMS), To: fromMS(hi * digestBucketMS),
		ByEmployee: true, NoEvidence: true}, func(p *store.StoredPunch) error {
		k := digestKey{p.EmployeeID, ms(p.TrueTime) / digestBucketMS}
		a := built[k]
		if a == nil {
			a = &acc{}
			built[k] = a
		}
		a.n++
		if p.Status == store.PunchAccepted {
			a.ps = append(a.ps, lean(p))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[digestKey][]store.StoredPunch, len(built))
	keys := make([]digestKey, 0, len(built))
	for k, a := range built {
		out[k] = a.ps
		keys = append(keys, k)
	}
	// In key order: two reads that build the same digests at once lock
	// their rows in the same order (PostgreSQL), never in a cycle.
	slices.SortFunc(keys, func(a, b digestKey) int {
		if c := strings.Compare(a.emp, b.emp); c != 0 {
			return c
		}
		return int(a.bucket - b.bucket)
	})
	// A digest keeps the larger of two concurrent builds: the punches
	// only grow, so it is the newer. An equal one replaces it (a digest
	// of another version is rebuilt from the same punches). One
	// transaction writes them all.
	const perStmt = 200
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for len(keys) > 0 {
			n := min(perStmt, len(keys))
			q := `INSERT INTO punch_digests (employee_id, bucket, n, data) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", ") +
				` ON CONFLICT (employee_id, bucket) DO UPDATE SET n = excluded.n, data = excluded.data WHERE excluded.n >= punch_digests.n`
			args := make([]any, 0, 4*n)
			for _, k := range keys[:n] {
				a := built[k]
				args = append(args, k.emp, k.bucket, a.n, encodeDigest(a.ps))
			}
			if _, err := tx.ExecContext(ctx, s.Rebind(q), args...); err != nil {
				return err
			}
			keys = keys[n:]
		}
		return nil
	})
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// Otherwise a digest not written is a cache miss: the next read
	// rebuilds it.
	return out, nil
}

// lean keeps of p what a digest holds.
func lean(p *store.StoredPunch) store.StoredPunch {
	return store.StoredPunch{
		Punch: attendance.Punch{ID: p.ID, EmployeeID: p.EmployeeID, SiteID: p.SiteID, DeviceID: p.DeviceID,
			Method: p.Method, Direction: p.Direction, Location: p.Location, Evidence: attendance.Evidence{Place: p.Evidence.Place}},
		TrueTime: p.TrueTime, Status: p.Status, Flags: p.Flags, Addr: p.Addr,
	}
}

// encodeDigest writes the accepted punches of one employee's bucket, by
// true time: a version byte, a table of the strings that repeat (site,
// device, method, direction, flags, address, typed place, datum), then each punch as
// its id, its time as a delta and indexes into the table.
func encodeDigest(ps []store.StoredPunch) []byte {
	var table []string
	index := map[string]uint64{}
	idx := func(s string) uint64 {
		i, ok := index[s]
		if !ok {
			i = uint64(len(table))
			index[s] = i
			table = append(table, s)
		}
		return i
	}
	var body []byte
	body = binary.AppendUvarint(body, uint64(len(ps)))
	var prev int64
	for i := range ps {
		p := &ps[i]
		body = binary.AppendUvarint(body, uint64(len(p.ID)))
		body = append(body, p.ID...)
		t := ms(p.TrueTime)
		body = binary.AppendVarint(body, t-prev)
		prev = t
		for _, s := range []string{p.SiteID, p.DeviceID, string(p.Method), string(p.Direction), strings.Join(p.Flags, ","), p.Addr, p.Evidence.Place} {
			body = binary.AppendUvarint(body, idx(s))
		}
		if l := p.Location; l == nil {
			body = append(body, 0)
		} else {
			body = append(body, 1)
			for _, v := range []float64{l.Lat, l.Lng, l.AccuracyM} {
				body = binary.LittleEndian.AppendUint64(body, math.Float64bits(v))
			}
			body = binary.AppendUvarint(body, idx(l.Datum))
		}
	}
	out := []byte{digestVersion}
	out = binary.AppendUvarint(out, uint64(len(table)))
	for _, s := range table {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return append(out, body...)
}

var errDigest = errors.New("sqlstore: malformed punch digest")

// decodeDigest reads encodeDigest's data of employee emp. Its strings
// share one copy of data.
func decodeDigest(emp string, data []byte) ([]store.StoredPunch, error) {
	if len(data) == 0 || data[0] != digestVersion {
		return nil, errDigest
	}
	d := digestReader{s: string(data[1:])}
	table := make([]string, d.uvarint())
	for i := range table {
		table[i] = d.str(d.uvarint())
	}
	str := func() string {
		i := d.uvarint()
		if i >= uint64(len(table)) {
			d.err = errDigest
			return ""
		}
		return table[i]
	}
	n := d.uvarint()
	if n > uint64(len(d.s)) {
		return nil, errDigest
	}
	ps := make([]store.StoredPunch, n)
	var t int64
	for i := range ps {
		p := &ps[i]
		p.ID, p.EmployeeID = d.str(d.uvarint()), emp
		t += d.varint()
		p.TrueTime = fromMS(t)
		p.SiteID, p.DeviceID = str(), str()
		p.Method, p.Direction = attendance.Method(str()), attendance.Direction(str())
		p.Flags, p.Addr = splitFlags(str()), str()
		p.Evidence.Place = str()
		p.Status = store.PunchAccepted
		if d.byte() == 1 {
			l := &attendance.Location{Lat: d.float(), Lng: d.float(), AccuracyM: d.float()}
			l.Datum = str()
			p.Location = l
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	if d.err != nil || len(d.s) != 0 {
		return nil, errDigest
	}
	return ps, nil
}

// digestReader reads a digest's fields from the front of s.
type digestReader struct {
	s   string
	err error
}

func (d *digestReader) uvarint() uint64 {
	var v uint64
	for shift := 0; shift < 64 && len(d.s) > 0; shift += 7 {
		c := d.s[0]
		d.s = d.s[1:]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.err = errDigest
	return 0
}

func (d *digestReader) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *digestReader) str(n uint64) string {
	if n > uint64(len(d.s)) {
		d.err = errDigest
		return ""
	}
	s := d.s[:n]
	d.s = d.s[n:]
	return s
}

func (d *digestReader) byte() byte {
	if len(d.s) == 0 {
		d.err = errDigest
		return 0
	}
	c := d.s[0]
	d.s = d.s[1:]
	return c
}

func (d *digestReader) float() float64 {
	s := d.str(8)
	if len(s) < 8 {
		return 0
	}
	var u uint64
	for i := 7; i >= 0; i-- {
		u = u<<8 | uint64(s[i])
	}
	return math.Float64frombits(u)
}
