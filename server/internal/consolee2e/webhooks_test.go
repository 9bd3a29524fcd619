package consolee2e

import (
	"context"
	"testing"
	"time"

	"punchclock/server/internal/auth"
	"punchclock/server/internal/e2etest"
	"punchclock/server/internal/store"
)

// TestConsoleWebhooks: an administrator sees the webhook endpoints in the
// kiosks section, opens one's delivery log (a delivery that failed after
// its attempts, with the last answer), and sends the delivery again:
// punchd has it pending again, its log kept. The Chinese console names
// the card.
func TestConsoleWebhooks(t *testing.T) {
	s, ctx := consoleOn(t, 3*time.Minute, map[string]auth.UserRequest{
		"u-admin": {Login: adminLogin, Name: "Ada Admin", Role: auth.RoleSuperAdmin, Password: adminPassword},
	})
	st, bg := s.Main().Store, context.Background()
	now := s.Main().Config.Now()
	ep := store.WebhookEndpoint{ID: "we_console", URL: "https://hooks.invalid/punchclock", Events: []string{"punch.accepted"}, Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0", CreatedAt: now}
	if err := st.PutWebhookEndpoint(bg, ep); err != nil {
		t.Fatal(err)
	}
	if err := st.StartWebhookFeed(bg, store.WebhookFeed{At: now}); err != nil {
		t.Fatal(err)
	}
	feed, ok, err := st.LeaseWebhookFeed(bg, "console-test", now, now.Add(time.Hour), store.WebhookFeed{})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	// Due in a day: the dispatcher leaves it alone until the replay.
	d := store.WebhookDelivery{ID: "d-console", EndpointID: ep.ID, EventID: "msg_console", EventType: "punch.accepted", Payload: `{}`, CreatedAt: now, NextAt: now.Add(24 * time.Hour)}
	if err := st.EnqueueWebhooks(bg, "console-test", feed, feed, []store.WebhookDelivery{d}); err != nil {
		t.Fatal(err)
	}
	if ds, err := st.ClaimWebhookDeliveries(bg, "console-test", now.Add(24*time.Hour), now.Add(25*time.Hour), 1); err != nil || len(ds) != 1 {
		t.Fatal(ds, err)
	}
	d.State, d.Attempt = store.DeliveryFailed, 8
	if err := st.FinishWebhookAttempt(bg, "console-test", store.WebhookAttempt{DeliveryID: d.ID, At: now, StatusCode: 503, Error: "answered 503"}, d); err != nil {
		t.Fatal(err)
	}

	signIn(t, ctx, adminLogin, adminPassword)
	e2etest.Wait(t, ctx, "the webhook endpoints", `!!document.getElementById("hook-log-we_console") && document.getElementById("webhooks").innerText.includes("https://hooks.invalid/punchclock")`, 60*time.Second)
	e2etest.Tap(t, ctx, "open the delivery log", "#hook-log-we_console")
	e2etest.Wait(t, ctx, "the failed delivery", `document.getElementById("hook-delivery-d-console")?.dataset.state === "failed" && document.getElementById("hook-delivery-d-console").innerText.includes("503") && document.getElementById("hook-delivery-d-console").innerText.includes("msg_console")`, 30*time.Second)
	keepShot(t, ctx, "console-webhooks.png")
	e2etest.Tap(t, ctx, "send it again", "#hook-replay-d-console")
	e2etest.Wait(t, ctx, "the replay said", `!!document.getElementById("hook-replayed") && document.getElementById("hook-delivery-d-console")?.dataset.state !== "failed"`, 30*time.Second)
	got, err := st.WebhookDelivery(bg, d.ID)
	if err != nil || got.State == store.DeliveryFailed || got.EventID != "msg_console" || len(got.Attempts) < 1 || got.Attempts[0].StatusCode != 503 {
		t.Errorf("after the replay punchd has %+v %v, want it sent again with its log", got, err)
	}
	e2etest.Tap(t, ctx, "switch to Chinese", "#lang")
	e2etest.Wait(t, ctx, "the Chinese card", `document.getElementById("webhooks").innerText.includes("Webhook 推送") && document.getElementById("hook-log").innerText.includes("尝试次数")`, 10*time.Second)
}
