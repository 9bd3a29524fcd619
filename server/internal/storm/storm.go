// Package storm is a shift-change storm: many simulated kiosks, each
// signing and chaining its punches as a real kiosk does (Ed25519, one hash
// chain per device), send them one punch per request to a punchd at the
// same time. It measures the throughput and the latency of every request,
// and the baseline the figures are judged against: plain multi-row
// INSERTs of the same rows into the same schema.
//
// BenchmarkStorm (make bench) runs it on SQLite and PostgreSQL.
package storm

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/sqlstore"
	"punchclock/server/internal/store"
)

// Site is where Seed puts its employees and kiosks.
const Site = "storm"

// Kiosk is a simulated kiosk: its id, its key and its chain head.
type Kiosk struct {
	ID    string
	Key   ed25519.PrivateKey
	Chain wire.Chain
	conn  *Conn // Run's connection
}

// Seed puts a site, a department, employees e0…e(employees-1) and kiosks
// enrolled at now in st.
func Seed(ctx context.Context, st store.Store, kiosks, employees int, now time.Time) ([]*Kiosk, error) {
	if _, err := st.PutSite(ctx, attendance.Site{ID: Site, Name: "Storm", Zone: "Asia/Shanghai"}); err != nil {
		return nil, err
	}
	if _, err := st.PutDepartment(ctx, attendance.Department{ID: "d-storm", Name: "Storm"}); err != nil {
		return nil, err
	}
	for i := range employees {
		e := attendance.Employee{ID: fmt.Sprintf("e%d", i), Name: "N", DepartmentID: "d-storm", SiteID: Site, Active: true}
		if _, err := st.PutEmployee(ctx, e); err != nil {
			return nil, err
		}
	}
	ks := make([]*Kiosk, kiosks)
	for i := range ks {
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			return nil, err
		}
		code := fmt.Sprintf("storm-code-%d", i)
		if err := st.PutEnrollCode(ctx, store.EnrollCode{Hash: code, SiteID: Site, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			return nil, err
		}
		dev, err := st.Enroll(ctx, code, attendance.Device{ID: fmt.Sprintf("k%03d", i), Name: "K", PublicKey: pub, QRSecret: []byte("storm-qr-secret!")}, now)
		if err != nil {
			return nil, err
		}
		ks[i] = &Kiosk{ID: dev.ID, Key: priv}
	}
	return ks, nil
}

// Sign makes, signs and chains the kiosk's next punch: employee emp
// badged in at device time at.
func (k *Kiosk) Sign(emp string, at time.Time) (wire.SignedPunch, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return wire.SignedPunch{}, err
	}
	return k.SignPunch(attendance.Punch{ID: id.String(), EmployeeID: emp, Method: attendance.MethodBadge, DeviceTime: at, EstTime: at})
}

// SignPunch signs p as the kiosk's next punch (it sets the device, the
// seq and the link to the punch before).
func (k *Kiosk) SignPunch(p attendance.Punch) (wire.SignedPunch, error) {
	p.DeviceID = k.ID
	sp, next, err := k.Chain.Next(&p, k.Key)
	if err != nil {
		return wire.SignedPunch{}, err
	}
	k.Chain = next
	return sp, nil
}

// Batch is a batch request as a kiosk sends it: its body and its
// Authorization header.
type Batch struct {
	Body []byte
	Auth string
}

// pathPunches is where kiosks send their batches.
const pathPunches = "/api/v1/device/punches"

// Prepare makes the batch request of ps, sent at sentAt, signed as the
// kiosk does.
func (k *Kiosk) Prepare(sentAt time.Time, ps []wire.SignedPunch) (Batch, error) {
	body, err := json.Marshal(wire.BatchRequest{Protocol: wire.ProtocolVersion, DeviceID: k.ID, SentAt: sentAt, Punches: ps})
	if err != nil {
		return Batch{}, err
	}
	return Batch{Body: body, Auth: wire.SignRequest(k.ID, k.Key, "POST", pathPunches, sentAt, body)}, nil
}

// Result is one storm's measure.
type Result struct {
	Punches int
	Elapsed time.Duration
	// Latencies of every request, sorted.
	Latencies []time.Duration
	// CPU is the processor time the whole process (the server, the
	// kiosks' HTTP client, and a database linked in) used while the
	// clock ran: unlike the rate, it hardly moves with what else the
	// machine runs. Zero where it is not measured.
	CPU time.Duration
}

// CPUPerPunch is the process's processor time per punch.
func (r Result) CPUPerPunch() time.Duration {
	if r.Punches == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Punches)
}

// Rate is the punches acknowledged per second.
func (r Result) Rate() float64 { return float64(r.Punches) / r.Elapsed.Seconds() }

// Quantile is the q-quantile (0…1) of the request latencies.
func (r Result) Quantile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, int(q*float64(len(r.Latencies))))]
}

// Add adds o's punches, time and latencies to r.
func (r *Result) Add(o Result) {
	r.Punches += o.Punches
	r.Elapsed += o.Elapsed
	r.CPU += o.CPU
	r.Latencies = append(r.Latencies, o.Latencies...)
	slices.Sort(r.Latencies)
}

// Max is the slowest request.
func (r Result) Max() time.Duration { return r.Quantile(1) }

// Run has every kiosk send each punches, one per request and each request
// after the answer to the one before, all kiosks at once, each on its own
// keep-alive connection (Conn, opened on its first run); now is the
// kiosks' clock. Punches and their requests are signed and written to the
// byte before the clock starts: on the shop floor each kiosk signs on its
// own processor, while here the kiosks share the server's two cores
// (signing and encoding the requests inside the clock took 0.5 s of CPU
// against the server's 2.4 s in a profile of BenchmarkStorm). Sending
// them and reading the answers stays inside. Every punch must come back
// accepted: the answers are decoded and checked after the clock stops.
func Run(ctx context.Context, base string, ks []*Kiosk, each int, now func() time.Time) (Result, error) {
	host := ""
	for _, k := range ks {
		if k.conn == nil {
			c, err := Dial(ctx, base)
			if err != nil {
				return Result{}, err
			}
			k.conn = c
		}
		host = k.conn.addr
	}
	reqs := make([][][]byte, len(ks))
	for i, k := range ks {
		for j := range each {
			sp, err := k.Sign(fmt.Sprintf("e%d", (i*each+j)%100), now())
			if err != nil {
				return Result{}, err
			}
			b, err := k.Prepare(now(), []wire.SignedPunch{sp})
			if err != nil {
				return Result{}, err
			}
			reqs[i] = append(reqs[i], b.Wire(host))
		}
	}
	answers := make([][]answer, len(ks))
	errs := make([]error, len(ks))
	for i := range answers {
		answers[i] = make([]answer, 0, each)
	}
	var wg sync.WaitGroup
	cpu0, start := processCPU(), time.Now()
	for i, k := range ks {
		wg.Go(func() {
			for _, req := range reqs[i] {
				t0 := time.Now()
				status, body, err := k.conn.Do(ctx, req, nil)
				if err != nil {
					errs[i] = fmt.Errorf("storm: kiosk %s: %w", k.ID, err)
					return
				}
				answers[i] = append(answers[i], answer{status, body, time.Since(t0)})
			}
		})
	}
	wg.Wait()
	r := Result{Punches: len(ks) * each, Elapsed: time.Since(start), CPU: processCPU() - cpu0}
	for i, k := range ks {
		if errs[i] != nil {
			return r, errs[i]
		}
		for _, a := range answers[i] {
			var resp wire.BatchResponse
			if a.status != http.StatusOK {
				return r, fmt.Errorf("storm: kiosk %s: %d %s", k.ID, a.status, a.body)
			}
			if err := json.Unmarshal(a.body, &resp); err != nil {
				return r, fmt.Errorf("storm: kiosk %s: %w", k.ID, err)
			}
			if len(resp.Results) != 1 || resp.Results[0].Status != wire.StatusAccepted {
				return r, fmt.Errorf("storm: kiosk %s: punch not accepted: %+v", k.ID, resp.Results)
			}
			r.Latencies = append(r.Latencies, a.latency)
		}
	}
	slices.Sort(r.Latencies)
	return r, nil
}

// Close closes the kiosk's connection, if Run opened one.
func (k *Kiosk) Close() error {
	if k.conn == nil {
		return nil
	}
	err := k.conn.Close()
	k.conn = nil
	return err
}

// Baseline writes rows into db with plain multi-row INSERTs, size rows
// per transaction, and returns the time it took.
func Baseline(ctx context.Context, db *sqlstore.DB, rows []store.StoredPunch, size int) (time.Duration, error) {
	start := time.Now()
	for len(rows) > 0 {
		n := min(size, len(rows))
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		if err := db.InsertPunchesPlain(ctx, tx, rows[:n]); err != nil {
			tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		rows = rows[n:]
	}
	return time.Since(start), nil
}
