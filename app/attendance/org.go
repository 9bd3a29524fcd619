package attendance

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Site is a place with kiosks: a store or a workshop. Its zone decides the
// local business day of every punch made there.
type Site struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Zone is an IANA time zone name such as "Asia/Shanghai".
	Zone string `json:"zone"`
	// FaceURL is the base URL of the site's face matching service on its
	// LAN ("http://192.168.1.20:8090"); "" when the site has none. Kiosks
	// offer face punching when it answers.
	FaceURL string `json:"face_url,omitempty"`
	// Address is the site's postal address, for people reading it.
	Address string `json:"address,omitempty"`
	// Point is where the site is: the centre of the console's site plan,
	// around which fences are drawn.
	Point *LatLng `json:"point,omitempty"`
	// Fences are the site's geofences and Networks the client address
	// ranges (CIDR prefixes or single addresses) its network shows the
	// server. When a site has either, they are its location rules, in
	// place of a rule set's entry for the site (rules.Site); the rules
	// package checks them (rules.CheckSiteGeo).
	Fences   []Fence  `json:"fences,omitempty"`
	Networks []string `json:"networks,omitempty"`
	// FixAccuracyM is the accuracy a phone's fix needs at most for a GPS
	// punch here, in metres (0: 100 m, or the site's smallest circle when
	// smaller); without one for 15 minutes the phone offers the weak-GPS
	// route.
	FixAccuracyM float64 `json:"fix_accuracy_m,omitempty"`
	// Version is the change counter of the last update (see Pull).
	Version int64 `json:"version,omitempty"`
	// ZoneRules are the rules of Zone as TZif data (ZoneRules), which
	// punchd adds to the site it sends a kiosk or a phone (since
	// 2026-12-02, wire.History): a
	// browser has no zone database. Never stored; see Location.
	ZoneRules []byte `json:"zone_rules,omitempty"`
}

// Validate checks the site's fields; the zone must load.
func (s *Site) Validate() error {
	if err := validID("site", s.ID); err != nil {
		return err
	}
	if strings.TrimSpace(s.Name) == "" {
		return invalidf("site %s has no name", s.ID)
	}
	if _, err := time.LoadLocation(s.Zone); err != nil || s.Zone == "" || s.Zone == "Local" {
		return invalidf("site %s: time zone %q is not an IANA zone name", s.ID, s.Zone)
	}
	if s.FaceURL != "" {
		u, err := url.Parse(s.FaceURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidf("site %s: face_url %q is not an http(s) URL", s.ID, s.FaceURL)
		}
	}
	if len(s.Address) > 500 || strings.ContainsAny(s.Address, "\x00") {
		return invalidf("site %s: the address is longer than 500 bytes or has a NUL", s.ID)
	}
	if p := s.Point; p != nil && !(p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180) {
		return invalidf("site %s: point %v,%v is not a coordinate", s.ID, p.Lat, p.Lng)
	}
	if a := s.FixAccuracyM; a != 0 && !(a >= 10 && a <= 5000) {
		return invalidf("site %s: fix_accuracy_m %v is not 10 to 5000 metres", s.ID, a)
	}
	return nil
}

// Department is a node of the organisation tree.
type Department struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parent_id,omitempty"`
	// ManagerID is the employee who approves this department's requests.
	ManagerID string `json:"manager_id,omitempty"`
	Version   int64  `json:"version,omitempty"`
}

// Validate checks the department's own fields.
func (d *Department) Validate() error {
	if err := validID("department", d.ID); err != nil {
		return err
	}
	if strings.TrimSpace(d.Name) == "" {
		return invalidf("department %s has no name", d.ID)
	}
	if d.ParentID == d.ID {
		return invalidf("department %s is its own parent", d.ID)
	}
	return nil
}

// CheckTree reports a department whose parent is unknown or that is part of
// a cycle.
func CheckTree(depts []Department) error {
	parent := make(map[string]string, len(depts))
	for _, d := range depts {
		parent[d.ID] = d.ParentID
	}
	for _, d := range depts {
		seen := map[string]bool{}
		for id := d.ID; id != ""; id = parent[id] {
			if seen[id] {
				return invalidf("department %s is in a cycle", d.ID)
			}
			seen[id] = true
			if _, ok := parent[id]; !ok {
				return invalidf("department %s: parent %s unknown", d.ID, id)
			}
		}
	}
	return nil
}

// Device kinds.
const (
	DeviceKiosk = "kiosk" // an entrance tablet: punches for anyone, shows the rotating QR
	DevicePhone = "phone" // an employee's own phone: punches for that employee only
)

// Device is an enrolled kiosk or phone and the state of its punch chain.
type Device struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Kind is DeviceKiosk or DevicePhone.
	Kind string `json:"kind"`
	// EmployeeID is the phone's owner ("" for a kiosk).
	EmployeeID string `json:"employee_id,omitempty"`
	SiteID     string `json:"site_id"`
	// PublicKey is the device's Ed25519 public key.
	PublicKey  []byte    `json:"public_key"`
	EnrolledAt time.Time `json:"enrolled_at"`
	Revoked    bool      `json:"revoked"`
	// LastSeq and LastHash are the newest punch of its chain the server holds.
	LastSeq  uint64 `json:"last_seq"`
	LastHash string `json:"last_hash,omitempty"`
	// OffsetMS is the clock offset (server minus device) last measured, and
	// SeenAt when.
	OffsetMS int64     `json:"offset_ms"`
	SeenAt   time.Time `json:"seen_at,omitzero"`
	// QRSecret is the device's rotating-QR HMAC key; never sent to anyone
	// but the device at enrollment.
	QRSecret []byte `json:"-"`
}

// validID accepts short identifiers of letters, digits and "-_.:".
func validID(kind, id string) error {
	if id == "" || len(id) > 64 {
		return invalidf("%s id %q must have 1 to 64 characters", kind, id)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c)) {
			return invalidf("%s id %q: character %q not allowed", kind, id, c)
		}
	}
	return nil
}

// ValidID checks an identifier of the given kind ("employee", "site", ...).
func ValidID(kind, id string) error { return validID(kind, id) }

// String gives "Name (id)" for messages.
func (e Employee) String() string { return fmt.Sprintf("%s (%s)", e.Name, e.ID) }
