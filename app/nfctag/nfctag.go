// Package nfctag makes and checks the signed badge tokens punchclock
// writes on NFC tags (NDEF), so that a kiosk's NFC reader identifies an
// employee by something nobody can edit into another employee's tag.
//
// A card's serial number (its UID) alone is a weak identifier: it is
// sent in clear and cheap cards with a writable UID copy it. A tag
// punchclock wrote carries, in an NDEF text record, a token signed by
// the server's tag key (Ed25519) that names the employee and, when the
// writer read it first, the tag's serial number. Copied to another tag,
// it still names the same employee, and a kiosk that reads a serial
// different from the one signed refuses it; edited to name someone
// else, its signature fails. Kiosks verify offline with the public keys
// their pull carries; the server verifies again when the punch arrives.
//
// # Format
//
// A token is Prefix followed by the unpadded base64url encoding of
//
//	version (1 byte, 1) | key id (4 bytes) | issued (4 bytes, Unix days, big endian)
//	| serial length (1 byte) | serial | employee id length (1 byte) | employee id
//	| signature (64 bytes)
//
// where the key id is the first 4 bytes of SHA-256 of the public key,
// the serial is the tag's UID as bytes (empty: not bound), and the
// signature is Ed25519 over "punchclock-nfc-v1\x00" followed by every byte
// before it. A 10-character employee id and a 7-byte UID make a
// 127-character token: with its NDEF text record's header and language
// a 137-byte tag content, which fits the smallest common tag (NTAG213,
// 144 bytes).
//
// The package never reads the clock and builds for linux and js/wasm.
package nfctag

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Prefix starts every token, so a kiosk tells a punchclock tag from any
// other NDEF text at a glance.
const Prefix = "pc1."

const (
	version = 1
	domain  = "punchclock-nfc-v1\x00"
	// MaxEmployeeID and MaxSerial bound the fields (bytes).
	MaxEmployeeID = 64
	MaxSerial     = 16
	// MaxLen is the longest token Parse considers.
	MaxLen = len(Prefix) + (1+4+4+1+MaxSerial+1+MaxEmployeeID+ed25519.SignatureSize+2)/3*4 + 4
)

// Errors of Parse and Verify. A caller shows them as "not a valid tag".
var (
	ErrFormat    = errors.New("nfctag: not a punchclock tag token")
	ErrKey       = errors.New("nfctag: signed by an unknown key")
	ErrSignature = errors.New("nfctag: signature does not verify")
	ErrSerial    = errors.New("nfctag: the token is bound to another tag")
)

// Claims are what a token says.
type Claims struct {
	EmployeeID string
	// Serial is the tag's UID the token is bound to, as Serial normalises
	// it (upper-case hex, no separators); "" when it is not bound.
	Serial string
	// Issued is the day the token was made (UTC midnight).
	Issued time.Time
	KeyID  [4]byte
}

// KeyID is the id of a public key in a token.
func KeyID(pub ed25519.PublicKey) [4]byte {
	sum := sha256.Sum256(pub)
	return [4]byte(sum[:4])
}

// Serial normalises a tag's serial number as a reader reports it
// ("04:a2:1b:7c", "04A21B7C") to upper-case hex without separators; ""
// when it is not hex bytes.
func Serial(s string) string {
	// Not strings.NewReplacer: it would cost the kiosk's download 8 KB.
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ':' && c != '-' && c != ' ' {
			clean = append(clean, c)
		}
	}
	b, err := hex.DecodeString(string(clean))
	if err != nil || len(b) == 0 || len(b) > MaxSerial {
		return ""
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// Sign makes a token for employeeID, bound to serial (as Serial
// normalises it; "" not bound), issued on the day of at.
func Sign(key ed25519.PrivateKey, employeeID, serial string, at time.Time) (string, error) {
	var uid []byte
	if serial != "" {
		n := Serial(serial)
		if n == "" {
			return "", fmt.Errorf("nfctag: serial %q is not hex bytes (at most %d)", serial, MaxSerial)
		}
		uid, _ = hex.DecodeString(n)
	}
	if employeeID == "" || len(employeeID) > MaxEmployeeID {
		return "", fmt.Errorf("nfctag: employee id must be 1 to %d bytes", MaxEmployeeID)
	}
	days := at.Unix() / 86400
	if days < 0 || days > 1<<32-1 {
		return "", fmt.Errorf("nfctag: issue time %s out of range", at)
	}
	b := make([]byte, 0, 1+4+4+1+len(uid)+1+len(employeeID)+ed25519.SignatureSize)
	id := KeyID(key.Public().(ed25519.PublicKey))
	b = append(b, version)
	b = append(b, id[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(days))
	b = append(b, byte(len(uid)))
	b = append(b, uid...)
	b = append(b, byte(len(employeeID)))
	b = append(b, employeeID...)
	b = append(b, ed25519.Sign(key, signed(b))...)
	return Prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func signed(body []byte) []byte {
	return append([]byte(domain), body...)
}

// parse splits a token into its claims, signed body and signature.
func parse(tok string) (c Claims, body, sig []byte, err error) {
	rest, ok := strings.CutPrefix(tok, Prefix)
	if !ok || len(tok) > MaxLen {
		return c, nil, nil, ErrFormat
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	if err != nil || len(b) < 1+4+4+1+1+1+ed25519.SignatureSize || b[0] != version {
		return c, nil, nil, ErrFormat
	}
	body, sig = b[:len(b)-ed25519.SignatureSize], b[len(b)-ed25519.SignatureSize:]
	copy(c.KeyID[:], body[1:5])
	c.Issued = time.Unix(int64(binary.BigEndian.Uint32(body[5:9]))*86400, 0).UTC()
	r := body[9:]
	n := int(r[0])
	if n > MaxSerial || len(r) < 1+n+1 {
		return c, nil, nil, ErrFormat
	}
	if n > 0 {
		c.Serial = strings.ToUpper(hex.EncodeToString(r[1 : 1+n]))
	}
	r = r[1+n:]
	m := int(r[0])
	if m == 0 || m > MaxEmployeeID || len(r) != 1+m {
		return c, nil, nil, ErrFormat
	}
	c.EmployeeID = string(r[1:])
	if !validID(c.EmployeeID) {
		return c, nil, nil, ErrFormat
	}
	return c, body, sig, nil
}

// validID: printable ASCII without spaces, as employee ids are.
func validID(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Verify checks tok against the known public keys and the serial the
// reader saw ("" when it reported none) and returns its claims. A token
// bound to a serial verifies only on that tag.
func Verify(tok string, keys []ed25519.PublicKey, serial string) (Claims, error) {
	c, body, sig, err := parse(tok)
	if err != nil {
		return Claims{}, err
	}
	var pub ed25519.PublicKey
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && KeyID(k) == c.KeyID {
			pub = k
			break
		}
	}
	if pub == nil {
		return Claims{}, ErrKey
	}
	if !ed25519.Verify(pub, signed(body), sig) {
		return Claims{}, ErrSignature
	}
	if c.Serial != "" && Serial(serial) != c.Serial {
		return Claims{}, ErrSerial
	}
	return c, nil
}

// EncodeKey is a public key as a kiosk's pull carries it: base64
// (standard encoding).
func EncodeKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// ParseKeys reads the keys of a pull (EncodeKey's form); what does not
// decode to a public key is skipped.
func ParseKeys(keys []string) []ed25519.PublicKey {
	var out []ed25519.PublicKey
	for _, s := range keys {
		if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
			out = append(out, ed25519.PublicKey(b))
		}
	}
	return out
}
