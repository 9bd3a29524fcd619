package sqlstore

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
)

// TestDecodePunch checks that decodePunch gives json.Unmarshal's result
// and error, on bodies its fast path takes and on bodies it leaves to
// json.Unmarshal.
func TestDecodePunch(t *testing.T) {
	at := time.Date(2026, 10, 8, 9, 11, 59, 5000, time.FixedZone("", 8*3600))
	full, _ := json.Marshal(attendance.Punch{ID: "0192", EmployeeID: "E1", DeviceID: "d1", SiteID: "s1", Method: attendance.MethodGPS,
		Direction: attendance.DirectionOut, DeviceTime: at, EstTime: at.UTC(), OffsetMS: -1500, OffsetAgeS: -1,
		Location: &attendance.Location{Lat: 31.2304, Lng: -121.4737, AccuracyM: 1e-7, Datum: "gcj02"},
		Evidence: attendance.Evidence{BadgeCode: "PC-1", FaceID: "f", FaceAudit: "sealed", QRToken: "q", Note: "迟到 late"}, Seq: 1<<64 - 1, Prev: "ab"})
	plain, _ := json.Marshal(attendance.Punch{ID: "p", EmployeeID: "E2", DeviceID: "d", Method: attendance.MethodBadge, DeviceTime: at, Seq: 1})
	bodies := []string{string(full), string(plain), " \n{ } ", "{}",
		`{"id":"a","id":"b"}`,                      // duplicated key
		`{"ID":"upper"}`,                           // another case
		`{"id":"esc\"aped","note":1}`,              // escape, unknown key
		`{"id":"bad ` + "\xff" + ` utf8"}`,         // invalid UTF-8
		`{"location":null,"seq":2}`,                // null
		`{"location":{"lat":1,"lat":2}}`,           // duplicated inner key
		`{"location":{"lat":"1"}}`,                 // a string for a number
		`{"seq":-1}`, `{"seq":1.0}`, `{"seq":1e3}`, // not a uint64
		`{"offset_ms":01}`, `{"offset_ms":-}`, // not numbers
		`{"offset_ms":9223372036854775808}`,       // too large
		`{"location":{"lat":-0.5e-7,"lng":1E+2}}`, // exponents
		`{"location":{"lat":.5}}`, `{"location":{"lat":1.}}`,
		`{"device_time":"2026-13-01T00:00:00Z"}`, // no such month
		`{"device_time":"2026-10-01T00:00:00+08:00"}`,
		`{"evidence":{"note":"n","badge_code":"b"}}`,
		`{"id":"a"} x`, `{"id":"a",}`, `{"id":"a"`, `[]`, ``, `nul`,
		`{"seq":18446744073709551616}`,
		`{"method":"gps","direction":"in","prev":""}`,
	}
	if strings.Count(string(full), `"`) < 40 {
		t.Fatalf("the full body lacks fields: %s", full)
	}
	for _, b := range bodies {
		var want, got attendance.Punch
		errWant := json.Unmarshal([]byte(b), &want)
		errGot := decodePunch([]byte(b), &got)
		if (errWant == nil) != (errGot == nil) || errWant != nil && errWant.Error() != errGot.Error() {
			t.Errorf("%s: error %v, want %v", b, errGot, errWant)
			continue
		}
		if errWant == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", b, got, want)
		}
	}
	var p attendance.Punch
	if !fastPunch(full, &p) || !fastPunch(plain, &p) {
		t.Error("a body as kiosks write it is not read by the fast path")
	}
}
