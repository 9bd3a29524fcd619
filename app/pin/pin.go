// Package pin is the kiosk PIN of managers and HR: made on the server,
// checked on the kiosk, offline, from the roster it pulled. It builds for
// the browser.
//
// The verifier is argon2id over the PIN with a per-person salt, with
// parameters a tablet checks in well under a second (4 MiB, 3 passes),
// never the account's password hash. A verifier taken off a tablet can
// be guessed offline (a million PINs cost hours of one core), so the PIN
// is a second factor behind the manager's own badge or face, and the
// kiosk refuses a manager's sixth wrong PIN without checking it
// (Guard), for LockFor.
package pin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Verifier parameters.
const (
	memory  = 4 * 1024
	passes  = 3
	threads = 1
	keyLen  = 32
)

// Lockout: MaxFailures wrong PINs in a row lock the person's kiosk
// sign-in for LockFor.
const (
	MaxFailures = 5
	LockFor     = 15 * time.Minute
)

// Valid checks a PIN: 6 to 8 digits, not all one digit, not a run up or
// down (123456, 987654).
func Valid(p string) error {
	if len(p) < 6 || len(p) > 8 || strings.Trim(p, "0123456789") != "" {
		return errors.New("a PIN is 6 to 8 digits")
	}
	same, up, down := true, true, true
	for i := 1; i < len(p); i++ {
		same = same && p[i] == p[0]
		up = up && p[i] == p[i-1]+1
		down = down && p[i] == p[i-1]-1
	}
	if same || up || down {
		return errors.New("a PIN may not be one digit repeated or a run of digits")
	}
	return nil
}

// Hash returns the verifier of a valid PIN with a fresh salt.
func Hash(p string) (string, error) {
	if err := Valid(p); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("pin: salt: %w", err)
	}
	key := argon2.IDKey([]byte(p), salt, passes, memory, threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, passes, threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Check reports whether p matches the verifier.
func Check(verifier, p string) bool {
	parts := strings.Split(verifier, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var th uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil || m == 0 || m > 64*1024 || t == 0 || t > 10 || th == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	return subtle.ConstantTimeCompare(argon2.IDKey([]byte(p), salt, t, m, th, uint32(len(want))), want) == 1
}

// Guard is one person's PIN attempts on a kiosk.
type Guard struct {
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// ErrLocked: too many wrong PINs; the PIN was not checked.
var ErrLocked = errors.New("pin: too many wrong PINs; try again later")

// Try checks p against verifier at now and returns the guard's next
// state. While locked it refuses without checking; the MaxFailures-th
// wrong PIN locks for LockFor; a right PIN clears the failures.
func (g Guard) Try(verifier, p string, now time.Time) (Guard, bool, error) {
	if now.Before(g.LockedUntil) {
		return g, false, ErrLocked
	}
	if !g.LockedUntil.IsZero() {
		g = Guard{} // the lock is over: a fresh count
	}
	if Check(verifier, p) {
		return Guard{}, true, nil
	}
	g.Failures++
	if g.Failures >= MaxFailures {
		g.LockedUntil = now.Add(LockFor)
	}
	return g, false, nil
}
