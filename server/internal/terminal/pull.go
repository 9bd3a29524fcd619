package terminal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"punchclock/server/internal/store"
)

// Terminals that cannot push (the older pull protocol on TCP 4370) are
// read by punchd's poller (package zkpull): it dials each accepted
// terminal that has a pull address, reads its serial number, clock and
// attendance log, and hands what is new to PullRecords and its clock to
// PullClock. Their records then go the way an ATTLOG upload's do.

// ErrWrongTerminal: the terminal at a pull address reports a serial
// number that is not the one registered there.
var ErrWrongTerminal = errors.New("terminal: the terminal at this address is not the one registered there")

// pulled returns the accepted terminal serial registered at addr.
func (s *Service) pulled(ctx context.Context, addr, serial string) (store.Terminal, error) {
	t, err := s.Store.Terminal(ctx, serial)
	if errors.Is(err, store.ErrNotFound) || err == nil && (t.PullAddr != addr || t.State != store.TerminalActive) {
		return t, fmt.Errorf("%w: %s reports serial %q", ErrWrongTerminal, addr, serial)
	}
	return t, err
}

// PullRecords stores the records a collector read from the terminal at
// addr, which reports serial: the terminal must be the accepted one
// registered at that address (a device that answers there under another
// serial stores nothing: ErrWrongTerminal). Each record becomes the punch
// of its (serial, PIN, local time), stored once however often it is read.
func (s *Service) PullRecords(ctx context.Context, addr, serial string, recs []Record) (Upload, error) {
	if _, err := s.pulled(ctx, addr, serial); err != nil {
		return Upload{}, err
	}
	t, err := s.Store.SeeTerminal(ctx, serial, s.Now(), addr, "")
	if err != nil {
		return Upload{}, err
	}
	return s.records(ctx, t, "", recs, Upload{Processed: len(recs)})
}

// PullClock records the clock of the terminal serial at addr as read at
// a poll (its naive local time): read in the terminal's zone, it is the
// clock measure an INFO result gives a pushing terminal, and flags a
// clock that is wrong the same way.
func (s *Service) PullClock(ctx context.Context, addr, serial string, local time.Time) error {
	t, err := s.pulled(ctx, addr, serial)
	if err != nil {
		return err
	}
	return s.clock(ctx, t, local.Format(LocalLayout), s.Now().UTC())
}
