package punchd

import (
	"context"
	"time"

	"punchclock/server/internal/store"
	"punchclock/server/internal/terminal"
	"punchclock/server/internal/zkpull"
)

// pollTerminals starts the poller of the terminals read with the older
// pull protocol (TCP 4370, package zkpull): every PullInterval it reads
// the attendance log of each accepted terminal that has a pull address
// and stores what is new through the terminal service, as pushed records
// are (stored once by (serial, PIN, local time), so a log read again after
// a restart, whose cursors live in memory, adds nothing). It returns the
// poller's stop (nil when PullInterval is negative).
func (m *Main) pollTerminals(cfg Config) func() {
	if cfg.PullInterval < 0 {
		return nil
	}
	svc := m.API.Terminals
	m.Pull = &zkpull.Poller{
		Interval: cfg.PullInterval,
		Terminals: func(ctx context.Context) ([]string, error) {
			ts, err := m.Store.Terminals(ctx)
			if err != nil {
				return nil, err
			}
			var addrs []string
			for _, t := range ts {
				if t.State == store.TerminalActive && t.PullAddr != "" {
					addrs = append(addrs, t.PullAddr)
				}
			}
			return addrs, nil
		},
		Sink: func(ctx context.Context, addr, serial string, recs []zkpull.Record) error {
			rs := make([]terminal.Record, len(recs))
			for i, r := range recs {
				rs[i] = terminal.Record{PIN: r.PIN, Local: r.Time.Format(terminal.LocalLayout), Wall: r.Time, Status: int(r.State), Verify: int(r.Verify)}
			}
			_, err := svc.PullRecords(ctx, addr, serial, rs)
			return err
		},
		OnTime: func(ctx context.Context, addr, serial string, local time.Time) {
			if err := svc.PullClock(ctx, addr, serial, local); err != nil {
				cfg.Log.Warn("pull terminal: clock", "serial", serial, "err", err)
			}
		},
		OnError: func(addr string, err error) {
			cfg.Log.Warn("pull terminal", "addr", addr, "err", err)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Pull.Run(ctx)
	}()
	return func() { cancel(); <-done }
}
