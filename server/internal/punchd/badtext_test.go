package punchd_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/punchd"
)

// rawCall sends request bytes as they are, for what an HTTP client would
// refuse to send (raw bytes in the request line or a header), and returns
// the status and body.
func rawCall(t *testing.T, base, request string) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// kioskWithPunch starts punchd with the demo organisation on db at t0 and
// enrolls a kiosk at sh-jingan whose first punch is stored.
func kioskWithPunch(t *testing.T, db string) (*clock, *punchd.Main, string, *kiosk) {
	t.Helper()
	clk := &clock{t: t0}
	m, admin := server(t, db, clk)
	k := enroll(t, m.URL(), issueCode(t, m.URL(), admin, "sh-jingan"), clk)
	if st, resp, _ := k.send([]wire.SignedPunch{k.punch("E004", t0.Add(-time.Minute))}); st != 200 || statuses(resp.Results) != "accepted" {
		t.Fatalf("first punch: %d %s", st, statuses(resp.Results))
	}
	return clk, m, admin, k
}

// storeState describes what any request could have changed.
func storeState(t *testing.T, m *punchd.Main, deviceID string) string {
	t.Helper()
	ctx := context.Background()
	ch, err := m.Store.Changes(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	devs, err := m.Store.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	revoked := 0
	for _, d := range devs {
		if d.Revoked {
			revoked++
		}
	}
	return fmt.Sprintf("%s; version %d, %d devices (%d revoked)", count(t, m, deviceID), ch.Version, len(devs), revoked)
}

// TestBadText sends text that is not UTF-8, holds NUL, or puts control
// characters in ids, in every place a request carries text, on both
// databases: each is answered 400 invalid naming the field (PostgreSQL
// used to fail the query and the client read 503 "storage unavailable"),
// and nothing changes.
func TestBadText(t *testing.T) {
	backends(t, func(t *testing.T, db string) {
		clk, m, admin, k := kioskWithPunch(t, db)
		base := m.URL()
		fresh := issueCode(t, base, admin, "sh-jingan") // must still enroll at the end
		var cfg struct{ Config json.RawMessage }
		if st, eb := call(t, "GET", base+"/api/v1/rule/config", "Bearer "+admin, nil, &cfg); st != 200 {
			t.Fatalf("rule config: %d %+v", st, eb)
		}
		before := storeState(t, m, k.id)
		bearer := "Bearer " + admin
		emp := `"department_id":"retail","active":true`
		signedPull := func(pathQuery string) string { return wire.SignRequest(k.id, k.key, "GET", pathQuery, clk.Now(), nil) }
		cases := []struct {
			name, method, path, auth string
			body                     []byte
			msg                      string // part of the error message
		}{
			{"path id NUL", "GET", "/api/v1/employees/%00", bearer, nil, "path id"},
			{"path id invalid UTF-8", "GET", "/api/v1/employees/E%FF01", bearer, nil, "path id"},
			{"path id control character", "GET", "/api/v1/employees/E0%0A01", bearer, nil, "path id"},
			{"punch path id", "GET", "/api/v1/punches/%00", bearer, nil, "path id"},
			{"revoke path id", "POST", "/api/v1/admin/devices/" + k.id + "%00/revoke", bearer, nil, "path id"},
			{"put employee path id", "PUT", "/api/v1/employees/%FF", bearer, []byte(`{"name":"N",` + emp + `}`), "path id"},
			{"put site path id", "PUT", "/api/v1/sites/%00", bearer, []byte(`{"name":"S","zone":"Asia/Shanghai"}`), "path id"},
			{"put department path id", "PUT", "/api/v1/departments/%C3", bearer, []byte(`{"name":"D"}`), "path id"},
			{"punches employee_id", "GET", "/api/v1/punches?employee_id=%00", bearer, nil, "query parameter employee_id"},
			{"punches device_id", "GET", "/api/v1/punches?device_id=%FF", bearer, nil, "query parameter device_id"},
			{"punches site_id control", "GET", "/api/v1/punches?site_id=sh%1Bjingan", bearer, nil, "query parameter site_id"},
			{"punches cursor", "GET", "/api/v1/punches?cursor=%00", bearer, nil, "query parameter cursor"},
			{"query parameter name", "GET", "/api/v1/punches?%FF=1", bearer, nil, "query parameter name"},
			{"employees site_id", "GET", "/api/v1/employees?site_id=%00", bearer, nil, "query parameter site_id"},
			{"employees department_id", "GET", "/api/v1/employees?department_id=%FF", bearer, nil, "query parameter department_id"},
			{"record employee_id", "GET", "/api/v1/attendance/record?employee_id=%00&from=2026-11-20", bearer, nil, "query parameter employee_id"},
			{"record department_id", "GET", "/api/v1/attendance/record?department_id=%FF&from=2026-11-20", bearer, nil, "query parameter department_id"},
			{"rule config site_id", "GET", "/api/v1/rule/config?site_id=%00", bearer, nil, "query parameter site_id"},
			{"put rule config site_id", "PUT", "/api/v1/rule/config?site_id=%FF", bearer, cfg.Config, "query parameter site_id"},
			{"pull cursor", "GET", "/api/v1/device/pull?cursor=%00", signedPull("/api/v1/device/pull?cursor=%00"), nil, "query parameter cursor"},
			{"employee name NUL", "PUT", "/api/v1/employees/E100", bearer, []byte(`{"name":"\u0000",` + emp + `}`), "field name"},
			{"employee name invalid UTF-8", "PUT", "/api/v1/employees/E100", bearer, []byte("{\"name\":\"\xff\"," + emp + "}"), "UTF-8"},
			{"employee duplicated key", "PUT", "/api/v1/employees/E100", bearer, []byte(`{"name":"A","name":"B",` + emp + `}`), `"name" twice`},
			{"employee department control", "PUT", "/api/v1/employees/E100", bearer, []byte(`{"name":"A","department_id":"retail\u0007"}`), "field department_id"},
			{"site face_url NUL", "PUT", "/api/v1/sites/x", bearer, []byte(`{"name":"X","zone":"Asia/Shanghai","face_url":"http://a\u0000"}`), "field face_url"},
			{"department name NUL", "PUT", "/api/v1/departments/x", bearer, []byte(`{"name":"\u0000"}`), "field name"},
			{"rule config duplicated key", "PUT", "/api/v1/rule/config", bearer, append(append([]byte(`{"rules":{},`), cfg.Config[1:len(cfg.Config)-1]...), '}'), `"rules" twice`},
			{"phone link employee_id", "POST", "/api/v1/admin/phone-links", bearer, []byte(`{"employee_id":"E005\u0000"}`), "field employee_id"},
			{"enrollment code site_id", "POST", "/api/v1/admin/enrollment-codes", bearer, []byte("{\"site_id\":\"sh-\xffjingan\"}"), "UTF-8"},
			{"enroll device name", "POST", "/api/v1/devices/enroll", "", []byte(`{"protocol":1,"code":"` + fresh + `","public_key":"` + strings.Repeat("A", 43) + `=","name":"K\u0000"}`), "field name"},
			{"activate code", "POST", "/api/v1/phones/activate", "", []byte(`{"protocol":1,"code":"\u0000","public_key":"` + strings.Repeat("A", 43) + `="}`), "field code"},
			{"authorization device id", "POST", "/api/v1/device/punches", wire.SignRequest(k.id+"\xff", k.key, "POST", "/api/v1/device/punches", t0, nil), nil, "authorization header"},
		}
		for _, c := range cases {
			st, eb := call(t, c.method, base+c.path, c.auth, c.body, nil)
			if st != 400 || eb.Error.Code != wire.CodeInvalid || !strings.Contains(eb.Error.Message, c.msg) {
				t.Errorf("%s: %d %+v, want 400 invalid naming %q", c.name, st, eb, c.msg)
			}
		}

		// Signed batches whose envelope is bad text.
		sentAt := `"sent_at":"` + t0.Format(time.RFC3339) + `"`
		for _, c := range []struct {
			name string
			body []byte
			msg  string
		}{
			{"batch device_id NUL", []byte(`{"protocol":1,"device_id":"` + k.id + `\u0000",` + sentAt + `,"punches":[]}`), "field device_id"},
			{"batch device_id twice", []byte(`{"protocol":1,"device_id":"x","device_id":"` + k.id + `",` + sentAt + `,"punches":[]}`), `"device_id" twice`},
			{"batch invalid UTF-8", []byte("{\"protocol\":1,\"device_id\":\"" + k.id + "\"," + sentAt + ",\"punches\":[],\"x\":\"\xff\"}"), "UTF-8"},
			{"batch without sent_at", []byte(`{"protocol":1,"device_id":"` + k.id + `","punches":[]}`), "sent_at"},
		} {
			st, _, eb := k.sendRaw(c.body)
			if st != 400 || eb.Error.Code != wire.CodeInvalid || !strings.Contains(eb.Error.Message, c.msg) {
				t.Errorf("%s: %d %+v, want 400 invalid naming %q", c.name, st, eb, c.msg)
			}
		}

		// What an HTTP client would not send: raw bytes in the request line
		// (answered by us) and NUL in a header (refused by net/http itself).
		st, body := rawCall(t, base, "GET /api/v1/employees/E\xff01 HTTP/1.1\r\nHost: x\r\nAuthorization: "+bearer+"\r\nConnection: close\r\n\r\n")
		if st != 400 || !bytes.Contains(body, []byte(`"invalid"`)) || !bytes.Contains(body, []byte("path id")) {
			t.Errorf("raw byte in the path: %d %s", st, body)
		}
		st, body = rawCall(t, base, "POST /api/v1/device/punches HTTP/1.1\r\nHost: x\r\nAuthorization: PC-Device id=dev-\x00,ts=1,sig=AA\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
		if st != 400 {
			t.Errorf("NUL in the authorization header: %d %s, want 400", st, body)
		}

		// Signed punch bodies: each refused alone, the batch answered.
		for _, c := range []struct {
			name   string
			mangle func([]byte) []byte
			msg    string
		}{
			{"employee_id NUL", func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"employee_id":"E005"`), []byte(`"employee_id":"E005\u0000"`), 1)
			}, "field employee_id"},
			{"duplicated key", func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"employee_id":"E005"`), []byte(`"employee_id":"E006","employee_id":"E005"`), 1)
			}, `"employee_id" twice`},
			{"seq 2^63", func(b []byte) []byte {
				return bytes.Replace(b, []byte(fmt.Sprintf(`"seq":%d`, k.chain.Seq+1)), []byte(`"seq":9223372036854775808`), 1)
			}, "2^63-1"},
			{"note NUL", func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"badge_code":"PC-005"`), []byte(`"badge_code":"PC-005","note":"\u0000"`), 1)
			}, "field evidence.note"},
		} {
			p := attendance.Punch{ID: uuid.Must(uuid.NewV7()).String(), EmployeeID: "E005", DeviceID: k.id, Method: attendance.MethodBadge,
				DeviceTime: t0, EstTime: t0, Seq: k.chain.Seq + 1, Prev: k.chain.Hash, Evidence: attendance.Evidence{BadgeCode: "PC-005"}}
			good := jsonBody(t, p)
			bad := c.mangle(good)
			if bytes.Equal(bad, good) {
				t.Fatalf("%s: the case did not change the body", c.name)
			}
			st, resp, eb := k.send([]wire.SignedPunch{{Body: bad, Sig: ed25519.Sign(k.key, bad)}})
			if st != 200 || len(resp.Results) != 1 || resp.Results[0].Code != wire.CodeInvalid || !strings.Contains(resp.Results[0].Message, c.msg) {
				t.Errorf("%s: %d %+v %+v, want the punch rejected invalid naming %q", c.name, st, eb, resp.Results, c.msg)
			}
		}

		if after := storeState(t, m, k.id); after != before {
			t.Errorf("bad text changed the store: %s, was %s", after, before)
		}
		enroll(t, base, fresh, clk) // the code the bad enrollment carried was not used
	})
}
