package terminal

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"punchclock/app/attendance"
)

// Limits of what a terminal may send. Firmware uploads at most a few
// hundred records a request (TransInterval batches); a week offline at a
// busy door is some thousands, which real firmware splits into requests.
const (
	// MaxBody is the largest request body read; a larger one is refused
	// (413) before anything of it is stored.
	MaxBody = 2 << 20
	// MaxLine is the longest line parsed; a longer one is skipped.
	MaxLine = 1024
	// MaxPIN is the longest user PIN (ZKTeco firmware: 9 digits, newer
	// ones up to 24 characters).
	MaxPIN = 24
	// MaxName is the longest user name pushed to a terminal, in
	// characters.
	MaxName = 24
)

// LocalLayout is how a terminal writes its naive local time.
const LocalLayout = "2006-01-02 15:04:05"

// Record is one line of an ATTLOG upload: PIN, local time, status,
// verify, work code, then reserved fields (ignored).
type Record struct {
	PIN string
	// Local is the naive local time as written; Wall the same read as a
	// civil time (its location means nothing).
	Local    string
	Wall     time.Time
	Status   int
	Verify   int
	WorkCode string
}

// Parsed is the result of parsing a body: what was understood, and how
// many lines were skipped as malformed (with the first reason).
type Parsed[T any] struct {
	Items   []T
	Skipped int
	Reason  string
}

func (p *Parsed[T]) skip(format string, args ...any) {
	if p.Skipped == 0 {
		p.Reason = fmt.Sprintf(format, args...)
	}
	p.Skipped++
}

// lines splits a body into its non-blank lines (LF or CRLF).
func lines(body []byte) [][]byte {
	var out [][]byte
	for _, l := range bytes.Split(body, []byte("\n")) {
		l = bytes.TrimRight(l, "\r")
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// cleanText reports whether b is text a record may hold: UTF-8 without
// NUL or other control characters but tab.
func cleanText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r != '\t' && unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// ValidPIN reports whether s can be a terminal user's PIN: 1 to MaxPIN
// ASCII letters and digits.
func ValidPIN(s string) bool {
	if s == "" || len(s) > MaxPIN {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// ParseATTLOG parses the body of POST /iclock/cdata?table=ATTLOG.
func ParseATTLOG(body []byte) Parsed[Record] {
	var p Parsed[Record]
	for i, l := range lines(body) {
		if len(l) > MaxLine || !cleanText(l) {
			p.skip("line %d is too long or not text", i+1)
			continue
		}
		f := strings.Split(string(l), "\t")
		if len(f) < 2 {
			p.skip("line %d has no time", i+1)
			continue
		}
		r := Record{PIN: strings.TrimSpace(f[0]), Local: strings.TrimSpace(f[1])}
		if !ValidPIN(r.PIN) {
			p.skip("line %d: PIN %q is not 1 to %d letters and digits", i+1, r.PIN, MaxPIN)
			continue
		}
		w, err := time.Parse(LocalLayout, r.Local)
		if err != nil {
			p.skip("line %d: time %q is not YYYY-MM-DD HH:MM:SS", i+1, r.Local)
			continue
		}
		r.Wall = w
		var ok bool
		if r.Status, ok = field(f, 2); !ok {
			p.skip("line %d: status is not a number", i+1)
			continue
		}
		if r.Verify, ok = field(f, 3); !ok {
			p.skip("line %d: verify is not a number", i+1)
			continue
		}
		if len(f) > 4 {
			r.WorkCode = strings.TrimSpace(f[4])
			if len(r.WorkCode) > 64 {
				p.skip("line %d: work code too long", i+1)
				continue
			}
		}
		p.Items = append(p.Items, r)
	}
	return p
}

// field reads the i-th tab-separated field as a small integer; a field
// missing or empty is 0.
func field(f []string, i int) (int, bool) {
	if i >= len(f) || strings.TrimSpace(f[i]) == "" {
		return 0, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(f[i]))
	return n, err == nil && n >= 0 && n < 1000
}

// OperLine is one line of an OPERLOG upload: its kind ("USER", "FP",
// "OPLOG", ...) and its key=value fields (tab-separated).
type OperLine struct {
	Kind   string
	Fields map[string]string
}

// ParseOPERLOG parses the body of POST /iclock/cdata?table=OPERLOG.
func ParseOPERLOG(body []byte) Parsed[OperLine] {
	var p Parsed[OperLine]
	for i, l := range lines(body) {
		if len(l) > 64<<10 || !cleanText(l) {
			// FP lines carry a template of some KiB in base64.
			p.skip("line %d is too long or not text", i+1)
			continue
		}
		kind, rest, ok := strings.Cut(string(l), " ")
		if !ok || kind == "" {
			p.skip("line %d has no kind", i+1)
			continue
		}
		o := OperLine{Kind: kind, Fields: map[string]string{}}
		for _, kv := range strings.Split(rest, "\t") {
			k, v, _ := strings.Cut(kv, "=")
			if k = strings.TrimSpace(k); k != "" {
				o.Fields[k] = v
			}
		}
		p.Items = append(p.Items, o)
	}
	return p
}

// Result is one command result of POST /iclock/devicecmd: ID, Return and
// CMD, and the lines that followed it (an INFO result's key=value pairs).
type Result struct {
	ID     int64
	Return int64
	CMD    string
	Extra  map[string]string
}

// ParseDeviceCmd parses the body of POST /iclock/devicecmd.
func ParseDeviceCmd(body []byte) Parsed[Result] {
	var p Parsed[Result]
	for i, l := range lines(body) {
		if len(l) > MaxLine || !cleanText(l) {
			p.skip("line %d is too long or not text", i+1)
			continue
		}
		s := string(l)
		if !strings.HasPrefix(s, "ID=") {
			// A key=value line of the result before it (INFO).
			if k, v, ok := strings.Cut(strings.TrimPrefix(s, "~"), "="); ok && len(p.Items) > 0 {
				p.Items[len(p.Items)-1].Extra[strings.TrimSpace(k)] = strings.TrimSpace(v)
			} else {
				p.skip("line %d is no command result", i+1)
			}
			continue
		}
		r := Result{Extra: map[string]string{}}
		var errs int
		for _, kv := range strings.Split(s, "&") {
			k, v, _ := strings.Cut(kv, "=")
			var err error
			switch k {
			case "ID":
				r.ID, err = strconv.ParseInt(v, 10, 64)
			case "Return":
				r.Return, err = strconv.ParseInt(v, 10, 64)
			case "CMD":
				r.CMD = v
			}
			if err != nil {
				errs++
			}
		}
		if errs > 0 || r.ID <= 0 {
			p.skip("line %d: ID or Return is not a number", i+1)
			continue
		}
		p.Items = append(p.Items, r)
	}
	return p
}

// Options are what a handshake answers (GET OPTION FROM).
type Options struct {
	ATTLogStamp, OperLogStamp, PhotoStamp string
	// ErrorDelay: seconds to wait after a failed connection; Delay:
	// seconds between getrequests.
	ErrorDelay, Delay int
	// TransTimes are the times of day of a scheduled upload; TransInterval
	// minutes between checks for new data.
	TransTimes    string
	TransInterval int
	// TimeZone is the terminal's offset from UTC now.
	TimeZone time.Duration
}

// stampOr is a stamp, or "None" when there is none (upload everything).
func stampOr(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

// FormatOptions writes the answer to a handshake. TransFlag is written in
// its string form (the 2.x firmware's), asking for attendance records and
// operation logs (users, fingerprints) but no photos. TimeZone is in hours
// when whole, otherwise in minutes (firmware reads a value above 12 or
// below -12 as minutes: 330 is UTC+5:30).
func FormatOptions(serial string, o Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "GET OPTION FROM: %s\n", serial)
	fmt.Fprintf(&b, "ATTLOGStamp=%s\nOPERLOGStamp=%s\nATTPHOTOStamp=%s\n", stampOr(o.ATTLogStamp), stampOr(o.OperLogStamp), stampOr(o.PhotoStamp))
	fmt.Fprintf(&b, "ErrorDelay=%d\nDelay=%d\nTransTimes=%s\nTransInterval=%d\n", o.ErrorDelay, o.Delay, o.TransTimes, o.TransInterval)
	b.WriteString("TransFlag=TransData AttLog\tOpLog\tEnrollUser\tChgUser\tEnrollFP\tChgFP\tUserPic\n")
	fmt.Fprintf(&b, "TimeZone=%s\nRealtime=1\nEncrypt=None\n", FormatTimeZone(o.TimeZone))
	return b.String()
}

// FormatTimeZone writes a UTC offset as the TimeZone option: hours when
// whole ("8", "-5"), minutes otherwise ("330", "-210", "345").
func FormatTimeZone(off time.Duration) string {
	if off%time.Hour == 0 {
		return strconv.Itoa(int(off / time.Hour))
	}
	return strconv.Itoa(int(off / time.Minute))
}

// ParseTimeZone reads the TimeZone option (see FormatTimeZone).
func ParseTimeZone(s string) (time.Duration, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < -720 || n > 840 {
		return 0, false
	}
	if n >= -12 && n <= 14 {
		return time.Duration(n) * time.Hour, true
	}
	return time.Duration(n) * time.Minute, true
}

// Command is a command for a terminal's queue.
type Command struct {
	ID   int64
	Text string
}

// FormatCommands writes the answer to a getrequest: "OK" when there is
// nothing to do, otherwise one "C:<id>:<command>" line each.
func FormatCommands(cs []Command) string {
	if len(cs) == 0 {
		return "OK"
	}
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "C:%d:%s\n", c.ID, c.Text)
	}
	return b.String()
}

// ParseCommand reads a "C:<id>:<command>" line (the emulator's side).
func ParseCommand(line string) (Command, bool) {
	rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "C:")
	if !ok {
		return Command{}, false
	}
	id, text, ok := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil {
		return Command{}, false
	}
	return Command{ID: n, Text: text}, true
}

// terminalName makes an employee's name fit a terminal: no tab, newline
// or control character (they would break the command line), at most
// MaxName characters.
func terminalName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(name))
	if utf8.RuneCountInString(name) > MaxName {
		name = string([]rune(name)[:MaxName])
	}
	return name
}

// UpdateUser is the command that puts a user on a terminal.
func UpdateUser(pin, name string) string {
	return "DATA UPDATE USERINFO PIN=" + pin + "\tName=" + terminalName(name) + "\tPri=0"
}

// DeleteUser is the command that takes a user off a terminal.
func DeleteUser(pin string) string {
	return "DATA DELETE USERINFO PIN=" + pin
}

// QueryATTLOG is the command that asks a terminal to upload its records
// of [from, to] again (local times), for a catch-up.
func QueryATTLOG(from, to time.Time) string {
	return "DATA QUERY ATTLOG StartTime=" + from.Format(LocalLayout) + "\tEndTime=" + to.Format(LocalLayout)
}

// Verify codes of ZKTeco firmware (the ATTLOG's fourth field).
const (
	VerifyPassword    = 0
	VerifyFingerprint = 1
	VerifyPIN         = 3
	VerifyCard        = 4
	VerifyFace        = 15
)

// Method is the punch method a verify code becomes: fingerprint (1),
// card (4), face (15); a password or PIN (0, 3) and the combined modes
// (fingerprint and card, ...) stay MethodTerminal, whose evidence keeps
// the code. A password proves only that someone knew it.
func Method(verify int) attendance.Method {
	switch verify {
	case VerifyFingerprint:
		return attendance.MethodFingerprint
	case VerifyCard:
		return attendance.MethodCard
	case VerifyFace:
		return attendance.MethodFace
	}
	return attendance.MethodTerminal
}
