package httpapi

import (
	"encoding/json"
	"testing"
	"time"

	"punchclock/app/attendance"
)

// TestPunchViewJSON checks the hand-written encoding of a punch against
// encoding/json's, with every field set and texts that need escaping, and
// that a view with evidence is left to encoding/json.
func TestPunchViewJSON(t *testing.T) {
	at := time.Date(2026, 10, 8, 9, 11, 59, 5000, time.FixedZone("CST", 8*3600))
	full := punchView{Punch: attendance.Punch{ID: "p<1>", EmployeeID: "e&1", DeviceID: "d\"1", SiteID: "s\u2028", Method: attendance.MethodGPS,
		Direction: attendance.DirectionIn, DeviceTime: at, EstTime: at.UTC(), OffsetMS: -1500, OffsetAgeS: 3600,
		Location: &attendance.Location{Lat: 31.2304, Lng: 121.4737, AccuracyM: 1e-7, Datum: "gcj02"},
		Evidence: attendance.Evidence{BadgeCode: "B\x01", FaceAudit: "sealed", Note: "迟到 <note>"}, Seq: 1<<63 + 5, Prev: "ab"},
		TrueTime: at, ReceivedAt: at.Add(time.Second), Status: "accepted", Flags: []string{"clock_skew", "x"}, Addr: "203.0.113.7", Hash: "h"}
	for _, v := range []punchView{full, {}, {Punch: attendance.Punch{Location: &attendance.Location{}, Evidence: attendance.Evidence{QRToken: "q"}}, Flags: []string{}}} {
		want, err := json.Marshal(&v)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := v.appendJSON([]byte("x"))
		if !ok || string(got[1:]) != string(want) {
			t.Errorf("appendJSON:\n%s\nwant\n%s", got, want)
		}
	}
	full.Sig = []byte{1}
	if _, ok := full.appendJSON(nil); ok {
		t.Error("a view with its signature is not left to encoding/json")
	}
}
