package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"punchclock/server/internal/backup"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/sqlite"
)

// BenchmarkBackup backs up, then verifies, a database of 100,000 punches
// from 20 kiosks (made once, before the timer), and reports the time of
// each step and the backup's size.
func BenchmarkBackup(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	live := filepath.Join(dir, "punchclock.db")
	st, err := sqlite.Open(ctx, live)
	if err != nil {
		b.Fatal(err)
	}
	svc := punch.New(st, clock)
	for _, k := range seed(b, st, 20) {
		for range 50 {
			ingest(b, svc, k.batch(b, 100, false))
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	var copyT, verifyT time.Duration
	var size int64
	n := 0
	for b.Loop() {
		dest := filepath.Join(dir, fmt.Sprintf("b%d.db", n))
		n++
		start := time.Now()
		c, err := backup.Backup(ctx, live, dest)
		if err != nil {
			b.Fatal(err)
		}
		copyT += time.Since(start)
		start = time.Now()
		rep, err := backup.Verify(ctx, dest)
		if err != nil || rep.Punches != 100_000 {
			b.Fatalf("verify: %d punches, %v", rep.Punches, err)
		}
		verifyT += time.Since(start)
		size = c.Size
		os.Remove(dest)
	}
	b.ReportMetric(float64(copyT.Milliseconds())/float64(n), "backup-ms")
	b.ReportMetric(float64(verifyT.Milliseconds())/float64(n), "verify-ms")
	b.ReportMetric(float64(size)/(1<<20), "MiB")
}
