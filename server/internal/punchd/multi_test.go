package punchd_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"punchclock/app/wire"
	"punchclock/server/internal/postgres/pgtest"
	"punchclock/server/internal/proxytest"
	"punchclock/server/internal/punchd"
)

// instances opens n punchd on one database (the first seeds the demo)
// that trust the proxy on the loopback, each on its own port.
func instances(t *testing.T, db string, clk *clock, n int) []*punchd.Main {
	t.Helper()
	trust, err := punchd.ParsePrefixes("127.0.0.1/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	var ms []*punchd.Main
	for i := range n {
		ms = append(ms, serve(t, punchd.Config{DB: db, DataDir: t.TempDir(), Demo: i == 0, Now: clk.Now, WebDir: t.TempDir(), TrustProxies: trust}))
	}
	return ms
}

// sendVia posts a signed batch of k to base and returns the status and
// the instance that answered (through the proxy).
func sendVia(t *testing.T, k *kiosk, base string, ps []wire.SignedPunch) (int, string, wire.BatchResponse) {
	t.Helper()
	body := jsonBody(t, wire.BatchRequest{Protocol: 1, DeviceID: k.id, SentAt: k.clk.Now(), Punches: ps})
	req, _ := http.NewRequest("POST", base+"/api/v1/device/punches", bytes.NewReader(body))
	req.Header.Set("Authorization", wire.SignRequest(k.id, k.key, "POST", "/api/v1/device/punches", k.clk.Now(), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out wire.BatchResponse
	if resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, proxytest.Instance(resp), out
}

// hostPort is a base URL's host:port.
func hostPort(t *testing.T, base string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestManyServersOnePostgres runs three punchd on one PostgreSQL database
// behind haproxy: a kiosk enrolled through the proxy has its batches
// served by every instance, a revocation through one instance is refused
// by all of them within seconds (their caches dropped on the database's
// notice, also after the listening session was cut), and the enrollment
// limiter counts the tries of one address across instances.
func TestManyServersOnePostgres(t *testing.T) {
	clk := &clock{t: t0}
	db := pgtest.NewDB(t)
	ms := instances(t, db, clk, 3)
	admin := ms[0].Demo.AdminToken
	var backends []string
	for _, m := range ms {
		backends = append(backends, hostPort(t, m.URL()))
	}
	proxy := proxytest.Start(t, backends)

	k := enroll(t, proxy.URL, issueCode(t, proxy.URL, admin, "sh-jingan"), clk)
	other := enroll(t, proxy.URL, issueCode(t, proxy.URL, admin, "sh-jingan"), clk)
	served := map[string]int{}
	for i := range 6 {
		st, inst, resp := sendVia(t, k, proxy.URL, []wire.SignedPunch{k.punch("E004", t0.Add(time.Duration(i-10)*time.Minute))})
		if st != 200 || statuses(resp.Results) != "accepted" {
			t.Fatalf("batch %d through the proxy: %d %s", i, st, statuses(resp.Results))
		}
		served[inst]++
	}
	if len(served) != 3 {
		t.Fatalf("batches served by %v: want all three instances", served)
	}
	// Every instance now holds both devices in its cache.
	for _, kk := range []*kiosk{k, other} {
		auth := wire.SignRequest(kk.id, kk.key, "POST", "/api/v1/device/punches", clk.Now(), nil)
		for i, m := range ms {
			if _, err := m.API.Devices.Identify(context.Background(), auth); err != nil {
				t.Fatalf("instance %d does not know %s: %v", i, kk.id, err)
			}
		}
	}

	revoke := func(via *punchd.Main, kk *kiosk) {
		t.Helper()
		if st, eb := call(t, "POST", via.URL()+"/api/v1/admin/devices/"+kk.id+"/revoke", "Bearer "+admin, nil, nil); st != 200 {
			t.Fatalf("revoke: %d %+v", st, eb)
		}
		start := time.Now()
		auth := wire.SignRequest(kk.id, kk.key, "POST", "/api/v1/device/punches", clk.Now(), nil)
		for i, m := range ms {
			waitFor(t, 5*time.Second, "instance to refuse the revoked device before reading a body", func() bool {
				_, err := m.API.Devices.Identify(context.Background(), auth)
				return err != nil
			})
			if st, _, _ := sendVia(t, kk, m.URL(), []wire.SignedPunch{kk.punch("E005", t0.Add(time.Hour))}); st != 401 {
				t.Errorf("instance %d takes a batch of revoked %s: %d", i, kk.id, st)
			}
		}
		t.Logf("revocation of %s via %s effective on all instances after %v", kk.id, via.URL(), time.Since(start).Round(time.Millisecond))
	}
	revoke(ms[1], k)
	if st, inst, _ := sendVia(t, k, proxy.URL, []wire.SignedPunch{k.punch("E005", t0.Add(2*time.Hour))}); st != 401 {
		t.Errorf("revoked device through the proxy (%s): %d", inst, st)
	}

	// Cut every instance's listening session: each opens it again and
	// forgets its cache, so a revocation is still seen everywhere.
	admDB := pgtest.Admin(t)
	dbName := strings.TrimPrefix(must(url.Parse(db)).Path, "/")
	waitFor(t, 10*time.Second, "three listening sessions", func() bool {
		var n int
		admDB.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'punchd revocations'`, dbName).Scan(&n)
		return n == 3
	})
	if _, err := admDB.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'punchd revocations'`, dbName); err != nil {
		t.Fatal(err)
	}
	revoke(ms[2], other)

	// The enrollment limiter: ten tries of one address, whichever
	// instance takes them, then rate_limited on every instance.
	clk.Set(t0.Add(24 * time.Hour)) // a full bucket
	body := jsonBody(t, wire.EnrollRequest{Protocol: 1, Code: "AAAA-BBBB-CCCC", PublicKey: k.key.Public().(ed25519.PublicKey)})
	limited := map[string]int{}
	var codes []int
	for range 13 {
		resp, err := http.Post(proxy.URL+"/api/v1/devices/enroll", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == 429 {
			limited[proxytest.Instance(resp)]++
		}
	}
	if want := "[401 401 401 401 401 401 401 401 401 401 429 429 429]"; fmt.Sprint(codes) != want {
		t.Errorf("enrollment tries through the proxy: %v, want %s", codes, want)
	}
	if len(limited) != 3 {
		t.Errorf("rate_limited answered by %v: want all three instances", limited)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// waitFor polls cond until it holds, or fails the test after within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
}
