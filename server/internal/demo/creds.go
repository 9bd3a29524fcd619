package demo

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/device"
	"punchclock/server/internal/store"
)

// kioskName is the demo kiosk's device name.
const kioskName = "Demo kiosk (entrance)"

// ensureToken returns the admin token of the data directory, made and
// written first if there is none, and registers it if the store does
// not know it. Written before it is registered, a token a crash left
// unregistered is registered by the next start, never replaced.
func (s *seeder) ensureToken(ctx context.Context) (string, error) {
	tok, err := readCred(s.dir, AdminTokenFile)
	if err != nil {
		return "", err
	}
	if !validToken(tok) {
		tok = "pc_admin_" + randomString(24)
		if err := writeAtomic(s.dir, AdminTokenFile, tok); err != nil {
			return "", err
		}
	}
	_, err = s.st.TokenByHash(ctx, s.hash(tok))
	if err == nil {
		return tok, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("demo: %w", err)
	}
	if err := s.st.PutToken(ctx, store.Token{Hash: s.hash(tok), Name: "demo admin", Role: "admin", CreatedAt: s.now()}); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return tok, nil
}

// tokenKnown reports whether the data directory's admin token is one the
// store knows: then the demo made this store.
func (s *seeder) tokenKnown(ctx context.Context) (bool, error) {
	tok, err := readCred(s.dir, AdminTokenFile)
	if err != nil || !validToken(tok) {
		return false, err
	}
	_, err = s.st.TokenByHash(ctx, s.hash(tok))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return true, nil
}

func validToken(tok string) bool {
	return len(tok) > len("pc_admin_") && strings.HasPrefix(tok, "pc_admin_") && !strings.ContainsAny(tok, " \t\r\n")
}

// ensureKiosk returns the demo kiosk and its key. The key is made and
// written before the kiosk is enrolled with it, so an enrollment whose id
// a crash kept from the data directory is found again by its key.
func (s *seeder) ensureKiosk(ctx context.Context) (attendance.Device, ed25519.PrivateKey, error) {
	key, err := readKey(s.dir)
	if err != nil {
		return attendance.Device{}, nil, err
	}
	if key == nil {
		if _, key, err = ed25519.GenerateKey(rand.Reader); err != nil {
			return attendance.Device{}, nil, fmt.Errorf("demo: %w", err)
		}
		if err := writeAtomic(s.dir, KioskKeyFile, hex.EncodeToString(key.Seed())); err != nil {
			return attendance.Device{}, nil, err
		}
	}
	dev, err := s.findKiosk(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		dev, err = s.enrollKiosk(ctx, key)
	}
	if err != nil {
		return attendance.Device{}, nil, err
	}
	if id, err := readCred(s.dir, KioskIDFile); err != nil {
		return attendance.Device{}, nil, err
	} else if id != dev.ID {
		if err := writeAtomic(s.dir, KioskIDFile, dev.ID); err != nil {
			return attendance.Device{}, nil, err
		}
	}
	return dev, key, nil
}

// findKiosk finds the live kiosk enrolled with key: the one the data
// directory names, or any.
func (s *seeder) findKiosk(ctx context.Context, key ed25519.PrivateKey) (attendance.Device, error) {
	id, err := readCred(s.dir, KioskIDFile)
	if err != nil {
		return attendance.Device{}, err
	}
	if id != "" {
		dev, err := s.st.Device(ctx, id)
		if err == nil && matches(key, dev) {
			return dev, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return dev, fmt.Errorf("demo: %w", err)
		}
	}
	devs, err := s.st.Devices(ctx)
	if err != nil {
		return attendance.Device{}, fmt.Errorf("demo: %w", err)
	}
	for _, dev := range devs {
		if matches(key, dev) {
			return dev, nil
		}
	}
	return attendance.Device{}, fmt.Errorf("demo: kiosk: %w", store.ErrNotFound)
}

// matches reports whether dev is a live kiosk enrolled with key.
func matches(key ed25519.PrivateKey, dev attendance.Device) bool {
	return !dev.Revoked && dev.Kind == attendance.DeviceKiosk && bytes.Equal(key.Public().(ed25519.PublicKey), dev.PublicKey)
}

// enrollKiosk enrolls the demo kiosk like a real one, with a one-time code.
func (s *seeder) enrollKiosk(ctx context.Context, key ed25519.PrivateKey) (attendance.Device, error) {
	devices := &device.Service{Store: s.st, Now: s.now}
	code, _, err := devices.IssueCode(ctx, Sites[0].ID, time.Hour, "demo")
	if err != nil {
		return attendance.Device{}, fmt.Errorf("demo: %w", err)
	}
	enrolled, err := devices.Enroll(ctx, wire.EnrollRequest{Protocol: wire.ProtocolVersion, Code: code, PublicKey: key.Public().(ed25519.PublicKey), Name: kioskName, DeviceTime: s.now()})
	if err != nil {
		return attendance.Device{}, fmt.Errorf("demo: enroll kiosk: %w", err)
	}
	dev, err := s.st.Device(ctx, enrolled.DeviceID)
	if err != nil {
		return attendance.Device{}, fmt.Errorf("demo: %w", err)
	}
	return dev, nil
}

// readCred returns a credential file's content without surrounding
// space, or "" when there is no such file.
func readCred(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// readKey returns the demo kiosk's key, or nil when there is none or the
// file does not hold one (an older punchd could leave it torn).
func readKey(dir string) (ed25519.PrivateKey, error) {
	s, err := readCred(dir, KioskKeyFile)
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(s)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, nil
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// writeAtomic writes a credential file (mode 600) so that a crash leaves
// either the old file or the new one: it writes name.tmp, syncs it, and
// renames it over name. The temporary file's name is fixed, so a crash
// leaves no litter beyond it and the next write reuses it.
func writeAtomic(dir, name, content string) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	_, err = f.WriteString(content + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("demo: write %s: %w", name, err)
	}
	// The rename is durable once the directory is.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func randomString(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, n)
	for i := range b {
		v, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}
