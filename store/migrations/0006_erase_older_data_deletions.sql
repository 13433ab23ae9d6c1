-- Data-deletion requests recorded before rosterd erased what identifies the platform account
-- kept that account's id in the request, and left the connections' ids, name, Pages and the
-- details naming it in place. Erase them now, as a request arriving today is handled, so that
-- every status page tells the truth. A connection made after a request is the creator's new
-- consent and is left alone.
CREATE TEMP TABLE erased_by_earlier_requests AS
SELECT c.id AS connection_id, c.account_id, c.creator_id, c.provider,
       MIN(r.received_at) AS requested_at
FROM data_deletion_requests r
JOIN connections c ON c.provider = r.provider
WHERE r.external_id <> ''
  AND c.connected_at <= r.received_at
  AND (c.external_id = r.external_id
       OR c.id IN (SELECT i.connection_id FROM connection_identities i
                   WHERE i.provider = r.provider AND i.external_id = r.external_id))
GROUP BY c.id, c.account_id, c.creator_id, c.provider;

-- Platform text in the connection's events, and in the creator's connect events for that
-- platform that have no connection (denials, failures).
UPDATE connection_events SET detail = ''
WHERE connection_id IN (SELECT connection_id FROM erased_by_earlier_requests)
   OR (connection_id IS NULL
       AND EXISTS (SELECT 1 FROM erased_by_earlier_requests e
                   WHERE e.creator_id = connection_events.creator_id
                     AND e.provider = connection_events.provider));

UPDATE audit_log
SET detail = (SELECT e.provider FROM erased_by_earlier_requests e
              WHERE e.connection_id = audit_log.target_id)
WHERE target_kind = 'connection'
  AND target_id IN (SELECT connection_id FROM erased_by_earlier_requests);

DELETE FROM connection_pages
WHERE connection_id IN (SELECT connection_id FROM erased_by_earlier_requests);
DELETE FROM connection_identities
WHERE connection_id IN (SELECT connection_id FROM erased_by_earlier_requests);

UPDATE connections
SET external_id = '', username = '', previous_external_id = NULL, account_changed_at = NULL,
    access_token = NULL, refresh_token = NULL, access_expires_at = NULL,
    refresh_expires_at = NULL, data_access_expires_at = NULL, next_refresh_at = NULL,
    refresh_started_at = NULL,
    status = CASE WHEN status IN ('revoked', 'disconnected') THEN status ELSE 'revoked' END,
    last_error = 'the creator asked the platform to delete their data',
    last_error_at = (SELECT e.requested_at FROM erased_by_earlier_requests e
                     WHERE e.connection_id = connections.id)
WHERE id IN (SELECT connection_id FROM erased_by_earlier_requests);

INSERT INTO connection_events (at, account_id, creator_id, provider, connection_id, kind, detail)
SELECT requested_at, account_id, creator_id, provider, connection_id, 'data_deleted',
       'at the platform''s request: the platform account''s ids and name, its Pages and the details naming it were deleted'
FROM erased_by_earlier_requests;

-- The request is kept for its status page, not to say who asked.
UPDATE data_deletion_requests SET external_id = '';

DROP TABLE erased_by_earlier_requests;
