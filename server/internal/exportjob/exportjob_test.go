package exportjob_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"punchclock/server/internal/dayrec"
	"punchclock/server/internal/demo/demotest"
	"punchclock/server/internal/exportjob"
	"punchclock/server/internal/report"
	"punchclock/server/internal/store"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func hash(s string) string { return "h-" + s }

// job is a stored job of the demo's retail sheet, in state, claimed by
// runner until lease.
func job(id, state, runner string, lease time.Time) store.ExportJob {
	return store.ExportJob{ID: id, Owner: "token:t", State: state, Runner: runner, Attempt: 1, LeaseUntil: lease, CreatedAt: now,
		Spec: []byte(`{"report":"monthly","department_id":"retail","from":"2026-11-16","to":"2026-11-20","format":"csv","lang":"en"}`)}
}

// waitState polls the store until job id is in state.
func waitState(t *testing.T, st store.Store, id, state string) store.ExportJob {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		j, err := st.ExportJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == state {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s after a minute, want %s", id, j.State, state)
		}
		time.Sleep(10 * time.Millisecond) // a polling step
	}
}

// TestResume: a punchd starting again runs again the jobs it was running
// when it stopped, at once (their leases still run); one whose runner
// died elsewhere is run once its lease ran out, one whose runner is alive
// is left to it.
func TestResume(t *testing.T) {
	st, _ := demotest.Seeded(t, func() time.Time { return now }, hash)
	ctx := context.Background()
	dir := t.TempDir()
	for _, j := range []store.ExportJob{
		job("j-mine", store.JobRunning, "me", now.Add(time.Hour)),
		job("j-dead", store.JobRunning, "elsewhere", now.Add(-time.Second)),
		job("j-alive", store.JobRunning, "elsewhere", now.Add(time.Hour)),
	} {
		if err := st.PutExportJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	// A partial file of the interrupted run is replaced.
	if err := os.WriteFile(filepath.Join(dir, "j-mine.csv"), []byte("half a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &exportjob.Runner{Store: st, Days: &dayrec.Service{Store: st, Now: func() time.Time { return now }}, Dir: dir, ID: "me", Now: func() time.Time { return now }}
	stop, err := r.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var want []byte
	{
		x := report.Exporter{Days: r.Days, Store: st}
		e, err := exportjob.Spec{Report: "monthly", DepartmentID: "retail", From: "2026-11-16", To: "2026-11-20"}.Export("")
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "want.csv")
		w, _ := os.Create(f)
		if err := x.Write(ctx, w, e); err != nil {
			t.Fatal(err)
		}
		w.Close()
		want, _ = os.ReadFile(f)
	}
	for _, id := range []string{"j-mine", "j-dead"} {
		j := waitState(t, st, id, store.JobDone)
		got, err := os.ReadFile(filepath.Join(dir, id+".csv"))
		if err != nil || string(got) != string(want) || j.Attempt != 2 || j.Runner != "me" || j.Done != 18 || j.Total != 18 || j.Size != int64(len(want)) {
			t.Errorf("%s: %+v, file %d bytes (%v), want %d", id, j, len(got), err, len(want))
		}
	}
	stop()
	if j, err := st.ExportJob(ctx, "j-alive"); err != nil || j.State != store.JobRunning || j.Runner != "elsewhere" || j.Attempt != 1 {
		t.Errorf("a job another live punchd runs: %+v %v", j, err)
	}
}

// TestFailure: a job whose department went away fails with a message
// that says why, and expires like a finished one.
func TestFailure(t *testing.T) {
	st, _ := demotest.Seeded(t, func() time.Time { return now }, hash)
	ctx := context.Background()
	j := job("j-gone", store.JobQueued, "", time.Time{})
	j.Spec = []byte(`{"report":"monthly","department_id":"gone","from":"2026-11-16","to":"2026-11-20","format":"csv","lang":"en"}`)
	if err := st.PutExportJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	r := &exportjob.Runner{Store: st, Days: &dayrec.Service{Store: st, Now: func() time.Time { return now }}, Dir: t.TempDir(), ID: "me", Now: func() time.Time { return now }}
	stop, err := r.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	got := waitState(t, st, "j-gone", store.JobFailed)
	if got.Error != `no department "gone"` || !got.FinishedAt.Equal(now) || !got.ExpiresAt.Equal(now.Add(exportjob.DefaultKeep)) {
		t.Errorf("failed job: %+v", got)
	}
	if left, _ := filepath.Glob(filepath.Join(r.Dir, "*")); len(left) != 0 {
		t.Errorf("a failed job left files: %v", left)
	}
}

// counting is a store that counts the jobs running at once: claimed and
// not yet finished.
type counting struct {
	store.Store
	mu            sync.Mutex
	running, most int
}

func (c *counting) ClaimExportJob(ctx context.Context, runner string, now, lease time.Time) (store.ExportJob, error) {
	j, err := c.Store.ClaimExportJob(ctx, runner, now, lease)
	if err == nil {
		c.mu.Lock()
		c.running++
		c.most = max(c.most, c.running)
		c.mu.Unlock()
	}
	return j, err
}

func (c *counting) UpdateExportJob(ctx context.Context, j store.ExportJob) error {
	err := c.Store.UpdateExportJob(ctx, j)
	if err == nil && (j.State == store.JobDone || j.State == store.JobFailed) {
		c.mu.Lock()
		c.running--
		c.mu.Unlock()
	}
	return err
}

// TestWorkers: however many jobs are asked for, no more run at once than
// the runner has workers, and every one gets done.
func TestWorkers(t *testing.T) {
	for _, workers := range []int{1, 2} {
		t.Run(strconv.Itoa(workers), func(t *testing.T) {
			st, _ := demotest.Seeded(t, func() time.Time { return now }, hash)
			c := &counting{Store: st}
			r := &exportjob.Runner{Store: c, Days: &dayrec.Service{Store: st, Now: func() time.Time { return now }}, Dir: t.TempDir(), Workers: workers, Now: func() time.Time { return now }}
			stop, err := r.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			e, err := exportjob.Spec{Report: "anomalies", DepartmentID: "hq", From: "2026-11-01", To: "2026-11-30"}.Export("")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for range 6 {
				j, err := r.Submit(context.Background(), "token:t", e)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, j.ID)
			}
			for _, id := range ids {
				waitState(t, st, id, store.JobDone)
			}
			// A job is done in the store a moment before its worker
			// counts it finished (counting's UpdateExportJob): wait for
			// the count too.
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
				c.mu.Lock()
				running, most := c.running, c.most
				c.mu.Unlock()
				if running == 0 || time.Now().After(deadline) {
					if most < 1 || most > workers || running != 0 {
						t.Errorf("%d workers: at most %d jobs ran at once, %d still running", workers, most, running)
					}
					break
				}
			}
		})
	}
}
