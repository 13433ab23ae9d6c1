-- The roster: agencies (accounts), people (users), who belongs to which account and as what,
-- creators with their private access groups and the team members on each, invitations,
-- sign-in state (sessions, password resets, API tokens), the durable outbox and the audit log.
--
-- Conventions (portable to PostgreSQL): ids we hand out are random text with a kind prefix
-- ("acc_...", "usr_..."), so they reveal neither order nor count across tenants; timestamps are
-- ISO-8601 UTC text; booleans are 0/1 integers; secrets we issue (invitation, session, reset and
-- API tokens) are stored only as SHA-256 hex of the token, never the token itself.

CREATE TABLE accounts (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- Whether agents on a creator's team may fetch that creator's access tokens (token broker).
  agents_use_tokens INTEGER NOT NULL DEFAULT 0 CHECK (agents_use_tokens IN (0, 1)),
  created_at TEXT NOT NULL
);

-- One row per person across all accounts: the same address on many rosters is one user.
CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,  -- normalised: trimmed and lower-cased whole
  display_name TEXT NOT NULL DEFAULT '',
  password_hash TEXT,  -- Argon2id PHC string; NULL until the person sets one
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  password_changed_at TEXT
);

-- A person's role in one account. Owners and admins see the whole account; agents see only the
-- creators whose group they are in; creators see only themselves.
CREATE TABLE account_members (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent', 'creator')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_members_by_user ON account_members (user_id);

CREATE TABLE creators (
  id TEXT NOT NULL PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  display_name TEXT NOT NULL,
  -- The onboarding file said the person already had an account here ("Yes").
  existing_account INTEGER NOT NULL DEFAULT 0 CHECK (existing_account IN (0, 1)),
  -- 'removed' keeps history (audit, connections) when an agency drops a creator on purpose.
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
  created_at TEXT NOT NULL,
  UNIQUE (account_id, user_id)
);
CREATE INDEX creators_by_account ON creators (account_id, display_name);

-- One per creator, named after the creator; holds that creator's social profiles only.
CREATE TABLE access_groups (
  id TEXT NOT NULL PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  creator_id TEXT NOT NULL UNIQUE REFERENCES creators (id),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX access_groups_by_account ON access_groups (account_id);

-- Team members assigned to one creator's group. Deleting the row is the unassignment; there is
-- no cached grant anywhere, so it takes effect on the next request.
CREATE TABLE group_members (
  group_id TEXT NOT NULL REFERENCES access_groups (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent')),
  added_at TEXT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id, group_id);

-- An invitation of one person to one account (one per person however many creators they are
-- on). Expiry is read from expires_at; status 'pending' past it reads as expired.
CREATE TABLE invitations (
  id TEXT NOT NULL PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  kind TEXT NOT NULL CHECK (kind IN ('owner', 'admin', 'agent', 'creator')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked', 'bounced')),
  sends INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  last_sent_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  accepted_at TEXT,
  revoked_at TEXT,
  created_by TEXT REFERENCES users (id)
);
CREATE UNIQUE INDEX invitations_one_pending ON invitations (account_id, user_id)
  WHERE status = 'pending';
CREATE INDEX invitations_by_account ON invitations (account_id, status);
CREATE INDEX invitations_by_person ON invitations (account_id, user_id, created_at);

-- Every token ever sent for an invitation: a resend supersedes the previous one, which then
-- gets a clear "replaced by a newer email" answer instead of a bare "not found".
CREATE TABLE invitation_tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  invitation_id TEXT NOT NULL REFERENCES invitations (id),
  issued_at TEXT NOT NULL,
  superseded_at TEXT
);
CREATE INDEX invitation_tokens_by_invitation ON invitation_tokens (invitation_id);

CREATE TABLE sessions (
  token_hash TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,  -- idle expiry counts from here
  expires_at TEXT NOT NULL     -- absolute expiry
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE password_resets (
  token_hash TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- Bearer tokens: 'personal' act as their user within one account; 'service' act for the
-- account itself (other services, the token broker) and have no user.
CREATE TABLE api_tokens (
  id TEXT NOT NULL PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  user_id TEXT REFERENCES users (id),
  kind TEXT NOT NULL CHECK (kind IN ('personal', 'service')),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT REFERENCES users (id),
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  expires_at TEXT,
  revoked_at TEXT,
  CHECK ((kind = 'personal') = (user_id IS NOT NULL))
);
CREATE INDEX api_tokens_by_account ON api_tokens (account_id);

-- Messages decided in the same transaction as the change that causes them, delivered later
-- by a relay (at least once). The Message-ID is fixed at enqueue so every retry carries the
-- same one. Bodies that carry a one-time link are cleared once the message is delivered or
-- given up on.
CREATE TABLE outbox (
  id TEXT NOT NULL PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  account_id TEXT REFERENCES accounts (id),
  channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
  recipient TEXT NOT NULL,
  template TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  text_body TEXT,
  html_body TEXT,
  message_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,  -- also the lease: pushed forward before each attempt
  last_error TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT,
  -- What the message is about, so a bounce can mark e.g. the invitation ("invitation", id).
  ref_kind TEXT,
  ref_id TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_ref ON outbox (ref_kind, ref_id);

-- Who did what to what, and when. account_id is NULL for instance-level actions; creator_id
-- names the creator the entry is about, so creators can read the entries of their own group.
CREATE TABLE audit_log (
  seq INTEGER NOT NULL PRIMARY KEY,
  at TEXT NOT NULL,
  account_id TEXT REFERENCES accounts (id),
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'token', 'system', 'cli')),
  actor_id TEXT,
  actor_label TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  target_kind TEXT,
  target_id TEXT,
  creator_id TEXT REFERENCES creators (id),
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_account ON audit_log (account_id, seq);
CREATE INDEX audit_log_by_creator ON audit_log (creator_id, seq);
