// Package tagkey holds punchd's NFC tag keys: it signs the badge tokens
// written on NFC tags (package nfctag), gives kiosks the public keys to
// check them offline, and checks the tokens punches carry.
//
// The first key is made on first use and kept in the store (table
// tag_keys); several punchd on one database agree on it. The keys are
// read once per process: a key added to the table later is seen after a
// restart.
package tagkey

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"sync"
	"time"

	"punchclock/app/nfctag"
	"punchclock/server/internal/store"
)

// Keys is the tag key set of one punchd. The zero value is not usable:
// set Store and Now.
type Keys struct {
	Store store.TagKeys
	Now   func() time.Time
	// Rand makes the first seed (nil: crypto/rand).
	Rand io.Reader

	mu      sync.Mutex
	signer  ed25519.PrivateKey
	pubs    []ed25519.PublicKey
	encoded []string // pubs as a pull carries them
}

// load reads (or makes) the keys once.
func (k *Keys) load(ctx context.Context) (ed25519.PrivateKey, []ed25519.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.signer != nil {
		return k.signer, k.pubs, nil
	}
	r := k.Rand
	if r == nil {
		r = rand.Reader
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(r, seed); err != nil {
		return nil, nil, fmt.Errorf("tagkey: seed: %w", err)
	}
	rows, err := k.Store.EnsureTagKey(ctx, seed, k.Now())
	if err != nil {
		return nil, nil, err
	}
	var pubs []ed25519.PublicKey
	var signer ed25519.PrivateKey
	for _, row := range rows {
		if len(row.Seed) != ed25519.SeedSize {
			return nil, nil, fmt.Errorf("tagkey: stored key %s has %d bytes", row.ID, len(row.Seed))
		}
		signer = ed25519.NewKeyFromSeed(row.Seed)
		pubs = append(pubs, signer.Public().(ed25519.PublicKey))
	}
	if signer == nil {
		return nil, nil, fmt.Errorf("tagkey: the store returned no key")
	}
	k.signer, k.pubs = signer, pubs
	for _, p := range pubs {
		k.encoded = append(k.encoded, nfctag.EncodeKey(p))
	}
	return signer, pubs, nil
}

// Public returns the public keys, base64 (standard encoding), as a
// kiosk's pull carries them. The slice is shared: callers must not
// modify it.
func (k *Keys) Public(ctx context.Context) ([]string, error) {
	if _, _, err := k.load(ctx); err != nil {
		return nil, err
	}
	return k.encoded, nil
}

// Sign makes a token for employeeID bound to serial ("" unbound), with
// the newest key.
func (k *Keys) Sign(ctx context.Context, employeeID, serial string) (string, error) {
	signer, _, err := k.load(ctx)
	if err != nil {
		return "", err
	}
	return nfctag.Sign(signer, employeeID, serial, k.Now())
}

// Verify checks a token read from the tag whose serial the reader
// reported ("" none).
func (k *Keys) Verify(ctx context.Context, tok, serial string) (nfctag.Claims, error) {
	_, pubs, err := k.load(ctx)
	if err != nil {
		return nfctag.Claims{}, err
	}
	return nfctag.Verify(tok, pubs, serial)
}
