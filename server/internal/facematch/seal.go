package facematch

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
)

// ParseKey reads a 32-byte AES-256 key written as 64 hex digits or as
// standard or URL-safe base64.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("facematch: no encryption key configured (32 bytes, hex or base64)")
	}
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("facematch: the encryption key must be 32 bytes as 64 hex digits or base64")
}

// sealer encrypts descriptors with AES-256-GCM. The additional data binds a
// ciphertext to its employee, site and slot, so rows cannot be swapped in
// the database to make one employee's template answer for another.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("facematch: key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("facematch: key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("facematch: key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func sealAD(employee, site string, slot int) []byte {
	return fmt.Appendf(nil, "punchclock-facematch-v1\x00%s\x00%s\x00%d", employee, site, slot)
}

func (s *sealer) seal(d Descriptor, employee, site string, slot int) []byte {
	plain := make([]byte, 4*DescriptorLen)
	for i, v := range d {
		binary.LittleEndian.PutUint32(plain[4*i:], math.Float32bits(v))
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce) // never fails (crypto/rand panics on a broken system source)
	return s.aead.Seal(nonce, nonce, plain, sealAD(employee, site, slot))
}

func (s *sealer) open(b []byte, employee, site string, slot int) (Descriptor, error) {
	var d Descriptor
	ns := s.aead.NonceSize()
	if len(b) < ns {
		return d, errors.New("facematch: sealed descriptor too short")
	}
	plain, err := s.aead.Open(nil, b[:ns], b[ns:], sealAD(employee, site, slot))
	if err != nil {
		return d, fmt.Errorf("facematch: open descriptor of %s at %s (wrong key?): %w", employee, site, err)
	}
	if len(plain) != 4*DescriptorLen {
		return d, fmt.Errorf("facematch: descriptor of %s has %d bytes", employee, len(plain))
	}
	for i := range d {
		d[i] = math.Float32frombits(binary.LittleEndian.Uint32(plain[4*i:]))
	}
	return d, nil
}
