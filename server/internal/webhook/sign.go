// Package webhook sends punchd's events to the endpoints admins register,
// in the Standard Webhooks form (https://www.standardwebhooks.com): each
// request carries webhook-id (the event's stable id: the same on every
// attempt and replay, so receivers dedupe), webhook-timestamp (the
// attempt's Unix seconds) and webhook-signature ("v1," + base64 of the
// HMAC-SHA256 of "id.timestamp.body" under the endpoint's "whsec_" key).
//
// Events come from the change feed (package changefeed), not from the
// code paths that make them: a producer, one instance at a time under a
// lease, reads the feed and writes one outbox row per event and endpoint
// (store.EnqueueWebhooks) in the transaction that moves its cursor. A
// sender claims due rows with a lease (no two instances send the same
// attempt), posts them with a timeout, logs the attempt, and retries
// failures on the Schedule (over 27 hours) before marking them failed.
// Delivery is at least once: a crash between a receiver's 2xx and the
// log's write sends again, with the same webhook-id.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every endpoint secret.
const SecretPrefix = "whsec_"

// NewSecret makes an endpoint secret: 24 random bytes (192 bits, within
// the 24 to 64 bytes the specification asks), base64, after "whsec_".
func NewSecret() string {
	var b [24]byte
	rand.Read(b[:])
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// key decodes a secret ("whsec_" optional).
func key(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(k) == 0 {
		return nil, fmt.Errorf("webhook: the secret is not whsec_ and base64")
	}
	return k, nil
}

// Sign returns the signature of a message: "v1," + base64 of
// HMAC-SHA256(key, id + "." + timestamp + "." + body).
func Sign(secret, id string, at time.Time, body []byte) (string, error) {
	k, err := key(secret)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, at.Unix(), 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Verify checks a delivery's headers and body against secret: one of the
// space-separated signatures must match, and the timestamp must be
// within tolerance of now. (Receivers in Go may use it; the acceptance
// test verifies with the reference JavaScript library instead.)
func Verify(secret, id, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook: bad timestamp")
	}
	at := time.Unix(ts, 0)
	if now.Sub(at) > tolerance || at.Sub(now) > tolerance {
		return fmt.Errorf("webhook: timestamp out of tolerance")
	}
	want, err := Sign(secret, id, at, body)
	if err != nil {
		return err
	}
	for _, s := range strings.Fields(signatures) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return fmt.Errorf("webhook: no signature matches")
}
