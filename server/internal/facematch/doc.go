// Package facematch is the face matching service of punchclock: a gallery
// of 128-d face descriptors per employee and site, 1:N identification with a
// distance threshold and a margin rule, an active liveness check from
// landmarks across frames, consent and deletion records, an audit trail of
// every verdict for punchd, and the HTTP handler of facematchd.
//
// The package is pure Go. Faces are found and described by an Extractor; the
// dlib subpackage implements it with go-face behind the dlib build tag, and
// tests use fakes, so the logic and the HTTP API are tested without cgo.
//
// Biometric data (PIPL, GDPR): photos are decoded, described and dropped;
// only descriptors are stored, sealed with AES-GCM under a key from the
// configuration, next to the consent record (who, when, for what). Deleting
// an employee removes every descriptor and marks the consent withdrawn in one
// transaction. The kiosk only ever learns {verdict_id, verdict, employee_id};
// distances stay in the audit record that punchd fetches by verdict id.
package facematch
