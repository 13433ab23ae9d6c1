-- Durable jobs: lifecycle work that must happen at a moment (a reminder stage, an agent alert,
-- a daily digest, a periodic identity check), kept in the database so a restart loses none
-- and downtime only delays them.
--
-- Claiming is portable: one UPDATE ... WHERE id IN (SELECT ... ORDER BY due_at LIMIT n)
-- RETURNING, which on PostgreSQL gains FOR UPDATE SKIP LOCKED in the inner SELECT so several
-- replicas can share the table. A claim writes the lease (owner and expiry) and moves due_at
-- to the lease expiry, so a job whose runner died becomes due again by itself and one index
-- answers "what is due next" for both.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,             -- what to do: 'creator_reminder', 'agent_alert', ...
  subject TEXT NOT NULL,          -- what it is about (a connection id, a user id)
  idempotency_key TEXT NOT NULL UNIQUE,  -- one job per (kind, subject, deadline, stage)
  payload TEXT NOT NULL DEFAULT '',
  scheduled_for TEXT NOT NULL,    -- when it was meant to run (lag = run time - this)
  due_at TEXT NOT NULL,           -- when it may next be claimed
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'done', 'cancelled', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expires_at TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX jobs_due ON jobs (state, due_at);
CREATE INDEX jobs_by_subject ON jobs (subject, state);
