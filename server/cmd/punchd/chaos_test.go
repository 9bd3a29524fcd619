package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/backup"
	"punchclock/server/internal/device"
	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/proxytest"
	"punchclock/server/internal/punchd"
	"punchclock/server/internal/store"
)

// The chaos suite's settings, from the environment (make chaos sets a
// longer form); the defaults are the short form make test runs.
const (
	chaosSeedEnv     = "PUNCHCLOCK_CHAOS_SEED"     // replays a run's kill instants and punches
	chaosKiosksEnv   = "PUNCHCLOCK_CHAOS_KIOSKS"   // default 8
	chaosDurationEnv = "PUNCHCLOCK_CHAOS_DURATION" // per mode, before the drain; default 25s
	chaosKillsEnv    = "PUNCHCLOCK_CHAOS_KILLS"    // per mode; default 6
)

type chaosSettings struct {
	seed     uint64
	kiosks   int
	duration time.Duration
	kills    int
}

func chaosConfig(t *testing.T) chaosSettings {
	t.Helper()
	c := chaosSettings{seed: uint64(time.Now().UnixNano()), kiosks: 8, duration: 25 * time.Second, kills: 6}
	var err error
	if v := os.Getenv(chaosSeedEnv); v != "" {
		if c.seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("%s: %v", chaosSeedEnv, err)
		}
	}
	if v := os.Getenv(chaosKiosksEnv); v != "" {
		if c.kiosks, err = strconv.Atoi(v); err != nil || c.kiosks < 1 {
			t.Fatalf("%s=%q: want a positive number", chaosKiosksEnv, v)
		}
	}
	if v := os.Getenv(chaosDurationEnv); v != "" {
		if c.duration, err = time.ParseDuration(v); err != nil || c.duration <= 0 {
			t.Fatalf("%s=%q: want a duration such as 3m", chaosDurationEnv, v)
		}
	}
	if v := os.Getenv(chaosKillsEnv); v != "" {
		if c.kills, err = strconv.Atoi(v); err != nil || c.kills < 0 {
			t.Fatalf("%s=%q: want a number", chaosKillsEnv, v)
		}
	}
	return c
}

// TestChaos is the chaos suite: simulated kiosks sign and chain punches
// and send them in batches, resending what was not acknowledged, while
// punchd is killed with SIGKILL at random instants and started again; on
// SQLite with one punchd, and on PostgreSQL with two behind haproxy. At
// the end every punch a kiosk made is stored exactly once, byte for byte
// as signed, every acknowledged one among them, and every chain holds.
// The seed printed replays the kill instants, the instances killed and
// the punches (PUNCHCLOCK_CHAOS_SEED); make chaos runs a longer form.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos suite kills punchd for a minute or more; skipped with -short")
	}
	cfg := chaosConfig(t)
	t.Logf("chaos: seed %d (replay with %s=%d), %d kiosks, %v and %d kills per mode", cfg.seed, chaosSeedEnv, cfg.seed, cfg.kiosks, cfg.duration, cfg.kills)
	t.Run("sqlite", func(t *testing.T) {
		data := t.TempDir()
		runChaos(t, cfg, newCluster(t, filepath.Join(data, "p.db"), data, 1))
	})
	t.Run("postgres", func(t *testing.T) {
		runChaos(t, cfg, newCluster(t, pgtest.NewDB(t), t.TempDir(), 2))
	})
}

// cluster is the punchd instances of one mode, each on a fixed address so
// that a restarted one is where the proxy expects it.
type cluster struct {
	t     *testing.T
	db    string
	data  string
	web   string
	addrs []string
	procs []*punchdProc
	// base is where kiosks send: the one instance, or the proxy.
	base string
}

func newCluster(t *testing.T, db, data string, n int) *cluster {
	c := &cluster{t: t, db: db, data: data, web: t.TempDir()}
	for range n {
		port, err := proxytest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		c.addrs = append(c.addrs, "127.0.0.1:"+port)
		c.procs = append(c.procs, nil)
	}
	for i := range n {
		c.start(i) // the first seeds the demo organisation
	}
	c.base = "http://" + c.addrs[0]
	if n > 1 {
		c.base = proxytest.Start(t, c.addrs).URL
	}
	return c
}

// start starts instance i and waits until it answers its health check.
func (c *cluster) start(i int) {
	c.t.Helper()
	args := []string{"-db", c.db, "serve", "-addr", c.addrs[i], "-data", c.data, "-web", c.web, "-trust-proxy", "127.0.0.1"}
	if i == 0 {
		args = append(args, "-demo")
	}
	p := startPunchd(c.t, args)
	c.procs[i] = p
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get("http://" + c.addrs[i] + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			c.t.Fatalf("punchd %d ended before it served:\n%s", i, p.output())
		case <-time.After(20 * time.Millisecond): // polling interval
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("punchd %d does not answer its health check after a minute (%v):\n%s", i, err, p.output())
		}
	}
}

// chaosKiosk is a simulated kiosk: it makes signed, chained punches into
// its outbox and sends the outbox's oldest in batches until they are
// acknowledged.
type chaosKiosk struct {
	id    string
	key   ed25519.PrivateKey
	site  string
	emps  []attendance.Employee
	chain wire.Chain
	rng   *rand.Rand

	outbox []wire.SignedPunch
	made   int
	// acked holds every acknowledged punch as the kiosk signed it.
	acked    map[string]wire.SignedPunch
	requests int
	failed   map[string]int // failed requests by status (or "network")
	resent   int            // punches answered duplicate: stored by a request whose answer was lost
	rejected []string
}

// enrollChaosKiosks enrolls n kiosks at the demo's Shanghai store
// directly in the store: the enrollment limiter, which the test does not
// exercise, would otherwise hold them back.
func enrollChaosKiosks(t *testing.T, db string, n int, seed uint64) []*chaosKiosk {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, db)
	defer st.Close()
	svc := &device.Service{Store: st, Now: time.Now}
	var ks []*chaosKiosk
	for i := range n {
		code, _, err := svc.IssueCode(ctx, "sh-jingan", time.Hour, "chaos")
		if err != nil {
			t.Fatal(err)
		}
		pub, key, _ := ed25519.GenerateKey(nil)
		resp, err := svc.Enroll(ctx, wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: pub, Name: fmt.Sprintf("chaos kiosk %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		var emps []attendance.Employee
		for _, e := range resp.Pull.Employees {
			if e.Active && e.BadgeCode != "" {
				emps = append(emps, e)
			}
		}
		if len(emps) == 0 {
			t.Fatal("the demo store has no employee with a badge")
		}
		ks = append(ks, &chaosKiosk{id: resp.DeviceID, key: key, site: resp.Site.ID, emps: emps,
			rng: rand.New(rand.NewPCG(seed, uint64(i))), acked: map[string]wire.SignedPunch{}, failed: map[string]int{}})
	}
	return ks
}

// makePunches adds 1 to 3 signed badge punches made now to the outbox.
func (k *chaosKiosk) makePunches(t *testing.T) {
	now := time.Now().UTC()
	for range 1 + k.rng.IntN(3) {
		e := k.emps[k.rng.IntN(len(k.emps))]
		id, _ := uuid.NewV7()
		p := attendance.Punch{ID: id.String(), EmployeeID: e.ID, DeviceID: k.id, SiteID: k.site, Method: attendance.MethodBadge,
			DeviceTime: now, EstTime: now, Evidence: attendance.Evidence{BadgeCode: e.BadgeCode}}
		sp, next, err := k.chain.Next(&p, k.key)
		if err != nil {
			t.Error(err)
			return
		}
		k.chain = next
		k.outbox = append(k.outbox, sp)
		k.made++
	}
}

// send sends the outbox's oldest punches once and takes the answer; it
// says whether the request was answered.
func (k *chaosKiosk) send(ctx context.Context, client *http.Client, base string) bool {
	batch := k.outbox[:min(len(k.outbox), 50)]
	now := time.Now().UTC()
	body, _ := json.Marshal(wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: k.id, SentAt: now, Punches: batch})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/device/punches", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", wire.SignRequest(k.id, k.key, http.MethodPost, "/api/v1/device/punches", now, body))
	k.requests++
	resp, err := client.Do(req)
	if err != nil {
		k.failed["network"]++
		return false
	}
	defer resp.Body.Close()
	var br wire.BatchResponse
	if resp.StatusCode != http.StatusOK {
		k.failed[strconv.Itoa(resp.StatusCode)]++
		return false
	}
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil || len(br.Results) != len(batch) {
		k.failed["garbled answer"]++ // the connection dropped mid-answer
		return false
	}
	for i, r := range br.Results {
		switch r.Status {
		case wire.StatusAccepted:
		case wire.StatusDuplicate:
			k.resent++
		default:
			k.rejected = append(k.rejected, fmt.Sprintf("%s seq %d: %s %s %s", r.ID, r.Seq, r.Status, r.Code, r.Message))
			continue
		}
		k.acked[r.ID] = batch[i]
	}
	k.outbox = k.outbox[len(batch):]
	return true
}

// run makes and sends punches until produce ends, then sends what is
// left until the outbox is empty or drain ends. Waits between batches
// and after a failure come from the kiosk's seeded generator.
func (k *chaosKiosk) run(t *testing.T, produce, drain context.Context, base string) {
	client := &http.Client{Timeout: 15 * time.Second}
	backoff := 50 * time.Millisecond
	for {
		producing := produce.Err() == nil
		if producing && len(k.outbox) < 200 {
			k.makePunches(t)
		}
		if len(k.outbox) == 0 {
			if !producing {
				return
			}
		} else if k.send(drain, client, base) {
			backoff = 50 * time.Millisecond
		} else {
			backoff = min(2*backoff, time.Second)
		}
		if drain.Err() != nil {
			return
		}
		pause := time.Duration(20+k.rng.IntN(180)) * time.Millisecond
		if len(k.failed) > 0 && backoff > 50*time.Millisecond {
			pause = backoff/2 + time.Duration(k.rng.Int64N(int64(backoff/2)))
		}
		select {
		case <-drain.Done():
			return
		case <-time.After(pause): // the kiosk's pace, not a synchronisation
		}
	}
}

// runChaos runs the kiosks against c for cfg.duration while killing its
// instances cfg.kills times, lets the kiosks drain their outboxes, and
// checks the store.
func runChaos(t *testing.T, cfg chaosSettings, c *cluster) {
	began := time.Now()
	kiosks := enrollChaosKiosks(t, c.db, cfg.kiosks, cfg.seed)
	rng := rand.New(rand.NewPCG(cfg.seed, 1<<40))
	at := make([]time.Duration, cfg.kills)
	for i := range at {
		at[i] = time.Duration(rng.Int64N(int64(cfg.duration)))
	}
	slices.Sort(at)

	produce, stop := context.WithTimeout(context.Background(), cfg.duration)
	defer stop()
	drain, stopDrain := context.WithTimeout(context.Background(), cfg.duration+2*time.Minute)
	defer stopDrain()
	var wg sync.WaitGroup
	for _, k := range kiosks {
		wg.Go(func() { k.run(t, produce, drain, c.base) })
	}

	// The killer: at each instant, SIGKILL a random instance, leave it
	// down a random moment, start it again and wait until it serves.
	start := time.Now()
	var downtime time.Duration
	killed := make([]int, len(c.procs))
	for _, when := range at {
		select {
		case <-produce.Done():
		case <-time.After(time.Until(start.Add(when))): // the seeded kill instant
		}
		i := rng.IntN(len(c.procs))
		down := time.Duration(rng.IntN(400)) * time.Millisecond
		t0 := time.Now()
		c.procs[i].kill()
		killed[i]++
		time.Sleep(down) // stays down this long: the fault, drawn from the seed
		c.start(i)
		downtime += time.Since(t0)
	}
	<-produce.Done()
	wg.Wait()
	if drain.Err() != nil {
		t.Errorf("kiosks did not empty their outboxes within two minutes of the end")
	}

	var made, acked, requests, resent, left int
	failed := map[string]int{}
	for _, k := range kiosks {
		made += k.made
		acked += len(k.acked)
		requests += k.requests
		resent += k.resent
		left += len(k.outbox)
		for s, n := range k.failed {
			failed[s] += n
		}
		for _, r := range k.rejected {
			t.Errorf("kiosk %s: punch rejected: %s", k.id, r)
		}
	}
	t.Logf("chaos %s: %v from enrollment to drained (%v producing), %d kills %v (instances down %v in all), %d kiosks made %d punches, %d acknowledged, %d left unacknowledged, %d requests, failed %v, %d punches answered duplicate on resend",
		t.Name(), time.Since(began).Round(100*time.Millisecond), cfg.duration, cfg.kills, killed, downtime.Round(10*time.Millisecond),
		len(kiosks), made, acked, left, requests, failed, resent)
	if left > 0 {
		t.Errorf("%d punches never acknowledged", left)
	}

	// Stop the instances, then compare the store with what the kiosks
	// signed and were acknowledged.
	for _, p := range c.procs {
		p.kill()
	}
	ctx := context.Background()
	st := openStore(t, c.db)
	defer st.Close()
	var err error
	for _, k := range kiosks {
		checkStored(t, st, k)
	}
	var rep backup.Report
	if punchd.IsPostgres(c.db) {
		rep, err = backup.VerifyPostgres(ctx, c.db)
	} else {
		rep, err = backup.Verify(ctx, c.db)
	}
	if err != nil || rep.NProblems > 0 || rep.Gaps > 0 {
		t.Errorf("verification of every punch signature and chain: %v, %d problems %v, %d chain gaps", err, rep.NProblems, rep.Problems, rep.Gaps)
	}
	t.Logf("chaos %s: store verified: %d punches of %d devices, signatures and chains hold", t.Name(), rep.Punches, rep.Devices)
}

// checkStored: the kiosk's punches are stored once each, exactly the
// bytes it signed, as one unbroken chain, and every one it made was
// acknowledged.
func checkStored(t *testing.T, st store.Store, k *chaosKiosk) {
	t.Helper()
	stored, err := st.Punches(context.Background(), store.PunchFilter{DeviceID: k.id})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(k.acked) || len(k.acked) != k.made {
		t.Errorf("kiosk %s: made %d punches, %d acknowledged, %d stored", k.id, k.made, len(k.acked), len(stored))
	}
	slices.SortFunc(stored, func(a, b store.StoredPunch) int { return cmp.Compare(a.Seq, b.Seq) })
	seen := map[string]bool{}
	var prev string
	for i, p := range stored {
		sp, ok := k.acked[p.ID]
		switch {
		case seen[p.ID]:
			t.Errorf("kiosk %s: punch %s stored twice", k.id, p.ID)
		case !ok:
			t.Errorf("kiosk %s: punch %s stored but never acknowledged", k.id, p.ID)
		case !bytes.Equal(p.Body, sp.Body) || !bytes.Equal(p.Sig, sp.Sig):
			t.Errorf("kiosk %s: punch %s stored with other bytes than signed", k.id, p.ID)
		case p.Seq != uint64(i+1) || p.Prev != prev || p.Hash != wire.HashBody(p.Body):
			t.Errorf("kiosk %s: chain broken at punch %s (seq %d, position %d)", k.id, p.ID, p.Seq, i+1)
		case p.Status != store.PunchAccepted || slices.Contains(p.Flags, wire.FlagChainGap):
			t.Errorf("kiosk %s: punch %s stored %s %v", k.id, p.ID, p.Status, p.Flags)
		}
		seen[p.ID] = true
		prev = p.Hash
	}
}

// openStore opens the store at db (the caller closes it).
func openStore(t *testing.T, db string) store.Store {
	t.Helper()
	st, err := punchd.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
