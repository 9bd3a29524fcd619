package attendance

import (
	"encoding/binary"
	"errors"
	"time"
)

// A browser has no zone database for Go, and embedding Go's (time/tzdata)
// would cost the kiosk's download about 64 KB: punchd sends each device
// its site's zone rules instead, as TZif data made from its own zone
// database, so the kiosk and the server judge a punch's local day by the
// same rules.

// zoneRulesUntil is the last year whose transitions ZoneRules writes.
const zoneRulesUntil = 2100

// ZoneRules writes loc's offsets from 1970 to 2100 as TZif (RFC 8536,
// version 2) data, which time.LoadLocationFromTZData reads back: one
// transition for each change of offset, name or daylight saving, so the
// rules of loc's zone database are written out whether they came from its
// transition table or from its rule for the years beyond it. Before 1970
// the offset of 1970 applies; after 2100 the last one.
func ZoneRules(loc *time.Location) []byte {
	type zone struct {
		name   string
		offset int
		dst    bool
	}
	zoneAt := func(t time.Time) zone {
		name, offset := t.Zone()
		return zone{name, offset, t.IsDST()}
	}
	t := time.Unix(0, 0).In(loc)
	// Type 0 is the zone before the first transition and nothing else, so
	// readers take it for the times before (RFC 8536, section 3.2).
	zones := []zone{zoneAt(t)}
	var when []int64
	var which []byte
	cur := zones[0]
	end := time.Date(zoneRulesUntil+1, 1, 1, 0, 0, 0, 0, time.UTC)
	// Day by day, then to the second: Time.ZoneBounds cannot be trusted
	// here, as beyond its table Go 1.26 answers some year ends with a
	// bound in the past (Europe/Berlin on 2040-12-31). Two changes within
	// one day that undo each other would be missed; no zone has them.
	for len(zones) < 255 && t.Before(end) {
		next := t.Add(24 * time.Hour)
		if z := zoneAt(next); z == cur {
			t = next
			continue
		}
		lo, hi := t, next // cur at lo, another zone at hi
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
			if !mid.After(lo) {
				mid = lo.Add(time.Second)
			}
			if zoneAt(mid) == cur {
				lo = mid
			} else {
				hi = mid
			}
		}
		t = hi
		cur = zoneAt(t)
		i := 1
		for i < len(zones) && zones[i] != cur {
			i++
		}
		if i == len(zones) {
			zones = append(zones, cur)
		}
		when, which = append(when, t.Unix()), append(which, byte(i))
	}
	var names []byte
	nameAt := map[string]byte{}
	for _, z := range zones {
		if _, ok := nameAt[z.name]; !ok {
			nameAt[z.name] = byte(len(names))
			names = append(append(names, z.name...), 0)
		}
	}
	header := func(b []byte, times, types, chars int) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range []int{0, 0, 0, times, types, chars} { // isut, isstd, leap, time, type, char
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
		return b
	}
	// The version 1 block, which version 2 readers skip: one zone, no
	// transitions.
	b := header(nil, 0, 1, 1)
	b = append(b, 0, 0, 0, 0, 0, 0, 0)
	b = header(b, len(when), len(zones), len(names))
	for _, w := range when {
		b = binary.BigEndian.AppendUint64(b, uint64(w))
	}
	b = append(b, which...)
	for _, z := range zones {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(z.offset)))
		dst := byte(0)
		if z.dst {
			dst = 1
		}
		b = append(b, dst, nameAt[z.name])
	}
	b = append(b, names...)
	return append(b, '\n', '\n') // no rule for the years after
}

// ErrNoZone is Site.Location's error for a zone that does not load.
var ErrNoZone = errors.New("attendance: the site's time zone does not load")

// Location returns the site's zone: from ZoneRules when punchd sent them
// (a device), else from the zone database (punchd, tests).
func (s *Site) Location() (*time.Location, error) {
	if s.Zone == "" || s.Zone == "Local" {
		return nil, ErrNoZone
	}
	if len(s.ZoneRules) > 0 {
		if loc, err := time.LoadLocationFromTZData(s.Zone, s.ZoneRules); err == nil {
			return loc, nil
		}
	}
	loc, err := time.LoadLocation(s.Zone)
	if err != nil {
		return nil, ErrNoZone
	}
	return loc, nil
}
