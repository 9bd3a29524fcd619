// Package memstore is an in-memory outbox.Store, for tests and for running
// the kiosk logic natively. It passes the outboxtest conformance suite.
//
// Its data lives as long as the Go values do: Reopen gives a new handle on
// the same data, which is how the suite's "reopen" is simulated.
package memstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

// data is the shared backing of the handles of one store.
type data struct {
	mu      sync.Mutex
	entries map[string]*outbox.Entry // by id
	seqs    map[uint64]string        // seq -> id
	chain   wire.Chain
	state   map[string][]byte
}

// Store is an in-memory outbox.Store handle.
type Store struct {
	d      *data
	mu     sync.Mutex
	closed bool
}

var _ outbox.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{d: &data{
		entries: map[string]*outbox.Entry{},
		seqs:    map[uint64]string{},
		state:   map[string][]byte{},
	}}
}

// Reopen returns a new handle on s's data, as if the page had reloaded.
func (s *Store) Reopen() *Store { return &Store{d: s.d} }

// lock locks the data, or fails on a closed handle.
func (s *Store) lock(op string) (*data, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("memstore: %s: %w", op, outbox.ErrClosed)
	}
	s.d.mu.Lock()
	return s.d, nil
}

// Close implements outbox.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

// clone copies e deeply, so callers never share memory with the store.
func clone(e *outbox.Entry) outbox.Entry {
	c := *e
	c.Signed.Body = slices.Clone(e.Signed.Body)
	c.Signed.Sig = slices.Clone(e.Signed.Sig)
	c.Flags = slices.Clone(e.Flags)
	if e.Punch.Location != nil {
		l := *e.Punch.Location
		c.Punch.Location = &l
	}
	return c
}

// Append implements outbox.Store.
func (s *Store) Append(ctx context.Context, e outbox.Entry, chain wire.Chain) error {
	d, err := s.lock("append")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if _, ok := d.entries[e.ID]; ok {
		return fmt.Errorf("memstore: append %s: %w", e.ID, outbox.ErrExists)
	}
	if _, ok := d.seqs[e.Seq]; ok {
		return fmt.Errorf("memstore: append seq %d: %w", e.Seq, outbox.ErrExists)
	}
	c := clone(&e)
	d.entries[e.ID] = &c
	d.seqs[e.Seq] = e.ID
	d.chain = chain
	return nil
}

// Chain implements outbox.Store.
func (s *Store) Chain(ctx context.Context) (wire.Chain, error) {
	d, err := s.lock("chain")
	if err != nil {
		return wire.Chain{}, err
	}
	defer d.mu.Unlock()
	return d.chain, nil
}

// List implements outbox.Store.
func (s *Store) List(ctx context.Context, f outbox.Filter) ([]outbox.Entry, error) {
	d, err := s.lock("list")
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	seqs := make([]uint64, 0, len(d.seqs))
	for q := range d.seqs {
		seqs = append(seqs, q)
	}
	slices.Sort(seqs)
	var out []outbox.Entry
	for _, q := range seqs {
		e := d.entries[d.seqs[q]]
		if !f.Match(e) {
			continue
		}
		out = append(out, clone(e))
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}

// Mark implements outbox.Store.
func (s *Store) Mark(ctx context.Context, marks []outbox.Mark) error {
	d, err := s.lock("mark")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	// Check everything first: the marks apply all or not at all.
	for _, m := range marks {
		if m.State != outbox.StateSynced && m.State != outbox.StateRejected {
			return fmt.Errorf("memstore: mark %s as %q: %w", m.ID, m.State, outbox.ErrInvalidMark)
		}
		if _, ok := d.entries[m.ID]; !ok {
			return fmt.Errorf("memstore: mark %s: %w", m.ID, outbox.ErrNotFound)
		}
	}
	for _, m := range marks {
		m.Apply(d.entries[m.ID])
	}
	return nil
}

// Stats implements outbox.Store.
func (s *Store) Stats(ctx context.Context) (outbox.Stats, error) {
	d, err := s.lock("stats")
	if err != nil {
		return outbox.Stats{}, err
	}
	defer d.mu.Unlock()
	var st outbox.Stats
	var first uint64
	for _, e := range d.entries {
		switch e.State {
		case outbox.StatePending:
			if st.Pending == 0 || e.Seq < first {
				first, st.OldestPending = e.Seq, e.At
			}
			st.Pending++
		case outbox.StateRejected:
			st.Rejected++
		}
	}
	return st, nil
}

// Prune implements outbox.Store.
func (s *Store) Prune(ctx context.Context, before time.Time) (int, error) {
	d, err := s.lock("prune")
	if err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	n := 0
	for id, e := range d.entries {
		if e.State == outbox.StateSynced && e.At.Before(before) {
			delete(d.entries, id)
			delete(d.seqs, e.Seq)
			n++
		}
	}
	return n, nil
}

// State implements outbox.Store.
func (s *Store) State(ctx context.Context, key string) ([]byte, error) {
	d, err := s.lock("state")
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	v, ok := d.state[key]
	if !ok {
		return nil, fmt.Errorf("memstore: state %q: %w", key, outbox.ErrNotFound)
	}
	return slices.Clone(v), nil
}

// SetState implements outbox.Store.
func (s *Store) SetState(ctx context.Context, key string, value []byte) error {
	d, err := s.lock("set state")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	d.state[key] = slices.Clone(value)
	return nil
}
