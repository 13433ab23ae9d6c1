-- Signed webhooks to the agency's own systems (Standard Webhooks): the endpoints an account's
-- admins register, one delivery row per (event, endpoint), and one row per HTTP attempt for the
-- delivery log.
--
-- Deliveries have their own table rather than outbox rows with channel = 'webhook': the outbox
-- is shaped for email (recipient, subject, bodies cleared after sending, Message-ID), while a
-- webhook delivery is one JSON body per endpoint, sent one at a time per endpoint, stopped when
-- its endpoint is disabled, and shown to admins attempt by attempt.

CREATE TABLE webhook_endpoints (
  id TEXT NOT NULL PRIMARY KEY,                 -- "whk_..."
  account_id TEXT NOT NULL REFERENCES accounts (id),
  url TEXT NOT NULL,                            -- https only, checked when stored
  description TEXT NOT NULL DEFAULT '',
  events TEXT NOT NULL,                         -- subscribed event types, space-separated
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  disabled_reason TEXT,                         -- 'gone' when the receiver answered 410
  -- The signing secrets ("whsec_..."). They are needed in clear to sign, are never read back
  -- through the API (only the create and rotate answers carry the new one), and the database
  -- file is 0600 like the rest of what it holds.
  secret TEXT NOT NULL,
  previous_secret TEXT,                         -- after a rotation, still signing until:
  previous_secret_expires_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_by_account ON webhook_endpoints (account_id);

CREATE TABLE webhook_deliveries (
  id TEXT NOT NULL PRIMARY KEY,                 -- "whd_..."
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  webhook_id TEXT NOT NULL,                     -- the webhook-id header: fixed per event
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,                        -- the exact body every attempt sends
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,                -- also the lease: pushed forward when claimed
  last_status_code INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT,
  UNIQUE (endpoint_id, webhook_id)              -- the same event is queued once per endpoint
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);

CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  status_code INTEGER,                          -- NULL when no answer came (refused, timeout)
  duration_ms INTEGER NOT NULL,
  error TEXT,
  PRIMARY KEY (delivery_id, attempt)
);

-- invitation.expired is found by a sweep over pending invitations whose expiry just passed
-- (expiry is never written as a status): a range read, not a scan of every pending invitation.
CREATE INDEX invitations_pending_by_expiry ON invitations (expires_at) WHERE status = 'pending';
