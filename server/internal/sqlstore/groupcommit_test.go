package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/groupcommit"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
	"punchclock/server/internal/storm"
)

var t0 = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

// sent is one batch sent and what ingest answered.
type sent struct {
	name string
	dev  attendance.Device
	req  wire.BatchRequest
	resp wire.BatchResponse
	err  error
}

// TestGroupCommit sends, all at once and behind a held committer so that
// they share transactions, the batches of many kiosks together with
// replays of some of them and bad batches: a punch whose id another
// device's stored punch holds (the database refuses it, which rolls its
// group back), two devices' new punches with one id, a forged signature,
// a broken chain, a device revoked since it was authenticated. Then
// kiosks send freely at once. Every acknowledged punch is stored exactly
// once and byte for byte, refused ones are absent, and the good batches
// are all accepted.
func TestGroupCommit(t *testing.T) {
	for _, be := range sqlstoretest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			st := be.Open(t)
			defer st.Close()
			ks, err := storm.Seed(ctx, st, 40, 100, t0)
			if err != nil {
				t.Fatal(err)
			}
			svc := punch.New(st, func() time.Time { return t0 })
			var all []*sent
			mk := func(name string, k *storm.Kiosk, ps ...wire.SignedPunch) *sent {
				dev, err := st.Device(ctx, k.ID)
				if err != nil {
					t.Fatal(err)
				}
				s := &sent{name: name, dev: dev, req: wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: k.ID, SentAt: t0, Punches: ps}}
				all = append(all, s)
				return s
			}
			sign := func(k *storm.Kiosk, p attendance.Punch) wire.SignedPunch {
				if p.ID == "" {
					sp, err := k.Sign(p.EmployeeID, t0.Add(-time.Minute))
					if err != nil {
						t.Fatal(err)
					}
					return sp
				}
				sp, err := k.SignPunch(p)
				if err != nil {
					t.Fatal(err)
				}
				return sp
			}
			emp := func(i int) attendance.Punch { return attendance.Punch{EmployeeID: fmt.Sprintf("e%d", i%100)} }
			send := func(s *sent) {
				s.resp, s.err = svc.Ingest(ctx, s.dev, s.req, "127.0.0.1")
			}

			// Stored before: k32's punch (whose id k31 will reuse) and
			// k34's first punch.
			held := mk("k32 before", ks[32], sign(ks[32], emp(1)))
			send(held)
			send(mk("k34 before", ks[34], sign(ks[34], emp(2))))

			var wave []*sent
			for i := 1; i <= 30; i++ {
				wave = append(wave, mk(fmt.Sprintf("good %d", i), ks[i], sign(ks[i], emp(i)), sign(ks[i], emp(i+1)), sign(ks[i], emp(i+2))))
			}
			for i := 1; i <= 5; i++ {
				r := *wave[i-1]
				r.name = fmt.Sprintf("replay %d", i)
				all = append(all, &r)
				wave = append(wave, &r)
			}
			var stolen attendance.Punch
			stolen.ID = idOf(t, held.req.Punches[0])
			stolen.EmployeeID = "e5"
			stolen.DeviceTime, stolen.EstTime = t0.Add(-time.Minute), t0.Add(-time.Minute)
			stolen.Method = attendance.MethodBadge
			reuse := mk("reuses k32's id", ks[31], sign(ks[31], emp(4)), sign(ks[31], stolen))
			wave = append(wave, reuse)
			ks[34].Chain.Hash = wire.HashBody([]byte("not the punch at seq 1"))
			broken := mk("broken chain", ks[34], sign(ks[34], emp(6)))
			wave = append(wave, broken)
			revoked := mk("revoked", ks[35], sign(ks[35], emp(7)))
			if err := st.RevokeDevice(ctx, ks[35].ID); err != nil {
				t.Fatal(err)
			}
			wave = append(wave, revoked)
			twinA := mk("twin a", ks[36], sign(ks[36], emp(8)))
			twin := stolen
			twin.ID = idOf(t, twinA.req.Punches[0])
			twinB := mk("twin b", ks[37], sign(ks[37], twin))
			wave = append(wave, twinA, twinB)
			forged := sign(ks[33], emp(9))
			forged.Sig = bytes.Clone(forged.Sig)
			forged.Sig[0] ^= 1
			bad := mk("forged", ks[33], forged)
			// Refused before the store: not queued.
			wave = append(wave, bad)

			// Hold every committer worker in a batch (of k39's, k38's),
			// queue the wave behind them, then let them go.
			var sends []func()
			for _, s := range wave {
				sends = append(sends, func() { send(s) })
			}
			heldBehind(t, st, []*storm.Kiosk{ks[39], ks[38]}, int64(len(wave)-1), sends)

			// Then kiosks send freely, three batches each, all at once.
			var free []*sent
			for i := 1; i <= 30; i++ {
				for j := range 3 {
					free = append(free, mk(fmt.Sprintf("free %d/%d", i, j), ks[i], sign(ks[i], emp(i+j))))
				}
			}
			var wg sync.WaitGroup
			for i := 0; i < 30; i++ {
				wg.Go(func() {
					for j := range 3 {
						send(free[i*3+j])
					}
				})
			}
			wg.Wait()

			check := func(s *sent, want string) {
				t.Helper()
				if s.err != nil {
					t.Errorf("%s: %v", s.name, s.err)
					return
				}
				if got := statusesOf(s.resp.Results); got != want {
					t.Errorf("%s: %s, want %s", s.name, got, want)
				}
			}
			// A batch and its replay: whichever came first is accepted.
			for i, s := range wave[30:35] {
				first, again := wave[i], s
				if statusesOf(s.resp.Results) == "accepted accepted accepted" {
					first, again = s, wave[i]
				}
				check(first, "accepted accepted accepted")
				check(again, "duplicate duplicate duplicate")
			}
			for _, s := range wave[5:30] {
				check(s, "accepted accepted accepted")
			}
			for _, s := range free {
				check(s, "accepted")
			}
			check(reuse, "accepted rejected:conflict")
			check(broken, "rejected:conflict")
			check(bad, "rejected:invalid")
			if revoked.err == nil || wire.CodeOf(revoked.err) != wire.CodeUnauthorized {
				t.Errorf("revoked device: %v %+v", revoked.err, revoked.resp.Results)
			}
			if a, b := statusesOf(twinA.resp.Results), statusesOf(twinB.resp.Results); a+" "+b != "accepted rejected:conflict" && a+" "+b != "rejected:conflict accepted" {
				t.Errorf("two devices, one punch id: %s and %s", a, b)
			}

			// The store holds every accepted punch once, byte for byte,
			// and nothing else.
			stored, err := st.Punches(ctx, store.PunchFilter{})
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]store.StoredPunch{}
			for _, p := range stored {
				if _, ok := byID[p.ID]; ok {
					t.Errorf("punch %s stored twice", p.ID)
				}
				byID[p.ID] = p
			}
			want := 0
			for _, s := range all {
				for i, r := range s.resp.Results {
					sp := s.req.Punches[i]
					p, ok := byID[r.ID]
					switch {
					case r.Status == wire.StatusAccepted:
						want++
						if !ok || !bytes.Equal(p.Body, sp.Body) || !bytes.Equal(p.Sig, sp.Sig) || p.DeviceID != s.req.DeviceID {
							t.Errorf("%s: accepted punch %s is not stored as sent (found %v)", s.name, r.ID, ok)
						}
					case r.Status == wire.StatusRejected && ok && bytes.Equal(p.Body, sp.Body):
						t.Errorf("%s: rejected punch %s is stored", s.name, r.ID)
					}
				}
			}
			if len(stored) != want {
				t.Errorf("%d punches stored, %d accepted", len(stored), want)
			}
			if ps, _ := st.Punches(ctx, store.PunchFilter{DeviceID: ks[35].ID}); len(ps) != 0 {
				t.Errorf("the revoked device has %d punches stored", len(ps))
			}
		})
	}
}

// heldBehind holds every committer worker of st in a batch of one of
// holders' devices, runs each of sends in a goroutine of its own, waits
// until want batches queued behind the held ones, lets them go and waits
// for sends to return. It fails t unless some group held two batches.
func heldBehind(t *testing.T, st interface {
	store.Store
	GroupStats() groupcommit.Stats
}, holders []*storm.Kiosk, want int64, sends []func()) {
	t.Helper()
	release := make(chan struct{})
	errHold := errors.New("held")
	workers := st.GroupStats().Workers
	holdDone := make(chan error, workers)
	for w := range workers {
		holding := make(chan struct{})
		go func() {
			holdDone <- st.Ingest(context.Background(), holders[w].ID, store.IngestKeys{}, func(store.IngestView) (store.IngestPlan, error) {
				close(holding)
				<-release
				return store.IngestPlan{}, errHold
			})
		}()
		<-holding
	}
	var wg sync.WaitGroup
	for _, send := range sends {
		wg.Go(send)
	}
	for end := time.Now().Add(20 * time.Second); st.GroupStats().Queued < want && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	queued := st.GroupStats().Queued
	close(release)
	wg.Wait()
	if queued != want {
		t.Fatalf("%d batches queued behind the held ones, want %d", queued, want)
	}
	for range workers {
		if err := <-holdDone; !errors.Is(err, errHold) {
			t.Fatalf("holder: %v", err)
		}
	}
	if gs := st.GroupStats(); gs.Groups >= gs.Handled {
		t.Errorf("no group held two batches: %+v", gs)
	}
}

// TestGroupCommitMovesDevices: kiosks whose clocks moved send a batch
// each, in one group; each device's new clock offset is stored with its
// punch (on PostgreSQL by one UPDATE for the group's devices).
func TestGroupCommitMovesDevices(t *testing.T) {
	for _, be := range sqlstoretest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			st := be.Open(t)
			defer st.Close()
			ks, err := storm.Seed(ctx, st, 12, 10, t0)
			if err != nil {
				t.Fatal(err)
			}
			svc := punch.New(st, func() time.Time { return t0 })
			const n = 8
			resps := make([]wire.BatchResponse, n)
			errs := make([]error, n)
			var sends []func()
			for i := range n {
				dev, err := st.Device(ctx, ks[i].ID)
				if err != nil {
					t.Fatal(err)
				}
				sp, err := ks[i].Sign(fmt.Sprintf("e%d", i), t0.Add(-time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				req := wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: ks[i].ID, SentAt: t0.Add(-time.Duration(i+2) * time.Second), Punches: []wire.SignedPunch{sp}}
				sends = append(sends, func() { resps[i], errs[i] = svc.Ingest(ctx, dev, req, "") })
			}
			heldBehind(t, st, ks[n:], n, sends)
			for i := range n {
				if errs[i] != nil || statusesOf(resps[i].Results) != "accepted" {
					t.Fatalf("kiosk %d: %v %+v", i, errs[i], resps[i].Results)
				}
				d, err := st.Device(ctx, ks[i].ID)
				if err != nil {
					t.Fatal(err)
				}
				if want := int64(i+2) * 1000; d.OffsetMS != want || !d.SeenAt.Equal(t0) || d.LastSeq != 1 {
					t.Errorf("kiosk %d: offset %d ms, seen %v, head %d; want %d ms, %v, 1", i, d.OffsetMS, d.SeenAt, d.LastSeq, want, t0)
				}
			}
		})
	}
}

func statusesOf(rs []wire.PunchResult) string {
	var b []byte
	for i, r := range rs {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, r.Status...)
		if r.Code != "" {
			b = append(b, ':')
			b = append(b, r.Code...)
		}
	}
	return string(b)
}

func idOf(t *testing.T, sp wire.SignedPunch) string {
	var p attendance.Punch
	if err := json.Unmarshal(sp.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestDeferredSync: on SQLite the group committer commits without waiting
// for the disk and a sync stage makes the commits durable before the
// batches are answered (SetDeferredSync, as package sqlite sets it). A
// batch is not answered while its sync waits; a failed sync is the
// batch's error (transient: the kiosk sends it again), and the batch sent
// again is answered as stored, once.
func TestDeferredSync(t *testing.T) {
	ctx := context.Background()
	st := sqlstoretest.Backends()[0].Open(t)
	defer st.Close()
	ks, err := storm.Seed(ctx, st, 2, 10, t0)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := st.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous=NORMAL`); err != nil {
		t.Fatal(err)
	}
	// The first sync is held and fails; the others pass at once.
	syncing, release := make(chan struct{}, 1), make(chan error)
	var syncs atomic.Int32
	st.SetDeferredSync(conn, func() error {
		if syncs.Add(1) > 1 {
			return nil
		}
		syncing <- struct{}{}
		return <-release
	})
	svc := punch.New(st, func() time.Time { return t0 })
	dev, err := st.Device(ctx, ks[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ks[0].Sign("e1", t0.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	req := wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: ks[0].ID, SentAt: t0, Punches: []wire.SignedPunch{sp}}
	type answer struct {
		resp wire.BatchResponse
		err  error
	}
	send := func() chan answer {
		c := make(chan answer, 1)
		go func() {
			resp, err := svc.Ingest(ctx, dev, req, "")
			c <- answer{resp, err}
		}()
		return c
	}

	first := send()
	<-syncing // committed, not yet answered
	if ps, err := st.Punches(ctx, store.PunchFilter{DeviceID: ks[0].ID}); err != nil || len(ps) != 1 {
		t.Fatalf("committed before the sync: %d punches, %v", len(ps), err)
	}
	select {
	case a := <-first:
		t.Fatalf("answered before its sync: %+v %v", a.resp.Results, a.err)
	default:
	}
	release <- errors.New("fsync: input/output error")
	if a := <-first; a.err == nil || wire.CodeOf(a.err) != wire.CodeTransient {
		t.Fatalf("a failed sync: %v %+v, want transient", a.err, a.resp.Results)
	}

	if a := <-send(); a.err != nil || statusesOf(a.resp.Results) != "duplicate" {
		t.Fatalf("sent again: %v %s, want duplicate", a.err, statusesOf(a.resp.Results))
	}
	if ps, _ := st.Punches(ctx, store.PunchFilter{DeviceID: ks[0].ID}); len(ps) != 1 {
		t.Errorf("%d punches stored, want 1", len(ps))
	}
}
