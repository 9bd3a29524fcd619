// Package facematch is the face matching service of punchclock: a gallery
// of 128-d face descriptors per employee and site, 1:N identification with a
// distance threshold and a margin rule, an active liveness check (a head
// turn seen in the landmarks, and depth seen in the pixels: see
// CheckLiveness and MeasureParallax), consent and deletion records, an audit trail of
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
// transaction. The kiosk only ever learns {verdict_id, verdict, employee_id}
// and an envelope it cannot open: the verdict's audit record, distances
// included, sealed for punchd with a key they share (SealAudit). The kiosk
// carries it inside the signed face punch and punchd opens it at ingest
// (OpenAudit), so punchd checks face punches without reaching the store's
// LAN; the service also keeps every record in its own audit trail.
//
// Kiosks: identify and liveness accept a request signed by a kiosk
// enrolled in punchd, with the same PC-Device signature its requests to
// punchd carry (wire.SignRequest: method, path, the kiosk's clock and the
// body's hash, under its Ed25519 key). The service learns the kiosks (id,
// site, public key, revoked) from punchd with a face-role token
// (DeviceSync) and keeps them in its store, so it verifies them while
// punchd is out of reach. The signer is the kiosk: a kiosk or site id in
// the request must be its own, it is the unit of rate limiting, and it is
// the kiosk of the sealed verdict, which punchd accepts only inside a
// punch signed by that same kiosk. Setups without a link to punchd may
// use a shared kiosk bearer token instead, or leave the endpoints open to
// the LAN.
//
// The signature's time is not checked against a freshness window, by
// choice. A replayed request yields a new verdict for the kiosk that
// signed it, which nobody without that kiosk's key can turn into a punch;
// a window, on the other hand, would turn away from face punching every
// kiosk whose clock is wrong (hours off after a power cut is the case the
// punch protocol is built to survive), and the face service has no offset
// to correct it by. What a replay can do, spend that kiosk's attempts and
// add audit rows, is bounded by the rate limits, and HTTPS keeps the
// requests from being read off the LAN in the first place.
package facematch
