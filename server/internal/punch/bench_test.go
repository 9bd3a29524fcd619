package punch_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/postgres"
	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/sqlite"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/store"
)

// BenchmarkIngest compares batch ingest (decode, signature and chain
// checks, badge and clock resolution, idempotency lookups, insert, device
// update, all in one transaction per batch) with a baseline of plain
// multi-row INSERTs of the same rows into the same table, one transaction
// per batch, on each database. `make bench` prints the ratio.
//
// Run with a fixed count, e.g. -benchtime=200x: every iteration needs
// fresh punches, signed before the timer starts.
func BenchmarkIngest(b *testing.B) {
	backends := []struct {
		name string
		open func(b *testing.B) *sqlstore.DB
	}{
		{"sqlite", func(b *testing.B) *sqlstore.DB {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "p.db"))
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"postgres", func(b *testing.B) *sqlstore.DB {
			s, err := postgres.Open(context.Background(), pgtest.NewDB(b))
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	}
	for _, be := range backends {
		for _, size := range []int{100, 1} {
			b.Run(fmt.Sprintf("%s/batch=%d/ingest", be.name, size), func(b *testing.B) {
				s := be.open(b)
				defer s.Close()
				f := seedBench(b, s)
				batches := make([][]wire.SignedPunch, b.N)
				for i := range batches {
					for j := range size {
						batches[i] = append(batches[i], f.next(b, fmt.Sprintf("e%d", (i*size+j)%100)))
					}
				}
				// As the HTTP layer does: the device authenticated from its
				// cache, read again inside the ingest transaction.
				dev, err := s.Device(context.Background(), "dev1")
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := range b.N {
					resp, err := f.svc.Ingest(context.Background(), dev, wire.BatchRequest{Protocol: 1, DeviceID: "dev1", SentAt: t0, Punches: batches[i]}, "127.0.0.1")
					if err != nil || resp.Results[0].Status != wire.StatusAccepted {
						b.Fatalf("ingest: %v %+v", err, resp.Results)
					}
				}
				b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "punches/s")
			})
			b.Run(fmt.Sprintf("%s/batch=%d/baseline", be.name, size), func(b *testing.B) {
				s := be.open(b)
				defer s.Close()
				f := seedBench(b, s)
				// The same rows ingest would write: real bodies and signatures.
				batches := make([][]store.StoredPunch, b.N)
				for i := range batches {
					for j := range size {
						sp := f.next(b, fmt.Sprintf("e%d", (i*size+j)%100))
						batches[i] = append(batches[i], storedRow(b, sp, f.chain))
					}
				}
				b.ResetTimer()
				for i := range b.N {
					if err := plainInsert(s, batches[i]); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "punches/s")
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

// plainInsert is the baseline: one transaction, one multi-row INSERT.
func plainInsert(s *sqlstore.DB, rows []store.StoredPunch) error {
	tx, err := s.SQL().BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	if err := s.InsertPunches(context.Background(), tx, rows); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
