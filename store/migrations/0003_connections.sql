-- OAuth connections (issue 4): each creator's connected social profiles with their tokens
-- (vault ciphertext only), the reconnect links that let a creator connect without signing in,
-- the single-use attempts between "Connect" and the provider's callback, the events the team
-- sees, the vault's key-check values, and what platforms told us (deauthorisations, deletions).
--
-- Tokens we hold are AES-256-GCM ciphertext from the vault, each bound to (table, row id,
-- column, key version): a value copied to another row or column does not decrypt. Tokens we
-- issue (reconnect links, OAuth state) are stored as SHA-256 hex only.

-- One row per key version the database has seen: the daemon refuses to start when the
-- configured key for a version has another check value, or when ciphertext exists and no key
-- is configured.
CREATE TABLE vault_keys (
  version INTEGER NOT NULL PRIMARY KEY,
  check_value TEXT NOT NULL,  -- HMAC-SHA256(key, fixed text), hex: reveals nothing about the key
  first_seen_at TEXT NOT NULL
);

-- One connection per creator and provider. Disconnecting keeps the row (history, events) and
-- deletes its tokens.
CREATE TABLE connections (
  id TEXT NOT NULL PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  creator_id TEXT NOT NULL REFERENCES creators (id),
  provider TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('connected', 'expiring', 'expired', 'revoked', 'error',
                                         'disconnected')),
  status_changed_at TEXT NOT NULL,
  -- The platform account: its id as the platform scopes it, and a name people recognise.
  external_id TEXT NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  -- Set when a reconnect brought a different platform account than the one before.
  previous_external_id TEXT,
  account_changed_at TEXT,
  requested_scopes TEXT NOT NULL DEFAULT '',  -- space-separated
  granted_scopes TEXT NOT NULL DEFAULT '',
  access_token BLOB,   -- vault ciphertext; NULL once disconnected or deleted
  refresh_token BLOB,  -- vault ciphertext; NULL where the platform has none
  access_expires_at TEXT,
  refresh_expires_at TEXT,
  data_access_expires_at TEXT,  -- Meta's separate 90-day data-access clock
  reauth_due_at TEXT,           -- when only the creator can renew it (re-consent)
  connected_at TEXT NOT NULL,
  refreshed_at TEXT,
  -- Written before a refresh request and cleared after its outcome is stored: still set after
  -- a crash means the outcome (possibly a rotated refresh token) was lost.
  refresh_started_at TEXT,
  refresh_failures INTEGER NOT NULL DEFAULT 0,
  next_refresh_at TEXT,
  last_error TEXT,
  last_error_at TEXT,
  UNIQUE (creator_id, provider)
);
CREATE INDEX connections_by_account ON connections (account_id, status);
CREATE INDEX connections_by_external ON connections (provider, external_id);
CREATE INDEX connections_refresh_due ON connections (next_refresh_at);

-- A link a creator opens without signing in, to connect (only) their own profiles.
CREATE TABLE reconnect_links (
  id TEXT NOT NULL PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  creator_id TEXT NOT NULL REFERENCES creators (id),
  providers TEXT NOT NULL,  -- space-separated provider ids this link may connect
  created_by_kind TEXT NOT NULL,
  created_by_id TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  completed_at TEXT  -- every listed provider connected: the link is dead
);
CREATE INDEX reconnect_links_by_creator ON reconnect_links (creator_id, created_at);

-- Between "Connect" and the provider's callback: the state (hashed), what it is bound to, and
-- the PKCE verifier (vault ciphertext). Single use: used_at is set before the code exchange.
CREATE TABLE oauth_attempts (
  id TEXT NOT NULL PRIMARY KEY,
  state_hash TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  creator_id TEXT NOT NULL REFERENCES creators (id),
  provider TEXT NOT NULL,
  link_id TEXT REFERENCES reconnect_links (id),
  user_id TEXT REFERENCES users (id),  -- the signed-in creator, when not started from a link
  browser_hash TEXT NOT NULL,          -- SHA-256 hex of the browser-binding cookie
  pkce_verifier BLOB,
  redirect_uri TEXT NOT NULL,
  requested_scopes TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  outcome TEXT
);
CREATE INDEX oauth_attempts_by_expiry ON oauth_attempts (expires_at);

-- What happened to a creator's connections, for everyone who may see that creator (agents on
-- the team included): connected, account changed, denied, refresh failed, revoked...
CREATE TABLE connection_events (
  seq INTEGER NOT NULL PRIMARY KEY,
  at TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  creator_id TEXT NOT NULL REFERENCES creators (id),
  provider TEXT NOT NULL,
  connection_id TEXT REFERENCES connections (id),
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX connection_events_by_creator ON connection_events (creator_id, seq);
CREATE INDEX connection_events_by_account ON connection_events (account_id, seq);

-- Platform-initiated data deletions (Meta's data-deletion callback): the confirmation code we
-- answered with and what was deleted, for the status page the platform links to.
CREATE TABLE data_deletion_requests (
  confirmation_code TEXT NOT NULL PRIMARY KEY,
  provider TEXT NOT NULL,
  external_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  connections_affected INTEGER NOT NULL
);

-- Inbound platform events already handled (webhooks are delivered at least once).
CREATE TABLE inbound_events (
  provider TEXT NOT NULL,
  event_key TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (provider, event_key)
);
