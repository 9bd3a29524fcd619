package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"punchclock/server/internal/changefeed"
	"punchclock/server/internal/store"
)

// Defaults of a Dispatcher.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultInterval = time.Second
	DefaultBatch    = 32
	// MaxWindow bounds the arrival times one production step reads, so a
	// producer catching up after a long stop writes its outbox in steps.
	MaxWindow = time.Hour
	// RotationGrace is how long a rotated-out secret still signs beside
	// the new one.
	RotationGrace = 24 * time.Hour
)

// Dispatcher produces webhook events from the change feed and delivers
// them. Several dispatchers (one per punchd instance) may share a store.
type Dispatcher struct {
	Store store.Store
	Feed  *changefeed.Feed
	Now   func() time.Time
	// Client posts the deliveries (nil: a client that refuses private
	// addresses unless AllowPrivate; see Client).
	Client *http.Client
	// AllowPrivate lets endpoints be on loopback and private networks.
	AllowPrivate bool
	Log          *slog.Logger
	// Owner names this dispatcher in leases ("" a random name).
	Owner string
	// Timeout bounds each attempt; Interval is the wait between steps
	// of Run; Batch the deliveries claimed at once (0: the defaults).
	Timeout  time.Duration
	Interval time.Duration
	Batch    int
	// Retention is how long delivered and failed deliveries stay in the
	// log (0: DefaultRetention).
	Retention time.Duration

	once sync.Once
	wake chan struct{}
	// producing serialises Produce; held is the producer's lease and
	// place while this dispatcher holds it (see Produce).
	producing sync.Mutex
	pruned    time.Time // when the log was last pruned
	held      struct {
		until time.Time
		pos   store.WebhookFeed
	}
}

// DefaultRetention keeps the delivery log 30 days.
const DefaultRetention = 30 * 24 * time.Hour

// IdleWrite is how long a window of the feed without events may grow
// before the producer writes its place anyway.
const IdleWrite = time.Minute

func (d *Dispatcher) init() {
	d.once.Do(func() {
		if d.Owner == "" {
			var b [8]byte
			rand.Read(b[:])
			d.Owner = "wh-" + hex.EncodeToString(b[:])
		}
		if d.Timeout <= 0 {
			d.Timeout = DefaultTimeout
		}
		if d.Interval <= 0 {
			d.Interval = DefaultInterval
		}
		if d.Batch <= 0 {
			d.Batch = DefaultBatch
		}
		if d.Retention <= 0 {
			d.Retention = DefaultRetention
		}
		if d.Log == nil {
			d.Log = slog.Default()
		}
		if d.Client == nil {
			d.Client = Client(d.AllowPrivate)
		}
		d.wake = make(chan struct{}, 1)
	})
}

// lease is how long a claim or the producer's lease lasts: an attempt's
// timeout and a margin, so a live holder finishes before it expires.
func (d *Dispatcher) lease() time.Duration { return d.Timeout + 30*time.Second }

// Wake asks Run to step now rather than at its next interval.
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run steps every Interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	t := time.NewTicker(d.Interval)
	defer t.Stop()
	for {
		if err := d.Step(ctx); err != nil && ctx.Err() == nil {
			d.Log.Warn("webhooks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// Step produces the events of the feed up to now and sends the due
// deliveries once. Without endpoints it writes nothing (the feed starts
// when the first endpoint is made, and stops when the last is deleted),
// so a punchd that sends no webhooks pays one small read a step.
func (d *Dispatcher) Step(ctx context.Context) error {
	d.init()
	eps, err := d.Store.WebhookEndpoints(ctx)
	if err != nil || len(eps) == 0 {
		return err
	}
	return errors.Join(d.Produce(ctx), d.Deliver(ctx), d.prune(ctx))
}

// prune deletes what the log holds past Retention, once an hour.
func (d *Dispatcher) prune(ctx context.Context) error {
	d.producing.Lock()
	defer d.producing.Unlock()
	now := d.Now()
	if now.Sub(d.pruned) < time.Hour {
		return nil
	}
	d.pruned = now
	_, err := d.Store.PruneWebhookDeliveries(ctx, now.Add(-d.Retention))
	return err
}

// Produce writes the outbox rows of the feed's changes up to the safe
// position, when this dispatcher holds (or takes) the producer's lease.
// An idle feed costs reads only: the lease is renewed past half its life,
// and the place written when events come or after IdleWrite.
func (d *Dispatcher) Produce(ctx context.Context) error {
	d.init()
	d.producing.Lock()
	defer d.producing.Unlock()
	for {
		now := d.Now()
		from := d.held.pos
		if d.held.until.Sub(now) <= d.lease()/2 {
			start, err := d.Feed.Safe(ctx, changefeed.Position{})
			if err != nil {
				return err
			}
			f, ok, err := d.Store.LeaseWebhookFeed(ctx, d.Owner, now, now.Add(d.lease()), store.WebhookFeed{Version: start.Version, At: start.At})
			if err != nil || !ok {
				d.held.until = time.Time{}
				return err
			}
			from, d.held.until, d.held.pos = f, now.Add(d.lease()), f
		}
		pos := changefeed.Position{Version: from.Version, At: from.At}
		end, err := d.Feed.Safe(ctx, pos)
		if err != nil {
			return err
		}
		more := end.At.Sub(pos.At) > MaxWindow
		if more {
			end.At = pos.At.Add(MaxWindow)
		}
		if end == pos {
			return nil
		}
		w, err := d.Feed.Read(ctx, pos, end)
		if err != nil {
			return err
		}
		eps, err := d.Store.WebhookEndpoints(ctx)
		if err != nil || len(eps) == 0 {
			return err
		}
		var ds []store.WebhookDelivery
		for _, ev := range Events(w) {
			for _, ep := range eps {
				if !slices.Contains(ep.Events, ev.Type) {
					continue
				}
				id, _ := uuid.NewV7()
				ds = append(ds, store.WebhookDelivery{ID: id.String(), EndpointID: ep.ID, EventID: ev.ID, EventType: ev.Type, Payload: ev.Body, CreatedAt: now, NextAt: now})
			}
		}
		if len(ds) == 0 && !more && end.Version == pos.Version && end.At.Sub(pos.At) < IdleWrite {
			return nil // nothing to write yet: the next window holds this one
		}
		to := store.WebhookFeed{Version: end.Version, At: end.At}
		err = d.Store.EnqueueWebhooks(ctx, d.Owner, from, to, ds)
		if err != nil {
			d.held.until = time.Time{}
			if errors.Is(err, store.ErrConflict) {
				return nil // another producer took over (or the feed was reset): lease again
			}
			return err
		}
		d.held.pos = to
		if !more {
			return nil
		}
	}
}

// Deliver sends the deliveries due now, a batch at a time, until none
// is due.
func (d *Dispatcher) Deliver(ctx context.Context) error {
	d.init()
	for {
		now := d.Now()
		ds, err := d.Store.ClaimWebhookDeliveries(ctx, d.Owner, now, now.Add(d.lease()), d.Batch)
		if err != nil || len(ds) == 0 {
			return err
		}
		eps := map[string]*store.WebhookEndpoint{}
		for _, x := range ds {
			if _, ok := eps[x.EndpointID]; ok {
				continue
			}
			ep, err := d.Store.WebhookEndpoint(ctx, x.EndpointID)
			if errors.Is(err, store.ErrNotFound) {
				eps[x.EndpointID] = nil // deleted since: its deliveries went with it
				continue
			} else if err != nil {
				return err
			}
			eps[x.EndpointID] = &ep
		}
		var wg sync.WaitGroup
		errs := make([]error, len(ds))
		for i, x := range ds {
			ep := eps[x.EndpointID]
			if ep == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = d.attempt(ctx, *ep, x)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if len(ds) < d.Batch {
			return nil
		}
	}
}

// attempt posts one delivery and logs the outcome.
func (d *Dispatcher) attempt(ctx context.Context, ep store.WebhookEndpoint, x store.WebhookDelivery) error {
	at := d.Now()
	code, sendErr := d.send(ctx, ep, x, at)
	x.Attempt++
	a := store.WebhookAttempt{DeliveryID: x.ID, At: at, StatusCode: code, Duration: d.Now().Sub(at)}
	switch {
	case sendErr == nil && code >= 200 && code < 300:
		x.State = store.DeliverySucceeded
	default:
		if sendErr != nil {
			a.Error = sendErr.Error()
		} else {
			a.Error = "answered " + strconv.Itoa(code)
		}
		if wait, ok := Backoff(x.Attempt); ok {
			x.State, x.NextAt = store.DeliveryPending, at.Add(wait)
		} else {
			x.State = store.DeliveryFailed
		}
	}
	if len(a.Error) > 500 {
		a.Error = a.Error[:500]
	}
	err := d.Store.FinishWebhookAttempt(ctx, d.Owner, a, x)
	if errors.Is(err, store.ErrConflict) {
		return nil // the lease ran out (or a replay reset it): its new holder sends again
	}
	return err
}

// send posts the delivery and returns the status code (0: none).
func (d *Dispatcher) send(ctx context.Context, ep store.WebhookEndpoint, x store.WebhookDelivery, at time.Time) (int, error) {
	sig, err := Sign(ep.Secret, x.EventID, at, []byte(x.Payload))
	if err != nil {
		return 0, err
	}
	if ep.PrevSecret != "" && at.Before(ep.PrevUntil) {
		old, err := Sign(ep.PrevSecret, x.EventID, at, []byte(x.Payload))
		if err == nil {
			sig += " " + old
		}
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader([]byte(x.Payload)))
	if err != nil {
		return 0, fmt.Errorf("webhook: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "punchd-webhooks")
	h.Set(HeaderID, x.EventID)
	h.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(HeaderSignature, sig)
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
