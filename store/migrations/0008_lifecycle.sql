-- Acting on deadlines (issue 14): why each connection is in its state, which clock sets its
-- re-consent deadline, which reminder and alert stages went out, and how each person wants
-- their alerts.

-- The reason behind the status, as a stable code (lifecycle/status_reasons.hpp) the creator's
-- words are made from; 'none' while connected with nothing due.
ALTER TABLE connections ADD COLUMN status_reason TEXT NOT NULL DEFAULT 'none';
-- Which clock sets reauth_due_at (token_expiry, data_access_expiry, refresh_token_end,
-- reauth_horizon), and whether the daemon renews that clock itself (Instagram Login): then the
-- creator is asked only while renewing fails.
ALTER TABLE connections ADD COLUMN deadline_cause TEXT;
ALTER TABLE connections ADD COLUMN deadline_self_renewing INTEGER NOT NULL DEFAULT 0;
-- The last periodic identity check (keeps Meta apps active, catches silent revocation).
ALTER TABLE connections ADD COLUMN identity_checked_at TEXT;

UPDATE connections SET status_reason = CASE status
  WHEN 'disconnected' THEN 'disconnected'
  WHEN 'revoked' THEN 'session_ended'
  WHEN 'error' THEN 'renewal_failing'
  ELSE 'none' END;

CREATE INDEX connections_by_deadline ON connections (account_id, reauth_due_at);

-- Each reminder or alert stage that went out, at most once per (connection, deadline, audience,
-- stage): the row commits in the same transaction as the outbox message it caused, so a crash
-- leaves either both or neither. `deadline` is '' for notices about an event rather than a
-- deadline (revoked, refresh failing, recovered: `stage` then names the event and its time).
CREATE TABLE lifecycle_notices (
  connection_id TEXT NOT NULL REFERENCES connections (id),
  deadline TEXT NOT NULL,
  audience TEXT NOT NULL CHECK (audience IN ('creator', 'team', 'admins')),
  stage TEXT NOT NULL,
  stage_index INTEGER NOT NULL DEFAULT 0,
  sent_at TEXT NOT NULL,
  PRIMARY KEY (connection_id, deadline, audience, stage)
);
CREATE INDEX lifecycle_notices_by_time ON lifecycle_notices (sent_at);

-- How a person wants their alerts: at once, or in one daily digest at a local hour of their
-- time zone (IANA name). No row: immediate, UTC.
CREATE TABLE notification_preferences (
  user_id TEXT NOT NULL PRIMARY KEY REFERENCES users (id),
  delivery TEXT NOT NULL DEFAULT 'immediate' CHECK (delivery IN ('immediate', 'digest')),
  digest_hour INTEGER NOT NULL DEFAULT 9 CHECK (digest_hour BETWEEN 0 AND 23),
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  updated_at TEXT NOT NULL
);

-- Alerts waiting for a person's next digest. `digest_key` is set (to the digest email's
-- idempotency key) in the transaction that queues the digest containing the item.
CREATE TABLE digest_items (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id),
  account_id TEXT NOT NULL REFERENCES accounts (id),
  creator_id TEXT NOT NULL REFERENCES creators (id),
  connection_id TEXT NOT NULL REFERENCES connections (id),
  provider TEXT NOT NULL,
  stage TEXT NOT NULL,            -- '7d', '1d', 'expired', 'revoked', 'refresh_failing'
  deadline TEXT NOT NULL,         -- as in lifecycle_notices ('' for events)
  status TEXT NOT NULL,           -- the connection's status when the alert was made
  status_reason TEXT NOT NULL,
  due_at TEXT,                    -- the deadline, for sorting by urgency
  created_at TEXT NOT NULL,
  digest_key TEXT,
  UNIQUE (user_id, connection_id, deadline, stage)
);
CREATE INDEX digest_items_waiting ON digest_items (user_id, digest_key);
