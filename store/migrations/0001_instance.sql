-- Instance-wide facts, one row per key: the instance id and creation time (written by the
-- store after migrating, see store/instance.cpp), and later any other instance setting.
-- Values are text; timestamps are ISO-8601 UTC ("2025-11-25T19:20:00Z").
CREATE TABLE settings (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
