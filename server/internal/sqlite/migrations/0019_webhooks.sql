-- Outgoing webhooks (package webhook). An endpoint's secret is the
-- Standard Webhooks "whsec_" key; after a rotation the previous one
-- still signs beside it until prev_until_ms.
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL,
  prev_secret TEXT NOT NULL DEFAULT '', prev_until_ms INTEGER NOT NULL DEFAULT 0, created_at_ms INTEGER NOT NULL);
-- The outbox: one row per event and endpoint, written before anything is
-- sent. A sender claims due rows with a lease (lease_owner,
-- lease_until_ms); attempt counts the tries since the last replay.
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY, endpoint_id TEXT NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL,
  payload TEXT NOT NULL, created_at_ms INTEGER NOT NULL, state TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0, next_at_ms INTEGER NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '', lease_until_ms INTEGER NOT NULL DEFAULT 0,
  UNIQUE (endpoint_id, event_id));
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_at_ms);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at_ms);
-- The delivery log: every attempt, its status code (0: no answer) and error.
CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL, n INTEGER NOT NULL, at_ms INTEGER NOT NULL, status_code INTEGER NOT NULL,
  error TEXT NOT NULL, duration_ms INTEGER NOT NULL, PRIMARY KEY (delivery_id, n));
-- Where the producer is in the change feed, and which instance produces
-- (one at a time, under a lease).
CREATE TABLE webhook_feed (
  k TEXT PRIMARY KEY, version INTEGER NOT NULL, at_ms INTEGER NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '', lease_until_ms INTEGER NOT NULL DEFAULT 0);
