//go:build js && wasm

// Package idbstore is the IndexedDB outbox.Store of the kiosk, built on
// github.com/hack-pad/go-indexeddb. It passes the outboxtest conformance
// suite in headless Chromium.
//
// Every write is one IndexedDB transaction opened with durability "strict",
// so the browser reports it committed only once the data is flushed to
// persistent storage (go-indexeddb exposes the option as
// idb.DurabilityStrict; browsers that do not know it ignore it and use their
// default). An Append writes the entry and the chain position in the same
// transaction, so they commit together or not at all. Call RequestPersist
// once at start so the browser does not evict the database under storage
// pressure.
//
// # Schema (version 1)
//
//	entries  key path "id"; value {id, seq, state, at (ms), entry (JSON), body (bytes)}
//	         indexes "seq" (unique), "state_seq" [state, seq], "at"
//	chain    out-of-line key "chain"; value the JSON of wire.Chain
//	state    out-of-line keys; values the bytes of Store.SetState
//
// The signed body is kept as bytes apart from the entry's JSON: the server
// checks the signature over those exact bytes, and a JSON re-encoding could
// change them.
//
// # Running the tests
//
// The tests run in a real headless Chromium through wasmbrowsertest, which
// the go command runs as the go_js_wasm_exec helper it looks for on PATH.
// Once per machine:
//
//	go install github.com/agnivade/wasmbrowsertest@v0.11.0
//	ln -sf "$(go env GOPATH)/bin/wasmbrowsertest" "$(go env GOPATH)/bin/go_js_wasm_exec"
//
// then, with $(go env GOPATH)/bin on PATH:
//
//	GOOS=js GOARCH=wasm go test ./kiosk/outbox/...
//
// wasmbrowsertest drives Chromium through chromedp, which finds
// /usr/bin/chromium, starts it headless by default, and adds --no-sandbox by
// itself when running as root, so nothing more is needed here
// (WASM_HEADLESS=off shows the window when debugging on a desktop). The
// "could not unmarshal event: unknown IPAddressSpace value" lines it logs are
// harmless: the chromedp protocol tables predate this Chromium.
package idbstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall/js"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"

	"punchclock/app/wire"
	"punchclock/kiosk/outbox"
)

const (
	schemaVersion = 1

	storeEntries = "entries"
	storeChain   = "chain"
	storeState   = "state"

	indexSeq      = "seq"
	indexStateSeq = "state_seq"
	indexAt       = "at"

	chainKey = "chain"
)

// Store is an outbox.Store in one IndexedDB database.
type Store struct {
	db   *idb.Database
	name string

	mu     sync.Mutex
	closed bool
}

var _ outbox.Store = (*Store)(nil)

// Open opens (creating or upgrading it as needed) the database called name.
func Open(ctx context.Context, name string) (*Store, error) {
	factory, err := global()
	if err != nil {
		return nil, fmt.Errorf("idbstore: open %s: %w", name, err)
	}
	req, err := factory.Open(ctx, name, schemaVersion, upgrade)
	if err != nil {
		return nil, fmt.Errorf("idbstore: open %s: %w", name, err)
	}
	db, err := req.Await(ctx)
	if err != nil {
		return nil, fmt.Errorf("idbstore: open %s: %w", name, classify(err))
	}
	return &Store{db: db, name: name}, nil
}

// Delete deletes the database called name (for tests and re-enrollment).
// It waits until every connection to it is closed.
func Delete(ctx context.Context, name string) error {
	factory, err := global()
	if err != nil {
		return fmt.Errorf("idbstore: delete %s: %w", name, err)
	}
	req, err := factory.DeleteDatabase(name)
	if err == nil {
		err = req.Await(ctx)
	}
	if err != nil {
		return fmt.Errorf("idbstore: delete %s: %w", name, err)
	}
	return nil
}

// global returns the IndexedDB factory; idb.Global panics without one (a
// worker or a browser with storage disabled), which becomes an error here.
func global() (f *idb.Factory, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("indexedDB unavailable: %v", r)
		}
	}()
	return idb.Global(), nil
}

func upgrade(db *idb.Database, oldVersion, newVersion uint) error {
	if oldVersion < 1 {
		entries, err := db.CreateObjectStore(storeEntries, idb.ObjectStoreOptions{KeyPath: js.ValueOf("id")})
		if err != nil {
			return err
		}
		if _, err := entries.CreateIndex(indexSeq, js.ValueOf("seq"), idb.IndexOptions{Unique: true}); err != nil {
			return err
		}
		if _, err := entries.CreateIndex(indexStateSeq, js.ValueOf([]any{"state", "seq"}), idb.IndexOptions{}); err != nil {
			return err
		}
		if _, err := entries.CreateIndex(indexAt, js.ValueOf("at"), idb.IndexOptions{}); err != nil {
			return err
		}
		if _, err := db.CreateObjectStore(storeChain, idb.ObjectStoreOptions{}); err != nil {
			return err
		}
		if _, err := db.CreateObjectStore(storeState, idb.ObjectStoreOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// Close implements outbox.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("idbstore: close %s: %w", s.name, err)
	}
	return nil
}

// txn starts a transaction; writes are strict, so a committed transaction
// is on disk.
func (s *Store) txn(mode idb.TransactionMode, stores ...string) (*idb.Transaction, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, outbox.ErrClosed
	}
	opts := idb.TransactionOptions{Mode: mode}
	if mode == idb.TransactionReadWrite {
		opts.Durability = idb.DurabilityStrict
	}
	return s.db.TransactionWithOptions(opts, stores[0], stores[1:]...)
}

var (
	errQuota      = idb.NewDOMException("QuotaExceededError")
	errConstraint = idb.NewDOMException("ConstraintError")
)

// classify adds the outbox sentinel matching a DOMException, keeping the
// browser's message for the screen and the logs.
func classify(err error) error {
	switch {
	case errors.Is(err, errQuota):
		return fmt.Errorf("%w: %w", outbox.ErrQuota, err)
	case errors.Is(err, errConstraint):
		return fmt.Errorf("%w: %w", outbox.ErrExists, err)
	}
	return err
}

// record is the JS object of an entry.
func record(e *outbox.Entry) (js.Value, error) {
	body := e.Signed.Body
	c := *e
	c.Signed.Body = nil
	j, err := json.Marshal(&c)
	if err != nil {
		return js.Value{}, err
	}
	b := js.Global().Get("Uint8Array").New(len(body))
	js.CopyBytesToJS(b, body)
	return js.ValueOf(map[string]any{
		"id":    e.ID,
		"seq":   float64(e.Seq),
		"state": string(e.State),
		"at":    float64(e.At.UnixMilli()),
		"entry": string(j),
		"body":  b,
	}), nil
}

// entry decodes a record.
func entry(v js.Value) (outbox.Entry, error) {
	var e outbox.Entry
	if v.Type() != js.TypeObject {
		return e, fmt.Errorf("record is %s, not an object", v.Type())
	}
	if err := json.Unmarshal([]byte(v.Get("entry").String()), &e); err != nil {
		return e, fmt.Errorf("decode entry: %w", err)
	}
	b := v.Get("body")
	e.Signed.Body = make(json.RawMessage, b.Length())
	js.CopyBytesToGo(e.Signed.Body, b)
	return e, nil
}

// Append implements outbox.Store.
func (s *Store) Append(ctx context.Context, e outbox.Entry, chain wire.Chain) error {
	if err := s.append(ctx, e, chain); err != nil {
		return fmt.Errorf("idbstore: append %s: %w", e.ID, classify(err))
	}
	return nil
}

func (s *Store) append(ctx context.Context, e outbox.Entry, chain wire.Chain) error {
	rec, err := record(&e)
	if err != nil {
		return err
	}
	cj, err := json.Marshal(chain)
	if err != nil {
		return err
	}
	txn, err := s.txn(idb.TransactionReadWrite, storeEntries, storeChain)
	if err != nil {
		return err
	}
	entries, err := txn.ObjectStore(storeEntries)
	if err != nil {
		return err
	}
	chains, err := txn.ObjectStore(storeChain)
	if err != nil {
		return err
	}
	// Add, not Put: an existing id (or seq, by the unique index) fails the
	// request, which aborts the whole transaction, chain write included.
	if _, err := entries.Add(rec); err != nil {
		_ = txn.Abort()
		return err
	}
	if _, err := chains.PutKey(js.ValueOf(chainKey), js.ValueOf(string(cj))); err != nil {
		_ = txn.Abort()
		return err
	}
	return txn.Await(ctx)
}

// Chain implements outbox.Store.
func (s *Store) Chain(ctx context.Context) (wire.Chain, error) {
	var c wire.Chain
	v, err := s.get(ctx, storeChain, chainKey)
	if err == nil && v.Type() == js.TypeString {
		err = json.Unmarshal([]byte(v.String()), &c)
	}
	if err != nil {
		return wire.Chain{}, fmt.Errorf("idbstore: chain: %w", err)
	}
	return c, nil
}

// get reads one value by key in a read-only transaction; undefined if absent.
func (s *Store) get(ctx context.Context, store, key string) (js.Value, error) {
	txn, err := s.txn(idb.TransactionReadOnly, store)
	if err != nil {
		return js.Value{}, err
	}
	os, err := txn.ObjectStore(store)
	if err != nil {
		return js.Value{}, err
	}
	req, err := os.Get(js.ValueOf(key))
	if err != nil {
		return js.Value{}, err
	}
	return req.Await(ctx)
}

// List implements outbox.Store.
func (s *Store) List(ctx context.Context, f outbox.Filter) ([]outbox.Entry, error) {
	es, err := s.list(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("idbstore: list: %w", err)
	}
	return es, nil
}

func (s *Store) list(ctx context.Context, f outbox.Filter) ([]outbox.Entry, error) {
	txn, err := s.txn(idb.TransactionReadOnly, storeEntries)
	if err != nil {
		return nil, err
	}
	entries, err := txn.ObjectStore(storeEntries)
	if err != nil {
		return nil, err
	}
	// Three ways in, by what narrows best: a day's entries by the "at"
	// index (then sorted by seq here, since a clock set back breaks the
	// time order), a state's by [state, seq], everything by seq.
	var (
		req    *idb.CursorWithValueRequest
		sorted = true
	)
	switch {
	case !f.Since.IsZero() && f.State == outbox.StateAny:
		idx, err := entries.Index(indexAt)
		if err != nil {
			return nil, err
		}
		r, err := idb.NewKeyRangeLowerBound(js.ValueOf(float64(f.Since.UnixMilli())), false)
		if err != nil {
			return nil, err
		}
		req, err = idx.OpenCursorRange(r, idb.CursorNext)
		if err != nil {
			return nil, err
		}
		sorted = false
	case f.State != outbox.StateAny:
		idx, err := entries.Index(indexStateSeq)
		if err != nil {
			return nil, err
		}
		r, err := stateRange(f.State)
		if err != nil {
			return nil, err
		}
		req, err = idx.OpenCursorRange(r, idb.CursorNext)
		if err != nil {
			return nil, err
		}
	default:
		idx, err := entries.Index(indexSeq)
		if err != nil {
			return nil, err
		}
		req, err = idx.OpenCursor(idb.CursorNext)
		if err != nil {
			return nil, err
		}
	}
	var out []outbox.Entry
	err = req.Iter(ctx, func(c *idb.CursorWithValue) error {
		v, err := c.Value()
		if err != nil {
			return err
		}
		e, err := entry(v)
		if err != nil {
			return err
		}
		if !f.Match(&e) {
			return nil
		}
		out = append(out, e)
		if sorted && f.Limit > 0 && len(out) == f.Limit {
			return idb.ErrCursorStopIter
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !sorted {
		slices.SortFunc(out, func(a, b outbox.Entry) int {
			switch {
			case a.Seq < b.Seq:
				return -1
			case a.Seq > b.Seq:
				return 1
			}
			return 0
		})
		if f.Limit > 0 && len(out) > f.Limit {
			out = out[:f.Limit]
		}
	}
	return out, nil
}

// stateRange is the [state, seq] key range of every entry in state.
func stateRange(st outbox.State) (*idb.KeyRange, error) {
	inf := js.Global().Get("Infinity")
	return idb.NewKeyRangeBound(js.ValueOf([]any{string(st), -1}), js.ValueOf([]any{string(st), inf}), false, false)
}

// Mark implements outbox.Store.
func (s *Store) Mark(ctx context.Context, marks []outbox.Mark) error {
	if len(marks) == 0 {
		return nil
	}
	if err := s.mark(ctx, marks); err != nil {
		return fmt.Errorf("idbstore: mark: %w", classify(err))
	}
	return nil
}

func (s *Store) mark(ctx context.Context, marks []outbox.Mark) error {
	for _, m := range marks {
		if m.State != outbox.StateSynced && m.State != outbox.StateRejected {
			return fmt.Errorf("%s as %q: %w", m.ID, m.State, outbox.ErrInvalidMark)
		}
	}
	txn, err := s.txn(idb.TransactionReadWrite, storeEntries)
	if err != nil {
		return err
	}
	entries, err := txn.ObjectStore(storeEntries)
	if err != nil {
		return err
	}
	// Read every entry, then write them all back settled, in the same
	// transaction. Requests of a transaction complete in order, so once the
	// last read is done all are; the writes are issued from that success
	// event, while the transaction is still active (the Go runtime runs
	// every woken goroutine before handing control back to JavaScript).
	reqs := make([]*idb.Request, len(marks))
	for i, m := range marks {
		if reqs[i], err = entries.Get(js.ValueOf(m.ID)); err != nil {
			_ = txn.Abort()
			return err
		}
	}
	if _, err := reqs[len(reqs)-1].Await(ctx); err != nil {
		_ = txn.Abort()
		return err
	}
	recs := make([]js.Value, len(marks))
	for i, m := range marks {
		v, err := reqs[i].Result()
		if err == nil && v.IsUndefined() {
			err = fmt.Errorf("%s: %w", m.ID, outbox.ErrNotFound)
		}
		var e outbox.Entry
		if err == nil {
			e, err = entry(v)
		}
		if err == nil {
			m.Apply(&e)
			recs[i], err = record(&e)
		}
		if err != nil {
			_ = txn.Abort()
			return err
		}
	}
	for _, rec := range recs {
		if _, err := entries.Put(rec); err != nil {
			_ = txn.Abort()
			return err
		}
	}
	return txn.Await(ctx)
}

// Stats implements outbox.Store.
func (s *Store) Stats(ctx context.Context) (outbox.Stats, error) {
	st, err := s.stats(ctx)
	if err != nil {
		return outbox.Stats{}, fmt.Errorf("idbstore: stats: %w", err)
	}
	return st, nil
}

func (s *Store) stats(ctx context.Context) (outbox.Stats, error) {
	var st outbox.Stats
	txn, err := s.txn(idb.TransactionReadOnly, storeEntries)
	if err != nil {
		return st, err
	}
	entries, err := txn.ObjectStore(storeEntries)
	if err != nil {
		return st, err
	}
	idx, err := entries.Index(indexStateSeq)
	if err != nil {
		return st, err
	}
	count := func(state outbox.State) (int, error) {
		r, err := stateRange(state)
		if err != nil {
			return 0, err
		}
		req, err := idx.CountRange(r)
		if err != nil {
			return 0, err
		}
		n, err := req.Await(ctx)
		return int(n), err
	}
	if st.Pending, err = count(outbox.StatePending); err != nil {
		return st, err
	}
	if st.Rejected, err = count(outbox.StateRejected); err != nil {
		return st, err
	}
	if st.Pending == 0 {
		return st, nil
	}
	r, err := stateRange(outbox.StatePending)
	if err != nil {
		return st, err
	}
	req, err := idx.OpenCursorRange(r, idb.CursorNext)
	if err != nil {
		return st, err
	}
	err = req.Iter(ctx, func(c *idb.CursorWithValue) error {
		v, err := c.Value()
		if err != nil {
			return err
		}
		e, err := entry(v)
		if err != nil {
			return err
		}
		st.OldestPending = e.At
		return idb.ErrCursorStopIter
	})
	return st, err
}

// Prune implements outbox.Store.
func (s *Store) Prune(ctx context.Context, before time.Time) (int, error) {
	n, err := s.prune(ctx, before)
	if err != nil {
		return 0, fmt.Errorf("idbstore: prune: %w", classify(err))
	}
	return n, nil
}

func (s *Store) prune(ctx context.Context, before time.Time) (int, error) {
	txn, err := s.txn(idb.TransactionReadWrite, storeEntries)
	if err != nil {
		return 0, err
	}
	entries, err := txn.ObjectStore(storeEntries)
	if err != nil {
		return 0, err
	}
	idx, err := entries.Index(indexAt)
	if err != nil {
		return 0, err
	}
	// "at" holds milliseconds; the range is coarse at the boundary and the
	// exact test is done on the decoded entry.
	r, err := idb.NewKeyRangeUpperBound(js.ValueOf(float64(before.UnixMilli())), false)
	if err != nil {
		return 0, err
	}
	req, err := idx.OpenCursorRange(r, idb.CursorNext)
	if err != nil {
		return 0, err
	}
	n := 0
	err = req.Iter(ctx, func(c *idb.CursorWithValue) error {
		v, err := c.Value()
		if err != nil {
			return err
		}
		if v.Get("state").String() != string(outbox.StateSynced) {
			return nil
		}
		e, err := entry(v)
		if err != nil {
			return err
		}
		if !e.At.Before(before) {
			return nil
		}
		if _, err := c.Delete(); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		_ = txn.Abort()
		return 0, err
	}
	if err := txn.Await(ctx); err != nil {
		return 0, err
	}
	return n, nil
}

// State implements outbox.Store.
func (s *Store) State(ctx context.Context, key string) ([]byte, error) {
	v, err := s.get(ctx, storeState, key)
	if err == nil && v.IsUndefined() {
		err = outbox.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("idbstore: state %q: %w", key, err)
	}
	b := make([]byte, v.Length())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// SetState implements outbox.Store.
func (s *Store) SetState(ctx context.Context, key string, value []byte) error {
	if err := s.setState(ctx, key, value); err != nil {
		return fmt.Errorf("idbstore: set state %q: %w", key, classify(err))
	}
	return nil
}

func (s *Store) setState(ctx context.Context, key string, value []byte) error {
	txn, err := s.txn(idb.TransactionReadWrite, storeState)
	if err != nil {
		return err
	}
	os, err := txn.ObjectStore(storeState)
	if err != nil {
		return err
	}
	b := js.Global().Get("Uint8Array").New(len(value))
	js.CopyBytesToJS(b, value)
	if _, err := os.PutKey(js.ValueOf(key), b); err != nil {
		_ = txn.Abort()
		return err
	}
	return txn.Await(ctx)
}
