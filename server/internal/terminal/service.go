package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"punchclock/app/attendance"
	"punchclock/app/wire"
	"punchclock/server/internal/punch"
	"punchclock/server/internal/store"
)

// Flags a terminal's punch may carry besides the kiosks' (wire.Flag...).
const (
	// FlagUnknownPIN: the PIN was no active employee's (the record is
	// kept, rejected).
	FlagUnknownPIN = "unknown_pin"
	// FlagTimeAmbiguous and FlagTimeSkipped: the local time fell in a
	// DST change (see Instant).
	FlagTimeAmbiguous = "terminal_time_ambiguous"
	FlagTimeSkipped   = "terminal_time_skipped"
)

// Defaults of the handshake's options and the queue.
const (
	// Delay is how often (seconds) a terminal asks for commands.
	Delay = 30
	// ErrorDelay is how long (seconds) it waits after a failed call.
	ErrorDelay = 60
	// Resend is how long a command sent without a result waits before it
	// is sent again (the terminal may have restarted meanwhile).
	Resend = 10 * time.Minute
	// MaxCommands is how many commands one getrequest hands out.
	MaxCommands = 20
	// ClockFresh is how long a measure of a terminal's clock corrects its
	// records; ClockCheck how often a terminal whose clock is wrong is
	// asked for INFO again (which measures it when firmware tells its
	// time).
	ClockFresh = time.Hour
	ClockCheck = 10 * time.Minute
	// MaxPending is how many unknown serials are kept for an admin to
	// accept; past it, a new unknown serial is refused without a trace.
	MaxPending = 100
)

// ErrUnknown is the answer to a serial no admin accepted: the terminal
// is refused (it keeps its records and retries after ErrorDelay).
var ErrUnknown = errors.New("terminal: unknown terminal")

// Service is the terminal side of punchd: it answers the PUSH protocol's
// calls and turns records into punches.
type Service struct {
	Store store.Store
	Now   func() time.Time
	Log   *slog.Logger

	roster punch.Roster
	mu     sync.Mutex
	pins   *snapshot // the roster's PINs, of its last version
}

// DeviceID is the device id of a terminal's punches.
func DeviceID(serial string) string { return attendance.TerminalDevicePrefix + serial }

// active returns the terminal serial when an admin accepted it, recording
// its call; an unknown serial is kept pending (up to MaxPending of them).
func (s *Service) active(ctx context.Context, serial, addr, info string) (store.Terminal, error) {
	if !ValidPIN(serial) {
		// Serials are letters and digits; anything else is no terminal.
		return store.Terminal{}, ErrUnknown
	}
	if _, err := s.Store.Terminal(ctx, serial); errors.Is(err, store.ErrNotFound) {
		all, err := s.Store.Terminals(ctx)
		if err != nil {
			return store.Terminal{}, err
		}
		pending := 0
		for _, t := range all {
			if t.State == store.TerminalPending {
				pending++
			}
		}
		if pending >= MaxPending {
			return store.Terminal{}, ErrUnknown
		}
	} else if err != nil {
		return store.Terminal{}, err
	}
	t, err := s.Store.SeeTerminal(ctx, serial, s.Now(), addr, info)
	if err != nil {
		return t, err
	}
	if t.State != store.TerminalActive {
		return t, ErrUnknown
	}
	return t, nil
}

// zone is the zone a terminal's local times are read in.
func (s *Service) zone(ctx context.Context, t store.Terminal) (*time.Location, error) {
	name := t.Zone
	if name == "" {
		site, err := s.Store.Site(ctx, t.SiteID)
		if err != nil {
			return nil, fmt.Errorf("terminal: site of %s: %w", t.Serial, err)
		}
		name = site.Zone
	}
	return time.LoadLocation(name)
}

// Handshake answers GET /iclock/cdata?SN=..&options=all: the options
// (with the terminal's stamps and its zone's offset now). It queues an
// INFO command when none waits, so the terminal reports itself (and, when
// its firmware says it, its clock).
func (s *Service) Handshake(ctx context.Context, serial, addr, info string) (string, error) {
	t, err := s.active(ctx, serial, addr, info)
	if err != nil {
		return "", err
	}
	loc, err := s.zone(ctx, t)
	if err != nil {
		return "", err
	}
	now := s.Now()
	_, off := now.In(loc).Zone()
	if err := s.askInfo(ctx, serial, now); err != nil {
		return "", err
	}
	return FormatOptions(serial, Options{
		ATTLogStamp: t.ATTLogStamp, OperLogStamp: t.OperLogStamp, PhotoStamp: t.PhotoStamp,
		ErrorDelay: ErrorDelay, Delay: Delay, TransTimes: "00:00;14:05", TransInterval: 1,
		TimeZone: time.Duration(off) * time.Second,
	}), nil
}

// askInfo queues an INFO command unless one waits for its result.
func (s *Service) askInfo(ctx context.Context, serial string, now time.Time) error {
	cs, err := s.Store.TerminalCommands(ctx, serial, MaxCommands)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(cs, func(c store.TerminalCommand) bool { return c.Command == "INFO" && !c.Done }) {
		return nil
	}
	_, err = s.Store.QueueTerminalCommand(ctx, serial, "INFO", now)
	return err
}

// Upload is what an upload came to: Processed records (the n of OK:n,
// duplicates and parked records included), Stored of them new, Skipped
// malformed lines and why.
type Upload struct {
	Processed, Stored, Skipped int
	Reason                     string
}

// Upload answers POST /iclock/cdata?table=..&Stamp=..: ATTLOG records
// become punches; OPERLOG lines are counted (users and fingerprint
// templates enrolled at the terminal are not kept: punchclock's roster is
// the reference); other tables are acknowledged.
func (s *Service) Upload(ctx context.Context, serial, addr, table, stamp string, body []byte) (Upload, error) {
	t, err := s.active(ctx, serial, addr, "")
	if err != nil {
		return Upload{}, err
	}
	switch table {
	case "ATTLOG":
		return s.attlog(ctx, t, stamp, body)
	case "OPERLOG":
		p := ParseOPERLOG(body)
		_, err := s.Store.TerminalPunches(ctx, serial, nil, table, stamp)
		return Upload{Processed: len(p.Items), Skipped: p.Skipped, Reason: p.Reason}, err
	}
	return Upload{Processed: len(lines(body))}, nil
}

func (s *Service) attlog(ctx context.Context, t store.Terminal, stamp string, body []byte) (Upload, error) {
	p := ParseATTLOG(body)
	return s.records(ctx, t, stamp, p.Items, Upload{Processed: len(p.Items), Skipped: p.Skipped, Reason: p.Reason})
}

func (s *Service) records(ctx context.Context, t store.Terminal, stamp string, items []Record, up Upload) (Upload, error) {
	loc, err := s.zone(ctx, t)
	if err != nil {
		return up, err
	}
	r, err := s.snapshot(ctx)
	if err != nil {
		return up, err
	}
	now := s.Now().UTC()
	offset := time.Duration(t.OffsetMS) * time.Millisecond
	if t.ClockAt.IsZero() || now.Sub(t.ClockAt) > ClockFresh || offset <= attendance.SkewFlag && offset >= -attendance.SkewFlag {
		offset = 0
	}
	// A record from the future shows a clock ahead, by at least as much.
	for _, rec := range items {
		at, _ := Instant(rec.Wall, loc)
		if ahead := at.Add(offset).Sub(now); ahead > attendance.SkewFlag {
			offset -= ahead.Truncate(time.Second)
		}
	}
	if offset != time.Duration(t.OffsetMS)*time.Millisecond && offset != 0 {
		if err := s.Store.SetTerminalClock(ctx, t.Serial, offset.Milliseconds(), now); err != nil {
			return up, err
		}
	}
	seen := map[string]bool{}
	var ps []store.StoredPunch
	for _, rec := range items {
		sp := s.punch(t, loc, r, rec, offset, now)
		if !seen[sp.ID] {
			seen[sp.ID] = true
			ps = append(ps, sp)
		}
	}
	up.Stored, err = s.Store.TerminalPunches(ctx, t.Serial, ps, "ATTLOG", stamp)
	return up, err
}

// punch makes the punch of one record.
func (s *Service) punch(t store.Terminal, loc *time.Location, r *snapshot, rec Record, offset time.Duration, now time.Time) store.StoredPunch {
	raw, where := Instant(rec.Wall, loc)
	id := PunchID(t.Serial, rec.PIN, rec.Local, rec.Wall)
	p := attendance.Punch{
		ID: id, DeviceID: DeviceID(t.Serial), SiteID: t.SiteID, Method: Method(rec.Verify), DeviceTime: raw.UTC(), Seq: punchSeq(id),
		Evidence: attendance.Evidence{Terminal: &attendance.TerminalRecord{Serial: t.Serial, PIN: rec.PIN, LocalTime: rec.Local, Status: rec.Status, Verify: rec.Verify, WorkCode: rec.WorkCode}},
	}
	var flags []string
	switch where {
	case Ambiguous:
		flags = append(flags, FlagTimeAmbiguous)
	case Skipped:
		flags = append(flags, FlagTimeSkipped)
	}
	at := raw
	if offset != 0 {
		at = raw.Add(offset)
		flags = append(flags, wire.FlagClockSkew)
	}
	sp := store.StoredPunch{ReceivedAt: now, TrueTime: at.UTC().Truncate(time.Millisecond), Status: store.PunchAccepted, Sig: []byte{}}
	emp, ok := r.byPIN[rec.PIN]
	switch {
	case !ok:
		sp.Status, sp.Code, sp.Message = store.PunchRejected, string(wire.CodeNotFound), fmt.Sprintf("PIN %s of terminal %s is no active employee's", rec.PIN, t.Serial)
		flags = append(flags, FlagUnknownPIN)
	case !emp.ActiveAt(at, r.Zone(emp.SiteID, t.SiteID)):
		// Kept under their name, rejected: HR sees who still uses it.
		p.EmployeeID = emp.ID
		sp.Status, sp.Code, sp.Message = store.PunchRejected, string(wire.CodeInvalid), fmt.Sprintf("employee %s has left", emp.ID)
	default:
		p.EmployeeID = emp.ID
		if err := attendance.CheckTime(at, now); err != nil {
			sp.Status, sp.Code, sp.Message = store.PunchRejected, string(wire.CodeInvalid), err.Error()
		}
	}
	body, _ := json.Marshal(p)
	sp.Punch, sp.Body, sp.Hash, sp.Flags = p, body, wire.HashBody(body), flags
	sp.SiteID = t.SiteID
	return sp
}

// GetRequest answers GET /iclock/getrequest: the roster changes of its
// site queued first, then its commands due.
func (s *Service) GetRequest(ctx context.Context, serial, addr, info string) ([]Command, error) {
	t, err := s.active(ctx, serial, addr, info)
	if err != nil {
		return nil, err
	}
	if err := s.syncRoster(ctx, t); err != nil {
		return nil, err
	}
	now := s.Now()
	if ClockFlagged(t) && now.Sub(t.ClockAt) > ClockCheck {
		// Keep measuring a wrong clock: its correction holds only while
		// fresh, and firmware may have set itself right since.
		if err := s.askInfo(ctx, serial, now); err != nil {
			return nil, err
		}
	}
	cs, err := s.Store.NextTerminalCommands(ctx, serial, now, now.Add(-Resend), MaxCommands)
	if err != nil {
		return nil, err
	}
	out := make([]Command, len(cs))
	for i, c := range cs {
		out[i] = Command{ID: c.ID, Text: c.Command}
	}
	return out, nil
}

// syncRoster queues the commands that bring the users a terminal holds
// to its site's active employees with a PIN, when the roster changed
// since it was last done.
func (s *Service) syncRoster(ctx context.Context, t store.Terminal) error {
	r, err := s.snapshot(ctx)
	if err != nil {
		return err
	}
	if t.RosterVersion >= r.Version() {
		return nil
	}
	have, err := s.Store.TerminalUsers(ctx, t.Serial)
	if err != nil {
		return err
	}
	loc := r.Zone(t.SiteID)
	now := s.Now()
	want := map[string]string{}
	for pin, e := range r.byPIN {
		if e.SiteID == t.SiteID && e.ActiveAt(now, loc) {
			want[pin] = terminalName(e.Name)
		}
	}
	ch := store.TerminalRoster{From: t.RosterVersion, To: r.Version()}
	for _, u := range have {
		if _, ok := want[u.PIN]; !ok {
			ch.Delete = append(ch.Delete, u.PIN)
			ch.Commands = append(ch.Commands, DeleteUser(u.PIN))
		}
	}
	held := map[string]string{}
	for _, u := range have {
		held[u.PIN] = u.Name
	}
	for _, pin := range slices.Sorted(maps.Keys(want)) {
		if name, ok := held[pin]; !ok || name != want[pin] {
			ch.Put = append(ch.Put, store.TerminalUser{PIN: pin, Name: want[pin]})
			ch.Commands = append(ch.Commands, UpdateUser(pin, want[pin]))
		}
	}
	_, err = s.Store.QueueTerminalRoster(ctx, t.Serial, ch, now)
	return err
}

// DeviceCmd answers POST /iclock/devicecmd: each result is recorded
// against its command; an INFO result that tells the terminal's time
// (DateTime=YYYY-MM-DD HH:MM:SS, its local time) measures its clock. It
// says how many results it recorded and skipped.
func (s *Service) DeviceCmd(ctx context.Context, serial, addr string, body []byte) (Upload, error) {
	t, err := s.active(ctx, serial, addr, "")
	if err != nil {
		return Upload{}, err
	}
	p := ParseDeviceCmd(body)
	up := Upload{Skipped: p.Skipped, Reason: p.Reason}
	now := s.Now()
	for _, r := range p.Items {
		result := r.CMD
		if v, ok := r.Extra["DateTime"]; ok {
			if err := s.clock(ctx, t, v, now); err != nil {
				return up, err
			}
		}
		if len(r.Extra) > 0 {
			extra, _ := json.Marshal(r.Extra)
			result += " " + string(extra)
		}
		err := s.Store.FinishTerminalCommand(ctx, serial, r.ID, r.Return, truncate(result, 2000), now)
		if errors.Is(err, store.ErrNotFound) {
			up.Skipped++
			continue
		} else if err != nil {
			return up, err
		}
		up.Processed++
		if r.Return < 0 {
			if err := s.refused(ctx, serial, r.ID); err != nil {
				return up, err
			}
		}
	}
	return up, nil
}

// refused handles a command the terminal answered with an error: a user
// it did not take is no longer held to be on it, so the next change of
// its site's roster sends the user again (not at once: a user it always
// refuses would be sent every Delay seconds).
func (s *Service) refused(ctx context.Context, serial string, id int64) error {
	cs, err := s.Store.TerminalCommands(ctx, serial, 200)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID != id {
			continue
		}
		if rest, ok := strings.CutPrefix(c.Command, "DATA UPDATE USERINFO PIN="); ok {
			pin, _, _ := strings.Cut(rest, "\t")
			return s.Store.ForgetTerminalUser(ctx, serial, pin)
		}
	}
	return nil
}

// clock records the offset of the terminal's clock from its local time
// v read at now.
func (s *Service) clock(ctx context.Context, t store.Terminal, v string, now time.Time) error {
	w, err := time.Parse(LocalLayout, v)
	if err != nil {
		return nil
	}
	loc, err := s.zone(ctx, t)
	if err != nil {
		return err
	}
	at, _ := Instant(w, loc)
	off := now.Sub(at).Round(time.Second)
	return s.Store.SetTerminalClock(ctx, t.Serial, off.Milliseconds(), now)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// ClockFlagged reports whether a terminal's clock, as last measured, is
// off by more than the kiosks' tolerance (attendance.SkewFlag).
func ClockFlagged(t store.Terminal) bool {
	d := time.Duration(t.OffsetMS) * time.Millisecond
	return !t.ClockAt.IsZero() && (d > attendance.SkewFlag || d < -attendance.SkewFlag)
}
