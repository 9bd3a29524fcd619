// Package token makes and checks the kiosk's rotating QR token, the proof of
// presence of a phone punch.
//
// A kiosk shows a QR code of URL(base, Generate(deviceID, secret, now)) and
// draws a new one every Step. The employee's phone opens that URL and sends
// the token with its punch; the server calls Verify with the kiosk's secret.
// The token carries everything needed to check it (device id, time step and a
// truncated HMAC-SHA256), so the server keeps no per-token state to verify.
//
// # Format
//
// A token is the unpadded base64url encoding (RFC 4648 §5, canonical: the
// unused bits of the last character are zero) of
//
//	version (1 byte, 1) | step (4 bytes, big endian) | device id | MAC (12 bytes)
//
// where step is the Unix time divided by Step and MAC is the first 96 bits of
// HMAC-SHA256(secret, "punchclock-qr-v1\x00" || version | step | device id).
// The alphabet is URL-safe, so a token goes into a query string unescaped.
// A 20-character device id makes a 50-character token.
//
// # Freshness and single use
//
// Verify accepts the current step and one step either side (a window of 20 to
// 30 s), so a phone that scanned just before the QR changed still succeeds.
// "Now" is the kiosk's clock: the step is the kiosk's time when it drew the
// code, and that time (Claims.StepTime) is the punch time, which the server
// then corrects by the kiosk's known offset. A server with a kiosk offset
// should therefore pass its own time minus that offset as now; Parse gives
// the device id needed to look the offset up before verifying.
//
// A token is single use per employee, and that is enforced by the server's
// store, not here: this package is pure and keeps no state. The server must
// record (token, employee) — or equivalently (device id, step, employee) —
// when it accepts a phone punch and refuse the same pair again. Entries can
// be dropped three steps after their step, when Verify refuses the token
// anyway.
//
// The package never reads the clock and builds for linux and js/wasm.
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"punchclock/app/attendance"
)

// Step is how long one token is shown before the next replaces it.
const Step = 10 * time.Second

// Skew is how many steps before or after now Verify still accepts.
const Skew = 1

// MinSecretLen is the shortest per-kiosk secret accepted: 128 bits.
const MinSecretLen = 16

// SecretLen is the length of secrets made by NewSecret: 256 bits.
const SecretLen = 32

// MACLen is the length of the truncated MAC in a token: 96 bits, so a forger
// must guess 2^96 values within the token's 30-second life.
const MACLen = 12

// MaxLen bounds the length of a token string Verify will look at; longer
// input is malformed without being decoded. It fits the longest device id
// attendance.ValidID allows (64 characters).
const MaxLen = 110

const (
	version   = 1
	headerLen = 1 + 4 // version + step
	macDomain = "punchclock-qr-v1\x00"
)

// The errors of Verify. Each is distinct so the phone page can say what went
// wrong: a garbled scan, a forged or foreign code, or a stale screenshot.
var (
	// ErrMalformed means the string is not a token of this format.
	ErrMalformed = errors.New("token: malformed")
	// ErrBadMAC means the token was not made with the kiosk's secret.
	ErrBadMAC = errors.New("token: bad mac")
	// ErrExpired means the token's step is more than Skew steps before or
	// after now: an old code (a photo of the screen) or a kiosk clock ahead.
	ErrExpired = errors.New("token: expired")
	// ErrWeakSecret means the secret looked up for the device is shorter
	// than MinSecretLen; it is a server configuration error.
	ErrWeakSecret = errors.New("token: secret shorter than 128 bits")
)

// encoding is canonical base64url: Strict refuses non-zero padding bits, so
// one payload has exactly one token string and a used-token list keyed by
// the string cannot be dodged by altering trailing bits.
var encoding = base64.RawURLEncoding.Strict()

// Token is a rotating QR token as it appears in the phone URL.
type Token string

// String returns the token text.
func (t Token) String() string { return string(t) }

// Claims is what a valid token says.
type Claims struct {
	// DeviceID is the kiosk that showed the token.
	DeviceID string
	// Step is the kiosk's Unix time divided by Step when it drew the token.
	Step int64
}

// StepTime is the start of the claims' step on the kiosk's clock: the time
// of a phone punch made with the token (before the kiosk offset correction).
func (c Claims) StepTime() time.Time { return time.Unix(c.Step*int64(Step/time.Second), 0).UTC() }

// StepOf returns the step that contains t. Times outside the 4-byte range of
// the format (before 1970 or after the year 3331) are clamped to its ends;
// a token made from such a clock fails Verify against a sane server clock.
func StepOf(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return 0
	}
	s /= int64(Step / time.Second)
	if s > math.MaxUint32 {
		return math.MaxUint32
	}
	return s
}

// NewSecret makes a fresh per-kiosk secret of SecretLen bytes from r (pass
// crypto/rand.Reader); the server calls it at enrollment.
func NewSecret(r io.Reader) ([]byte, error) {
	b := make([]byte, SecretLen)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("token: new secret: %w", err)
	}
	return b, nil
}

// CheckSecret reports whether secret is long enough.
func CheckSecret(secret []byte) error {
	if len(secret) < MinSecretLen {
		return ErrWeakSecret
	}
	return nil
}

// Generate makes the token of deviceID for the step containing now. The
// caller should have checked the secret with CheckSecret at enrollment:
// Generate does not fail, and a token made with a short secret or an invalid
// device id (see attendance.ValidID) is refused by Verify.
func Generate(deviceID string, secret []byte, now time.Time) Token {
	return encode(deviceID, secret, StepOf(now))
}

func encode(deviceID string, secret []byte, step int64) Token {
	buf := make([]byte, headerLen, headerLen+len(deviceID)+MACLen)
	buf[0] = version
	binary.BigEndian.PutUint32(buf[1:], uint32(step))
	buf = append(buf, deviceID...)
	buf = append(buf, mac(secret, buf)...)
	return Token(encoding.EncodeToString(buf))
}

// mac is the truncated MAC of a token's payload (everything before the MAC).
func mac(secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(macDomain))
	h.Write(payload)
	return h.Sum(nil)[:MACLen]
}

// decoded is a token split into its parts, MAC not yet checked.
type decoded struct {
	claims  Claims
	payload []byte
	mac     []byte
}

func decode(tok string) (decoded, error) {
	if len(tok) == 0 || len(tok) > MaxLen {
		return decoded{}, fmt.Errorf("%w: length %d", ErrMalformed, len(tok))
	}
	// The decoder skips '\r' and '\n'; refuse them (and everything outside
	// the alphabet) first, so one token has exactly one spelling.
	if strings.IndexFunc(tok, notBase64URL) >= 0 {
		return decoded{}, fmt.Errorf("%w: not base64url", ErrMalformed)
	}
	raw, err := encoding.DecodeString(tok)
	if err != nil {
		return decoded{}, fmt.Errorf("%w: not base64url", ErrMalformed)
	}
	if len(raw) < headerLen+1+MACLen {
		return decoded{}, fmt.Errorf("%w: too short", ErrMalformed)
	}
	if raw[0] != version {
		return decoded{}, fmt.Errorf("%w: unknown version %d", ErrMalformed, raw[0])
	}
	n := len(raw) - MACLen
	id := string(raw[headerLen:n])
	if attendance.ValidID("device", id) != nil {
		return decoded{}, fmt.Errorf("%w: bad device id", ErrMalformed)
	}
	return decoded{
		claims:  Claims{DeviceID: id, Step: int64(binary.BigEndian.Uint32(raw[1:headerLen]))},
		payload: raw[:n],
		mac:     raw[n:],
	}, nil
}

func notBase64URL(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

// Parse decodes a token WITHOUT checking its MAC or age. Its claims are
// untrusted: use them only to look up the kiosk (its secret and clock
// offset) before calling Verify, or in messages.
func Parse(tok string) (Claims, error) {
	d, err := decode(tok)
	return d.claims, err
}

// Verify checks tok: its format, its MAC with the secret lookupSecret returns
// for the token's device, and that its step is within Skew steps of now's.
// now is the kiosk's clock as the server estimates it (see the package doc).
//
// Errors: ErrMalformed, ErrBadMAC, ErrExpired (errors.Is), ErrWeakSecret, or
// the lookup's own error wrapped (an unknown or revoked kiosk). The MAC is
// checked before the age, so ErrExpired is only said of a genuine token.
func Verify(tok string, lookupSecret func(deviceID string) ([]byte, error), now time.Time) (Claims, error) {
	d, err := decode(tok)
	if err != nil {
		return Claims{}, err
	}
	secret, err := lookupSecret(d.claims.DeviceID)
	if err != nil {
		return Claims{}, fmt.Errorf("token: device %s: %w", d.claims.DeviceID, err)
	}
	if err := CheckSecret(secret); err != nil {
		return Claims{}, fmt.Errorf("token: device %s: %w", d.claims.DeviceID, err)
	}
	if !hmac.Equal(mac(secret, d.payload), d.mac) {
		return Claims{}, ErrBadMAC
	}
	switch diff := d.claims.Step - StepOf(now); {
	case diff < -Skew:
		return Claims{}, fmt.Errorf("%w: made %s before now", ErrExpired, time.Duration(-diff)*Step)
	case diff > Skew:
		return Claims{}, fmt.Errorf("%w: made %s after now (kiosk clock ahead?)", ErrExpired, time.Duration(diff)*Step)
	}
	return d.claims, nil
}

// QueryParam is the query parameter of the phone URL that carries the token.
const QueryParam = "t"

// PhonePath is the path of the phone punch page.
const PhonePath = "/p"

// URL is the address a phone opens from the kiosk's QR code: base (scheme,
// host and an optional path prefix, e.g. "https://punch.example.com") then
// PhonePath and the token, "https://punch.example.com/p?t=TOKEN". The token
// alphabet is URL-safe, so it needs no escaping.
func URL(base string, tok Token) string {
	return strings.TrimRight(base, "/") + PhonePath + "?" + QueryParam + "=" + string(tok)
}
