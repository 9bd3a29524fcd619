package sigcheck

import (
	"bytes"
	"crypto/ed25519"
	"math/big"
	"math/rand/v2"
	"testing"
)

// order is the order L of the Ed25519 base point.
var order, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// addL returns the signature with L added to its S (little-endian): the
// same signature, encoded non-canonically, which crypto/ed25519 refuses.
func addL(sig []byte) []byte {
	le := func(b []byte) []byte {
		r := bytes.Clone(b)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return r
	}
	s := new(big.Int).SetBytes(le(sig[32:]))
	s.Add(s, order)
	out := bytes.Clone(sig)
	b := make([]byte, 32)
	s.FillBytes(b)
	copy(out[32:], le(b))
	return out
}

// TestSameAsStdlib: for valid, forged, malformed and edge-case signatures
// and keys, Verify answers what crypto/ed25519.Verify answers.
func TestSameAsStdlib(t *testing.T) {
	r := rand.New(rand.NewChaCha8([32]byte{1}))
	type tc struct {
		name          string
		pub, msg, sig []byte
	}
	var cases []tc
	for i := range 50 {
		seed := make([]byte, 32)
		for j := range seed {
			seed[j] = byte(r.Uint32())
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		msg := []byte(`{"id":"p` + string(rune('a'+i%26)) + `","seq":` + string(rune('0'+i%10)) + `}`)
		sig := ed25519.Sign(priv, msg)
		bad := bytes.Clone(sig)
		bad[r.IntN(64)] ^= 1 << r.IntN(8)
		other := bytes.Clone(msg)
		other[0] ^= 0x20
		cases = append(cases,
			tc{"valid", pub, msg, sig},
			tc{"bit flipped in the signature", pub, msg, bad},
			tc{"other message", pub, other, sig},
			tc{"S + L", pub, msg, addL(sig)},
			tc{"short signature", pub, msg, sig[:63]},
			tc{"short key", pub[:31], msg, sig},
		)
	}
	// Small-order and non-canonical points: the identity as the key and
	// as R with S = 0 verifies under a cofactorless check; a y at or above
	// p encodes a point non-canonically; some 32-byte strings are not
	// points at all.
	identity := append([]byte{1}, make([]byte, 31)...)
	nonCanonical := bytes.Repeat([]byte{0xff}, 32)
	nonCanonical[31] = 0x7f
	notPoint := append([]byte{2}, make([]byte, 31)...)
	zeroSig := append(bytes.Clone(identity), make([]byte, 32)...)
	for _, msg := range [][]byte{nil, []byte("x"), []byte("punch")} {
		cases = append(cases,
			tc{"identity key, identity R, S 0", identity, msg, zeroSig},
			tc{"non-canonical key", nonCanonical, msg, zeroSig},
			tc{"key not a point", notPoint, msg, zeroSig},
		)
	}
	var c Cache
	agreeTrue := 0
	for _, k := range cases {
		want := stdVerify(k.pub, k.msg, k.sig)
		for range 2 { // the second time from the cache
			if got := c.Verify(k.pub, k.msg, k.sig); got != want {
				t.Errorf("%s: Verify = %v, crypto/ed25519 says %v", k.name, got, want)
			}
		}
		if want {
			agreeTrue++
		}
	}
	if agreeTrue < 50 {
		t.Fatalf("only %d cases verify: the table tests nothing", agreeTrue)
	}
}

// stdVerify is crypto/ed25519.Verify, which panics on a key of the wrong
// size where Verify answers false.
func stdVerify(pub, msg, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, sig)
}

// FuzzSameAsStdlib: any key, message and signature get crypto/ed25519's
// answer; the seeds hold a valid signature and its corruptions.
func FuzzSameAsStdlib(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	msg := []byte("punch")
	sig := ed25519.Sign(priv, msg)
	pub := []byte(priv.Public().(ed25519.PublicKey))
	f.Add(pub, msg, sig)
	f.Add(pub, msg, addL(sig))
	f.Add(append([]byte{1}, make([]byte, 31)...), msg, append(append([]byte{1}, make([]byte, 31)...), make([]byte, 32)...))
	var c Cache
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		if got, want := c.Verify(pub, msg, sig), stdVerify(pub, msg, sig); got != want {
			t.Errorf("Verify(%x, %x, %x) = %v, crypto/ed25519 says %v", pub, msg, sig, got, want)
		}
	})
}

// BenchmarkVerify compares crypto/ed25519 with Verify on a cached key,
// side by side.
func BenchmarkVerify(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte(`{"id":"0195e3a0-0000-7000-8000-000000000000","employee_id":"E001","device_id":"dev-1","method":"badge","device_time":"2026-12-01T08:00:00Z","seq":12}`)
	sig := ed25519.Sign(priv, msg)
	b.Run("crypto-ed25519", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("no")
			}
		}
	})
	b.Run("sigcheck", func(b *testing.B) {
		var c Cache
		for b.Loop() {
			if !c.Verify(pub, msg, sig) {
				b.Fatal("no")
			}
		}
	})
}
