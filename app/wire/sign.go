package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"punchclock/app/attendance"
)

// HashBody is the chain hash of a signed punch body: hex SHA-256.
func HashBody(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// SignPunch encodes p and signs it with the device key.
func SignPunch(p *attendance.Punch, key ed25519.PrivateKey) (SignedPunch, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return SignedPunch{}, fmt.Errorf("wire: encode punch: %w", err)
	}
	return SignedPunch{Body: body, Sig: ed25519.Sign(key, body)}, nil
}

// Chain is a device's punch chain position: the last sequence number used
// and the hash of that punch's body.
type Chain struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// Next sets p's Seq and Prev to follow c, signs p, and returns the signed
// punch and the chain advanced past it.
func (c Chain) Next(p *attendance.Punch, key ed25519.PrivateKey) (SignedPunch, Chain, error) {
	p.Seq = c.Seq + 1
	p.Prev = c.Hash
	sp, err := SignPunch(p, key)
	if err != nil {
		return SignedPunch{}, c, err
	}
	return sp, Chain{Seq: p.Seq, Hash: HashBody(sp.Body)}, nil
}

// AuthScheme is the Authorization scheme of device-signed requests.
const AuthScheme = "PC-Device"

// requestMessage is what a device signs to authenticate a request.
func requestMessage(method, pathQuery string, ts int64, body []byte) []byte {
	return fmt.Appendf(nil, "punchclock-request-v1\n%s\n%s\n%d\n%s", method, pathQuery, ts, HashBody(body))
}

// RequestWindow is how far a signed request's time may be from the
// server's: a request captured on the network is refused past it. A
// device whose clock is off signs with its clock corrected by the offset
// it learnt from the server (the syncer does), so the window holds for
// it too; a device that guessed wrong is answered CodeStale with the
// server's time and signs again.
const RequestWindow = 5 * time.Minute

// Fresh reports whether a request signed at a.TS may be accepted at now.
func (a DeviceAuth) Fresh(now time.Time) bool {
	d := a.TS.Sub(now)
	return d <= RequestWindow && d >= -RequestWindow
}

// SignRequest makes the Authorization header value for a device request.
// now is the device's best guess of the server's time: its clock plus the
// offset it learnt, or its clock if it never learnt one.
// pathQuery is the URL's path and query as sent ("/api/v1/device/pull?cursor=3").
func SignRequest(deviceID string, key ed25519.PrivateKey, method, pathQuery string, now time.Time, body []byte) string {
	ts := now.UnixMilli()
	sig := ed25519.Sign(key, requestMessage(method, pathQuery, ts, body))
	return fmt.Sprintf("%s id=%s,ts=%d,sig=%s", AuthScheme, deviceID, ts, base64.RawURLEncoding.EncodeToString(sig))
}

// DeviceAuth is a parsed device Authorization header.
type DeviceAuth struct {
	DeviceID string
	// TS is the device's wall clock when it signed.
	TS  time.Time
	sig []byte
	ms  int64
}

// ParseDeviceAuth parses an Authorization header made by SignRequest.
func ParseDeviceAuth(header string) (DeviceAuth, error) {
	rest, ok := strings.CutPrefix(header, AuthScheme+" ")
	if !ok {
		return DeviceAuth{}, Errorf(CodeUnauthorized, "missing %s authorization", AuthScheme)
	}
	var a DeviceAuth
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		switch k {
		case "id":
			a.DeviceID = v
		case "ts":
			ms, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return DeviceAuth{}, Errorf(CodeUnauthorized, "authorization ts is not a number")
			}
			a.ms, a.TS = ms, time.UnixMilli(ms)
		case "sig":
			sig, err := base64.RawURLEncoding.DecodeString(v)
			if err != nil || len(sig) != ed25519.SignatureSize {
				return DeviceAuth{}, Errorf(CodeUnauthorized, "authorization sig is malformed")
			}
			a.sig = sig
		}
	}
	if a.DeviceID == "" || a.sig == nil || a.ms == 0 {
		return DeviceAuth{}, Errorf(CodeUnauthorized, "authorization needs id, ts and sig")
	}
	// The id is looked up in the database: garbage is refused here.
	if err := CheckID("the device id of the authorization header", a.DeviceID); err != nil {
		return DeviceAuth{}, err
	}
	return a, nil
}

// Verify checks the request signature against the device's public key.
func (a DeviceAuth) Verify(pub ed25519.PublicKey, method, pathQuery string, body []byte) bool {
	return a.VerifyWith(ed25519.Verify, pub, method, pathQuery, body)
}

// VerifyWith is Verify with another implementation of ed25519.Verify (the
// server's cached one).
func (a DeviceAuth) VerifyWith(verify func(pub ed25519.PublicKey, msg, sig []byte) bool, pub ed25519.PublicKey, method, pathQuery string, body []byte) bool {
	return len(pub) == ed25519.PublicKeySize && verify(pub, requestMessage(method, pathQuery, a.ms, body), a.sig)
}
