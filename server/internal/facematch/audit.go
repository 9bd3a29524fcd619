package facematch

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// auditAD binds a sealed audit record to its purpose.
var auditAD = []byte("punchclock-face-audit-v1")

// ErrAuditSeal is returned for an audit envelope that was not sealed with
// the key in hand, or was altered.
var ErrAuditSeal = errors.New("facematch: audit envelope does not open with this key")

// SealAudit seals an audit record (distances included) for punchd with
// AES-256-GCM under a key the face service and punchd share. The kiosk
// carries the envelope inside the signed face punch but can neither read
// the distances nor alter the verdict; punchd opens it at ingest, even when
// it cannot reach the face service on the store's LAN.
func SealAudit(key []byte, rec AuditRecord) (string, error) {
	aead, err := auditAEAD(key)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("facematch: seal audit: %w", err)
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("facematch: seal audit: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, auditAD)), nil
}

// OpenAudit opens an envelope made by SealAudit.
func OpenAudit(key []byte, envelope string) (AuditRecord, error) {
	var rec AuditRecord
	aead, err := auditAEAD(key)
	if err != nil {
		return rec, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(envelope)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return rec, ErrAuditSeal
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], auditAD)
	if err != nil {
		return rec, ErrAuditSeal
	}
	if err := json.Unmarshal(plain, &rec); err != nil {
		return rec, fmt.Errorf("facematch: open audit: %w", err)
	}
	return rec, nil
}

func auditAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("facematch: audit key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("facematch: audit key: %w", err)
	}
	return cipher.NewGCM(block)
}
