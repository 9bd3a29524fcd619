package sqlstore

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"punchclock/app/attendance"
)

// decodePunch is json.Unmarshal(body, p) for a zero p, several times
// faster on the bodies kiosks write (a company's month of day records reads
// hundreds of thousands). Its fast path takes an object of the punch's own
// keys, each once, with strings without escapes; anything else is left to
// json.Unmarshal, so the result and any error are json.Unmarshal's.
func decodePunch(body []byte, p *attendance.Punch) error {
	if fastPunch(body, p) {
		return nil
	}
	*p = attendance.Punch{}
	return json.Unmarshal(body, p)
}

// scanner reads JSON tokens from b; ok turns false at the first thing the
// fast path does not handle.
type scanner struct {
	b  []byte
	i  int
	ok bool
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next consumes c, after white space, or fails.
func (s *scanner) next(c byte) bool {
	s.space()
	if s.ok && s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// quoted returns a string token with its quotes, with no escape, control
// character or invalid UTF-8 in it.
func (s *scanner) quoted() []byte {
	s.space()
	if !s.ok || s.i >= len(s.b) || s.b[s.i] != '"' {
		s.ok = false
		return nil
	}
	start := s.i
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			if !utf8.Valid(s.b[start+1 : j]) {
				s.ok = false
			}
			return s.b[start:s.i]
		case c == '\\' || c < 0x20:
			s.ok = false
			return nil
		}
	}
	s.ok = false
	return nil
}

func (s *scanner) str() string {
	q := s.quoted()
	if !s.ok {
		return ""
	}
	return string(q[1 : len(q)-1])
}

// number returns a number token that JSON's grammar allows; integer
// refuses a fraction or exponent.
func (s *scanner) number(integer bool) string {
	s.space()
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > start
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		s.ok = false
		return ""
	}
	if !integer {
		if i < len(b) && b[i] == '.' {
			i++
			if !digits() {
				s.ok = false
				return ""
			}
		}
		if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
			i++
			if i < len(b) && (b[i] == '+' || b[i] == '-') {
				i++
			}
			if !digits() {
				s.ok = false
				return ""
			}
		}
	}
	tok := string(b[s.i:i])
	s.i = i
	return tok
}

func (s *scanner) int64() int64 {
	n, err := strconv.ParseInt(s.number(true), 10, 64)
	s.ok = s.ok && err == nil
	return n
}

func (s *scanner) float() float64 {
	f, err := strconv.ParseFloat(s.number(false), 64)
	s.ok = s.ok && err == nil
	return f
}

// object reads an object, calling field for each key with the key's
// index in keys (-1 for another key, which fails) once.
func (s *scanner) object(keys []string, field func(k int)) {
	if !s.next('{') {
		s.ok = false
		return
	}
	if s.next('}') {
		return
	}
	var seen uint32
	for s.ok {
		q := s.quoted()
		if !s.ok || !s.next(':') {
			s.ok = false
			return
		}
		k := -1
		for j, name := range keys {
			if string(q[1:len(q)-1]) == name {
				k = j
			}
		}
		if k < 0 || seen&(1<<k) != 0 {
			s.ok = false
			return
		}
		seen |= 1 << k
		field(k)
		if s.next('}') {
			return
		}
		if !s.next(',') {
			s.ok = false
		}
	}
}

var (
	punchKeys    = []string{"id", "employee_id", "device_id", "site_id", "method", "direction", "device_time", "est_time", "offset_ms", "offset_age_s", "location", "evidence", "seq", "prev"}
	locationKeys = []string{"lat", "lng", "accuracy_m", "datum"}
	evidenceKeys = []string{"badge_code", "face_verdict_id", "face_audit", "qr_token", "note", "place", "photo"}
)

func fastPunch(body []byte, p *attendance.Punch) bool {
	s := &scanner{b: body, ok: true}
	s.object(punchKeys, func(k int) {
		switch k {
		case 0:
			p.ID = s.str()
		case 1:
			p.EmployeeID = s.str()
		case 2:
			p.DeviceID = s.str()
		case 3:
			p.SiteID = s.str()
		case 4:
			p.Method = attendance.Method(s.str())
		case 5:
			p.Direction = attendance.Direction(s.str())
		case 6, 7:
			t := &p.DeviceTime
			if k == 7 {
				t = &p.EstTime
			}
			if q := s.quoted(); s.ok && t.UnmarshalJSON(q) != nil {
				s.ok = false
			}
		case 8:
			p.OffsetMS = s.int64()
		case 9:
			p.OffsetAgeS = s.int64()
		case 10:
			l := &attendance.Location{}
			p.Location = l
			s.object(locationKeys, func(k int) {
				if k == 3 {
					l.Datum = s.str()
				} else {
					*[...]*float64{&l.Lat, &l.Lng, &l.AccuracyM}[k] = s.float()
				}
			})
		case 11:
			e := &p.Evidence
			s.object(evidenceKeys, func(k int) {
				*[...]*string{&e.BadgeCode, &e.FaceID, &e.FaceAudit, &e.QRToken, &e.Note, &e.Place, &e.Photo}[k] = s.str()
			})
		case 12:
			n, err := strconv.ParseUint(s.number(true), 10, 64)
			s.ok = s.ok && err == nil
			p.Seq = n
		case 13:
			p.Prev = s.str()
		}
	})
	s.space()
	return s.ok && s.i == len(body)
}
