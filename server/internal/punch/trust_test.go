package punch_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/store"
)

// TestIngestClockTrust: a punch's est_time is trusted while it agrees with
// its device_time corrected by the offset measured on its batch; beyond
// attendance.EstTolerance the server uses the measured time and flags it.
// The server's clock is t0; every expectation derives from it.
func TestIngestClockTrust(t *testing.T) {
	const h = time.Hour
	tests := []struct {
		name      string
		clock     time.Duration // device clock minus true time
		at        time.Duration // when the punch was made, relative to t0
		estErr    time.Duration // est_time minus true time
		noEst     bool          // the device knew no offset
		want      string
		wantTrue  time.Duration // stored true time relative to t0
		wantNoRow bool
	}{
		{"est 26 h in the past", 0, -time.Minute, -26 * h, false, "accepted+est_time_mismatch", -time.Minute, false},
		{"est 3 h ahead", 0, -time.Minute, 3 * h, false, "accepted+est_time_mismatch", -time.Minute, false},
		{"small disagreement within tolerance", 0, -time.Minute, 90 * time.Second, false, "accepted", -time.Minute + 90*time.Second, false},
		{"no offset known, clock an hour slow", -h, -5 * time.Minute, 0, true, "accepted+clock_estimated+clock_skew", -5 * time.Minute, false},
		{"clock an hour slow, est right", -h, -5 * time.Minute, 0, false, "accepted+clock_skew", -5 * time.Minute, false},
		{"clock an hour slow, est believes it right", -h, -5 * time.Minute, -h, false, "accepted+clock_skew+est_time_mismatch", -5 * time.Minute, false},
		{"clock 3 h fast, est and device both 3 h ahead", 3 * h, -5 * time.Minute, 3 * h, false, "accepted+clock_skew+est_time_mismatch", -5 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			trueAt := t0.Add(tt.at)
			p := attendance.Punch{ID: uuid.Must(uuid.NewV7()).String(), EmployeeID: "e1", DeviceID: "dev1", Method: attendance.MethodBadge,
				DeviceTime: trueAt.Add(tt.clock)}
			if !tt.noEst {
				p.EstTime = trueAt.Add(tt.estErr)
			}
			sp, _, err := f.chain.Next(&p, f.key)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := f.svc.IngestByID(context.Background(), "dev1", wire.BatchRequest{Protocol: 1, DeviceID: "dev1", SentAt: t0.Add(tt.clock), Punches: []wire.SignedPunch{sp}})
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(resp.Results); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			stored, err := f.st.Punch(context.Background(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := t0.Add(tt.wantTrue); !stored.TrueTime.Equal(want) {
				t.Errorf("true time %v, want %v", stored.TrueTime, want)
			}
		})
	}
}

// TestIngestNeedsSentAt: without sent_at no est_time could be checked, so
// the batch is refused whole.
func TestIngestNeedsSentAt(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.IngestByID(context.Background(), "dev1", wire.BatchRequest{Protocol: 1, DeviceID: "dev1", Punches: []wire.SignedPunch{f.next(t, "e1")}})
	if wire.CodeOf(err) != wire.CodeInvalid || !strings.Contains(wire.MessageOf(err), "sent_at") {
		t.Errorf("no sent_at: %v, want invalid naming sent_at", err)
	}
}

// TestIngestBadBodies: signed bodies that read two ways, or hold what the
// databases cannot store, are refused one by one as invalid, and nothing
// of them is stored.
func TestIngestBadBodies(t *testing.T) {
	tests := []struct {
		name string
		body func(good []byte, p attendance.Punch) []byte
		msg  string
	}{
		{"duplicated key", func(b []byte, _ attendance.Punch) []byte {
			return bytes.Replace(b, []byte(`"employee_id":"e1"`), []byte(`"employee_id":"e1","employee_id":"e2"`), 1)
		}, `"employee_id" twice`},
		{"key repeated in another case", func(b []byte, _ attendance.Punch) []byte {
			return bytes.Replace(b, []byte(`"seq":`), []byte(`"SEQ":7,"seq":`), 1)
		}, `"seq" twice`},
		{"duplicated nested key", func(b []byte, _ attendance.Punch) []byte {
			return bytes.Replace(b, []byte(`"badge_code":"B1"`), []byte(`"badge_code":"B1","badge_code":"B2"`), 1)
		}, `"badge_code" twice`},
		{"seq 2^63", func(b []byte, p attendance.Punch) []byte {
			return bytes.Replace(b, []byte(`"seq":1`), []byte(`"seq":9223372036854775808`), 1)
		}, "2^63-1"},
		{"seq 2^64-1", func(b []byte, p attendance.Punch) []byte {
			return bytes.Replace(b, []byte(`"seq":1`), []byte(`"seq":18446744073709551615`), 1)
		}, "2^63-1"},
		{"NUL in the employee id", func(b []byte, _ attendance.Punch) []byte {
			return bytes.Replace(b, []byte(`"employee_id":"e1"`), []byte(`"employee_id":"e1\u0000"`), 1)
		}, "employee_id contains a NUL"},
		{"NUL in the badge code", func(b []byte, _ attendance.Punch) []byte {
			return bytes.Replace(b, []byte(`"badge_code":"B1"`), []byte(`"badge_code":"B1\u0000"`), 1)
		}, "badge_code contains a NUL"},
		{"invalid UTF-8", func(b []byte, _ attendance.Punch) []byte {
			return bytes.Replace(b, []byte(`"badge_code":"B1"`), []byte("\"badge_code\":\"B1\xff\""), 1)
		}, "UTF-8"},
		{"data after the punch", func(b []byte, _ attendance.Punch) []byte { return append(b, []byte(`{"id":"x"}`)...) }, "data after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			p := attendance.Punch{ID: uuid.Must(uuid.NewV7()).String(), EmployeeID: "e1", DeviceID: "dev1", Method: attendance.MethodBadge,
				DeviceTime: t0, EstTime: t0, Evidence: attendance.Evidence{BadgeCode: "B1"}, Seq: 1}
			good, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			body := tt.body(good, p)
			if bytes.Equal(body, good) {
				t.Fatal("the case did not change the body")
			}
			rs := f.ingest(t, []wire.SignedPunch{{Body: body, Sig: ed25519.Sign(f.key, body)}})
			if len(rs) != 1 || rs[0].Status != wire.StatusRejected || rs[0].Code != wire.CodeInvalid || !strings.Contains(rs[0].Message, tt.msg) {
				t.Errorf("got %+v, want rejected invalid with %q", rs, tt.msg)
			}
			if stored, _ := f.st.Punches(context.Background(), store.PunchFilter{}); len(stored) != 0 {
				t.Errorf("%d punches stored", len(stored))
			}
		})
	}
}
