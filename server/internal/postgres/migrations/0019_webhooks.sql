-- Outgoing webhooks (package webhook). An endpoint's secret is the
-- Standard Webhooks "whsec_" key; after a rotation the previous one
-- still signs beside it until prev_until_ms.
CREATE TABLE webhook_endpoints (
  id text PRIMARY KEY, url text NOT NULL, events text NOT NULL, secret text NOT NULL,
  prev_secret text NOT NULL DEFAULT '', prev_until_ms bigint NOT NULL DEFAULT 0, created_at_ms bigint NOT NULL);
-- The outbox: one row per event and endpoint, written before anything is
-- sent. A sender claims due rows with a lease (lease_owner,
-- lease_until_ms); attempt counts the tries since the last replay.
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY, endpoint_id text NOT NULL, event_id text NOT NULL, event_type text NOT NULL,
  payload text NOT NULL, created_at_ms bigint NOT NULL, state text NOT NULL,
  attempt bigint NOT NULL DEFAULT 0, next_at_ms bigint NOT NULL,
  lease_owner text NOT NULL DEFAULT '', lease_until_ms bigint NOT NULL DEFAULT 0,
  UNIQUE (endpoint_id, event_id));
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_at_ms);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at_ms);
-- The delivery log: every attempt, its status code (0: no answer) and error.
CREATE TABLE webhook_attempts (
  delivery_id text NOT NULL, n bigint NOT NULL, at_ms bigint NOT NULL, status_code bigint NOT NULL,
  error text NOT NULL, duration_ms bigint NOT NULL, PRIMARY KEY (delivery_id, n));
-- Where the producer is in the change feed, and which instance produces
-- (one at a time, under a lease).
CREATE TABLE webhook_feed (
  k text PRIMARY KEY, version bigint NOT NULL, at_ms bigint NOT NULL,
  lease_owner text NOT NULL DEFAULT '', lease_until_ms bigint NOT NULL DEFAULT 0);
