package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"punchclock/app/wire"
	"punchclock/kiosk/syncer"
)

// The decisions, signed calls and tasks the syncer carries besides punches.

// TestDecisions: a manager's decisions made on the kiosk are kept until
// the server answers each, sent once; one on a flow someone closed first
// comes back as a conflict, kept for the manager to see; a second
// decision on a flow decided here is refused on the kiosk.
func TestDecisions(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	e.server.closedFlows = map[string]bool{"f2": true}
	for _, d := range []wire.KioskDecision{{ID: "d1", FlowID: "f1", By: "E002", Approve: true}, {ID: "d2", FlowID: "f2", By: "E002", Approve: false, Reason: "no"}} {
		if err := e.syncer.QueueDecision(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.syncer.QueueDecision(ctx, wire.KioskDecision{ID: "d3", FlowID: "f1", By: "E002"}); err == nil {
		t.Error("a second decision on f1 was queued")
	}
	if err := e.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	ds, err := e.syncer.Decisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, d := range ds {
		got += d.ID + ":" + d.Status + ":" + d.State + " "
	}
	if got != "d1:accepted:approved d2:conflict:rejected " {
		t.Errorf("decisions: %q", got)
	}
	e.server.mu.Lock()
	sent := fmt.Sprint(e.server.decided)
	e.server.mu.Unlock()
	if sent != "[d1 d2]" {
		t.Errorf("the server received %s, want each decision once", sent)
	}
}

// TestCall: a signed request of the phone's own endpoints goes the way of
// Push and Pull: a stale signature teaches the offset and is sent again
// once; a 2xx answer comes back as is, any other as a *wire.Error, and
// unauthorized stops the syncer.
func TestCall(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	e.skew = 3*time.Hour + 7*time.Minute
	st, body, err := e.syncer.Call(ctx, http.MethodGet, syncer.PathPull+"?cursor=", nil)
	if err != nil || st != http.StatusOK || !bytes.Contains(body, []byte(`"cursor"`)) || e.server.stale != 1 {
		t.Fatalf("call: %d %s %v, %d stale answers", st, body, err, e.server.stale)
	}
	if _, _, err := e.syncer.Call(ctx, http.MethodPost, "/api/v1/device/nothing", []byte(`{}`)); wire.CodeOf(err) != wire.CodeNotFound || e.server.stale != 1 {
		t.Errorf("unknown path: %v, %d stale answers", err, e.server.stale)
	}
	e.server.set(func(f *fakeServer) { delete(f.devices, "kiosk-1") })
	if _, _, err := e.syncer.Call(ctx, http.MethodGet, syncer.PathPull, nil); !errors.Is(err, syncer.ErrFatal) || e.status(t).Fatal == nil {
		t.Errorf("unknown device: %v", err)
	}
}

// TestTasks: the functions given to AddTask run at the end of every sync
// that got through, in order, up to the first error, which is the sync's
// (it counts as a failure, and Run backs off); a task may Call, here with
// a photo's content type (CallAs).
func TestTasks(t *testing.T) {
	e := newEnv(t, syncer.Config{})
	var ran []string
	fail := errors.New("task failed")
	var failing bool
	e.syncer.AddTask(func(ctx context.Context) error {
		_, body, err := e.syncer.CallAs(ctx, http.MethodPost, pathEcho, "image/png", []byte("\x89PNG...."))
		ran = append(ran, "a:"+string(body))
		return err
	})
	e.syncer.AddTask(func(ctx context.Context) error {
		ran = append(ran, "b")
		if failing {
			return fail
		}
		return nil
	})
	e.syncer.AddTask(func(ctx context.Context) error { ran = append(ran, "c"); return nil })
	if err := e.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(ran), "[a:{\"size\":8,\"type\":\"image/png\"}\n b c]"; got != want {
		t.Errorf("tasks ran %s, want %s", got, want)
	}
	failing, ran = true, nil
	if err := e.syncer.SyncOnce(ctx); !errors.Is(err, fail) || len(ran) != 2 {
		t.Errorf("a failing task: %v, ran %q", err, ran)
	}
	if st := e.status(t); st.Failures != 1 || st.LastError != fail.Error() {
		t.Errorf("status after a failing task: %+v", st)
	}
	// No task runs when the sync itself fails (the server is down).
	failing, ran = false, nil
	e.server.set(func(f *fakeServer) { f.failNext = []int{503} })
	e.record(t, 1)
	if err := e.syncer.SyncOnce(ctx); err == nil || len(ran) != 0 {
		t.Errorf("a failed push: %v, ran %q", err, ran)
	}
}
