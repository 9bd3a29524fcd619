package terminal

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"punchclock/server/internal/store"
)

// Prefix is where punchd serves the PUSH protocol: the path firmware
// calls, fixed by it (only the server's address and port are set on the
// terminal).
const Prefix = "/iclock/"

// Handler serves the PUSH protocol under /iclock/ in plain text, as
// firmware expects: never a JSON error, never a 5xx for what a terminal
// sent. addr tells the client address of a request (punchd's, which
// knows its reverse proxies).
func (s *Service) Handler(addr func(*http.Request) string) http.Handler {
	mux := http.NewServeMux()
	// Older firmware appends .aspx to every path.
	for _, suffix := range []string{"", ".aspx"} {
		mux.HandleFunc("GET /iclock/cdata"+suffix, s.serve(addr, s.cdataGet))
		mux.HandleFunc("POST /iclock/cdata"+suffix, s.serve(addr, s.cdataPost))
		mux.HandleFunc("GET /iclock/getrequest"+suffix, s.serve(addr, s.getRequest))
		mux.HandleFunc("POST /iclock/devicecmd"+suffix, s.serve(addr, s.deviceCmd))
		mux.HandleFunc("GET /iclock/ping"+suffix, s.serve(addr, func(r *http.Request, serial, _ string) (string, error) {
			_, err := s.active(r.Context(), serial, "", "")
			return "OK", err
		}))
	}
	return mux
}

// errTooLarge refuses a body over MaxBody.
var errTooLarge = errors.New("terminal: body too large")

// serve wraps a handler of the protocol: it reads SN, sets the Date
// header from the server's clock (firmware sets its own clock from it),
// and maps errors to plain-text answers.
func (s *Service) serve(addr func(*http.Request) string, h func(r *http.Request, serial, addr string) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Date", s.Now().UTC().Format(http.TimeFormat))
		serial := r.URL.Query().Get("SN")
		a := ""
		if addr != nil {
			a = addr(r)
		}
		text, err := h(r, serial, a)
		switch {
		case errors.Is(err, ErrUnknown):
			// A refusal names nothing; the terminal keeps its records and
			// calls again after its ErrorDelay.
			http.Error(w, "UNKNOWN DEVICE", http.StatusUnauthorized)
		case errors.Is(err, errTooLarge):
			http.Error(w, "TOO LARGE", http.StatusRequestEntityTooLarge)
		case errors.Is(err, store.ErrInvalid):
			http.Error(w, "INVALID", http.StatusBadRequest)
		case err != nil:
			if s.Log != nil {
				s.Log.Error("terminal: "+r.URL.Path, "serial", serial, "err", err)
			}
			// Transient (the database): the terminal retries; a 503
			// would be the truth, but firmware treats every failure alike
			// and some log a 5xx as a server fault to report.
			http.Error(w, "ERROR: try again", http.StatusServiceUnavailable)
		default:
			fmt.Fprint(w, text)
		}
	}
}

func (s *Service) cdataGet(r *http.Request, serial, addr string) (string, error) {
	q := r.URL.Query()
	info := ""
	if v := q.Get("pushver"); v != "" {
		info = "pushver=" + v
	}
	if v := q.Get("language"); v != "" {
		info += " language=" + v
	}
	text, err := s.Handshake(r.Context(), serial, addr, clip(info))
	return text, err
}

func (s *Service) cdataPost(r *http.Request, serial, addr string) (string, error) {
	body, err := s.read(r, serial, addr)
	if err != nil {
		return "", err
	}
	q := r.URL.Query()
	up, err := s.Upload(r.Context(), serial, addr, q.Get("table"), clip(q.Get("Stamp")), body)
	if err != nil {
		return "", err
	}
	s.logSkipped(serial, q.Get("table"), up)
	return "OK:" + strconv.Itoa(up.Processed), nil
}

func (s *Service) getRequest(r *http.Request, serial, addr string) (string, error) {
	cs, err := s.GetRequest(r.Context(), serial, addr, clip(r.URL.Query().Get("INFO")))
	if err != nil {
		return "", err
	}
	return FormatCommands(cs), nil
}

func (s *Service) deviceCmd(r *http.Request, serial, addr string) (string, error) {
	body, err := s.read(r, serial, addr)
	if err != nil {
		return "", err
	}
	up, err := s.DeviceCmd(r.Context(), serial, addr, body)
	if err != nil {
		return "", err
	}
	s.logSkipped(serial, "devicecmd", up)
	return "OK", nil
}

func (s *Service) logSkipped(serial, table string, up Upload) {
	if up.Skipped > 0 && s.Log != nil {
		s.Log.Warn("terminal: lines skipped", "serial", serial, "table", table, "skipped", up.Skipped, "first", up.Reason)
	}
}

// read reads the body of a request of an accepted terminal, at most
// MaxBody: a terminal refused costs no memory.
func (s *Service) read(r *http.Request, serial, addr string) ([]byte, error) {
	if t, err := s.Store.Terminal(r.Context(), serial); err != nil || t.State != store.TerminalActive {
		if errors.Is(err, store.ErrInvalid) || !ValidPIN(serial) {
			return nil, ErrUnknown
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if _, err := s.active(r.Context(), serial, addr, ""); err != nil {
			return nil, err
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("terminal: read body: %w", store.ErrInvalid)
	}
	if len(body) > MaxBody {
		return nil, errTooLarge
	}
	return body, nil
}

// clip keeps what a terminal says of itself printable and short.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return truncate(s, 200)
}
