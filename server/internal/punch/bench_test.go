package punch_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
	"punchclock/server/internal/storm"
)

// BenchmarkIngest compares batch ingest (decode, signature and chain
// checks, badge and clock resolution, idempotency, insert, all in one
// transaction per batch) with a baseline of plain multi-row INSERTs of the
// same rows into the same table, one transaction per batch, on each
// database.
//
// The two alternate batch by batch, each on its own fresh database of the
// same server, so both see the same disk: commit times here vary a lot
// from minute to minute, and two runs one after the other compare the disk
// more than the code. It reports each side's punches/s and their ratio.
//
// Run with a fixed count, e.g. -benchtime=200x: every iteration needs
// fresh punches, signed before the timer starts.
func BenchmarkIngest(b *testing.B) {
	for _, be := range sqlstoretest.Backends() {
		for _, size := range []int{100, 1} {
			b.Run(fmt.Sprintf("%s/batch=%d", be.Name, size), func(b *testing.B) {
				ctx := context.Background()
				si, sb := be.Open(b), be.Open(b)
				defer si.Close()
				defer sb.Close()
				fi, fb := seedBench(b, si), seedBench(b, sb)
				ingest := make([][]wire.SignedPunch, b.N)
				plain := make([][]store.StoredPunch, b.N)
				for i := range b.N {
					for j := range size {
						emp := fmt.Sprintf("e%d", (i*size+j)%100)
						ingest[i] = append(ingest[i], fi.next(b, emp))
						plain[i] = append(plain[i], storedRow(b, fb.next(b, emp), fb.chain))
					}
				}
				// As the HTTP layer does: the device authenticated from its
				// cache, read again inside the ingest transaction.
				dev, err := si.Device(ctx, "dev1")
				if err != nil {
					b.Fatal(err)
				}
				var ti, tb time.Duration
				b.ResetTimer()
				for i := range b.N {
					t0 := time.Now()
					resp, err := fi.svc.Ingest(ctx, dev, wire.BatchRequest{Protocol: 1, DeviceID: "dev1", SentAt: t0, Punches: ingest[i]}, "127.0.0.1")
					if err != nil || resp.Results[0].Status != wire.StatusAccepted {
						b.Fatalf("ingest: %v %+v", err, resp.Results)
					}
					t1 := time.Now()
					if _, err := storm.Baseline(ctx, sb, plain[i], size); err != nil {
						b.Fatal(err)
					}
					ti, tb = ti+t1.Sub(t0), tb+time.Since(t1)
				}
				n := float64(b.N * size)
				b.ReportMetric(n/ti.Seconds(), "ingest-punches/s")
				b.ReportMetric(n/tb.Seconds(), "baseline-punches/s")
				b.ReportMetric(100*tb.Seconds()/ti.Seconds(), "ratio-%")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

func seedBench(b *testing.B, s *sqlstore.DB) *fixture {
	ctx := context.Background()
	s.PutSite(ctx, attendance.Site{ID: "s1", Name: "S", Zone: "Asia/Shanghai"})
	s.PutDepartment(ctx, attendance.Department{ID: "d1", Name: "D"})
	for i := range 100 {
		s.PutEmployee(ctx, attendance.Employee{ID: fmt.Sprintf("e%d", i), Name: "N", DepartmentID: "d1", BadgeCode: fmt.Sprintf("B%d", i), Active: true})
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	s.PutEnrollCode(ctx, store.EnrollCode{Hash: "c", SiteID: "s1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if _, err := s.Enroll(ctx, "c", attendance.Device{ID: "dev1", PublicKey: pub, QRSecret: []byte("k")}, t0); err != nil {
		b.Fatal(err)
	}
	return &fixture{st: s, svc: punch.New(s, func() time.Time { return t0 }), key: priv}
}

// storedRow is the row ingest writes for sp, made without ingest.
func storedRow(b *testing.B, sp wire.SignedPunch, c wire.Chain) store.StoredPunch {
	var p attendance.Punch
	if err := json.Unmarshal(sp.Body, &p); err != nil {
		b.Fatal(err)
	}
	p.SiteID = "s1"
	return store.StoredPunch{Punch: p, Body: sp.Body, Sig: sp.Sig, Hash: c.Hash, ReceivedAt: t0, TrueTime: p.EstTime, Status: store.PunchAccepted, Addr: "127.0.0.1"}
}
