// Package emulator is a ZKTeco PUSH terminal in Go, for tests and demos:
// it speaks to punchd's /iclock/ as firmware does. It holds an attendance
// log of records written in its own local time on its own clock, uploads
// what it has not had acknowledged (OK:n) after the stamp the server gave
// it at its handshake, asks for commands, executes them on its user list
// and posts their results.
//
// Its clock is a function of true time plus a skew; like firmware it sets
// itself from the Date header of the server's answers unless SyncClock is
// off (a terminal whose clock keeps drifting, or was set by hand).
package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"punchclock/server/internal/terminal"
)

// Record is one entry of the terminal's attendance log.
type Record struct {
	PIN    string
	Local  string // YYYY-MM-DD HH:MM:SS
	Status int
	Verify int
}

// Line is the record as an ATTLOG line (PIN, time, status, verify, work
// code, and the reserved fields firmware sends as 0).
func (r Record) Line() string {
	return fmt.Sprintf("%s\t%s\t%d\t%d\t0\t0\t0\t0\t0\t0", r.PIN, r.Local, r.Status, r.Verify)
}

// Terminal is an emulated terminal.
type Terminal struct {
	Serial string
	// Base is the server's address ("http://127.0.0.1:8080").
	Base   string
	Client *http.Client
	// Now is true time; the terminal's clock is Now()+Skew.
	Now  func() time.Time
	Skew time.Duration
	// Zone is the zone its clock shows (the terminal's date and time
	// settings, daylight saving included).
	Zone *time.Location
	// SyncClock sets the clock from the server's Date header.
	SyncClock bool
	// PushVer is the protocol version it announces; Batch how many
	// records one upload holds at most (firmware splits a backlog).
	PushVer string
	Batch   int

	mu      sync.Mutex
	log     []Record
	sent    int // log[:sent] is acknowledged
	lastOut []Record
	users   map[string]string
	options map[string]string
	results []string
}

// New returns a terminal of that serial talking to base, its clock on now
// in zone, synced from the server.
func New(serial, base string, now func() time.Time, zone *time.Location) *Terminal {
	return &Terminal{Serial: serial, Base: base, Client: http.DefaultClient, Now: now, Zone: zone, SyncClock: true, PushVer: "2.4.1", Batch: 200}
}

// ErrRefused is a call the server refused (an unknown terminal: 401).
var ErrRefused = errors.New("emulator: refused by the server")

// Clock is the terminal's clock, in its zone.
func (t *Terminal) Clock() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Now().Add(t.Skew).In(t.Zone)
}

func (t *Terminal) call(ctx context.Context, method, path string, q url.Values, body string) (string, error) {
	q.Set("SN", t.Serial)
	req, err := http.NewRequestWithContext(ctx, method, t.Base+path+"?"+q.Encode(), strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("User-Agent", "iClock Proxy/1.09")
	if body != "" {
		req.Header.Set("Content-Type", "text/plain")
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil && t.SyncClock {
		t.mu.Lock()
		t.Skew = d.Sub(t.Now()).Round(time.Second)
		if t.Skew < 2*time.Second && t.Skew > -2*time.Second {
			t.Skew = 0
		}
		t.mu.Unlock()
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return string(data), ErrRefused
	case resp.StatusCode != http.StatusOK:
		return string(data), fmt.Errorf("emulator: %s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return string(data), nil
}

// Handshake asks for its options (GET /iclock/cdata?options=all) and
// resumes uploading after the ATTLOG stamp the server gives back.
func (t *Terminal) Handshake(ctx context.Context) (map[string]string, error) {
	text, err := t.call(ctx, "GET", "/iclock/cdata", url.Values{"options": {"all"}, "pushver": {t.PushVer}, "language": {"69"}}, "")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) == 0 || lines[0] != "GET OPTION FROM: "+t.Serial {
		return nil, fmt.Errorf("emulator: handshake answered %q", text)
	}
	opts := map[string]string{}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, "="); ok {
			opts[k] = v
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.options = opts
	// The stamp is the count of records the server acknowledged: resume
	// after it (or from the start: None).
	if n, err := strconv.Atoi(opts["ATTLOGStamp"]); err == nil && n <= len(t.log) {
		t.sent = n
	} else {
		t.sent = 0
	}
	return opts, nil
}

// Punch records a punch of pin now (on its clock) with a verify code.
func (t *Terminal) Punch(pin string, verify int) Record {
	return t.PunchAt(pin, verify, t.Clock().Format(terminal.LocalLayout))
}

// PunchAt records a punch at a given local time.
func (t *Terminal) PunchAt(pin string, verify int, local string) Record {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := Record{PIN: pin, Local: local, Verify: verify}
	t.log = append(t.log, r)
	return r
}

// Upload posts the records not yet acknowledged, Batch at a time, and
// says how many the server acknowledged.
func (t *Terminal) Upload(ctx context.Context) (int, error) {
	total := 0
	for {
		t.mu.Lock()
		out := t.log[t.sent:min(len(t.log), t.sent+t.Batch)]
		stamp := t.sent + len(out)
		t.mu.Unlock()
		if len(out) == 0 {
			return total, nil
		}
		n, err := t.post(ctx, out, stamp)
		if err != nil {
			return total, err
		}
		t.mu.Lock()
		t.sent, t.lastOut = stamp, out
		t.mu.Unlock()
		total += n
	}
}

// ResendLast posts the last acknowledged batch again, as firmware does
// when it lost the server's answer.
func (t *Terminal) ResendLast(ctx context.Context) (int, error) {
	t.mu.Lock()
	out, stamp := t.lastOut, t.sent
	t.mu.Unlock()
	return t.post(ctx, out, stamp)
}

func (t *Terminal) post(ctx context.Context, out []Record, stamp int) (int, error) {
	var b strings.Builder
	for _, r := range out {
		b.WriteString(r.Line() + "\n")
	}
	text, err := t.call(ctx, "POST", "/iclock/cdata", url.Values{"table": {"ATTLOG"}, "Stamp": {strconv.Itoa(stamp)}}, b.String())
	if err != nil {
		return 0, err
	}
	n, ok := strings.CutPrefix(strings.TrimSpace(text), "OK:")
	count, err := strconv.Atoi(n)
	if !ok || err != nil {
		return 0, fmt.Errorf("emulator: upload answered %q", text)
	}
	return count, nil
}

// UploadOperLog posts operation log lines (USER, FP, OPLOG).
func (t *Terminal) UploadOperLog(ctx context.Context, stamp string, lines ...string) (string, error) {
	return t.call(ctx, "POST", "/iclock/cdata", url.Values{"table": {"OPERLOG"}, "Stamp": {stamp}}, strings.Join(lines, "\n")+"\n")
}

// Poll asks for commands (GET /iclock/getrequest), executes them and
// posts their results; it returns the commands it ran.
func (t *Terminal) Poll(ctx context.Context) ([]terminal.Command, error) {
	text, err := t.call(ctx, "GET", "/iclock/getrequest", url.Values{"INFO": {"Ver 8.0.4.2-emulator,0,0,0,127.0.0.1,10,7,12,1,111"}}, "")
	if err != nil {
		return nil, err
	}
	var cs []terminal.Command
	var results []string
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		c, ok := terminal.ParseCommand(l)
		if !ok {
			continue
		}
		cs = append(cs, c)
		results = append(results, t.execute(ctx, c))
	}
	if len(results) == 0 {
		return nil, nil
	}
	if _, err := t.call(ctx, "POST", "/iclock/devicecmd", url.Values{}, strings.Join(results, "\n")+"\n"); err != nil {
		return cs, err
	}
	return cs, nil
}

// execute runs one command and writes its result.
func (t *Terminal) execute(ctx context.Context, c terminal.Command) string {
	verb, _, _ := strings.Cut(c.Text, " ")
	ret := 0
	switch {
	case strings.HasPrefix(c.Text, "DATA UPDATE USERINFO "):
		f := fields(strings.TrimPrefix(c.Text, "DATA UPDATE USERINFO "))
		if !terminal.ValidPIN(f["PIN"]) {
			ret = -1
			break
		}
		t.mu.Lock()
		if t.users == nil {
			t.users = map[string]string{}
		}
		t.users[f["PIN"]] = f["Name"]
		t.mu.Unlock()
		verb = "DATA"
	case strings.HasPrefix(c.Text, "DATA DELETE USERINFO "):
		f := fields(strings.TrimPrefix(c.Text, "DATA DELETE USERINFO "))
		t.mu.Lock()
		delete(t.users, f["PIN"])
		t.mu.Unlock()
		verb = "DATA"
	case strings.HasPrefix(c.Text, "DATA QUERY ATTLOG "):
		// Upload the records of the range again.
		f := fields(strings.TrimPrefix(c.Text, "DATA QUERY ATTLOG "))
		t.mu.Lock()
		var out []Record
		for _, r := range t.log {
			if r.Local >= f["StartTime"] && r.Local <= f["EndTime"] {
				out = append(out, r)
			}
		}
		stamp := t.sent
		t.mu.Unlock()
		if len(out) > 0 {
			if _, err := t.post(ctx, out, stamp); err != nil {
				ret = -2
			}
		}
		verb = "DATA"
	case c.Text == "INFO":
		t.mu.Lock()
		info := fmt.Sprintf("ID=%d&Return=0&CMD=INFO\n~DeviceName=Emulator\nMAC=00:17:61:00:00:01\nTransactionCount=%d\nUserCount=%d\nDateTime=%s",
			c.ID, len(t.log), len(t.users), t.Now().Add(t.Skew).In(t.Zone).Format(terminal.LocalLayout))
		t.mu.Unlock()
		return info
	case c.Text == "CHECK":
		// Upload what the server has not acknowledged.
		if _, err := t.Upload(ctx); err != nil {
			ret = -2
		}
	default:
		ret = -1002 // unknown command
	}
	t.mu.Lock()
	t.results = append(t.results, c.Text)
	t.mu.Unlock()
	return fmt.Sprintf("ID=%d&Return=%d&CMD=%s", c.ID, ret, verb)
}

// fields reads "K=V\tK=V" pairs.
func fields(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, "\t") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

// Users returns the users the terminal holds (PIN to name).
func (t *Terminal) Users() map[string]string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]string, len(t.users))
	for k, v := range t.users {
		out[k] = v
	}
	return out
}

// Log returns its attendance log.
func (t *Terminal) Log() []Record {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Record(nil), t.log...)
}
