package httpapi

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/store"
	"punchclock/server/internal/terminal"
)

// --- admin: hardware terminals (package terminal) ---

// TerminalHandler serves the terminals' PUSH protocol under /iclock/
// (punchd mounts it beside /api/).
//
// Its bodies count against the same budget as the API's (Budget): a
// terminal's serial number is printed on it and sent in the clear, so
// knowing an accepted one must not let slow uploads hold memory.
func (s *Server) TerminalHandler() http.Handler {
	return s.Bodies.limit(s, s.Terminals.Handler(s.clientAddr))
}

// terminalView is a terminal as the admin list shows it: with whether its
// clock is off and its newest commands and their results.
type terminalView struct {
	store.Terminal
	ClockFlagged bool                    `json:"clock_flagged"`
	Commands     []store.TerminalCommand `json:"commands"`
}

// listTerminals answers GET /admin/terminals: registered and pending
// terminals, by serial, each with its 20 newest commands.
func (s *Server) listTerminals(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Store.Terminals(r.Context())
	if err != nil {
		return storeErr(err)
	}
	out := make([]terminalView, len(ts))
	for i, t := range ts {
		cs, err := s.Store.TerminalCommands(r.Context(), t.Serial, 20)
		if err != nil {
			return storeErr(err)
		}
		out[i] = terminalView{Terminal: t, ClockFlagged: terminal.ClockFlagged(t), Commands: nonNil(cs)}
	}
	return answerList(w, "terminals", out, nil)
}

type terminalRequest struct {
	Name   string `json:"name"`
	SiteID string `json:"site_id"`
	// Zone is the IANA zone its local times are read in ("" its site's).
	Zone string `json:"zone,omitempty"`
	// PullAddr ("host:port"): a terminal punchd polls with the pull
	// protocol (TCP 4370) rather than one that pushes.
	PullAddr string `json:"pull_addr,omitempty"`
}

// readTerminal reads and checks a terminal's registration.
func (s *Server) readTerminal(w http.ResponseWriter, r *http.Request) (store.Terminal, error) {
	var req terminalRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return store.Terminal{}, err
	}
	serial := r.PathValue("serial")
	if !terminal.ValidPIN(serial) {
		return store.Terminal{}, wire.Errorf(wire.CodeInvalid, "serial must be 1 to %d letters and digits", terminal.MaxPIN)
	}
	name := strings.TrimSpace(req.Name)
	if utf8.RuneCountInString(name) > 100 || strings.ContainsFunc(name, unicode.IsControl) {
		return store.Terminal{}, wire.Errorf(wire.CodeInvalid, "name must be at most 100 characters without control characters")
	}
	if req.Zone != "" {
		if _, err := time.LoadLocation(req.Zone); err != nil || strings.Contains(req.Zone, "..") {
			return store.Terminal{}, wire.Errorf(wire.CodeInvalid, "zone %q is not an IANA zone", req.Zone)
		}
	}
	if req.PullAddr != "" && !validPullAddr(req.PullAddr) {
		return store.Terminal{}, wire.Errorf(wire.CodeInvalid, "pull_addr must be host:port")
	}
	if _, err := s.Store.Site(r.Context(), req.SiteID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.Terminal{}, wire.Errorf(wire.CodeInvalid, "site_id names no site")
		}
		return store.Terminal{}, storeErr(err)
	}
	return store.Terminal{Serial: serial, Name: name, SiteID: req.SiteID, Zone: req.Zone, PullAddr: req.PullAddr}, nil
}

// validPullAddr says whether a is host:port, a host name or address of at
// most 253 characters (letters, digits, '.', '-', ':' inside brackets) and a
// port from 1 to 65535.
func validPullAddr(a string) bool {
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" || len(host) > 253 {
		return false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return false
	}
	return !strings.ContainsFunc(host, func(r rune) bool {
		return !(r == '.' || r == '-' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
}

// putTerminal answers PUT /admin/terminals/{serial}: registers the
// terminal (whether or not it called yet) or changes its name, site or
// zone. Audited (terminal.put).
func (s *Server) putTerminal(w http.ResponseWriter, r *http.Request) error {
	t, err := s.readTerminal(w, r)
	if err != nil {
		return err
	}
	return s.saveTerminal(w, r, t, "put")
}

// acceptTerminal answers POST /admin/terminals/{serial}/accept: accepts
// a terminal that called and waits (pending), binding it to a site; 404
// for a serial that never called, 409 for one already accepted.
func (s *Server) acceptTerminal(w http.ResponseWriter, r *http.Request) error {
	t, err := s.readTerminal(w, r)
	if err != nil {
		return err
	}
	old, err := s.Store.Terminal(r.Context(), t.Serial)
	if err != nil {
		return storeErr(err)
	}
	if old.State != store.TerminalPending {
		return wire.Errorf(wire.CodeConflict, "the terminal is already accepted")
	}
	return s.saveTerminal(w, r, t, "accept")
}

func (s *Server) saveTerminal(w http.ResponseWriter, r *http.Request, t store.Terminal, how string) error {
	t, err := s.Store.PutTerminal(r.Context(), t)
	if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionTerminal, Target: t.Serial,
		Detail: map[string]string{"site": t.SiteID, "name": t.Name, "zone": t.Zone, "pull_addr": t.PullAddr, "how": how}})
	return writeJSON(w, http.StatusOK, terminalView{Terminal: t, ClockFlagged: terminal.ClockFlagged(t), Commands: []store.TerminalCommand{}})
}

// deleteTerminal answers DELETE /admin/terminals/{serial}: forgets the
// terminal and its queue (its punches stay); if it calls again it is
// pending. Audited (terminal.delete).
func (s *Server) deleteTerminal(w http.ResponseWriter, r *http.Request) error {
	serial := r.PathValue("serial")
	old, err := s.Store.Terminal(r.Context(), serial)
	if err != nil {
		return storeErr(err)
	}
	if err := s.Store.DeleteTerminal(r.Context(), serial); err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionTerminalDelete, Target: serial, Detail: map[string]string{"site": old.SiteID, "name": old.Name}})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type terminalCommandRequest struct {
	// Kind is "catch_up" (upload the records of From to To again: DATA
	// QUERY ATTLOG), "check" (upload what was not acknowledged: CHECK) or
	// "info" (report itself: INFO).
	Kind string `json:"kind"`
	// From and To are local dates (YYYY-MM-DD) of a catch-up, in the
	// terminal's zone, both included.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// terminalCommand answers POST /admin/terminals/{serial}/commands: queues
// a command for an accepted terminal by hand, chiefly a catch-up of a
// period whose records are missing (its re-sent records are stored once).
// 404 for an unknown serial, 409 for one not accepted. Audited
// (terminal.command).
func (s *Server) terminalCommand(w http.ResponseWriter, r *http.Request) error {
	var req terminalCommandRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	var text string
	switch req.Kind {
	case "check":
		text = "CHECK"
	case "info":
		text = "INFO"
	case "catch_up":
		from, err1 := time.Parse(time.DateOnly, req.From)
		to, err2 := time.Parse(time.DateOnly, req.To)
		if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 62*24*time.Hour {
			return wire.Errorf(wire.CodeInvalid, "a catch-up needs from and to, dates (YYYY-MM-DD) at most 62 days apart, from first")
		}
		text = terminal.QueryATTLOG(from, to.Add(24*time.Hour-time.Second))
	default:
		return wire.Errorf(wire.CodeInvalid, "kind must be catch_up, check or info")
	}
	ctx, serial := r.Context(), r.PathValue("serial")
	t, err := s.Store.Terminal(ctx, serial)
	if err != nil {
		return storeErr(err)
	}
	if t.State != store.TerminalActive {
		return wire.Errorf(wire.CodeConflict, "the terminal is not accepted")
	}
	c, err := s.Store.QueueTerminalCommand(ctx, serial, text, s.Now())
	if err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionTerminalCommand, Target: serial, Detail: map[string]string{"command": text}})
	return writeJSON(w, http.StatusCreated, c)
}
