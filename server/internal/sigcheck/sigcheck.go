// Package sigcheck verifies the Ed25519 signatures punchd checks on every
// request and punch, with exactly the answers of crypto/ed25519 in about
// 60% of its time for a key seen before (27.5 against 45 µs on the 2-core
// development machine, BenchmarkVerify).
//
// A shift-change storm is hundreds of kiosks sending a punch each: two
// verifications a request (the request's signature and the punch's), with
// the same few hundred device keys over and over. crypto/ed25519 decodes
// the public key point on every call; curve25519-voi keeps it expanded,
// with its precomputed table, and its VerifyOptionsStdLib preset accepts
// and refuses exactly what crypto/ed25519 does (cofactorless, small-order
// and non-canonical keys allowed, non-canonical S refused). TestSameAsStdlib
// and FuzzSameAsStdlib hold it to that.
package sigcheck

import (
	"crypto/ed25519"
	"sync"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// MaxKeys bounds the expanded keys a Cache keeps (each a few kB): more
// than the devices of a large deployment sending at once. Past it the
// cache starts again empty.
const MaxKeys = 4096

var stdlib = &voi.Options{Verify: voi.VerifyOptionsStdLib}

// Cache verifies signatures, keeping the public keys it saw expanded. The
// zero value is ready; a Cache is safe for concurrent use.
type Cache struct {
	mu   sync.Mutex
	keys map[string]*voi.ExpandedPublicKey
}

// Default is the process's cache.
var Default Cache

// Verify reports whether sig is a valid signature of msg by pub, as
// crypto/ed25519.Verify would (false, never a panic, for a key of the
// wrong size).
func Verify(pub ed25519.PublicKey, msg, sig []byte) bool { return Default.Verify(pub, msg, sig) }

// Verify reports whether sig is a valid signature of msg by pub.
func (c *Cache) Verify(pub ed25519.PublicKey, msg, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	x := c.expanded(pub)
	if x == nil {
		// A key voi cannot expand (not a point): crypto/ed25519 refuses
		// every signature by it too, but let it say so.
		return ed25519.Verify(pub, msg, sig)
	}
	return voi.VerifyExpandedWithOptions(x, msg, sig, stdlib)
}

func (c *Cache) expanded(pub ed25519.PublicKey) *voi.ExpandedPublicKey {
	c.mu.Lock()
	x, ok := c.keys[string(pub)]
	c.mu.Unlock()
	if ok {
		return x
	}
	x, err := voi.NewExpandedPublicKey(voi.PublicKey(pub))
	if err != nil {
		x = nil
	}
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= MaxKeys {
		c.keys = make(map[string]*voi.ExpandedPublicKey)
	}
	c.keys[string(pub)] = x
	c.mu.Unlock()
	return x
}
