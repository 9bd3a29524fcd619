package httpapi

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"punchclock/app/wire"
	"punchclock/server/internal/audit"
	"punchclock/server/internal/store"
	"punchclock/server/internal/webhook"
)

// viewWebhook is an endpoint on the wire, without its secret.
func viewWebhook(e store.WebhookEndpoint, now time.Time) wire.WebhookEndpoint {
	v := wire.WebhookEndpoint{ID: e.ID, URL: e.URL, Events: nonNil(e.Events), CreatedAt: e.CreatedAt.UTC()}
	if e.PrevSecret != "" && now.Before(e.PrevUntil) {
		v.PrevUntil = opt(e.PrevUntil)
	}
	return v
}

// allowPrivate reports whether webhooks may go to private networks.
func (s *Server) allowPrivate() bool { return s.Webhooks != nil && s.Webhooks.AllowPrivate }

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	eps, err := s.Store.WebhookEndpoints(r.Context())
	if err != nil {
		return storeErr(err)
	}
	now := s.Now()
	out := make([]wire.WebhookEndpoint, 0, len(eps))
	for _, e := range eps {
		out = append(out, viewWebhook(e, now))
	}
	return writeJSON(w, http.StatusOK, map[string][]wire.WebhookEndpoint{"endpoints": out})
}

type createWebhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var req createWebhookRequest
	if err := readJSON(w, r, MaxBody, &req, true); err != nil {
		return err
	}
	if err := webhook.CheckURL(req.URL, s.allowPrivate()); err != nil {
		return err
	}
	if len(req.Events) == 0 {
		return wire.Errorf(wire.CodeInvalid, "events must list at least one of %s", strings.Join(webhook.EventTypes, ", "))
	}
	for _, ev := range req.Events {
		if !slices.Contains(webhook.EventTypes, ev) {
			return wire.Errorf(wire.CodeInvalid, "events must be among %s", strings.Join(webhook.EventTypes, ", "))
		}
	}
	slices.Sort(req.Events)
	id, _ := uuid.NewV7()
	e := store.WebhookEndpoint{ID: "we_" + id.String(), URL: req.URL, Events: slices.Compact(req.Events), Secret: webhook.NewSecret(), CreatedAt: s.Now()}
	if err := s.Store.PutWebhookEndpoint(r.Context(), e); err != nil {
		return storeErr(err)
	}
	// The endpoint receives what changes from now on: the feed starts
	// here if no producer has started it yet.
	start, err := s.Feed.Start(r.Context())
	if err != nil {
		return storeErr(err)
	}
	if err := s.Store.StartWebhookFeed(r.Context(), store.WebhookFeed{Version: start.Pos.Version, At: start.Pos.At}); err != nil {
		return storeErr(err)
	}
	if s.Webhooks != nil {
		s.Webhooks.Wake()
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionWebhook, Target: e.ID, Detail: map[string]any{"url": e.URL, "events": e.Events}})
	v := viewWebhook(e, s.Now())
	v.Secret = e.Secret
	return writeJSON(w, http.StatusCreated, v)
}

// webhookOf reads the endpoint of the path's id.
func (s *Server) webhookOf(r *http.Request) (store.WebhookEndpoint, error) {
	e, err := s.Store.WebhookEndpoint(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return e, wire.Errorf(wire.CodeNotFound, "no such webhook endpoint")
	}
	return e, storeErr(err)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	e, err := s.webhookOf(r)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteWebhookEndpoint(r.Context(), e.ID); err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionWebhookDelete, Target: e.ID, Detail: map[string]any{"url": e.URL}})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateWebhook gives the endpoint a new secret; the old one signs beside
// it for webhook.RotationGrace, so receivers switch without a gap.
func (s *Server) rotateWebhook(w http.ResponseWriter, r *http.Request) error {
	e, err := s.webhookOf(r)
	if err != nil {
		return err
	}
	now := s.Now()
	e.PrevSecret, e.PrevUntil, e.Secret = e.Secret, now.Add(webhook.RotationGrace), webhook.NewSecret()
	if err := s.Store.PutWebhookEndpoint(r.Context(), e); err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionWebhookRotate, Target: e.ID})
	v := viewWebhook(e, now)
	v.Secret = e.Secret
	return writeJSON(w, http.StatusOK, v)
}

// viewDelivery is a delivery with its log on the wire.
func viewDelivery(d store.WebhookDelivery) wire.WebhookDelivery {
	v := wire.WebhookDelivery{ID: d.ID, EventID: d.EventID, EventType: d.EventType, State: d.State, CreatedAt: d.CreatedAt.UTC(), Payload: d.Payload, Attempts: []wire.WebhookAttempt{}}
	if d.State == store.DeliveryPending {
		v.NextAt = opt(d.NextAt)
	}
	for _, a := range d.Attempts {
		v.Attempts = append(v.Attempts, wire.WebhookAttempt{N: a.N, At: a.At.UTC(), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.Duration.Milliseconds()})
	}
	return v
}

// MaxDeliveriesPage bounds a page of the delivery log.
const MaxDeliveriesPage = 200

// listDeliveries answers the endpoint's delivery log, newest first:
// limit (default 50) deliveries made before before (an RFC 3339 time;
// the last one's created_at pages on).
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	e, err := s.webhookOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > MaxDeliveriesPage {
			return wire.Errorf(wire.CodeInvalid, "limit must be a number from 1 to %d", MaxDeliveriesPage)
		}
	}
	var before time.Time
	if v := q.Get("before"); v != "" {
		if before, err = parseTime(v, "before"); err != nil {
			return err
		}
	}
	ds, err := s.Store.WebhookDeliveries(r.Context(), e.ID, before, limit)
	if err != nil {
		return storeErr(err)
	}
	out := make([]wire.WebhookDelivery, 0, len(ds))
	for _, d := range ds {
		out = append(out, viewDelivery(d))
	}
	return writeJSON(w, http.StatusOK, map[string][]wire.WebhookDelivery{"deliveries": out})
}

// replayDelivery sends a delivery again (the same webhook-id), whatever
// its state: due now, with a fresh schedule of retries.
func (s *Server) replayDelivery(w http.ResponseWriter, r *http.Request) error {
	e, err := s.webhookOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d, err := s.Store.WebhookDelivery(ctx, r.PathValue("delivery"))
	if err == nil && d.EndpointID != e.ID {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return wire.Errorf(wire.CodeNotFound, "no such delivery")
	} else if err != nil {
		return storeErr(err)
	}
	if d, err = s.Store.ReplayWebhookDelivery(ctx, d.ID, s.Now()); err != nil {
		return storeErr(err)
	}
	s.record(r, audit.Event{Actor: actor(r), Action: audit.ActionWebhookReplay, Target: d.ID, Detail: map[string]any{"endpoint": e.ID, "event_id": d.EventID}})
	if s.Webhooks != nil {
		s.Webhooks.Wake()
	}
	return writeJSON(w, http.StatusOK, viewDelivery(d))
}
