// Package outbox is the kiosk's offline queue of punches.
//
// A punch is recorded (given its UUIDv7, stamped with the device and the
// corrected time, chained and signed with the device key) and committed to
// the Store together with the new chain position in one atomic write, before
// Record returns: the kiosk shows its confirmation only after that, so a
// confirmed punch is never lost to a reload or a power cut. The syncer
// (kiosk/syncer) later drains pending entries to the server and marks them
// synced or rejected; synced entries stay for the manager's day view until
// pruned, rejected ones stay visible until a manager deals with them.
//
// The Store interface is defined here, by its consumer; memstore (memory)
// and idbstore (IndexedDB, js/wasm) implement it and pass the one
// conformance suite in outboxtest.
//
// The outbox also keeps the device's small state: its identity and keys,
// the clock offset learnt from the server, and the pulled roster and rules.
// Each state record has a single writer (enrollment, the syncer), so they are
// stored under separate keys and never read-modify-written across writers.
//
// The package never reads the clock: it is injected (Options.Clock).
package outbox

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"

	"punchclock/app/attendance"
	"punchclock/app/wire"
)

// DefaultDedupWindow is how long a second punch of the same employee by the
// same method is taken for a repeat of the first (a badge held in front of
// the camera, a double tap).
const DefaultDedupWindow = 60 * time.Second

// Keys of the device state records in the Store.
const (
	KeyIdentity = "identity"
	KeyClock    = "clock"
	KeyPull     = "pull"
)

// Errors of the Outbox.
var (
	// ErrRecentDuplicate is returned by Record, with the earlier entry, when
	// the same employee punched by the same method within the dedup window.
	ErrRecentDuplicate = errors.New("outbox: same punch within the dedup window")
	// ErrNotEnrolled is returned by Record before SetIdentity.
	ErrNotEnrolled = errors.New("outbox: device not enrolled")
	// ErrOtherDevice is returned by SetIdentity when the store already
	// belongs to another device id: its chain would not continue on the
	// server. Re-enrolling needs a fresh store.
	ErrOtherDevice = errors.New("outbox: store belongs to another device")
)

// Options configure an Outbox.
type Options struct {
	// Clock returns the device's wall time. Required. It should carry a
	// monotonic reading (time.Now does) so the offset age is measured with
	// the monotonic clock.
	Clock func() time.Time
	// Rand is the randomness of punch ids; crypto/rand.Reader when nil.
	Rand io.Reader
	// DedupWindow overrides DefaultDedupWindow; negative disables the guard.
	DedupWindow time.Duration
}

// Identity is who the device is, from enrollment.
type Identity struct {
	DeviceID string `json:"device_id"`
	// Key is the device's Ed25519 private key (made on the device, never
	// sent anywhere).
	Key ed25519.PrivateKey `json:"key"`
	// QRSecret is the rotating-QR HMAC key issued at enrollment.
	QRSecret   []byte          `json:"qr_secret"`
	Site       attendance.Site `json:"site"`
	EnrolledAt time.Time       `json:"enrolled_at"`
}

// ClockOffset is the device clock's offset learnt from the server.
type ClockOffset struct {
	// Offset is server time minus device time.
	Offset time.Duration `json:"offset"`
	// RTT is the round trip of the exchange it was learnt from; the
	// offset's error is at most half of it.
	RTT time.Duration `json:"rtt"`
	// At is the device time when it was learnt. When set in this process it
	// also carries a monotonic reading; once loaded from the store it does
	// not, and Record then treats the offset as unknown (see Record).
	At time.Time `json:"at"`
}

// PullState is the roster, rules and cursor last pulled from the server.
type PullState struct {
	Cursor string `json:"cursor"`
	// ETag is the server's entity tag of the answer that gave Cursor; sent
	// back as If-None-Match so an unchanged server answers 304.
	ETag string `json:"etag,omitempty"`
	// At is the device time of the last successful pull (304 included).
	At          time.Time               `json:"at"`
	Site        *attendance.Site        `json:"site,omitempty"`
	Departments []attendance.Department `json:"departments,omitempty"`
	Employees   []attendance.Employee   `json:"employees,omitempty"`
	Rules       json.RawMessage         `json:"rules,omitempty"`
	Revoked     bool                    `json:"revoked,omitempty"`
	// Managers who may sign in on this kiosk with badge and PIN.
	Managers []wire.KioskManager `json:"managers,omitempty"`
	// Flows are the approval flows waiting for those managers.
	Flows []wire.KioskFlow `json:"flows,omitempty"`
	// TagKeys check the signed badge tokens of NFC tags (app/nfctag).
	TagKeys []string `json:"tag_keys,omitempty"`
}

// Outbox records punches into a Store. It is safe for concurrent use.
type Outbox struct {
	store  Store
	clock  func() time.Time
	rand   io.Reader
	window time.Duration

	mu       sync.Mutex // serialises Record: the chain is a sequence
	chain    wire.Chain
	identity *Identity
	offset   *ClockOffset // learnt in this process (monotonic At), or nil
	lastV7   int64        // last UUIDv7 time (ms<<12 | sub-ms sequence)

	// pull caches the decoded pull state: every scan looks the badge up
	// in the roster, and decoding a large roster from the store each time
	// would cost more than the rest of a punch. Only this Outbox writes it.
	pullMu  sync.Mutex
	pull    *PullState
	pullGen uint64       // bumped by every SetPull
	roster  *rosterIndex // pull's roster indexed (roster.go); nil until built

	// idx holds the recent entries by employee (index.go); nil until
	// asked for, or after a write whose outcome is unknown.
	idxMu sync.Mutex
	idx   *entryIndex

	// stats caches Stats between writes: the kiosk's status line asks
	// every second and after every change, and each answer was three
	// IndexedDB requests. statsGen counts the writes that drop it.
	statsMu  sync.Mutex
	stats    *Stats
	statsGen uint64
}

// statsChanged drops the cached Stats: called after every write to the
// entries, whatever its outcome.
func (o *Outbox) statsChanged() {
	o.statsMu.Lock()
	o.stats = nil
	o.statsGen++
	o.statsMu.Unlock()
}

// Open makes an Outbox over store and loads its chain position and identity.
func Open(ctx context.Context, store Store, opts Options) (*Outbox, error) {
	if opts.Clock == nil {
		return nil, errors.New("outbox: open: no clock")
	}
	o := &Outbox{store: store, clock: opts.Clock, rand: opts.Rand, window: opts.DedupWindow}
	if o.rand == nil {
		o.rand = rand.Reader
	}
	if o.window == 0 {
		o.window = DefaultDedupWindow
	}
	var err error
	if o.chain, err = store.Chain(ctx); err != nil {
		return nil, fmt.Errorf("outbox: open: %w", err)
	}
	var id Identity
	switch err := o.loadState(ctx, KeyIdentity, &id); {
	case err == nil:
		o.identity = &id
	case !errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("outbox: open: %w", err)
	}
	return o, nil
}

// Store returns the underlying store.
func (o *Outbox) Store() Store { return o.store }

// Record commits punch p and returns its entry. The caller fills what it
// knows (employee, method, direction, location, evidence); Record sets the
// id, device, site (when empty), device time, estimated true time and
// offset fields, then chains and signs it and appends it with the new chain
// position in one atomic store write.
//
// Only when Record returns nil is the punch safely stored: show the
// confirmation then, and show any error (ErrQuota included) on screen. If
// the employee punched by the same method within the dedup window, Record
// returns the earlier entry (without its signed body) and
// ErrRecentDuplicate and stores nothing.
//
// The estimated true time is set only from an offset learnt in this process
// (SetClock): it is the server time at that exchange plus the monotonic time
// elapsed since, so a wall-clock jump after the sync does not corrupt it.
// Without one, EstTime is zero and OffsetAgeS -1, and the server corrects
// the punch from the batch's offset instead.
func (o *Outbox) Record(ctx context.Context, p attendance.Punch) (Entry, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.identity == nil {
		return Entry{}, ErrNotEnrolled
	}
	now := o.clock()
	if earlier, ok, err := o.recent(ctx, p, now); err != nil {
		return Entry{}, fmt.Errorf("outbox: record: dedup: %w", err)
	} else if ok {
		return earlier, ErrRecentDuplicate
	}

	id, err := o.newID(now)
	if err != nil {
		return Entry{}, fmt.Errorf("outbox: record: punch id: %w", err)
	}
	p.ID = id
	p.DeviceID = o.identity.DeviceID
	if p.SiteID == "" {
		p.SiteID = o.identity.Site.ID
	}
	p.DeviceTime = wall(now)
	p.EstTime, p.OffsetMS, p.OffsetAgeS = time.Time{}, 0, -1
	if c := o.offset; c != nil {
		elapsed := now.Sub(c.At) // monotonic: both readings from this process
		est := c.At.Round(0).Add(c.Offset).Add(elapsed)
		p.EstTime = est.Truncate(time.Millisecond).UTC()
		p.OffsetMS = p.EstTime.Sub(p.DeviceTime).Milliseconds()
		p.OffsetAgeS = int64(max(elapsed, 0) / time.Second)
	}
	// Seq and Prev are set by Chain.Next; validate with placeholders so a
	// bad punch is refused before it consumes a chain position.
	p.Seq, p.Prev = o.chain.Seq+1, o.chain.Hash
	if err := p.Validate(); err != nil {
		return Entry{}, fmt.Errorf("outbox: record: %w", err)
	}
	signed, next, err := o.chain.Next(&p, o.identity.Key)
	if err != nil {
		return Entry{}, fmt.Errorf("outbox: record: %w", err)
	}
	e := Entry{ID: p.ID, Seq: p.Seq, At: p.DeviceTime, Punch: p, Signed: signed, State: StatePending}
	err = o.store.Append(ctx, e, next)
	o.statsChanged()
	o.indexAppended(&e, err)
	if err != nil {
		// The write may have happened although an error came back (a
		// cancelled wait on a committed transaction): chain from whatever
		// the store holds, never from a guess, even if ctx is done.
		if c, cerr := o.store.Chain(context.WithoutCancel(ctx)); cerr == nil {
			o.chain = c
		}
		return Entry{}, fmt.Errorf("outbox: record: %w", err)
	}
	o.chain = next
	return e, nil
}

// wall drops the monotonic reading and keeps milliseconds, as stored.
func wall(t time.Time) time.Time { return t.Round(0).Truncate(time.Millisecond).UTC() }

// dedupKey is who punched how: the employee, or the badge code of a badge
// the roster did not know.
func dedupKey(p *attendance.Punch) string {
	if p.EmployeeID == "" {
		return string(p.Method) + "\x00badge\x00" + p.Evidence.BadgeCode
	}
	return string(p.Method) + "\x00" + p.EmployeeID
}

// recent finds an entry of the same employee and method within the window.
// The window counts either way from now, so a clock set back does not turn
// every punch after a recent one into a "duplicate" for long. It reads the
// employee's entries from the index (see EmployeeEntries), not every entry
// of the window from the store: at a busy entrance a minute holds hundreds,
// and decoding them was most of a scan's work. The entry it returns has no
// signed body.
func (o *Outbox) recent(ctx context.Context, p attendance.Punch, now time.Time) (Entry, bool, error) {
	if o.window < 0 {
		return Entry{}, false, nil
	}
	now = wall(now)
	es, err := o.EmployeeEntries(ctx, p.EmployeeID, now.Add(-o.window+time.Millisecond))
	if err != nil {
		return Entry{}, false, err
	}
	key := dedupKey(&p)
	for i := len(es) - 1; i >= 0; i-- {
		e := &es[i]
		if e.At.Sub(now) < o.window && dedupKey(&e.Punch) == key {
			return *e, true, nil
		}
	}
	return Entry{}, false, nil
}

// newID makes a UUIDv7 from the injected clock. uuid.NewV7 reads time.Now
// itself, so the layout is filled here: 48 bits of Unix milliseconds, the
// version, 12 bits of sub-millisecond sequence kept increasing within this
// outbox (as uuid.NewV7 does), then uuid's random bits and variant.
func (o *Outbox) newID(now time.Time) (string, error) {
	u, err := uuid.NewRandomFromReader(o.rand)
	if err != nil {
		return "", err
	}
	nano := now.UnixNano()
	ms := nano / 1e6
	v := ms<<12 | (nano-ms*1e6)>>8
	if v <= o.lastV7 {
		v = o.lastV7 + 1
	}
	o.lastV7 = v
	ms, seq := v>>12, v&0xfff
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = 0x70 | byte(seq>>8)&0x0f
	u[7] = byte(seq)
	return u.String(), nil
}

// Pending returns up to limit pending entries in chain order (0: all).
func (o *Outbox) Pending(ctx context.Context, limit int) ([]Entry, error) {
	es, err := o.store.List(ctx, Filter{State: StatePending, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("outbox: pending: %w", err)
	}
	return es, nil
}

// Rejected returns the parked rejected entries, for the manager.
func (o *Outbox) Rejected(ctx context.Context) ([]Entry, error) {
	es, err := o.store.List(ctx, Filter{State: StateRejected})
	if err != nil {
		return nil, fmt.Errorf("outbox: rejected: %w", err)
	}
	return es, nil
}

// Today returns every entry recorded since the start of today in loc (by
// the injected clock), whatever its state, for the manager's day view.
func (o *Outbox) Today(ctx context.Context, loc *time.Location) ([]Entry, error) {
	now := o.clock().In(loc)
	y, m, d := now.Date()
	es, err := o.store.List(ctx, Filter{Since: time.Date(y, m, d, 0, 0, 0, 0, loc)})
	if err != nil {
		return nil, fmt.Errorf("outbox: today: %w", err)
	}
	return es, nil
}

// Mark settles entries (see Store.Mark).
func (o *Outbox) Mark(ctx context.Context, marks []Mark) error {
	err := o.store.Mark(ctx, marks)
	o.statsChanged()
	o.indexMarked(marks, err)
	if err != nil {
		return fmt.Errorf("outbox: mark: %w", err)
	}
	return nil
}

// Stats returns the queue counts (see Store.Stats).
func (o *Outbox) Stats(ctx context.Context) (Stats, error) {
	o.statsMu.Lock()
	cached, gen := o.stats, o.statsGen
	o.statsMu.Unlock()
	if cached != nil {
		return *cached, nil
	}
	s, err := o.store.Stats(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("outbox: stats: %w", err)
	}
	o.statsMu.Lock()
	if o.statsGen == gen { // no write since the read began
		o.stats = &s
	}
	o.statsMu.Unlock()
	return s, nil
}

// Prune deletes synced entries recorded more than keep before now.
func (o *Outbox) Prune(ctx context.Context, keep time.Duration) (int, error) {
	before := o.clock().Add(-keep)
	n, err := o.store.Prune(ctx, before)
	if n > 0 || err != nil {
		o.statsChanged()
	}
	o.indexPruned(before, n, err)
	if err != nil {
		return n, fmt.Errorf("outbox: prune: %w", err)
	}
	return n, nil
}

// Chain returns the chain position of the last recorded punch.
func (o *Outbox) Chain() wire.Chain {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.chain
}

// Identity returns the device identity, or ErrNotEnrolled.
func (o *Outbox) Identity() (Identity, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.identity == nil {
		return Identity{}, ErrNotEnrolled
	}
	return *o.identity, nil
}

// SetIdentity stores the device identity after enrollment. It refuses
// (ErrOtherDevice) a different device id than the one stored.
func (o *Outbox) SetIdentity(ctx context.Context, id Identity) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.identity != nil && o.identity.DeviceID != id.DeviceID {
		return fmt.Errorf("outbox: set identity %s: %w %s", id.DeviceID, ErrOtherDevice, o.identity.DeviceID)
	}
	if len(id.Key) != ed25519.PrivateKeySize {
		return fmt.Errorf("outbox: set identity %s: key has %d bytes, want %d", id.DeviceID, len(id.Key), ed25519.PrivateKeySize)
	}
	if err := o.saveState(ctx, KeyIdentity, id); err != nil {
		return fmt.Errorf("outbox: set identity: %w", err)
	}
	o.identity = &id
	return nil
}

// Clock returns the clock offset: the one learnt in this process if any
// (fromThisRun true, usable for correcting punch times), else the one last
// stored (for display), else ErrNotFound.
func (o *Outbox) Clock(ctx context.Context) (c ClockOffset, fromThisRun bool, err error) {
	o.mu.Lock()
	if o.offset != nil {
		c := *o.offset
		o.mu.Unlock()
		return c, true, nil
	}
	o.mu.Unlock()
	if err := o.loadState(ctx, KeyClock, &c); err != nil {
		return ClockOffset{}, false, fmt.Errorf("outbox: clock: %w", err)
	}
	return c, false, nil
}

// SetClock stores a newly learnt clock offset and uses it for the punches
// recorded from now on. c.At should be the injected clock's reading at the
// exchange (with its monotonic part).
func (o *Outbox) SetClock(ctx context.Context, c ClockOffset) error {
	if err := o.saveState(ctx, KeyClock, c); err != nil {
		return fmt.Errorf("outbox: set clock: %w", err)
	}
	o.mu.Lock()
	o.offset = &c
	o.mu.Unlock()
	return nil
}

// Pull returns the pulled state; the zero PullState before the first pull.
//
// The state is read from the store once and then kept in memory; callers
// must not modify its slices.
func (o *Outbox) Pull(ctx context.Context) (PullState, error) {
	o.pullMu.Lock()
	defer o.pullMu.Unlock()
	return o.pullLocked(ctx)
}

func (o *Outbox) pullLocked(ctx context.Context) (PullState, error) {
	if o.pull != nil {
		return *o.pull, nil
	}
	var s PullState
	if err := o.loadState(ctx, KeyPull, &s); err != nil && !errors.Is(err, ErrNotFound) {
		return PullState{}, fmt.Errorf("outbox: pull state: %w", err)
	}
	o.pull, o.roster = &s, indexRoster(s.Employees)
	return s, nil
}

// SetPull stores the pulled state. It indexes the roster too (before it
// blocks scans), so that no scan has to.
func (o *Outbox) SetPull(ctx context.Context, s PullState) error {
	roster := indexRoster(s.Employees)
	o.pullMu.Lock()
	defer o.pullMu.Unlock()
	o.pull, o.roster = nil, nil
	if err := o.saveState(ctx, KeyPull, s); err != nil {
		return fmt.Errorf("outbox: set pull state: %w", err)
	}
	o.pull, o.roster = &s, roster
	o.pullGen++
	return nil
}

// PullGen is Pull with the number of SetPull calls of this Outbox so far:
// a cache built from the state is current while that number stays.
func (o *Outbox) PullGen(ctx context.Context) (PullState, uint64, error) {
	o.pullMu.Lock()
	defer o.pullMu.Unlock()
	s, err := o.pullLocked(ctx)
	return s, o.pullGen, err
}

func (o *Outbox) loadState(ctx context.Context, key string, v any) error {
	b, err := o.store.State(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

func (o *Outbox) saveState(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return o.store.SetState(ctx, key, b)
}
