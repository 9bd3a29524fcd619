package zkpull

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"
)

// Sink takes the new records of one terminal's poll (see the package doc for
// its contract). An error keeps them for the next poll.
// addr is the address polled, for a sink that checks the serial the
// terminal reports is the one registered there.
type Sink func(ctx context.Context, addr, serial string, recs []Record) error

// Clock is the Poller's timer, injected so tests step it.
type Clock interface {
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// DefaultInterval is how often a Poller reads each terminal when told nothing.
const DefaultInterval = time.Minute

// Poller reads a list of terminals on an interval and hands their new
// records to a Sink.
type Poller struct {
	// Terminals lists the addresses to poll ("host" or "host:port"); it is
	// called at each round, so terminals registered meanwhile are polled.
	Terminals func(ctx context.Context) ([]string, error)
	Sink      Sink
	Interval  time.Duration // between rounds; zero is DefaultInterval
	Timeout   time.Duration // for each exchange with a terminal; zero is DefaultTimeout
	Clock     Clock         // nil is the real clock
	// OnError hears each terminal's failure of a round (nil: Run drops them;
	// Poll returns them too).
	OnError func(addr string, err error)
	// OnTime, when set, hears each terminal's clock as read at its poll
	// (naive local time in time.UTC), so the registry can flag a terminal
	// whose clock is wrong, as it does for PUSH terminals.
	OnTime func(ctx context.Context, addr, serial string, terminal time.Time)

	mu      sync.Mutex
	cursors map[string]Cursor // by serial number
}

// Cursors is a copy of the cursors by serial number, for a caller that keeps them.
func (p *Poller) Cursors() map[string]Cursor {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.cursors)
}

// SetCursor seeds a terminal's cursor (a stored one, after a restart).
func (p *Poller) SetCursor(serial string, c Cursor) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cursors == nil {
		p.cursors = map[string]Cursor{}
	}
	p.cursors[serial] = c
}

func (p *Poller) cursor(serial string) Cursor {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cursors[serial]
}

// Poll runs one round: every terminal in turn, one failing not stopping the
// others. It returns the terminals' errors joined.
func (p *Poller) Poll(ctx context.Context) error {
	addrs, err := p.Terminals(ctx)
	if err != nil {
		return fmt.Errorf("zkpull: list terminals: %w", err)
	}
	var errs []error
	for _, addr := range addrs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if _, err := p.PollTerminal(ctx, addr); err != nil {
			if p.OnError != nil {
				p.OnError(addr, err)
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PollTerminal reads one terminal and hands its new records to the sink;
// it returns how many it handed on.
func (p *Poller) PollTerminal(ctx context.Context, addr string) (int, error) {
	c, err := Dial(ctx, addr, p.Timeout)
	if err != nil {
		return 0, err
	}
	serial, err := c.Serial(ctx)
	if err != nil {
		c.conn.Close()
		return 0, err
	}
	if p.OnTime != nil {
		now, err := c.Time(ctx)
		if err != nil {
			c.conn.Close()
			return 0, err
		}
		p.OnTime(ctx, addr, serial, now)
	}
	log, err := c.Attendance(ctx)
	if err != nil {
		c.conn.Close()
		return 0, err
	}
	c.Close() // the records are read: a failed goodbye loses nothing
	fresh, next := Fresh(log, p.cursor(serial))
	if len(fresh) > 0 {
		if err := p.Sink(ctx, addr, serial, records(serial, fresh)); err != nil {
			return 0, fmt.Errorf("zkpull: %s (%s): sink: %w", addr, serial, err)
		}
	}
	p.SetCursor(serial, next)
	return len(fresh), nil
}

// Run polls at once and then every Interval until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	clock, every := p.Clock, p.Interval
	if clock == nil {
		clock = realClock{}
	}
	if every <= 0 {
		every = DefaultInterval
	}
	for {
		_ = p.Poll(ctx) // each terminal's failure went to OnError
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(every):
		}
	}
}
