package store

import "time"

// Received is a punch as the change feed reads it: who, where and when,
// without its body. Punches are tailed by (ReceivedAt, ID).
type Received struct {
	ID         string
	EmployeeID string
	SiteID     string
	DeviceID   string
	Method     string
	TrueTime   time.Time
	ReceivedAt time.Time
	Status     string
}

// WebhookEndpoint is a receiver of webhooks.
type WebhookEndpoint struct {
	ID  string
	URL string
	// Events are the event types it receives.
	Events []string
	// Secret is its Standard Webhooks key ("whsec_" + base64); PrevSecret
	// the one a rotation replaced, which signs beside it until PrevUntil.
	Secret     string
	PrevSecret string
	PrevUntil  time.Time
	CreatedAt  time.Time
}

// Webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event for one endpoint in the outbox.
type WebhookDelivery struct {
	ID         string
	EndpointID string
	// EventID is the event's stable id (the webhook-id header): the same
	// on every attempt and replay.
	EventID   string
	EventType string
	// Payload is the JSON body sent.
	Payload   string
	CreatedAt time.Time
	State     string
	// Attempt counts the attempts since it was made or replayed.
	Attempt int
	NextAt  time.Time
	// Attempts is the delivery's log (filled by WebhookDeliveries and
	// WebhookDelivery only).
	Attempts []WebhookAttempt
}

// WebhookAttempt is one try of a delivery.
type WebhookAttempt struct {
	DeliveryID string
	// N numbers the delivery's attempts from 1, across replays.
	N  int
	At time.Time
	// StatusCode is the receiver's answer, 0 when none came.
	StatusCode int
	Error      string
	Duration   time.Duration
}

// WebhookFeed is where the webhook producer is in the change feed: the
// change version and the punch arrival time it has read up to.
type WebhookFeed struct {
	Version int64
	At      time.Time
}
