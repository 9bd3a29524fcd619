package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"punchclock/server/internal/store"
)

type endpointView struct {
	ID        string     `json:"id"`
	URL       string     `json:"url"`
	Events    []string   `json:"events"`
	Secret    string     `json:"secret"`
	PrevUntil *time.Time `json:"previous_secret_until"`
}

// TestWebhookEndpoints: an admin registers an endpoint (its secret shown
// once), lists it, rotates the secret (the old one kept a day), reads
// the delivery log, replays a delivery and deletes the endpoint; bad
// requests are refused with what is wrong.
func TestWebhookEndpoints(t *testing.T) {
	base, admin, st, clk := clockedServer(t)
	u := base + "/api/v1/admin/webhooks"
	post := func(path, body string, want int) string {
		t.Helper()
		code, b := do(t, "POST", u+path, admin, []byte(body), nil)
		if code != want {
			t.Fatalf("POST %s %s: %d %s, want %d", path, body, code, b, want)
		}
		return b
	}
	var ep endpointView
	json.Unmarshal([]byte(post("", `{"url":"https://payroll.example.com/hooks","events":["punch.accepted","approval.decided","punch.accepted"]}`, 201)), &ep)
	if !strings.HasPrefix(ep.ID, "we_") || !strings.HasPrefix(ep.Secret, "whsec_") || strings.Join(ep.Events, ",") != "approval.decided,punch.accepted" {
		t.Fatalf("created: %+v", ep)
	}
	var list struct{ Endpoints []endpointView }
	do(t, "GET", u, admin, nil, &list)
	if len(list.Endpoints) != 1 || list.Endpoints[0].ID != ep.ID || list.Endpoints[0].Secret != "" {
		t.Errorf("list: %+v, want the endpoint without its secret", list)
	}
	var rot endpointView
	json.Unmarshal([]byte(post("/"+ep.ID+"/rotate", "", 200)), &rot)
	if rot.Secret == ep.Secret || !strings.HasPrefix(rot.Secret, "whsec_") || rot.PrevUntil == nil || !rot.PrevUntil.Equal(clk.Now().Add(24*time.Hour)) {
		t.Errorf("rotated: %+v", rot)
	}
	stored, _ := st.WebhookEndpoint(context.Background(), ep.ID)
	if stored.PrevSecret != ep.Secret || stored.Secret != rot.Secret {
		t.Errorf("stored after the rotation: %+v", stored)
	}
	// A delivery in the log, replayed.
	ctx := context.Background()
	now := clk.Now()
	feed, ok, err := st.LeaseWebhookFeed(ctx, "t", now, now.Add(time.Minute), store.WebhookFeed{At: now})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	d := store.WebhookDelivery{ID: "d1", EndpointID: ep.ID, EventID: "msg_1", EventType: "punch.accepted", Payload: `{"type":"punch.accepted"}`, CreatedAt: now, NextAt: now}
	if err := st.EnqueueWebhooks(ctx, "t", feed, feed, []store.WebhookDelivery{d}); err != nil {
		t.Fatal(err)
	}
	claimed, _ := st.ClaimWebhookDeliveries(ctx, "t", now, now.Add(time.Minute), 1)
	d.State, d.Attempt = store.DeliveryFailed, 8
	if len(claimed) != 1 || st.FinishWebhookAttempt(ctx, "t", store.WebhookAttempt{DeliveryID: "d1", At: now, StatusCode: 503, Error: "answered 503"}, d) != nil {
		t.Fatal("could not log an attempt")
	}
	var log struct {
		Deliveries []struct {
			ID, EventID, State string
			Attempts           []struct {
				N          int
				StatusCode int `json:"status_code"`
				Error      string
			}
		}
	}
	if code, b := do(t, "GET", u+"/"+ep.ID+"/deliveries?limit=10", admin, nil, &log); code != 200 || len(log.Deliveries) != 1 || log.Deliveries[0].State != "failed" ||
		len(log.Deliveries[0].Attempts) != 1 || log.Deliveries[0].Attempts[0].StatusCode != 503 || log.Deliveries[0].Attempts[0].Error != "answered 503" {
		t.Errorf("delivery log: %d %s", code, b)
	}
	var replayed struct {
		State   string
		EventID string `json:"event_id"`
	}
	json.Unmarshal([]byte(post("/"+ep.ID+"/deliveries/d1/replay", "", 200)), &replayed)
	if replayed.State != "pending" || replayed.EventID != "msg_1" {
		t.Errorf("replayed: %+v", replayed)
	}
	// Bad requests.
	for _, bad := range []struct{ body, says string }{
		{`{"url":"ftp://x.example/","events":["punch.accepted"]}`, "http or https"},
		{`{"url":"http://127.0.0.1:8080/","events":["punch.accepted"]}`, "private"},
		{`{"url":"https://x.example/","events":[]}`, "at least one"},
		{`{"url":"https://x.example/","events":["punch.deleted"]}`, "among"},
		{`{"url":"https://x.example/\u0000","events":["punch.accepted"]}`, ""},
		{`{"url":"https://x.example/","events":["punch.accepted"],"extra":1}`, ""},
		{`{"url":`, ""},
	} {
		b := post("", bad.body, 400)
		if !strings.Contains(b, bad.says) {
			t.Errorf("POST %s: %s, want it to say %q", bad.body, b, bad.says)
		}
	}
	if code, b := do(t, "GET", u+"/we_nope/deliveries", admin, nil, nil); code != 404 {
		t.Errorf("deliveries of no endpoint: %d %s", code, b)
	}
	if code, b := do(t, "POST", u+"/"+ep.ID+"/deliveries/d9/replay", admin, nil, nil); code != 404 {
		t.Errorf("replay of no delivery: %d %s", code, b)
	}
	if code, b := do(t, "GET", u+"/"+ep.ID+"/deliveries?limit=0", admin, nil, nil); code != 400 {
		t.Errorf("limit=0: %d %s", code, b)
	}
	if code, b := do(t, "DELETE", u+"/"+ep.ID, admin, nil, nil); code != 204 {
		t.Errorf("delete: %d %s", code, b)
	}
	if code, _ := do(t, "DELETE", u+"/"+ep.ID, admin, nil, nil); code != 404 {
		t.Errorf("deleted twice: %d", code)
	}
}
