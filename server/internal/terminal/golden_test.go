package terminal_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"punchclock/app/attendance"
	"punchclock/server/internal/sqlstore/sqlstoretest"
	"punchclock/server/internal/store"
	"punchclock/server/internal/terminal"
)

var now = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

// newServer serves the protocol over a fresh store holding site s1
// (Shanghai) and employees e1 (badge 1) and e2 (badge 2).
func newServer(t *testing.T, st store.Store) (*httptest.Server, *terminal.Service) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.PutSite(ctx, attendance.Site{ID: "s1", Name: "Store 1", Zone: "Asia/Shanghai"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutDepartment(ctx, attendance.Department{ID: "d1", Name: "Sales"}); err != nil {
		t.Fatal(err)
	}
	for _, e := range []attendance.Employee{
		{ID: "e1", Name: "Li Wei", DepartmentID: "d1", SiteID: "s1", BadgeCode: "1", Active: true},
		{ID: "e2", Name: "Anna", DepartmentID: "d1", SiteID: "s1", BadgeCode: "2", Active: true},
	} {
		if _, err := st.PutEmployee(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	svc := &terminal.Service{Store: st, Now: func() time.Time { return now }}
	srv := httptest.NewServer(svc.Handler(nil))
	t.Cleanup(srv.Close)
	return srv, svc
}

// exchange is one request of a golden file and the answer it expects.
type exchange struct {
	method, path string
	body         []string
	status       int
	want         []string
	line         int
}

// TestGolden replays testdata/terminal's exchanges against the server on
// both databases: every answer's status and body as written.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("../../../testdata/terminal/*.txt")
	if len(files) == 0 {
		t.Fatal("no golden exchanges")
	}
	for _, b := range sqlstoretest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			for _, f := range files {
				t.Run(filepath.Base(f), func(t *testing.T) {
					st := b.Open(t)
					t.Cleanup(func() { st.Close() })
					srv, _ := newServer(t, st)
					replay(t, f, st, srv.URL)
				})
			}
		})
	}
}

func replay(t *testing.T, file string, st store.Store, base string) {
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var xs []*exchange
	var cur *exchange
	inAnswer := false
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "@register "):
			// Registrations (at the top of a file) are made before any
			// exchange is sent.
			f := strings.Fields(l)
			zone := f[3]
			if zone == "-" {
				zone = ""
			}
			if _, err := st.PutTerminal(context.Background(), store.Terminal{Serial: f[1], SiteID: f[2], Zone: zone}); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(l, ">>> "):
			m, p, _ := strings.Cut(strings.TrimPrefix(l, ">>> "), " ")
			cur, inAnswer = &exchange{method: m, path: p, line: n}, false
			xs = append(xs, cur)
		case strings.HasPrefix(l, "<<< "):
			cur.status, _ = strconv.Atoi(strings.TrimPrefix(l, "<<< "))
			inAnswer = true
		case inAnswer:
			cur.want = append(cur.want, l)
		default:
			cur.body = append(cur.body, l)
		}
	}
	for _, x := range xs {
		var body io.Reader
		if x.body != nil {
			body = strings.NewReader(strings.Join(x.body, "\n") + "\n")
		}
		req, _ := http.NewRequest(x.method, base+x.path, body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := strings.Join(x.want, "\n")
		if resp.StatusCode != x.status || strings.TrimRight(string(got), "\n") != want {
			t.Errorf("%s line %d: %s %s:\ngot  %d %q\nwant %d %q", filepath.Base(file), x.line, x.method, x.path, resp.StatusCode, got, x.status, want)
		}
		if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || !d.Equal(now) {
			t.Errorf("line %d: Date header %q, want the server's clock", x.line, resp.Header.Get("Date"))
		}
	}
}

// TestGoldenStored checks what first_day.txt left in the store: two
// punches (a fingerprint and a card) and the commands' results.
func TestGoldenStored(t *testing.T) {
	st := sqlstoretest.Backends()[0].Open(t)
	t.Cleanup(func() { st.Close() })
	srv, _ := newServer(t, st)
	replay(t, "../../../testdata/terminal/first_day.txt", st, srv.URL)
	ctx := context.Background()
	ps, err := st.Punches(ctx, store.PunchFilter{DeviceID: terminal.DeviceID("0316144680030")})
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if len(ps) != 2 || ps[0].EmployeeID != "e1" || ps[0].Method != attendance.MethodFingerprint || !ps[0].TrueTime.Equal(time.Date(2026, 11, 20, 8, 55, 12, 0, sh)) ||
		ps[1].EmployeeID != "e2" || ps[1].Method != attendance.MethodCard || ps[1].Evidence.Terminal.Verify != 4 {
		t.Errorf("punches: %+v", ps)
	}
	// The user it refused (Return=-1) is no longer held to be on it.
	if us, err := st.TerminalUsers(ctx, "0316144680030"); err != nil || len(us) != 1 || us[0].PIN != "1" {
		t.Errorf("users held: %+v %v", us, err)
	}
	cs, err := st.TerminalCommands(ctx, "0316144680030", 10)
	if err != nil {
		t.Fatal(err)
	}
	// Newest first: the second handshake's INFO (not yet asked for), the
	// user the terminal refused, the one it took, the first INFO.
	if len(cs) != 4 || cs[0].Done || !cs[1].Done || cs[1].Return != -1 || !cs[3].Done || !strings.Contains(cs[3].Result, "iClock880") {
		t.Errorf("commands: %+v", cs)
	}
}

// TestBadInput: what no firmware sends is refused or skipped, never
// answered with a 5xx and never stored, on both databases: a body over
// MaxBody, NUL and invalid UTF-8 in the serial, the stamp and the lines,
// a serial that is no serial.
func TestBadInput(t *testing.T) {
	for _, b := range sqlstoretest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			t.Cleanup(func() { st.Close() })
			srv, _ := newServer(t, st)
			if _, err := st.PutTerminal(context.Background(), store.Terminal{Serial: "SN1", SiteID: "s1"}); err != nil {
				t.Fatal(err)
			}
			huge := strings.Repeat("1\t2026-11-20 08:55:12\t0\t1\t0\n", terminal.MaxBody/28+1)
			for _, c := range []struct {
				method, path, body string
				status             int
				answer             string
			}{
				{"POST", "/iclock/cdata?SN=SN1&table=ATTLOG&Stamp=1", huge, 413, "TOO LARGE"},
				{"POST", "/iclock/cdata?SN=SN1&table=ATTLOG&Stamp=1", "1\t2026-11-20 08:55:12\x00\t0\t1\n2\t\xff\xfe\t0\t1\n", 200, "OK:0"},
				{"POST", "/iclock/cdata?SN=SN1&table=ATTLOG&Stamp=%00%FF", "", 200, "OK:0"},
				{"GET", "/iclock/cdata?SN=SN%001&options=all", "", 401, "UNKNOWN DEVICE"},
				{"GET", "/iclock/getrequest?SN=%FF", "", 401, "UNKNOWN DEVICE"},
				{"GET", "/iclock/getrequest?SN=SN1&INFO=%00%FF", "", 200, "C:1:DATA UPDATE USERINFO PIN=1\tName=Li Wei\tPri=0\nC:2:DATA UPDATE USERINFO PIN=2\tName=Anna\tPri=0"},
				{"POST", "/iclock/devicecmd?SN=SN1", "ID=99&Return=0&CMD=DATA\n\x00\xff\n", 200, "OK"},
				{"GET", "/iclock/cdata", "", 401, "UNKNOWN DEVICE"},
			} {
				req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != c.status || strings.TrimSpace(string(got)) != c.answer {
					t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, resp.StatusCode, got, c.status, c.answer)
				}
			}
			ps, err := st.Punches(context.Background(), store.PunchFilter{DeviceID: terminal.DeviceID("SN1")})
			if err != nil || len(ps) != 0 {
				t.Errorf("stored %d punches, %v", len(ps), err)
			}
			ts, _ := st.Terminals(context.Background())
			if len(ts) != 1 {
				t.Errorf("terminals: %+v, want SN1 only (a bad serial is no pending terminal)", ts)
			}
		})
	}
}
