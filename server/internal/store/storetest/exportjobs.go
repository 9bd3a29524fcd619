package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

// testExportJobs: a job reads back as stored; claims take the oldest
// queued job once, then a running job only when its lease ran out (a
// runner that died), each claim a new attempt; a stale attempt's writes
// are refused; expired jobs are deleted and named.
func testExportJobs(t *testing.T, s store.Store) {
	spec := json.RawMessage(`{"report":"monthly"}`)
	for i, id := range []string{"j1", "j2"} {
		mustDo(s.PutExportJob(ctx, store.ExportJob{ID: id, Owner: "token:t1", Spec: spec, State: store.JobQueued, CreatedAt: T0.Add(time.Duration(i) * time.Second)}))
	}
	if err := s.PutExportJob(ctx, store.ExportJob{ID: "j1", Owner: "x", Spec: spec, State: store.JobQueued, CreatedAt: T0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a job id stored twice: %v, want ErrConflict", err)
	}
	if j := must(s.ExportJob(ctx, "j1")); j.Owner != "token:t1" || string(j.Spec) != string(spec) || j.State != store.JobQueued || !j.CreatedAt.Equal(T0) || j.Attempt != 0 {
		t.Errorf("job = %+v", j)
	}
	if _, err := s.ExportJob(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown job: %v", err)
	}
	lease := T0.Add(time.Minute)
	a := must(s.ClaimExportJob(ctx, "r1", T0, lease))
	b := must(s.ClaimExportJob(ctx, "r1", T0, lease))
	if a.ID != "j1" || b.ID != "j2" || a.State != store.JobRunning || a.Attempt != 1 || !a.StartedAt.Equal(T0) || !a.LeaseUntil.Equal(lease) {
		t.Fatalf("claims: %+v, %+v", a, b)
	}
	if _, err := s.ClaimExportJob(ctx, "r1", T0.Add(30*time.Second), lease); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claimed a running job within its lease: %v", err)
	}
	// a renews its lease and goes on; b's runner dies: b is claimed again.
	a.Done, a.Total, a.LeaseUntil = 3, 10, T0.Add(2*time.Minute)
	mustDo(s.UpdateExportJob(ctx, a))
	again := must(s.ClaimExportJob(ctx, "r2", T0.Add(90*time.Second), T0.Add(3*time.Minute)))
	if again.ID != "j2" || again.Attempt != 2 || again.Done != 0 || again.Runner != "r2" {
		t.Errorf("claimed again: %+v", again)
	}
	b.Done = 5
	if err := s.UpdateExportJob(ctx, b); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a stale attempt wrote: %v, want ErrConflict", err)
	}
	// Finished: done, with a size and an expiry.
	a.State, a.Done, a.Size, a.FinishedAt, a.ExpiresAt = store.JobDone, 10, 1234, T0.Add(2*time.Minute), T0.Add(24*time.Hour)
	mustDo(s.UpdateExportJob(ctx, a))
	if j := must(s.ExportJob(ctx, "j1")); j.State != store.JobDone || j.Done != 10 || j.Total != 10 || j.Size != 1234 || !j.FinishedAt.Equal(T0.Add(2*time.Minute)) || !j.ExpiresAt.Equal(T0.Add(24*time.Hour)) {
		t.Errorf("finished job = %+v", j)
	}
	// r2 dies and starts again: it queues its running job, and claims it.
	if n := must(s.RequeueExportJobs(ctx, "r1")); n != 0 {
		t.Errorf("r1 requeued %d jobs it does not run", n)
	}
	if n := must(s.RequeueExportJobs(ctx, "r2")); n != 1 {
		t.Errorf("r2 requeued %d jobs, want 1", n)
	}
	if j := must(s.ClaimExportJob(ctx, "r2", T0.Add(100*time.Second), T0.Add(4*time.Minute))); j.ID != "j2" || j.Attempt != 3 {
		t.Errorf("requeued and claimed: %+v", j)
	}
	if _, err := s.ClaimExportJob(ctx, "r3", T0.Add(48*time.Hour), T0.Add(49*time.Hour)); err != nil {
		t.Errorf("j2, its lease run out, is not claimed: %v", err) // a done job is never claimed
	}
	if _, err := s.ClaimExportJob(ctx, "r3", T0.Add(48*time.Hour), T0.Add(49*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a done job was claimed: %v", err)
	}
	if ids := must(s.DeleteExportJobs(ctx, T0.Add(24*time.Hour-time.Millisecond))); len(ids) != 0 {
		t.Errorf("deleted before their expiry: %v", ids)
	}
	if ids := must(s.DeleteExportJobs(ctx, T0.Add(24*time.Hour))); !slices.Equal(ids, []string{"j1"}) {
		t.Errorf("deleted %v, want [j1]", ids)
	}
	if _, err := s.ExportJob(ctx, "j1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired job is still there: %v", err)
	}
	if err := s.UpdateExportJob(ctx, a); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of a deleted job: %v, want ErrNotFound", err)
	}
}

// testTakeWait: an empty bucket says how long until its next token, from
// what it holds; a bucket with a token gives it and says 0.
func testTakeWait(t *testing.T, s store.Store) {
	wait := func(at time.Time) time.Duration {
		t.Helper()
		return must(s.TakeWait(ctx, "token:t1", at, 10*time.Second, 2))
	}
	got := []time.Duration{wait(T0), wait(T0), wait(T0), wait(T0.Add(4 * time.Second))}
	want := []time.Duration{0, 0, 10 * time.Second, 6 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	if w := wait(T0.Add(10 * time.Second)); w != 0 {
		t.Errorf("after 10 s: wait %v, want a token", w)
	}
	if w := wait(T0.Add(10 * time.Second)); w != 10*time.Second {
		t.Errorf("the token just taken: wait %v, want 10s", w)
	}
}
