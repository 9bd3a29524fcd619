package sqlstore

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Take takes a token from the bucket key, which holds at most burst
// tokens and gains one every every; it says whether there was one. One
// statement reads, refills and takes, so concurrent requests, of this
// punchd or another on the same database, never take the same token.
func (s *DB) Take(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (bool, error) {
	if err := checkText("rate limit key", key); err != nil {
		return false, err
	}
	if every <= 0 || burst < 1 {
		return false, fmt.Errorf("sqlstore: take %s: a bucket needs a refill interval and at least one token", key)
	}
	least := "min"
	if s.d.Name == "postgres" {
		least = "LEAST"
	}
	// The tokens the bucket holds now: what it held, plus the refill since
	// (never negative, should the clock step back), capped at burst.
	refill := fmt.Sprintf(`%s(?, rate_limits.tokens + (%s(excluded.at_ms - rate_limits.at_ms, 0) * 1.0 / ?))`, least, greatest(s.d.Name))
	q := s.Rebind(`INSERT INTO rate_limits (key, tokens, at_ms) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET tokens = ` + refill + ` - 1, at_ms = excluded.at_ms
		WHERE ` + refill + ` >= 1`)
	everyMS := float64(every.Milliseconds())
	res, err := s.db.ExecContext(ctx, q, key, float64(burst-1), ms(now), float64(burst), everyMS, float64(burst), everyMS)
	if err != nil {
		return false, fmt.Errorf("sqlstore: take %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlstore: take %s: %w", key, err)
	}
	if n > 0 && ms(now)%64 == 0 {
		// Now and then, forget the buckets that have been full for an hour.
		s.db.ExecContext(ctx, s.Rebind(`DELETE FROM rate_limits WHERE at_ms < ?`), ms(now.Add(-time.Hour-time.Duration(burst)*every)))
	}
	return n > 0, nil
}

func greatest(dialect string) string {
	if dialect == "postgres" {
		return "GREATEST"
	}
	return "max"
}

// TakeWait is Take that, when the bucket is empty, reads what it holds
// and says how long until it holds a whole token again: at least a
// millisecond, at most every.
func (s *DB) TakeWait(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (time.Duration, error) {
	ok, err := s.Take(ctx, key, now, every, burst)
	if err != nil || ok {
		return 0, err
	}
	var tokens float64
	var at int64
	err = s.db.QueryRowContext(ctx, s.Rebind(`SELECT tokens, at_ms FROM rate_limits WHERE key = ?`), key).Scan(&tokens, &at)
	if err != nil {
		return 0, notFound(err, "take "+key)
	}
	// What the bucket holds now (as Take counted it), and the time the
	// rest of one token takes to come.
	held := min(float64(burst), tokens+float64(max(ms(now)-at, 0))/float64(every.Milliseconds()))
	wait := time.Duration(math.Ceil((1-held)*float64(every.Milliseconds()))) * time.Millisecond
	return min(max(wait, time.Millisecond), every), nil
}
