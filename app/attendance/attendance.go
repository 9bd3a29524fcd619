// Package attendance holds punchclock's domain types and their validation:
// organisations (sites, departments, employees), devices and punches.
//
// It depends on the standard library only, builds for linux and js/wasm, and
// never reads the clock: every "now" is an argument.
package attendance

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Method is how a punch was made.
type Method string

// The punch methods. The set is closed: an unknown method is invalid.
const (
	MethodBadge    Method = "badge"    // badge QR/barcode decoded by the kiosk camera
	MethodFace     Method = "face"     // face match by the LAN face service
	MethodQR       Method = "qr"       // phone scanned the kiosk's rotating QR
	MethodGPS      Method = "gps"      // phone punch with a location fix
	MethodNFC      Method = "nfc"      // NFC card at a reader
	MethodTerminal Method = "terminal" // third-party attendance terminal ingestion
	MethodManual   Method = "manual"   // entered by a manager (make-up punch)
	// MethodFingerprint and MethodCard are a hardware terminal's
	// fingerprint match and card read (protocol 3). A terminal's face
	// match is MethodFace; its other verify modes stay MethodTerminal.
	MethodFingerprint Method = "fingerprint"
	MethodCard        Method = "card"
)

// TerminalDevicePrefix begins the device id of a hardware terminal's
// punches, followed by its serial number ("terminal:CQQC220960011").
const TerminalDevicePrefix = "terminal:"

// Methods lists every valid method, in a stable order (new ones last).
var Methods = []Method{MethodBadge, MethodFace, MethodQR, MethodGPS, MethodNFC, MethodTerminal, MethodManual, MethodFingerprint, MethodCard}

// Valid reports whether m is one of the known methods.
func (m Method) Valid() bool {
	for _, k := range Methods {
		if m == k {
			return true
		}
	}
	return false
}

// Direction is an optional hint of the punch's direction. The rules engine
// decides which punch is a shift's in and out; a hint only breaks ties.
type Direction string

// The direction hints.
const (
	DirectionNone Direction = ""
	DirectionIn   Direction = "in"
	DirectionOut  Direction = "out"
)

// Location is a position fix as a device reported it.
type Location struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
	// AccuracyM is the radius of the 68% confidence circle in metres, as
	// browsers report it; 0 means unknown.
	AccuracyM float64 `json:"accuracy_m,omitempty"`
	// Datum is "wgs84" (browsers, GPS) or "gcj02" (maps in mainland China).
	Datum string `json:"datum,omitempty"`
}

// Validate checks the location's ranges.
func (l Location) Validate() error {
	if math.IsNaN(l.Lat) || math.IsNaN(l.Lng) || l.Lat < -90 || l.Lat > 90 || l.Lng < -180 || l.Lng > 180 {
		return fmt.Errorf("location %v,%v out of range", l.Lat, l.Lng)
	}
	if l.AccuracyM < 0 || math.IsNaN(l.AccuracyM) || l.AccuracyM > 100000 {
		return fmt.Errorf("location accuracy %v m out of range", l.AccuracyM)
	}
	switch l.Datum {
	case "", "wgs84", "gcj02":
	default:
		return fmt.Errorf("location datum %q unknown (want wgs84 or gcj02)", l.Datum)
	}
	return nil
}

// Evidence is what backs a punch: the badge code read, the face verdict id,
// the rotating QR token. Only the field of the punch's method is expected.
type Evidence struct {
	BadgeCode string `json:"badge_code,omitempty"`
	FaceID    string `json:"face_verdict_id,omitempty"`
	// FaceAudit is the face service's audit record of the verdict (its
	// distances), sealed for the server: the kiosk carries it unread.
	FaceAudit string `json:"face_audit,omitempty"`
	QRToken   string `json:"qr_token,omitempty"`
	// Note is free text for manual punches (why it was made).
	Note string `json:"note,omitempty"`
	// Place is the place a field employee typed for a GPS punch made
	// without a usable fix (the weak-GPS route): their manager decides.
	Place string `json:"place,omitempty"`
	// Photo is the live photo the phone's camera took with a GPS punch: a
	// small JPEG (at most MaxPhoto bytes), base64 (standard encoding). It
	// travels in the punch, signed and queued with it; the server checks
	// it is a JPEG.
	Photo string `json:"photo,omitempty"`
	// Terminal is what a hardware terminal recorded of the punch, raw:
	// the server writes it for terminal punches (package terminal).
	Terminal *TerminalRecord `json:"terminal,omitempty"`
	// NFCSerial is the serial number (UID) of the NFC tag or card a
	// kiosk read for an nfc punch, upper-case hex; NFCTag the signed
	// badge token the tag carried (package nfctag), "" for a card read by
	// its serial number alone, which the site's rules may not trust on
	// its own (rules.Exceptions.NFCSerial).
	NFCSerial string `json:"nfc_serial,omitempty"`
	NFCTag    string `json:"nfc_tag,omitempty"`
}

// TerminalRecord is a hardware terminal's attendance record as it sent it
// (a ZKTeco ATTLOG line): its serial number, the user's PIN, its naive
// local time, and its raw status and verify codes, kept whatever method
// the verify code became.
type TerminalRecord struct {
	Serial    string `json:"serial"`
	PIN       string `json:"pin"`
	LocalTime string `json:"local_time"`
	Status    int    `json:"status"`
	Verify    int    `json:"verify"`
	WorkCode  string `json:"work_code,omitempty"`
}

// MaxPlace is the longest typed place of a weak-GPS punch, in characters.
const MaxPlace = 200

// MaxPhoto is the largest photo a punch carries, in bytes of JPEG: a
// 400-pixel picture of a face or a shop front, and a batch of 100 such
// punches within a request's 4 MiB.
const MaxPhoto = 24 << 10

// Punch is one clock event as the capturing device recorded it. A punch is
// an event, not an "in" or "out": the rules engine assigns it to a shift.
// Punches are append-only; corrections are separate records.
type Punch struct {
	// ID is a UUIDv7 made by the device, so a retried upload is recognised.
	ID         string    `json:"id"`
	EmployeeID string    `json:"employee_id"`
	DeviceID   string    `json:"device_id"`
	SiteID     string    `json:"site_id,omitempty"`
	Method     Method    `json:"method"`
	Direction  Direction `json:"direction,omitempty"`
	// DeviceTime is the device's wall clock when the punch was made.
	DeviceTime time.Time `json:"device_time"`
	// EstTime is the device's estimate of true time: DeviceTime corrected by
	// the server offset learnt at the last sync. Zero when the device has
	// never learnt an offset since it started.
	EstTime time.Time `json:"est_time,omitzero"`
	// OffsetMS is the offset (server minus device, milliseconds) used for EstTime.
	OffsetMS int64 `json:"offset_ms,omitempty"`
	// OffsetAgeS is how long ago, in seconds of monotonic time, that offset
	// was learnt; -1 when unknown.
	OffsetAgeS int64     `json:"offset_age_s,omitempty"`
	Location   *Location `json:"location,omitempty"`
	Evidence   Evidence  `json:"evidence,omitzero"`
	// Seq is the device's punch counter, starting at 1, and Prev the hex
	// SHA-256 of the previous punch's signed body ("" for Seq 1): the chain
	// lets the server notice a missing, reordered or forged punch.
	Seq  uint64 `json:"seq"`
	Prev string `json:"prev,omitempty"`
}

// Limits of a plausible punch, relative to the server's clock.
const (
	// MaxFuture is how far past the server's now a corrected punch time may be.
	MaxFuture = 10 * time.Minute
	// MaxPast is how old a punch may be when it reaches the server. A kiosk
	// may stay offline for days; older punches need a manual make-up.
	MaxPast = 62 * 24 * time.Hour
	// SkewFlag is the device clock error above which a punch is flagged.
	SkewFlag = 2 * time.Minute
)

// ErrInvalid marks a validation failure; errors.Is(err, ErrInvalid) holds
// for every error Validate returns.
var ErrInvalid = errors.New("invalid")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Validate checks the punch's own fields (not its signature or chain).
func (p *Punch) Validate() error {
	if !IsUUIDv7(p.ID) {
		return invalidf("punch id %q is not a UUIDv7", p.ID)
	}
	// A badge, or a card's serial number read as one, may be unknown to
	// the kiosk's roster: the server looks it up.
	if strings.TrimSpace(p.EmployeeID) == "" && p.Method != MethodBadge && p.Method != MethodNFC {
		return invalidf("punch %s has no employee", p.ID)
	}
	if (p.Method == MethodBadge || p.Method == MethodNFC) && p.EmployeeID == "" && p.Evidence.BadgeCode == "" {
		return invalidf("%s punch %s has neither employee nor badge code", p.Method, p.ID)
	}
	if (p.Evidence.NFCSerial != "" || p.Evidence.NFCTag != "") && p.Method != MethodNFC {
		return invalidf("punch %s: an NFC tag's serial or token on a %s punch", p.ID, p.Method)
	}
	if len(p.Evidence.NFCSerial) > 32 || len(p.Evidence.NFCTag) > 256 {
		return invalidf("punch %s: NFC evidence too long", p.ID)
	}
	if strings.Trim(p.Evidence.NFCSerial, "0123456789ABCDEF") != "" {
		return invalidf("punch %s: NFC serial %q is not upper-case hex", p.ID, p.Evidence.NFCSerial)
	}
	if !p.Method.Valid() {
		return invalidf("punch %s: unknown method %q", p.ID, p.Method)
	}
	switch p.Direction {
	case DirectionNone, DirectionIn, DirectionOut:
	default:
		return invalidf("punch %s: unknown direction %q", p.ID, p.Direction)
	}
	if p.DeviceTime.IsZero() {
		return invalidf("punch %s has no device time", p.ID)
	}
	if p.Seq == 0 {
		return invalidf("punch %s has no sequence number", p.ID)
	}
	if p.Seq > math.MaxInt64 {
		// Databases store seq as a signed 64-bit integer; above this it
		// would come back negative.
		return invalidf("punch %s: seq %d is above 2^63-1", p.ID, p.Seq)
	}
	if p.Seq == 1 && p.Prev != "" || p.Seq > 1 && !isHexHash(p.Prev) {
		return invalidf("punch %s: prev %q is not the previous punch's SHA-256", p.ID, p.Prev)
	}
	if p.Location != nil {
		if err := p.Location.Validate(); err != nil {
			return invalidf("punch %s: %v", p.ID, err)
		}
	}
	if len(p.Evidence.BadgeCode) > 256 || len(p.Evidence.QRToken) > 512 || len(p.Evidence.FaceID) > 128 || len(p.Evidence.FaceAudit) > 4096 || len(p.Evidence.Note) > 1000 {
		return invalidf("punch %s: evidence too long", p.ID)
	}
	if utf8.RuneCountInString(p.Evidence.Place) > MaxPlace || p.Evidence.Place != "" && strings.TrimSpace(p.Evidence.Place) == "" {
		return invalidf("punch %s: the typed place is blank or longer than %d characters", p.ID, MaxPlace)
	}
	if t := p.Evidence.Terminal; t != nil && (len(t.Serial) > 64 || len(t.PIN) > 64 || len(t.LocalTime) > 32 || len(t.WorkCode) > 64) {
		return invalidf("punch %s: terminal record too long", p.ID)
	}
	if len(p.Evidence.Photo) > (MaxPhoto+2)/3*4 {
		return invalidf("punch %s: the photo is larger than %d bytes", p.ID, MaxPhoto)
	}
	return nil
}

// EstTolerance is how far a punch's est_time may be from its device_time
// corrected by the offset measured on its batch before the server stops
// trusting est_time. It covers the upload's transit time (which the
// measured offset includes) and the drift of a tablet's clock while
// offline (some 20 ppm: under 2 minutes over MaxPast).
const EstTolerance = 2 * time.Minute

// Timing is when the server holds a punch happened, and how it knows.
type Timing struct {
	// Time is the true time (UTC).
	Time time.Time
	// Estimated: the device knew no offset (no est_time); Time is its
	// device_time corrected by the batch's offset.
	Estimated bool
	// Mismatch: est_time and the batch's offset disagreed by more than
	// EstTolerance. Time is device_time corrected by the batch's offset,
	// or est_time when only est_time passes CheckTime (the wall clock may
	// have jumped between the punch and its upload, which est_time, kept
	// on a monotonic clock, survives).
	Mismatch bool
	// Skewed: the device clock was off by more than SkewFlag.
	Skewed bool
}

// Timing judges when the punch happened. batchOffset is the device's
// clock offset (server minus device) the server measured when the punch's
// batch arrived, assumed to have held since the punch; now is the server's
// clock. A device's est_time is the better estimate (it was learnt against
// the midpoint of a round trip) but only the device vouches for it, so it
// is used only while it agrees with what the server measured.
func (p *Punch) Timing(batchOffset time.Duration, now time.Time) Timing {
	measured := p.DeviceTime.Add(batchOffset)
	t := Timing{Time: p.EstTime}
	switch d := p.EstTime.Sub(measured); {
	case p.EstTime.IsZero():
		t.Time, t.Estimated = measured, true
	case d > EstTolerance || d < -EstTolerance:
		t.Mismatch = true
		if CheckTime(measured, now) == nil || CheckTime(p.EstTime, now) != nil {
			t.Time = measured
		}
	}
	skew := t.Time.Sub(p.DeviceTime)
	t.Time, t.Skewed = t.Time.UTC(), skew > SkewFlag || skew < -SkewFlag
	return t
}

// CheckTime rejects a punch whose true time is implausible next to the
// server's clock now.
func CheckTime(trueTime, now time.Time) error {
	if trueTime.After(now.Add(MaxFuture)) {
		return invalidf("punch time %s is %s in the future", trueTime.Format(time.RFC3339), trueTime.Sub(now).Round(time.Second))
	}
	if trueTime.Before(now.Add(-MaxPast)) {
		return invalidf("punch time %s is older than %d days", trueTime.Format(time.RFC3339), int(MaxPast.Hours()/24))
	}
	return nil
}

func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// IsUUIDv7 reports whether s is a canonical lowercase UUID of version 7 and
// the RFC 9562 variant.
func IsUUIDv7(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s[14] == '7' && strings.ContainsRune("89ab", rune(s[19]))
}
