package wire

import "time"

// WebhookEndpoint is a webhook endpoint as GET and POST
// /api/v1/admin/webhooks answer it.
type WebhookEndpoint struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	// Secret is the "whsec_" key, only in the answer that made or
	// rotated it.
	Secret string `json:"secret,omitempty"`
	// PrevUntil is when the secret a rotation replaced stops signing.
	PrevUntil *time.Time `json:"previous_secret_until,omitempty"`
}

// WebhookAttempt is one attempt of a delivery in the delivery log.
type WebhookAttempt struct {
	N  int       `json:"n"`
	At time.Time `json:"at"`
	// StatusCode is the receiver's answer (0, left out: none came).
	StatusCode int    `json:"status_code,omitempty"`
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// WebhookDelivery is an event for an endpoint in the delivery log
// (GET /api/v1/admin/webhooks/{id}/deliveries).
type WebhookDelivery struct {
	ID string `json:"id"`
	// EventID is the webhook-id header: the same on every attempt and
	// replay.
	EventID   string           `json:"event_id"`
	EventType string           `json:"event_type"`
	State     string           `json:"state"`
	CreatedAt time.Time        `json:"created_at"`
	NextAt    *time.Time       `json:"next_attempt_at,omitempty"`
	Attempts  []WebhookAttempt `json:"attempts"`
	// Payload is the JSON body sent.
	Payload string `json:"payload"`
}
