package storm_test

import (
	"context"
	"flag"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/store"
	"punchclock/server/internal/storm"
)

var (
	kiosks = flag.Int("storm.kiosks", 200, "simulated kiosks")
	each   = flag.Int("storm.each", 10, "punches each kiosk sends per storm, one per request")
)

// backends names a fresh database of each kind, as punchd's DB setting.
var backends = []struct {
	name string
	db   func(testing.TB) string
}{
	{"sqlite", func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "p.db") }},
	{"postgres", func(tb testing.TB) string { return pgtest.NewDB(tb) }},
}

// BenchmarkStorm is the shift-change storm: storm.kiosks kiosks send
// storm.each punches each, one per request, all at once, to a punchd on
// a fresh database; then the same rows go into another fresh database of
// the same server with plain multi-row INSERTs, 100 rows a transaction
// (the baseline). Each iteration is one storm and its baseline, so the
// two see the same disk. "single" is punchd without group commit (every
// batch its own transaction, as before), "group" with it.
//
// It reports the storm's punches/s, its request latencies (p50, p99,
// max), p99/p50, the baseline's punches/s and ratio-% (storm /
// baseline), and the process's CPU time per punch during the storm
// (cpu-us/punch: the server and the kiosks' client, and SQLite; not
// PostgreSQL's own processes). Targets: ratio-% >= 25 and p99/p50 <= 5.
func BenchmarkStorm(b *testing.B) {
	for _, be := range backends {
		for _, mode := range []struct {
			name string
			size int
		}{{"single", 1}, {"group", sqlstore.DefaultGroupCommit}} {
			b.Run(be.name+"/"+mode.name, func(b *testing.B) {
				ctx := context.Background()
				m, err := punchd.Open(ctx, punchd.Config{DB: be.db(b), DataDir: b.TempDir(), WebDir: b.TempDir(), Log: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				db := m.Store.(*sqlstore.DB)
				db.SetGroupCommit(mode.size)
				ks, err := storm.Seed(ctx, m.Store, *kiosks, 100, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				if err := m.Listen("127.0.0.1:0"); err != nil {
					b.Fatal(err)
				}
				go m.Serve()
				bst, err := punchd.OpenStore(ctx, be.db(b))
				if err != nil {
					b.Fatal(err)
				}
				defer bst.Close()
				defer func() {
					for _, k := range ks {
						k.Close()
					}
				}()
				// Warm up: connections open, devices cached and seen.
				if _, err := storm.Run(ctx, m.URL(), ks, 1, time.Now); err != nil {
					b.Fatal(err)
				}
				copied := map[string]bool{}
				copyRows := func() []store.StoredPunch {
					all, err := m.Store.Punches(ctx, store.PunchFilter{})
					if err != nil {
						b.Fatal(err)
					}
					var rows []store.StoredPunch
					for _, p := range all {
						if !copied[p.ID] {
							copied[p.ID] = true
							rows = append(rows, p)
						}
					}
					return rows
				}
				copyRows() // the warm-up's
				stats0 := db.GroupStats()
				var res storm.Result
				var base time.Duration
				var basePunches int
				b.ResetTimer()
				for range b.N {
					r, err := storm.Run(ctx, m.URL(), ks, *each, time.Now)
					if err != nil {
						b.Fatal(err)
					}
					res.Add(r)
					b.StopTimer()
					rows := copyRows()
					b.StartTimer()
					d, err := storm.Baseline(ctx, bst.(*sqlstore.DB), rows, 100)
					if err != nil {
						b.Fatal(err)
					}
					base += d
					basePunches += len(rows)
				}
				b.StopTimer()
				if basePunches != res.Punches {
					b.Fatalf("%d punches acknowledged, %d stored", res.Punches, basePunches)
				}
				p50, p99 := res.Quantile(0.50), res.Quantile(0.99)
				baseRate := float64(basePunches) / base.Seconds()
				b.ReportMetric(res.Rate(), "punches/s")
				b.ReportMetric(ms(p50), "p50-ms")
				b.ReportMetric(ms(p99), "p99-ms")
				b.ReportMetric(ms(res.Max()), "max-ms")
				b.ReportMetric(float64(p99)/float64(p50), "p99/p50")
				b.ReportMetric(baseRate, "baseline-punches/s")
				b.ReportMetric(100*res.Rate()/baseRate, "ratio-%")
				if res.CPU > 0 {
					b.ReportMetric(float64(res.CPUPerPunch())/float64(time.Microsecond), "cpu-us/punch")
				}
				if st := db.GroupStats(); st.Groups > stats0.Groups {
					b.ReportMetric(float64(st.Handled-stats0.Handled)/float64(st.Groups-stats0.Groups), "batches/group")
					b.ReportMetric(100*(st.Busy-stats0.Busy).Seconds()/res.Elapsed.Seconds(), "committer-busy-%")
				}
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
