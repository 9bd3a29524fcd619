package token

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	secretA = []byte("0123456789abcdef0123456789abcdef")
	secretB = []byte("fedcba9876543210fedcba9876543210")
	errGone = errors.New("no such kiosk")
	// t0 is the start of a step.
	t0 = time.Date(2026, 11, 22, 8, 57, 0, 0, time.UTC)
)

func lookup(id string) ([]byte, error) {
	switch id {
	case "kiosk-1":
		return secretA, nil
	case "kiosk-2":
		return secretB, nil
	case "weak":
		return []byte("short"), nil
	}
	return nil, errGone
}

// reencode rebuilds tok's raw bytes after f changed them.
func reencode(t *testing.T, tok Token, f func([]byte) []byte) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(string(tok))
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(f(raw))
}

func TestVerify(t *testing.T) {
	tok := Generate("kiosk-1", secretA, t0.Add(3*time.Second))
	cases := []struct {
		name string
		tok  string
		now  time.Time
		want error // nil: valid
	}{
		{"same step", string(tok), t0.Add(9 * time.Second), nil},
		{"start of step", string(tok), t0, nil},
		{"one step later", string(tok), t0.Add(Step + 9*time.Second), nil},
		{"one step earlier (kiosk clock slightly ahead)", string(tok), t0.Add(-Step), nil},
		{"two steps later", string(tok), t0.Add(2 * Step), ErrExpired},
		{"an hour later", string(tok), t0.Add(time.Hour), ErrExpired},
		{"two steps earlier", string(tok), t0.Add(-Step - time.Nanosecond), ErrExpired},
		{"other kiosk's secret", string(Generate("kiosk-2", secretA, t0)), t0, ErrBadMAC},
		{"device id swapped", reencode(t, tok, func(b []byte) []byte { b[len(b)-MACLen-1] = '2'; return b }), t0, ErrBadMAC},
		{"step moved forward", reencode(t, tok, func(b []byte) []byte { b[4]++; return b }), t0, ErrBadMAC},
		{"mac flipped", reencode(t, tok, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), t0, ErrBadMAC},
		{"newline inside", string(tok[:5]) + "\n" + string(tok[5:]), t0, ErrMalformed},
		{"empty", "", t0, ErrMalformed},
		{"not base64url", strings.Replace(string(tok), string(tok[3]), "+", 1), t0, ErrMalformed},
		{"padded", string(tok) + "=", t0, ErrMalformed},
		{"too short", reencode(t, tok, func(b []byte) []byte { return b[:headerLen+MACLen] }), t0, ErrMalformed},
		{"version 2", reencode(t, tok, func(b []byte) []byte { b[0] = 2; return b }), t0, ErrMalformed},
		{"control character in id", reencode(t, tok, func(b []byte) []byte { b[headerLen] = '\n'; return b }), t0, ErrMalformed},
		{"too long", strings.Repeat("A", MaxLen+1), t0, ErrMalformed},
		{"unknown kiosk", string(Generate("kiosk-9", secretA, t0)), t0, errGone},
		{"weak secret on the server", string(Generate("weak", []byte("short"), t0)), t0, ErrWeakSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Verify(c.tok, lookup, c.now)
			if c.want != nil {
				if !errors.Is(err, c.want) {
					t.Fatalf("Verify: got err %v, want %v", err, c.want)
				}
				if got != (Claims{}) {
					t.Errorf("Verify failed but returned claims %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if want := (Claims{DeviceID: "kiosk-1", Step: StepOf(t0)}); got != want {
				t.Errorf("claims: got %+v, want %+v", got, want)
			}
			if !got.StepTime().Equal(t0) {
				t.Errorf("StepTime: got %v, want %v", got.StepTime(), t0)
			}
		})
	}
}

// TestErrorsDistinct guards that the phone page can tell the cases apart.
func TestErrorsDistinct(t *testing.T) {
	errs := []error{ErrMalformed, ErrBadMAC, ErrExpired, ErrWeakSecret}
	for i, a := range errs {
		for j, b := range errs {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v is %v", a, b)
			}
		}
	}
}

func TestGenerate(t *testing.T) {
	cases := []struct {
		name   string
		id     string
		now    time.Time
		wantSt int64
	}{
		{"step start", "kiosk-1", t0, t0.Unix() / 10},
		{"step end", "kiosk-1", t0.Add(Step - time.Nanosecond), t0.Unix() / 10},
		{"next step", "kiosk-1", t0.Add(Step), t0.Unix()/10 + 1},
		{"zone does not matter", "kiosk-1", t0.In(time.FixedZone("CST", 8*3600)), t0.Unix() / 10},
		{"long id", strings.Repeat("k", 64), t0, t0.Unix() / 10},
		{"epoch", "kiosk-1", time.Unix(0, 0), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := Generate(c.id, secretA, c.now)
			if len(tok) > MaxLen {
				t.Errorf("len %d > MaxLen %d", len(tok), MaxLen)
			}
			got, err := Parse(string(tok))
			if err != nil {
				t.Fatal(err)
			}
			if want := (Claims{DeviceID: c.id, Step: c.wantSt}); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			raw, _ := base64.RawURLEncoding.DecodeString(string(tok))
			if n := len(raw) - headerLen - len(c.id); n*8 < 96 {
				t.Errorf("MAC has %d bits, want at least 96", n*8)
			}
		})
	}
	// Same inputs, same token: the kiosk may redraw within a step.
	if a, b := Generate("kiosk-1", secretA, t0), Generate("kiosk-1", secretA, t0.Add(time.Second)); a != b {
		t.Errorf("tokens of one step differ: %s, %s", a, b)
	}
	if a, b := Generate("kiosk-1", secretA, t0), Generate("kiosk-1", secretB, t0); a == b {
		t.Errorf("tokens of different secrets are equal: %s", a)
	}
}

func TestStepOfClamps(t *testing.T) {
	cases := []struct {
		t    time.Time
		want int64
	}{
		{time.Unix(-1, 0), 0},
		{time.Unix(19, 0), 1},
		{time.Date(4000, 1, 1, 0, 0, 0, 0, time.UTC), 1<<32 - 1},
	}
	for _, c := range cases {
		if got := StepOf(c.t); got != c.want {
			t.Errorf("StepOf(%v): got %d, want %d", c.t, got, c.want)
		}
	}
}

func TestURL(t *testing.T) {
	cases := []struct{ base, want string }{
		{"https://punch.example.com", "https://punch.example.com/p?t=TOK"},
		{"https://punch.example.com/", "https://punch.example.com/p?t=TOK"},
		{"https://example.com/punch/", "https://example.com/punch/p?t=TOK"},
		{"", "/p?t=TOK"},
	}
	for _, c := range cases {
		if got := URL(c.base, "TOK"); got != c.want {
			t.Errorf("URL(%q): got %q, want %q", c.base, got, c.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	s, err := NewSecret(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil || len(s) != SecretLen {
		t.Fatalf("NewSecret: %x, %v", s, err)
	}
	if _, err := NewSecret(bytes.NewReader(nil)); err == nil {
		t.Error("NewSecret from an empty reader succeeded")
	}
	if err := CheckSecret(s); err != nil {
		t.Error(err)
	}
	if err := CheckSecret(s[:MinSecretLen-1]); !errors.Is(err, ErrWeakSecret) {
		t.Errorf("CheckSecret(15 bytes): got %v, want ErrWeakSecret", err)
	}
}

// FuzzVerify feeds arbitrary strings to the parser: it must never panic,
// must classify every failure, and may only accept the one canonical token
// of the claims it returns.
func FuzzVerify(f *testing.F) {
	f.Add(string(Generate("kiosk-1", secretA, t0)))
	f.Add(string(Generate("kiosk-2", secretB, t0)))
	f.Add(string(Generate("kiosk-1", secretA, t0.Add(time.Hour))))
	f.Add("")
	f.Add("AQ")
	f.Add("AQAAAABrLTEAAAAAAAAAAAAAAA")
	f.Add(strings.Repeat("_", 80))
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := Verify(tok, lookup, t0)
		if err != nil {
			for _, known := range []error{ErrMalformed, ErrBadMAC, ErrExpired, ErrWeakSecret, errGone} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("unclassified error %v", err)
		}
		secret, _ := lookup(c.DeviceID)
		if got := Generate(c.DeviceID, secret, c.StepTime()); string(got) != tok {
			t.Fatalf("accepted %q, but the canonical token of %+v is %q", tok, c, got)
		}
	})
}

// FuzzRoundTrip checks that every token Generate makes for a valid device
// id verifies at its own time and parses back to its inputs.
func FuzzRoundTrip(f *testing.F) {
	f.Add("kiosk-1", []byte("0123456789abcdef"), int64(1790000000))
	f.Add("a", bytes.Repeat([]byte{0}, 40), int64(0))
	f.Fuzz(func(t *testing.T, id string, secret []byte, unix int64) {
		if len(secret) < MinSecretLen || len(id) == 0 || len(id) > 64 || unix < 0 || unix > 1<<32*10-1 {
			t.Skip()
		}
		for _, r := range id {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
				t.Skip()
			}
		}
		now := time.Unix(unix, 0)
		tok := Generate(id, secret, now)
		c, err := Verify(string(tok), func(string) ([]byte, error) { return secret, nil }, now)
		if err != nil {
			t.Fatalf("Verify(Generate(%q)): %v", id, err)
		}
		if c.DeviceID != id || c.Step != unix/10 {
			t.Fatalf("got %+v, want %s step %d", c, id, unix/10)
		}
	})
}
