-- Joining an agency's account takes the person's own acceptance. Agencies are competitors
-- sharing one server: adding an address to a roster must neither reveal whether that person
-- already has an account here (for another agency) nor give the new agency a member who never
-- agreed to join. So a membership is created unaccepted, grants no access, and becomes usable
-- when the person accepts the account's invitation (accept_invitation sets joined_at).
-- Accounts created by the operator (rosterctl bootstrap) join their owner at once.
ALTER TABLE account_members ADD COLUMN joined_at TEXT;

-- Memberships that already worked keep working: owners; people who accepted an invitation to
-- the account, or who were linked without one because they already had a password (what
-- earlier versions did, with an 'accepted' invitation row and a notice).
UPDATE account_members
SET joined_at = created_at
WHERE role = 'owner'
  OR (
    EXISTS (
      SELECT 1 FROM users u
      WHERE u.id = account_members.user_id AND u.password_hash IS NOT NULL
    )
    AND (
      EXISTS (
        SELECT 1 FROM invitations i
        WHERE i.account_id = account_members.account_id
          AND i.user_id = account_members.user_id AND i.status = 'accepted'
      )
      OR NOT EXISTS (
        SELECT 1 FROM invitations i
        WHERE i.account_id = account_members.account_id AND i.user_id = account_members.user_id
      )
    )
  );
