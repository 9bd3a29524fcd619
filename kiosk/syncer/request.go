package syncer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// exchange is one request and its timing.
type exchange struct {
	resp       *http.Response
	body       []byte
	sent, recv time.Time
}

// do sends a signed request. A transport error is ErrOffline; an HTTP answer
// of any status is returned with its body read.
// sent is the device time taken just before sending (for a batch, its
// SentAt). The request is signed with sent corrected by the clock offset
// learnt from the server, so a kiosk whose clock is hours off stays within
// the server's window (wire.RequestWindow). If the server still finds the
// time stale (no offset learnt yet, or the clock was set since), its
// answer carries its time: the offset is learnt from it and the request
// signed again and resent once, so a wrong clock costs a round trip and
// never a punch.
func (s *Syncer) do(ctx context.Context, id outbox.Identity, method, pathQuery string, sent time.Time, body []byte, header http.Header) (exchange, error) {
	x, err := s.send(ctx, id, method, pathQuery, sent, body, header)
	if err != nil || x.resp.StatusCode != http.StatusUnauthorized {
		return x, err
	}
	var eb wire.ErrorBody
	if json.Unmarshal(x.body, &eb) != nil || eb.Error.Code != wire.CodeStale || eb.ServerTime.IsZero() {
		return x, nil
	}
	if err := s.learn(ctx, x, eb.ServerTime); err != nil {
		return exchange{}, err
	}
	return s.send(ctx, id, method, pathQuery, s.cfg.Clock(), body, header)
}

// send is one signed request of do.
func (s *Syncer) send(ctx context.Context, id outbox.Identity, method, pathQuery string, sent time.Time, body []byte, header http.Header) (exchange, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+pathQuery, rd)
	if err != nil {
		return exchange{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	x := exchange{sent: sent}
	signed := sent
	if c, _, err := s.cfg.Outbox.Clock(ctx); err == nil {
		signed = sent.Add(c.Offset)
	} else if !errors.Is(err, outbox.ErrNotFound) {
		return exchange{}, fmt.Errorf("syncer: %w", err)
	}
	req.Header.Set("Authorization", wire.SignRequest(id.DeviceID, id.Key, method, pathQuery, signed, body))
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		s.setOnline(false)
		return exchange{}, fmt.Errorf("%w: %w", ErrOffline, err)
	}
	defer resp.Body.Close()
	x.resp = resp
	x.body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	x.recv = s.cfg.Clock()
	if err != nil {
		// The answer was cut: as good as no answer.
		s.setOnline(false)
		return exchange{}, fmt.Errorf("%w: read answer: %w", ErrOffline, err)
	}
	s.setOnline(true)
	return x, nil
}

func (s *Syncer) setOnline(on bool) {
	s.mu.Lock()
	s.online = on
	s.mu.Unlock()
}

// learn stores the clock offset an answer with server time reveals: the
// server read its clock somewhere in the round trip, best guessed as its
// midpoint, so the error is at most half the round trip.
func (s *Syncer) learn(ctx context.Context, x exchange, serverTime time.Time) error {
	if serverTime.IsZero() {
		return nil
	}
	rtt := max(x.recv.Sub(x.sent), 0)
	mid := x.sent.Add(rtt / 2)
	c := outbox.ClockOffset{Offset: serverTime.Sub(mid), RTT: rtt, At: mid}
	if err := s.cfg.Outbox.SetClock(ctx, c); err != nil {
		return fmt.Errorf("syncer: %w", err)
	}
	return nil
}

// apiError turns a non-success answer into a *wire.Error, from its JSON
// body or, failing that (a proxy's page), from its status.
func apiError(x exchange) *wire.Error {
	var eb wire.ErrorBody
	if json.Unmarshal(x.body, &eb) == nil && eb.Error.Code != "" {
		return &wire.Error{Code: eb.Error.Code, Message: eb.Error.Message}
	}
	code := wire.CodeInternal
	switch st := x.resp.StatusCode; {
	case st == http.StatusUnauthorized:
		code = wire.CodeUnauthorized
	case st == http.StatusTooManyRequests:
		code = wire.CodeRateLimited
	case st == http.StatusRequestEntityTooLarge:
		code = wire.CodeTooLarge
	case st == http.StatusBadGateway || st == http.StatusServiceUnavailable || st == http.StatusGatewayTimeout:
		code = wire.CodeTransient
	case st >= 400 && st < 500:
		code = wire.CodeInvalid
	}
	return &wire.Error{Code: code, Message: fmt.Sprintf("HTTP %d", x.resp.StatusCode)}
}

// Call sends one request signed with the device key, as Push and Pull do
// (the device clock corrected by the learnt offset; a stale answer teaches
// the offset and the request is sent again once), and returns the answer's
// status and body. A 2xx answer is returned as is; any other is a
// *wire.Error (unauthorized also stops the syncer), no answer ErrOffline.
// It is how the phone reads its employee's days and flows and asks for a
// make-up punch.
func (s *Syncer) Call(ctx context.Context, method, pathQuery string, body []byte) (int, []byte, error) {
	return s.CallAs(ctx, method, pathQuery, "", body)
}

// CallAs is Call with a body of contentType ("" for JSON): the phone
// uploads a proof photo with it.
func (s *Syncer) CallAs(ctx context.Context, method, pathQuery, contentType string, body []byte) (int, []byte, error) {
	var header http.Header
	if contentType != "" {
		header = http.Header{"Content-Type": {contentType}}
	}
	if err := s.fatalErr(); err != nil {
		return 0, nil, err
	}
	id, err := s.identity()
	if err != nil {
		return 0, nil, err
	}
	x, err := s.do(ctx, id, method, pathQuery, s.cfg.Clock(), body, header)
	if err != nil {
		return 0, nil, fmt.Errorf("syncer: %s %s: %w", method, pathQuery, err)
	}
	if st := x.resp.StatusCode; st < 200 || st > 299 {
		werr := apiError(x)
		if werr.Code == wire.CodeUnauthorized {
			return st, nil, s.stop(fmt.Errorf("syncer: %s %s: %w", method, pathQuery, werr))
		}
		return st, nil, fmt.Errorf("syncer: %s %s: %w", method, pathQuery, werr)
	}
	return x.resp.StatusCode, x.body, nil
}
