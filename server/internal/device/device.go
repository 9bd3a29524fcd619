// Package device enrolls kiosks with one-time codes, authenticates their
// signed requests, and answers their pulls of roster, rules and
// revocations.
//
// Enrollment: an admin issues a one-time code for a site (IssueCode:
// Crockford base32, stored hashed, CodeTTL by default). The kiosk sends it
// with the Ed25519 public key it made in the browser and gets its device
// id, its site, the secret of its rotating QR and a first pull. A code
// works once: used again it is a conflict, past its time expired.
//
// Phones are devices too, bound to one employee: an admin issues a
// one-time phone link (IssuePhoneLink) and the phone activates with it
// (ActivatePhone) exactly as a kiosk enrolls. Its punches then go through
// the same signed ingest, where punch.Service holds it to its employee
// and to QR punches.
//
// Requests: every device request carries wire.SignRequest's
// "Authorization: PC-Device id=…,ts=…,sig=…" over method, path and query,
// time and the body's hash. Authenticate checks it against the stored key;
// an unknown or revoked device is unauthorized. The signature's time must
// be within wire.RequestWindow of the server's, so a request captured on
// the network is worthless minutes later. Device clocks may be hours off:
// a device signs with its clock corrected by the offset it learnt from
// the server, and a device that guessed wrong is answered wire.CodeStale
// with the server's time, signs again and resends; nothing it holds is
// parked or lost on the way.
//
// Pull answers what changed since the device's cursor (the organisation's
// change counter), or a full snapshot for an empty cursor, with an ETag
// so an unchanged pull costs a 304.
package device

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/approval"
	"punchclock/server/internal/auth"
	"punchclock/server/internal/sigcheck"
	"punchclock/server/internal/store"
	"punchclock/server/internal/tagkey"
)

// Service enrolls and serves devices.
type Service struct {
	Store store.Store
	Now   func() time.Time
	// TagKeys are the NFC tag keys whose public halves a kiosk's pull
	// carries (nil: none, and kiosks refuse signed tags).
	TagKeys *tagkey.Keys

	// CacheTTL bounds how long a cached device is trusted without being
	// read again (DefaultCacheTTL when zero): the fallback that ends a
	// revocation's effect on this instance should its notice be missed.
	CacheTTL time.Duration

	// known caches devices by id (as cachedDevice) for request
	// authentication: a device's key never changes, and whoever acts on a
	// request that matters (ingest) reads the device again in its
	// transaction. A revocation removes the device (Forget), on every
	// punchd of a PostgreSQL database through its notice; an entry older
	// than CacheTTL is read again.
	known sync.Map
	// mu orders Forget against a lookup's store: a device read before a
	// revocation is not cached after its Forget (gen changed meanwhile).
	mu  sync.Mutex
	gen uint64
}

// DefaultCacheTTL is how long a cached device is trusted by default.
const DefaultCacheTTL = 30 * time.Second

type cachedDevice struct {
	dev attendance.Device
	at  time.Time
}

// Forget drops a device from the cache: its next request reads it again.
func (s *Service) Forget(id string) {
	s.mu.Lock()
	s.gen++
	s.known.Delete(id)
	s.mu.Unlock()
}

// ForgetAll empties the cache (when revocation notices may have been
// missed).
func (s *Service) ForgetAll() {
	s.mu.Lock()
	s.gen++
	s.known.Clear()
	s.mu.Unlock()
}

// CodeTTL is how long an enrollment code stays valid by default.
const CodeTTL = 24 * time.Hour

// codeAlphabet is Crockford's base32: no I, L, O or U to misread.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NormalizeCode uppercases a typed code, drops separators and maps the
// letters people confuse with digits, so "abcd-efgh-jk0o" and
// "ABCDEFGHJK00" are the same code.
func NormalizeCode(code string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(code) {
		switch {
		case c == '-' || c == ' ' || c == '\t':
		case c == 'O':
			b.WriteByte('0')
		case c == 'I' || c == 'L':
			b.WriteByte('1')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// HashCode is how codes are stored: SHA-256 of the normalised code.
func HashCode(code string) string {
	sum := sha256.Sum256([]byte(NormalizeCode(code)))
	return hex.EncodeToString(sum[:])
}

// hashPhoneCode keeps phone codes apart from kiosk codes: a kiosk code
// cannot activate a phone, nor the reverse.
func hashPhoneCode(code string) string { return HashCode("phone:" + NormalizeCode(code)) }

// newCode returns 60 random bits as XXXX-XXXX-XXXX.
func newCode() (string, error) {
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[int(r)%32])
	}
	return b.String(), nil
}

// PhoneLinkTTL is how long a phone activation link stays valid by default.
const PhoneLinkTTL = 72 * time.Hour

// IssuePhoneLink makes a one-time code that binds one phone to an employee
// (the admin sends it as a link or shows it as a QR code).
func (s *Service) IssuePhoneLink(ctx context.Context, employeeID string, ttl time.Duration, by string) (code string, expires time.Time, err error) {
	emp, err := s.Store.Employee(ctx, employeeID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !emp.ActiveAt(s.Now(), s.zone(ctx, emp.SiteID)) {
		return "", time.Time{}, wire.Errorf(wire.CodeNotFound, "no active employee %q", employeeID)
	} else if err != nil {
		return "", time.Time{}, fmt.Errorf("device: phone link: %w", err)
	}
	if ttl <= 0 {
		ttl = PhoneLinkTTL
	}
	if ttl > 30*24*time.Hour {
		return "", time.Time{}, wire.Errorf(wire.CodeInvalid, "a phone link may live at most 30 days")
	}
	if code, err = newCode(); err != nil {
		return "", time.Time{}, fmt.Errorf("device: phone link: %w", err)
	}
	now := s.Now().UTC()
	expires = now.Add(ttl)
	err = s.Store.PutEnrollCode(ctx, store.EnrollCode{Hash: hashPhoneCode(code), SiteID: emp.SiteID, EmployeeID: emp.ID, CreatedAt: now, ExpiresAt: expires, CreatedBy: by})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("device: phone link: %w", err)
	}
	return code, expires, nil
}

// ActivatePhone binds a phone's key to the employee of a phone link code.
func (s *Service) ActivatePhone(ctx context.Context, req wire.EnrollRequest) (wire.EnrollResponse, error) {
	dev, err := s.enroll(ctx, req, hashPhoneCode(req.Code), "phone")
	if err != nil {
		return wire.EnrollResponse{}, err
	}
	emp, err := s.Store.Employee(ctx, dev.EmployeeID)
	if err != nil {
		return wire.EnrollResponse{}, fmt.Errorf("device: activate phone: %w", err)
	}
	pull, _, err := s.Pull(ctx, dev, "")
	if err != nil {
		return wire.EnrollResponse{}, err
	}
	resp := wire.EnrollResponse{Protocol: wire.ProtocolVersion, DeviceID: dev.ID, ServerTime: s.Now().UTC(), Pull: pull, Employee: &emp}
	if site, err := s.Store.Site(ctx, dev.SiteID); err == nil {
		resp.Site = withZoneRules(site)
	}
	return resp, nil
}

// IssueCode makes a one-time code for enrolling a kiosk at a site. The
// code has 60 random bits, shown as XXXX-XXXX-XXXX; only its hash is kept.
func (s *Service) IssueCode(ctx context.Context, siteID string, ttl time.Duration, by string) (code string, expires time.Time, err error) {
	if _, err := s.Store.Site(ctx, siteID); errors.Is(err, store.ErrNotFound) {
		return "", time.Time{}, wire.Errorf(wire.CodeNotFound, "site %q does not exist", siteID)
	} else if err != nil {
		return "", time.Time{}, fmt.Errorf("device: issue code: %w", err)
	}
	if ttl <= 0 {
		ttl = CodeTTL
	}
	if ttl > 30*24*time.Hour {
		return "", time.Time{}, wire.Errorf(wire.CodeInvalid, "an enrollment code may live at most 30 days")
	}
	if code, err = newCode(); err != nil {
		return "", time.Time{}, fmt.Errorf("device: issue code: %w", err)
	}
	now := s.Now().UTC()
	expires = now.Add(ttl)
	if err := s.Store.PutEnrollCode(ctx, store.EnrollCode{Hash: HashCode(code), SiteID: siteID, CreatedAt: now, ExpiresAt: expires, CreatedBy: by}); err != nil {
		return "", time.Time{}, fmt.Errorf("device: issue code: %w", err)
	}
	return code, expires, nil
}

// Enroll registers a kiosk's public key with a one-time code.
func (s *Service) Enroll(ctx context.Context, req wire.EnrollRequest) (wire.EnrollResponse, error) {
	dev, err := s.enroll(ctx, req, HashCode(req.Code), "kiosk")
	if err != nil {
		return wire.EnrollResponse{}, err
	}
	site, err := s.Store.Site(ctx, dev.SiteID)
	if err != nil {
		return wire.EnrollResponse{}, fmt.Errorf("device: enroll: %w", err)
	}
	pull, _, err := s.Pull(ctx, dev, "")
	if err != nil {
		return wire.EnrollResponse{}, err
	}
	return wire.EnrollResponse{Protocol: wire.ProtocolVersion, DeviceID: dev.ID, Site: withZoneRules(site), QRSecret: dev.QRSecret, ServerTime: s.Now().UTC(), Pull: pull}, nil
}

// zoneRules caches attendance.ZoneRules by zone name: writing a zone's
// rules takes milliseconds, and every pull that carries a site sends them.
var zoneRules sync.Map

// withZoneRules adds the rules of the site's zone, for a device: a
// browser has no zone database (attendance.Site.ZoneRules).
func withZoneRules(site attendance.Site) attendance.Site {
	if r, ok := zoneRules.Load(site.Zone); ok {
		site.ZoneRules = r.([]byte)
		return site
	}
	loc, err := site.Location()
	if err != nil {
		return site // a zone punchd cannot load: the device keeps UTC, as before
	}
	r, _ := zoneRules.LoadOrStore(site.Zone, attendance.ZoneRules(loc))
	site.ZoneRules = r.([]byte)
	return site
}

// enroll checks a request and consumes the code whose hash is given.
func (s *Service) enroll(ctx context.Context, req wire.EnrollRequest, codeHash, defaultName string) (attendance.Device, error) {
	now := s.Now().UTC()
	if req.Protocol < wire.MinProtocolVersion {
		return attendance.Device{}, wire.Errorf(wire.CodeInvalid, "protocol %d is too old; update the kiosk", req.Protocol)
	}
	if len(req.PublicKey) != ed25519.PublicKeySize {
		return attendance.Device{}, wire.Errorf(wire.CodeInvalid, "public_key must be a %d-byte Ed25519 key", ed25519.PublicKeySize)
	}
	if NormalizeCode(req.Code) == "" {
		return attendance.Device{}, wire.Errorf(wire.CodeInvalid, "enrollment code is empty")
	}
	if len(req.Name) > 100 {
		return attendance.Device{}, wire.Errorf(wire.CodeInvalid, "device name is longer than 100 characters")
	}
	secret := make([]byte, 32) // 256-bit rotating-QR key
	if _, err := rand.Read(secret); err != nil {
		return attendance.Device{}, fmt.Errorf("device: enroll: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return attendance.Device{}, fmt.Errorf("device: enroll: %w", err)
	}
	name := req.Name
	if name == "" {
		name = defaultName
	}
	dev, err := s.Store.Enroll(ctx, codeHash, attendance.Device{
		ID: "dev-" + id.String(), Name: name, PublicKey: req.PublicKey, QRSecret: secret,
	}, now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return attendance.Device{}, wire.Errorf(wire.CodeUnauthorized, "unknown enrollment code")
	case errors.Is(err, store.ErrConflict):
		return attendance.Device{}, wire.Errorf(wire.CodeConflict, "this enrollment code has already been used; ask for a new one")
	case errors.Is(err, store.ErrExpired):
		return attendance.Device{}, wire.Errorf(wire.CodeExpired, "this enrollment code has expired; ask for a new one")
	case err != nil:
		return attendance.Device{}, store.Coded(err)
	}
	return dev, nil
}

// Identify returns the device a signed request's Authorization header
// names, without checking the signature (which needs the body): an
// unknown or revoked device is unauthorized before its body is read. The
// device is read from the cache of devices seen before.
func (s *Service) Identify(ctx context.Context, header string) (attendance.Device, error) {
	a, err := wire.ParseDeviceAuth(header)
	if err != nil {
		return attendance.Device{}, err
	}
	dev, err := s.lookup(ctx, a.DeviceID, true)
	if err != nil {
		return dev, err
	}
	if dev.Revoked {
		return dev, wire.Errorf(wire.CodeUnauthorized, "device %s is revoked; enroll it again", dev.ID)
	}
	return dev, nil
}

// lookup reads a device, from the cache when cached allows it.
func (s *Service) lookup(ctx context.Context, id string, cached bool) (attendance.Device, error) {
	now := s.Now()
	if v, ok := s.known.Load(id); ok && cached {
		c := v.(cachedDevice)
		ttl := s.CacheTTL
		if ttl <= 0 {
			ttl = DefaultCacheTTL
		}
		if age := now.Sub(c.at); age >= 0 && age < ttl {
			return c.dev, nil
		}
	}
	s.mu.Lock()
	gen := s.gen
	s.mu.Unlock()
	dev, err := s.Store.Device(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return dev, wire.Errorf(wire.CodeUnauthorized, "unknown device %q; enroll it", id)
	} else if err != nil {
		return dev, store.Coded(err)
	}
	s.mu.Lock()
	if s.gen == gen {
		s.known.Store(dev.ID, cachedDevice{dev: dev, at: now})
	}
	s.mu.Unlock()
	return dev, nil
}

// Authenticate checks a device-signed request and returns the device.
// Revoked and unknown devices are unauthorized. With cached, a device seen
// before is not read again: its revocation may then be missed, so only a
// caller that re-reads the device (punch ingest) asks for it.
func (s *Service) Authenticate(ctx context.Context, header, method, pathQuery string, body []byte, cached bool) (attendance.Device, error) {
	a, err := wire.ParseDeviceAuth(header)
	if err != nil {
		return attendance.Device{}, err
	}
	dev, err := s.lookup(ctx, a.DeviceID, cached)
	if err != nil {
		return dev, err
	}
	if !a.VerifyWith(sigcheck.Verify, dev.PublicKey, method, pathQuery, body) {
		return dev, wire.Errorf(wire.CodeUnauthorized, "request signature does not verify for device %s", dev.ID)
	}
	if dev.Revoked {
		return dev, wire.Errorf(wire.CodeUnauthorized, "device %s is revoked; enroll it again", dev.ID)
	}
	if now := s.Now(); !a.Fresh(now) {
		return dev, wire.Errorf(wire.CodeStale, "the request was signed at %s, %s from the server's time: sign again with the server_time of this answer",
			a.TS.UTC().Format(time.RFC3339), a.TS.Sub(now).Round(time.Second))
	}
	return dev, nil
}

// siteRoster splits employees into those a kiosk at site carries (home
// site there, or none: staff who work at every site) and the ids of the
// others. A store's roster is its own: a kiosk has no use for the rest
// of the company's names, and a company-wide pull costs every kiosk.
func siteRoster(emps []attendance.Employee, site string) (carried []attendance.Employee, others []string) {
	carried = emps[:0:0]
	for _, e := range emps {
		if e.SiteID == site || e.SiteID == "" {
			carried = append(carried, e)
		} else {
			others = append(others, e.ID)
		}
	}
	return carried, others
}

// zone is site's zone, UTC when it has none that loads: the zone a
// leaving date is judged in.
func (s *Service) zone(ctx context.Context, site string) *time.Location {
	if site == "" {
		return time.UTC
	}
	x, err := s.Store.Site(ctx, site)
	if err != nil {
		return time.UTC
	}
	loc, err := time.LoadLocation(x.Zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Managers are the people a kiosk at site lets sign in with badge and
// PIN: active manager and HR accounts with a PIN, linked to an employee
// the kiosk carries (of its site, or of every site) who has not left by
// now in the site's zone.
func (s *Service) Managers(ctx context.Context, site string) ([]wire.KioskManager, error) {
	users, err := s.Store.Users(ctx)
	if err != nil {
		return nil, store.Coded(err)
	}
	out := []wire.KioskManager{}
	loc := s.zone(ctx, site)
	for _, u := range users {
		if !u.Active || u.PINHash == "" || u.EmployeeID == "" || u.Role != auth.RoleManager && u.Role != auth.RoleHR {
			continue
		}
		e, err := s.Store.Employee(ctx, u.EmployeeID)
		if err != nil || !e.ActiveAt(s.Now(), loc) || e.SiteID != site && e.SiteID != "" {
			continue
		}
		root := u.DepartmentID
		if u.Role == auth.RoleHR {
			root = u.Unit
		}
		out = append(out, wire.KioskManager{EmployeeID: u.EmployeeID, Role: u.Role, DepartmentID: root, PINHash: u.PINHash})
	}
	return out, nil
}

// flows are the pending approval flows waiting for one of managers.
func (s *Service) flows(ctx context.Context, managers []wire.KioskManager) ([]wire.KioskFlow, error) {
	out := []wire.KioskFlow{}
	for _, m := range managers {
		rows, err := s.Store.Approvals(ctx, store.ApprovalFilter{WaitingFor: m.EmployeeID, State: string(approval.Pending), Limit: 500})
		if err != nil {
			return nil, store.Coded(err)
		}
		for _, a := range rows {
			r, err := approval.FromRow(a)
			if err != nil {
				return nil, err
			}
			out = append(out, wire.KioskFlow{ID: r.ID, Kind: string(r.Kind), EmployeeID: r.EmployeeID, Date: r.Date.String(), Time: r.Time,
				Direction: string(r.Direction), Minutes: r.Minutes, Reason: r.Reason, WaitingFor: m.EmployeeID, Level: r.Level(), Auto: r.CreatedBy == approval.System})
		}
	}
	return out, nil
}

// Pull returns what changed since cursor for a device, and the ETag of
// the answer. An empty or unparsable cursor gets a full snapshot.
func (s *Service) Pull(ctx context.Context, dev attendance.Device, cursor string) (wire.PullResponse, string, error) {
	since, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil || since < 0 {
		since = 0
	}
	ch, err := s.Store.Changes(ctx, since)
	if err != nil {
		return wire.PullResponse{}, "", store.Coded(err)
	}
	if ch.Version < since {
		// A cursor from the future (a restored database): start over.
		since = 0
		if ch, err = s.Store.Changes(ctx, 0); err != nil {
			return wire.PullResponse{}, "", store.Coded(err)
		}
	}
	resp := wire.PullResponse{
		Protocol: wire.ProtocolVersion, Cursor: strconv.FormatInt(ch.Version, 10), Full: since == 0,
		ServerTime: s.Now().UTC(), Departments: ch.Departments, Employees: ch.Employees,
	}
	if resp.Full {
		// A snapshot needs no leavers: the kiosk replaces its copy.
		resp.Employees = resp.Employees[:0:0]
		for _, e := range ch.Employees {
			if e.Active {
				resp.Employees = append(resp.Employees, e)
			}
		}
	}
	if dev.Kind == attendance.DeviceKiosk {
		resp.Employees, resp.Removed = siteRoster(resp.Employees, dev.SiteID)
		if resp.Full {
			resp.Removed = nil // a snapshot replaces the kiosk's copy
		}
	}
	if dev.Kind == attendance.DevicePhone {
		// A phone learns about its owner only, never the roster.
		resp.Departments = nil
		own := resp.Employees[:0:0]
		for _, e := range ch.Employees {
			if e.ID == dev.EmployeeID {
				own = append(own, e)
			}
		}
		resp.Employees = own
	}
	for _, site := range ch.Sites {
		if site.ID == dev.SiteID {
			site = withZoneRules(site)
			resp.Site = &site
		}
	}
	if dev.Kind == attendance.DeviceKiosk {
		if resp.Managers, err = s.Managers(ctx, dev.SiteID); err != nil {
			return wire.PullResponse{}, "", err
		}
		if resp.Flows, err = s.flows(ctx, resp.Managers); err != nil {
			return wire.PullResponse{}, "", err
		}
		if s.TagKeys != nil {
			if resp.TagKeys, err = s.TagKeys.Public(ctx); err != nil {
				return wire.PullResponse{}, "", store.Coded(err)
			}
		}
	}
	rulesChanged := resp.Full
	for _, id := range ch.RulesChanged {
		rulesChanged = rulesChanged || id == "" || id == dev.SiteID
	}
	if rulesChanged {
		doc, _, err := s.Store.Rules(ctx, dev.SiteID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return wire.PullResponse{}, "", store.Coded(err)
		}
		resp.Rules = doc
	}
	etag := `"v` + resp.Cursor
	if len(resp.TagKeys) > 0 {
		// A kiosk whose last answer had no tag keys (or other ones)
		// must not be answered "not modified".
		etag += "-k" + strconv.Itoa(len(resp.TagKeys)) + "-" + resp.TagKeys[len(resp.TagKeys)-1][:8]
	}
	return resp, etag + `"`, nil
}
