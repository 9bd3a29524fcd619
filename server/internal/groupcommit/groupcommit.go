// Package groupcommit lets many goroutines share one worker that handles
// their requests in groups: a database writes the group in one transaction
// and pays one commit for all of it.
//
// There is no timer. A free worker takes the first request as soon as it
// comes; while the workers handle groups, new requests queue, and the
// next group is whatever queued meanwhile (at most size requests). An
// idle server therefore handles a lone request at once, and a busy one in
// groups as large as its load makes them.
//
// With a sync stage (NewSynced), run may return before what it wrote is
// durable: a goroutine of its own then calls sync, which makes everything
// written so far durable, and wakes the callers of every group that ran
// before that call began. The next group runs meanwhile, so the wait on
// the disk leaves the serial path: one sync often covers several groups.
// This is a database's pipelined group commit (PostgreSQL's and MySQL's
// WAL flush), for a store whose commit returns before its fsync.
//
// Requests may carry a key (a device id): a group holds at most one
// request of a key, and no two groups running at once share a key; the
// others wait for a later group in the order they came. A worker can
// then handle a group's requests independently of one another, and of
// the other groups running.
package groupcommit

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by Do after Close.
var ErrClosed = errors.New("groupcommit: closed")

// Committer hands requests of type T to its run function in groups.
type Committer[T any] struct {
	max     int
	workers int
	key     func(T) string
	run     func([]T) []error
	sync    func() error // nil: no sync stage

	mu     sync.RWMutex
	closed bool
	in     chan *request[T]
	done   chan struct{}
	// toSync holds the groups that ran, for the sync stage; synced
	// tells the loop how many it woke.
	toSync chan []*request[T]
	synced chan int

	queued, groups, handled, busy, syncs atomic.Int64
}

// Stats counts a committer's work.
type Stats struct {
	// Queued are the requests waiting for a group.
	Queued int64
	// Groups and Handled count the groups run and the requests in them.
	Groups, Handled int64
	// Workers is how many groups may run at once.
	Workers int
	// Busy is the time spent running groups (summed over workers), not
	// counting the sync stage's waits.
	Busy time.Duration
	// Syncs counts the sync stage's calls.
	Syncs int64
}

// Stats returns the counts so far.
func (c *Committer[T]) Stats() Stats {
	return Stats{Workers: c.workers, Queued: c.queued.Load(), Groups: c.groups.Load(), Handled: c.handled.Load(), Busy: time.Duration(c.busy.Load()), Syncs: c.syncs.Load()}
}

type request[T any] struct {
	v    T
	err  error
	done chan struct{}
}

// New starts a committer. run handles a group and returns one error per
// request, in the group's order; up to workers groups run at once (1: one
// after the other). key (nil: no keys) names what two requests must not
// share: a group holds one request of a key, and no two running groups
// share one. size bounds a group.
func New[T any](size, workers int, key func(T) string, run func([]T) []error) *Committer[T] {
	return NewSynced(size, workers, key, run, nil)
}

// NewSynced is New with a sync stage (see the package doc): sync, when
// not nil, makes durable everything run wrote before the call; a group's
// callers wake after the first sync that began once the group ran, with
// its error where run reported none (their writes may not be durable).
func NewSynced[T any](size, workers int, key func(T) string, run func([]T) []error, sync func() error) *Committer[T] {
	c := &Committer[T]{max: max(size, 1), workers: max(workers, 1), key: key, run: run, sync: sync, in: make(chan *request[T], 1024), done: make(chan struct{})}
	syncDone := make(chan struct{})
	if sync != nil {
		c.toSync = make(chan []*request[T], 256)
		c.synced = make(chan int, 256)
		go c.syncLoop(syncDone)
	} else {
		close(syncDone)
	}
	go func() {
		c.loop()
		if c.toSync != nil {
			close(c.toSync)
		}
		<-syncDone
		close(c.done)
	}()
	return c
}

// syncLoop is the sync stage: it takes every group that ran since its
// last call, syncs once, and wakes their callers.
func (c *Committer[T]) syncLoop(done chan struct{}) {
	defer close(done)
	for g := range c.toSync {
		groups := [][]*request[T]{g}
		for more := true; more; {
			select {
			case g, ok := <-c.toSync:
				if ok {
					groups = append(groups, g)
				} else {
					more = false
				}
			default:
				more = false
			}
		}
		err := c.sync()
		c.syncs.Add(1)
		for _, g := range groups {
			for _, r := range g {
				if r.err == nil {
					r.err = err
				}
				close(r.done)
			}
		}
		c.synced <- len(groups)
	}
}

// Do queues v and waits until the group holding it has been handled;
// it returns v's error.
func (c *Committer[T]) Do(v T) error {
	r := &request[T]{v: v, done: make(chan struct{})}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return ErrClosed
	}
	c.queued.Add(1)
	c.in <- r
	c.mu.RUnlock()
	<-r.done
	return r.err
}

// Close handles what is queued, then stops the worker. Do fails after it.
func (c *Committer[T]) Close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.in)
	}
	c.mu.Unlock()
	<-c.done
}

func (c *Committer[T]) loop() {
	var pending []*request[T] // in arrival order
	busy := map[string]bool{} // keys of the groups running
	finished := make(chan []*request[T])
	// The workers live as long as the loop: a goroutine made for each
	// group grew its stack again through the database's calls each time.
	work := make(chan []*request[T], c.workers)
	var workers sync.WaitGroup
	for range c.workers {
		workers.Go(func() {
			for g := range work {
				finished <- c.runGroup(g)
			}
		})
	}
	defer func() {
		close(work)
		workers.Wait()
	}()
	running := 0
	// unsynced counts the groups that ran and wait for the sync stage.
	// A worker starts a group while at most workers of them wait: the
	// group runs beside the sync of the one before, and the requests that
	// come while a sync waits on the disk make the next group, not many
	// small ones that would cost more each.
	unsynced := 0
	in := c.in
	for in != nil || len(pending) > 0 || running > 0 || unsynced > 0 {
		for running < c.workers && unsynced <= c.workers && len(pending) > 0 {
			var group []*request[T]
			group, pending = c.split(pending, busy)
			if len(group) == 0 {
				break
			}
			c.queued.Add(-int64(len(group)))
			running++
			work <- group
		}
		select {
		case r, ok := <-in:
			if !ok {
				in = nil
				continue
			}
			pending = append(pending, r)
			// Take what queued meanwhile, without waiting for more.
			for more := true; more; {
				select {
				case r, ok := <-in:
					if !ok {
						in, more = nil, false
						break
					}
					pending = append(pending, r)
				default:
					more = false
				}
			}
		case n := <-c.synced:
			unsynced -= n
		case group := <-finished:
			running--
			if c.toSync != nil {
				unsynced++
			}
			if c.key != nil {
				for _, r := range group {
					delete(busy, c.key(r.v))
				}
			}
		}
	}
}

// runGroup runs one group and wakes its callers.
func (c *Committer[T]) runGroup(group []*request[T]) []*request[T] {
	vs := make([]T, len(group))
	for i, r := range group {
		vs[i] = r.v
	}
	t0 := time.Now()
	errs := c.run(vs)
	c.busy.Add(int64(time.Since(t0)))
	c.groups.Add(1)
	c.handled.Add(int64(len(group)))
	for i, r := range group {
		r.err = errs[i]
	}
	if c.toSync != nil {
		c.toSync <- group
		return group
	}
	for _, r := range group {
		close(r.done)
	}
	return group
}

// split takes the next group from pending: the first request of each key
// not busy in a running group, up to max; the rest stays, in order. The
// group's keys become busy.
func (c *Committer[T]) split(pending []*request[T], busy map[string]bool) (group, rest []*request[T]) {
	seen := map[string]bool{}
	for _, r := range pending {
		if len(group) == c.max {
			rest = append(rest, r)
			continue
		}
		if c.key != nil {
			k := c.key(r.v)
			if seen[k] || busy[k] {
				rest = append(rest, r)
				continue
			}
			seen[k] = true
		}
		group = append(group, r)
	}
	for k := range seen {
		busy[k] = true
	}
	return group, rest
}
