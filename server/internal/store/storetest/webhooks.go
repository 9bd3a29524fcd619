package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

// testFeed: punches are listed by arrival in [from, to); approvals by the
// change version their start and each change stamp.
func testFeed(t *testing.T, s store.Store) {
	seedOrg(t, s)
	enrollDevice(t, s, "h1", "dev1")
	var ps []store.StoredPunch
	for i := 1; i <= 4; i++ {
		p := punchN(i, T0.Add(-time.Duration(i)*time.Hour))
		p.SiteID, p.ReceivedAt = "s1", T0.Add(time.Duration(i)*time.Minute)
		if i == 4 {
			p.Status, p.Code = store.PunchRejected, "invalid"
		}
		ps = append(ps, p)
	}
	mustDo(ingest(t, s, ps...))
	got := must(s.PunchesReceived(ctx, T0.Add(2*time.Minute), T0.Add(4*time.Minute)))
	if len(got) != 2 || got[0].ID != ps[1].ID || got[1].ID != ps[2].ID {
		t.Fatalf("received in [2m, 4m): %+v, want punches 2 and 3", got)
	}
	if g := got[0]; g.EmployeeID != "e1" || g.SiteID != "s1" || g.DeviceID != "dev1" || g.Method != "badge" || !g.TrueTime.Equal(T0.Add(-2*time.Hour)) || !g.ReceivedAt.Equal(T0.Add(2*time.Minute)) || g.Status != store.PunchAccepted {
		t.Errorf("received punch: %+v", g)
	}
	if got := must(s.PunchesReceived(ctx, T0, T0.Add(time.Hour))); len(got) != 4 || got[3].Status != store.PunchRejected {
		t.Errorf("all received: %+v, want 4 with the rejected one", got)
	}
	if _, err := s.FeedHorizon(ctx); err != nil {
		t.Errorf("feed horizon: %v", err)
	}

	v0 := must(s.Changes(ctx, 0)).Version
	row := store.ApprovalRow{ID: "f1", Kind: "makeup_punch", EmployeeID: "e1", Day: 100, State: "pending", WaitingFor: "e2", CreatedAt: T0, Body: json.RawMessage(`{}`)}
	must2(s.StartApproval(ctx, row))
	row.ID = "f2"
	must2(s.StartApproval(ctx, row))
	v1 := must(s.Changes(ctx, 0)).Version
	if got := must(s.ApprovalsChanged(ctx, v0, v1)); len(got) != 2 || got[0].ID != "f1" || got[1].ID != "f2" || got[0].Version <= v0 || got[1].Version != v1 {
		t.Fatalf("approvals changed in (%d, %d]: %+v", v0, v1, got)
	}
	must(s.UpdateApproval(ctx, "f1", func(a store.ApprovalRow) (store.ApprovalRow, error) {
		a.State, a.WaitingFor, a.ClosedAt = "approved", "", T0.Add(time.Hour)
		return a, nil
	}))
	v2 := must(s.Changes(ctx, 0)).Version
	got2 := must(s.ApprovalsChanged(ctx, v1, v2))
	if len(got2) != 1 || got2[0].ID != "f1" || got2[0].State != "approved" || got2[0].Version != v2 {
		t.Errorf("approvals changed in (%d, %d]: %+v, want f1 decided", v1, v2, got2)
	}
	if got := must(s.ApprovalsChanged(ctx, v2, v2+10)); len(got) != 0 {
		t.Errorf("nothing changed after %d: %+v", v2, got)
	}
}

func endpoint(id string) store.WebhookEndpoint {
	return store.WebhookEndpoint{ID: id, URL: "https://hooks.example/" + id, Events: []string{"punch.accepted", "approval.decided"}, Secret: "whsec_c2VjcmV0", CreatedAt: T0}
}

func delivery(id, ep, ev string, due time.Time) store.WebhookDelivery {
	return store.WebhookDelivery{ID: id, EndpointID: ep, EventID: ev, EventType: "punch.accepted", Payload: `{"type":"punch.accepted"}`, CreatedAt: T0, NextAt: due}
}

// testWebhooks: endpoints, the producer's lease and cursor, enqueueing
// once per event and endpoint, claims under a lease that two claimers
// never share, the log, replay, and deleting an endpoint.
func testWebhooks(t *testing.T, s store.Store) {
	mustDo(s.PutWebhookEndpoint(ctx, endpoint("we2")))
	mustDo(s.PutWebhookEndpoint(ctx, endpoint("we1")))
	e := endpoint("we1")
	e.PrevSecret, e.PrevUntil, e.Secret = e.Secret, T0.Add(24*time.Hour), "whsec_bmV3"
	mustDo(s.PutWebhookEndpoint(ctx, e))
	if got := must(s.WebhookEndpoint(ctx, "we1")); got.Secret != "whsec_bmV3" || got.PrevSecret != "whsec_c2VjcmV0" || !got.PrevUntil.Equal(T0.Add(24*time.Hour)) || !slices.Equal(got.Events, e.Events) || got.URL != e.URL || !got.CreatedAt.Equal(T0) {
		t.Errorf("rotated endpoint: %+v", got)
	}
	if eps := must(s.WebhookEndpoints(ctx)); len(eps) != 2 || eps[0].ID != "we1" || eps[1].ID != "we2" {
		t.Errorf("endpoints: %+v", eps)
	}
	if _, err := s.WebhookEndpoint(ctx, "we9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing endpoint: %v", err)
	}

	// The producer's lease: one holder at a time, until it expires. The
	// feed starts once, where StartWebhookFeed first put it.
	start := store.WebhookFeed{Version: 7, At: T0}
	mustDo(s.StartWebhookFeed(ctx, start))
	mustDo(s.StartWebhookFeed(ctx, store.WebhookFeed{Version: 8, At: T0.Add(time.Hour)}))
	f, ok := must2(s.LeaseWebhookFeed(ctx, "a", T0, T0.Add(time.Minute), store.WebhookFeed{Version: 9}))
	if !ok || f != start {
		t.Fatalf("first lease: %+v %v, want the start", f, ok)
	}
	if _, ok := must2(s.LeaseWebhookFeed(ctx, "b", T0.Add(30*time.Second), T0.Add(2*time.Minute), store.WebhookFeed{})); ok {
		t.Error("b leased the feed a holds")
	}
	next := store.WebhookFeed{Version: 9, At: T0.Add(time.Minute)}
	ds := []store.WebhookDelivery{delivery("d1", "we1", "msg_1", T0), delivery("d2", "we1", "msg_2", T0.Add(time.Second)), delivery("d3", "we2", "msg_1", T0)}
	if err := s.EnqueueWebhooks(ctx, "b", start, next, ds); !errors.Is(err, store.ErrConflict) {
		t.Errorf("b enqueued without the lease: %v", err)
	}
	mustDo(s.EnqueueWebhooks(ctx, "a", start, next, ds))
	if err := s.EnqueueWebhooks(ctx, "a", start, next, ds); !errors.Is(err, store.ErrConflict) {
		t.Errorf("enqueued twice from the same place: %v", err)
	}
	// The same event for the same endpoint is written once.
	mustDo(s.EnqueueWebhooks(ctx, "a", next, next, []store.WebhookDelivery{delivery("d4", "we1", "msg_1", T0)}))
	if _, err := s.WebhookDelivery(ctx, "d4"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an event enqueued twice for an endpoint: %v", err)
	}
	if f, ok := must2(s.LeaseWebhookFeed(ctx, "b", T0.Add(2*time.Minute), T0.Add(3*time.Minute), start)); !ok || f != next {
		t.Errorf("b after a's lease expired: %+v %v, want %+v", f, ok, next)
	}

	// Claims: due and unleased only; two claimers at once share nothing.
	var mu sync.Mutex
	claimed := map[string]string{}
	var wg sync.WaitGroup
	for _, owner := range []string{"x", "y", "z"} {
		wg.Go(func() {
			got, err := s.ClaimWebhookDeliveries(ctx, owner, T0.Add(time.Second), T0.Add(time.Minute), 10)
			if err != nil {
				t.Errorf("claim %s: %v", owner, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range got {
				if o, ok := claimed[d.ID]; ok {
					t.Errorf("%s claimed by %s and %s", d.ID, o, owner)
				}
				claimed[d.ID] = owner
			}
		})
	}
	wg.Wait()
	if len(claimed) != 3 {
		t.Fatalf("claimed %v, want d1, d2 and d3 once each", claimed)
	}
	if got := must(s.ClaimWebhookDeliveries(ctx, "w", T0.Add(30*time.Second), T0.Add(time.Minute), 10)); len(got) != 0 {
		t.Errorf("claimed under a live lease: %+v", got)
	}
	a := store.WebhookAttempt{DeliveryID: "d1", At: T0.Add(time.Second), StatusCode: 500, Error: "answered 500", Duration: 120 * time.Millisecond}
	d1 := delivery("d1", "we1", "msg_1", T0)
	d1.State, d1.Attempt, d1.NextAt = store.DeliveryPending, 1, T0.Add(6*time.Second)
	if err := s.FinishWebhookAttempt(ctx, "nobody", a, d1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finished without the lease: %v", err)
	}
	mustDo(s.FinishWebhookAttempt(ctx, claimed["d1"], a, d1))
	// The lease is over; due again at 6 s.
	if got := must(s.ClaimWebhookDeliveries(ctx, "w", T0.Add(5*time.Second), T0.Add(time.Minute), 10)); len(got) != 0 {
		t.Errorf("claimed before due: %+v", got)
	}
	got := must(s.ClaimWebhookDeliveries(ctx, "w", T0.Add(6*time.Second), T0.Add(time.Minute), 10))
	if len(got) != 1 || got[0].ID != "d1" || got[0].Attempt != 1 || got[0].EventID != "msg_1" || got[0].Payload != `{"type":"punch.accepted"}` {
		t.Fatalf("claimed at 6 s: %+v, want d1 on its second attempt", got)
	}
	// An expired lease is claimed by another.
	if got := must(s.ClaimWebhookDeliveries(ctx, "v", T0.Add(2*time.Minute), T0.Add(3*time.Minute), 10)); len(got) != 3 {
		t.Errorf("claimed after the leases expired: %+v, want d1, d2 and d3", got)
	}
	d1.State, d1.Attempt = store.DeliverySucceeded, 2
	mustDo(s.FinishWebhookAttempt(ctx, "v", store.WebhookAttempt{DeliveryID: "d1", At: T0.Add(2 * time.Minute), StatusCode: 204}, d1))
	log := must(s.WebhookDelivery(ctx, "d1"))
	if log.State != store.DeliverySucceeded || len(log.Attempts) != 2 || log.Attempts[0].N != 1 || log.Attempts[0].StatusCode != 500 || log.Attempts[0].Error != "answered 500" ||
		log.Attempts[0].Duration != 120*time.Millisecond || log.Attempts[1].N != 2 || log.Attempts[1].StatusCode != 204 {
		t.Errorf("d1's log: %+v", log)
	}
	// Replay: pending, due now, attempts counted afresh, the log kept.
	r := must(s.ReplayWebhookDelivery(ctx, "d1", T0.Add(time.Hour)))
	if r.State != store.DeliveryPending || r.Attempt != 0 || !r.NextAt.Equal(T0.Add(time.Hour)) || len(r.Attempts) != 2 || r.EventID != "msg_1" {
		t.Errorf("replayed: %+v", r)
	}
	if got := must(s.ClaimWebhookDeliveries(ctx, "u", T0.Add(time.Hour), T0.Add(2*time.Hour), 10)); len(got) != 3 || got[0].ID != "d1" {
		t.Errorf("claimed after the replay: %+v", got)
	}
	if _, err := s.ReplayWebhookDelivery(ctx, "d9", T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("replay of nothing: %v", err)
	}
	// The log, newest first, paged by creation time.
	for i := range 3 {
		d := delivery(fmt.Sprintf("p%d", i), "we2", fmt.Sprintf("msg_p%d", i), T0)
		d.CreatedAt = T0.Add(time.Duration(i+1) * time.Hour)
		mustDo(s.EnqueueWebhooks(ctx, "b", next, next, []store.WebhookDelivery{d}))
	}
	page := must(s.WebhookDeliveries(ctx, "we2", time.Time{}, 2))
	if len(page) != 2 || page[0].ID != "p2" || page[1].ID != "p1" {
		t.Errorf("newest two of we2: %+v", page)
	}
	page = must(s.WebhookDeliveries(ctx, "we2", page[1].CreatedAt, 10))
	if len(page) != 2 || page[0].ID != "p0" || page[1].ID != "d3" {
		t.Errorf("we2 before p1: %+v", page)
	}
	// Pruning: what is done and older goes with its log; pending stays.
	d1.State, d1.Attempt = store.DeliverySucceeded, 1
	mustDo(s.FinishWebhookAttempt(ctx, "u", store.WebhookAttempt{DeliveryID: "d1", At: T0.Add(time.Hour), StatusCode: 200}, d1))
	if n := must(s.PruneWebhookDeliveries(ctx, T0.Add(90*time.Minute))); n != 1 {
		t.Errorf("pruned %d, want 1 (d1, succeeded; d2, d3 and p0 are pending)", n)
	}
	if _, err := s.WebhookDelivery(ctx, "d1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("d1 after pruning: %v", err)
	}
	if x := must(s.WebhookDelivery(ctx, "d2")); x.State != store.DeliveryPending {
		t.Errorf("d2 after pruning: %+v", x)
	}
	// Deleting an endpoint deletes its deliveries; the last one, the
	// producer's place.
	mustDo(s.DeleteWebhookEndpoint(ctx, "we1"))
	if _, err := s.WebhookDelivery(ctx, "d2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("d2 after its endpoint was deleted: %v", err)
	}
	if err := s.DeleteWebhookEndpoint(ctx, "we1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted twice: %v", err)
	}
	mustDo(s.DeleteWebhookEndpoint(ctx, "we2"))
	fresh := store.WebhookFeed{Version: 99, At: T0.Add(5 * time.Hour)}
	if f, ok := must2(s.LeaseWebhookFeed(ctx, "b", T0.Add(5*time.Hour), T0.Add(6*time.Hour), fresh)); !ok || f != fresh {
		t.Errorf("the feed after the last endpoint went: %+v %v, want a fresh start", f, ok)
	}
	// Bad text is refused before any query.
	bad := endpoint("we3")
	bad.URL = "https://x/\x00"
	if err := s.PutWebhookEndpoint(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("NUL in a URL: %v", err)
	}
}
