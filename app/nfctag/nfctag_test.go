package nfctag

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	key   = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	other = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	pub   = key.Public().(ed25519.PublicKey)
	at    = time.Date(2026, 12, 2, 15, 4, 5, 0, time.FixedZone("CST", 8*3600))
)

func TestRoundTrip(t *testing.T) {
	tok, err := Sign(key, "E0000042", "04:a2:1b:7c:11:22:33", at)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, Prefix) {
		t.Fatalf("token %q lacks the prefix", tok)
	}
	// An NTAG213 holds 144 bytes: the NDEF text record adds 7 (header,
	// type, status, "en") and the TLV 3.
	if n := len(tok) + 7 + 3; n > 144 {
		t.Fatalf("a 7-byte UID and an 8-character id make %d bytes of tag, over NTAG213's 144", n)
	}
	for _, serial := range []string{"04A21B7C112233", "04:a2:1b:7c:11:22:33", "04-A2-1B-7C-11-22-33"} {
		c, err := Verify(tok, []ed25519.PublicKey{other.Public().(ed25519.PublicKey), pub}, serial)
		if err != nil {
			t.Fatalf("serial %s: %v", serial, err)
		}
		want := Claims{EmployeeID: "E0000042", Serial: "04A21B7C112233", Issued: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), KeyID: KeyID(pub)}
		if c != want {
			t.Fatalf("claims %+v, want %+v", c, want)
		}
	}
	// Unbound: any tag.
	tok, err = Sign(key, "E1", "", at)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Verify(tok, []ed25519.PublicKey{pub}, ""); err != nil || c.EmployeeID != "E1" || c.Serial != "" {
		t.Fatalf("unbound: %+v %v", c, err)
	}
}

func TestRefusals(t *testing.T) {
	tok, err := Sign(key, "E0000042", "04A21B7C112233", at)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, Prefix))
	// The employee id edited into another one of the same length.
	edited := bytes.Replace(raw, []byte("E0000042"), []byte("E0000043"), 1)
	cases := []struct {
		name, tok, serial string
		keys              []ed25519.PublicKey
		want              error
	}{
		{"copied to another tag", tok, "04A21B7C112234", []ed25519.PublicKey{pub}, ErrSerial},
		{"read without a serial", tok, "", []ed25519.PublicKey{pub}, ErrSerial},
		{"edited to another employee", Prefix + base64.RawURLEncoding.EncodeToString(edited), "04A21B7C112233", []ed25519.PublicKey{pub}, ErrSignature},
		{"unknown key", tok, "04A21B7C112233", []ed25519.PublicKey{other.Public().(ed25519.PublicKey)}, ErrKey},
		{"no keys", tok, "04A21B7C112233", nil, ErrKey},
		{"no prefix", strings.TrimPrefix(tok, Prefix), "04A21B7C112233", []ed25519.PublicKey{pub}, ErrFormat},
		{"truncated", tok[:len(tok)-3], "04A21B7C112233", []ed25519.PublicKey{pub}, ErrFormat},
		{"padded", tok + "=", "04A21B7C112233", []ed25519.PublicKey{pub}, ErrFormat},
		{"plain text", "hello", "", []ed25519.PublicKey{pub}, ErrFormat},
		{"too long", Prefix + strings.Repeat("A", MaxLen), "", []ed25519.PublicKey{pub}, ErrFormat},
	}
	for _, c := range cases {
		if _, err := Verify(c.tok, c.keys, c.serial); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	for _, c := range []struct{ emp, serial string }{
		{"", ""}, {strings.Repeat("x", MaxEmployeeID+1), ""}, {"E1", "not hex"}, {"E1", strings.Repeat("00", MaxSerial+1)},
	} {
		if _, err := Sign(key, c.emp, c.serial, at); err == nil {
			t.Errorf("Sign(%q, %q) did not refuse", c.emp, c.serial)
		}
	}
}

func TestSerial(t *testing.T) {
	for in, want := range map[string]string{"04:a2:1b:7c": "04A21B7C", "04A21B7C": "04A21B7C", "": "", "zz": "", "0": ""} {
		if got := Serial(in); got != want {
			t.Errorf("Serial(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzVerify: no input panics, and whatever verifies was signed.
func FuzzVerify(f *testing.F) {
	tok, _ := Sign(key, "E0000042", "04A21B7C", at)
	f.Add(tok, "04A21B7C")
	f.Add(Prefix+"AAAA", "")
	f.Fuzz(func(t *testing.T, tok, serial string) {
		c, err := Verify(tok, []ed25519.PublicKey{pub}, serial)
		if err == nil && (c.EmployeeID == "" || !strings.HasPrefix(tok, Prefix)) {
			t.Fatalf("verified %q as %+v", tok, c)
		}
	})
}

func TestKeys(t *testing.T) {
	got := ParseKeys([]string{EncodeKey(pub), "not base64!", EncodeKey(pub[:31])})
	if len(got) != 1 || !got[0].Equal(pub) {
		t.Fatalf("ParseKeys: %v", got)
	}
}
