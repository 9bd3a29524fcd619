package punchd_test

import (
	"crypto/ed25519"
	"testing"
	"time"

	"punchclock/app/wire"
)

// TestStaleSignature: a signed request is worth something for
// wire.RequestWindow either side of the server's time. A pull captured on
// the network and replayed 40 days later is refused, as is a batch signed
// by a clock three hours slow; the refusal carries the server's time, and
// the same body signed again with it goes through, its punches stored once.
// Identity comes first: an unknown key is unauthorized, whatever its time.
func TestStaleSignature(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		clk := &clock{t: t0}
		m, admin := server(t, db, clk)
		base := m.URL()
		k := enroll(t, base, issueCode(t, base, admin, "sh-jingan"), clk)
		const path = "/api/v1/device/pull?cursor="
		pull := func(auth string) (int, wire.ErrorBody) {
			t.Helper()
			return call(t, "GET", base+path, auth, nil, nil)
		}
		captured := wire.SignRequest(k.id, k.key, "GET", path, clk.Now(), nil)
		if st, eb := pull(captured); st != 200 {
			t.Fatalf("fresh pull: %d %+v", st, eb)
		}
		for _, d := range []time.Duration{wire.RequestWindow - time.Second, -wire.RequestWindow + time.Second} {
			if st, eb := pull(wire.SignRequest(k.id, k.key, "GET", path, clk.Now().Add(d), nil)); st != 200 {
				t.Errorf("pull signed %v from the server's time: %d %+v", d, st, eb)
			}
		}
		clk.Set(t0.Add(40 * 24 * time.Hour))
		st, eb := pull(captured)
		if st != 401 || eb.Error.Code != wire.CodeStale || !eb.ServerTime.Equal(clk.Now()) {
			t.Errorf("pull replayed 40 days later: %d %+v, want 401 stale with the server's time %v", st, eb, clk.Now())
		}
		_, stranger, _ := ed25519.GenerateKey(nil)
		if st, eb := pull(wire.SignRequest(k.id, stranger, "GET", path, t0, nil)); st != 401 || eb.Error.Code != wire.CodeUnauthorized || !eb.ServerTime.IsZero() {
			t.Errorf("stale pull with another key: %d %+v, want unauthorized without the server's time", st, eb)
		}

		// A tablet three hours slow that has not learnt its offset.
		slow := clk.Now().Add(-3 * time.Hour)
		body := jsonBody(t, wire.BatchRequest{Protocol: 1, DeviceID: k.id, SentAt: slow, Punches: []wire.SignedPunch{k.punch("E001", slow), k.punch("E002", slow)}})
		st, eb = call(t, "POST", base+"/api/v1/device/punches", wire.SignRequest(k.id, k.key, "POST", "/api/v1/device/punches", slow, body), body, nil)
		if st != 401 || eb.Error.Code != wire.CodeStale || eb.ServerTime.IsZero() {
			t.Fatalf("batch signed 3 h slow: %d %+v, want 401 stale", st, eb)
		}
		offset := eb.ServerTime.Sub(slow)
		var resp wire.BatchResponse
		st, eb = call(t, "POST", base+"/api/v1/device/punches", wire.SignRequest(k.id, k.key, "POST", "/api/v1/device/punches", slow.Add(offset), body), body, &resp)
		if st != 200 || statuses(resp.Results) != "accepted accepted" {
			t.Fatalf("the same batch signed again with the server's time: %d %+v %s", st, eb, statuses(resp.Results))
		}
	})
}
