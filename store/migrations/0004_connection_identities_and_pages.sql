-- What a connection knows beyond its one external_id (issue 4, OAuth follow-up): the other ids
-- the platform gives the same account, so a deauthorize or data-deletion signal naming any of
-- them matches, and the Facebook Pages (with their own tokens) reached through a Facebook
-- Login grant where the deployment asked for Page tokens.

-- Other ids of a connection's platform account: Instagram's app-scoped `id` next to the
-- professional `user_id` kept in connections.external_id, TikTok's union_id. A table rather
-- than a column: a provider may give several, and signals look them up by exact value through
-- the (provider, external_id) index, which a list in one column could not use. Replaced
-- whenever the connection is saved.
CREATE TABLE connection_identities (
  connection_id TEXT NOT NULL REFERENCES connections (id),
  provider TEXT NOT NULL,  -- copied from the connection so the lookup needs no join
  external_id TEXT NOT NULL,
  PRIMARY KEY (connection_id, external_id)
);
CREATE INDEX connection_identities_by_external ON connection_identities (provider, external_id);

-- The Facebook Pages a Facebook Login grant manages, each with its Page token (vault
-- ciphertext bound to (connection_pages, id, access_token); from a long-lived user token it
-- does not expire). Replaced on every reconnect; deleted with the connection's tokens.
CREATE TABLE connection_pages (
  id TEXT NOT NULL PRIMARY KEY,
  connection_id TEXT NOT NULL REFERENCES connections (id),
  page_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  access_token BLOB NOT NULL,
  instagram_account_id TEXT,  -- the Instagram professional account linked to the Page
  fetched_at TEXT NOT NULL,
  UNIQUE (connection_id, page_id)
);
