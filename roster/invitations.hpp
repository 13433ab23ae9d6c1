#pragma once
// Invitations: one per person and account, however many creators they are on. The token is
// random (base/token.hpp), stored only as its hash, single use, and expires. A resend issues a
// new token and marks the old one superseded, so an old email gets a clear answer ("replaced by
// a newer email") instead of working or of a bare "not found".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "roster/audit.hpp"
#include "roster/clock.hpp"
#include "roster/mail.hpp"
#include "roster/model.hpp"
#include "roster/settings.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

/// What a roster change needs to tell a person.
enum class invite_outcome {
  invited,          // a new invitation and its email were queued
  already_invited,  // an invitation exists in this account (any state): nothing sent
  notified,         // the person already signs in here: a "you were added" notice was queued
  nothing,          // the person already belongs to this account and signs in: nothing to say
};

/// A new pending invitation and the token for its link (to be sent once, never stored).
struct new_invitation {
  std::string invitation_id;
  base::secret token;
  std::string accept_url;
};

/// Creates a pending invitation without sending anything: for rosterctl bootstrap, which prints
/// the link. Fails with conflict when the person already has a pending one in the account.
base::result<new_invitation> create_invitation(store::database& db, const roster_settings& settings,
                                               std::string_view account_id,
                                               std::string_view user_id, role kind,
                                               const actor& who, time_point now);

/// Invites `user` to the account as `kind`: a pending invitation they must accept before the
/// membership gives any access, also when they already have a password (an account with
/// another agency), so the agency cannot tell the two apart and nobody joins an agency without
/// agreeing to. Only someone who already uses this account (an accepted membership) gets a
/// one-time "you were added to <agency>'s roster" notice instead. Idempotent: a second call
/// for the same person and account sends nothing. Call inside a transaction.
base::result<invite_outcome> invite_or_notify(store::database& db, mailer& mail,
                                              const roster_settings& settings,
                                              std::string_view account_id, std::string_view user_id,
                                              role kind, const actor& who, time_point now);

/// Issues a new token for the invitation, supersedes the old one and queues the email again.
/// Works for pending (also expired), bounced and revoked invitations (a revoked one becomes
/// pending and the membership is enabled again); fails with conflict for an accepted one.
base::result<void> resend_invitation(store::database& db, mailer& mail,
                                     const roster_settings& settings,
                                     const invitation_record& invitation, const actor& who,
                                     time_point now);

/// Marks the invitation revoked: its link stops working at once. If the person never joined the
/// account, their membership in it is disabled too. Fails with conflict when it was already
/// accepted.
base::result<void> revoke_invitation(store::database& db, mailer& mail,
                                     const invitation_record& invitation, const actor& who,
                                     time_point now);

/// The invitation email could not be delivered (the mail server refused it for good): a pending
/// invitation becomes 'bounced' on the status board. Other states are left alone.
base::result<void> mark_invitation_bounced(store::database& db, std::string_view invitation_id);

/// Loads an invitation of `account_id` by id (nullopt when there is none in that account).
base::result<std::optional<invitation_record>> find_invitation(store::database& db,
                                                               std::string_view account_id,
                                                               std::string_view invitation_id,
                                                               time_point now);

struct invitation_filter {
  std::optional<invitation_status> status;
  std::optional<std::string> creator_id;  // only people invited for this creator
};
/// The status board: the account's invitations, newest first.
base::result<std::vector<invitation_record>> list_invitations(store::database& db,
                                                              std::string_view account_id,
                                                              const invitation_filter& filter,
                                                              time_point now);

/// What the person opening an invitation link sees before accepting.
struct invitation_preview {
  invitation_record invitation;
  std::string account_name;
  bool needs_password = true;  // false when they already sign in (accepting sets nothing)
};

/// Looks the token up. Fails with token_invalid (unknown or malformed), token_superseded,
/// token_expired, token_used or token_revoked; each has a message a person can act on.
base::result<invitation_preview> open_invitation(store::database& db, std::string_view token,
                                                 time_point now);

/// Accepts: the token becomes used, the person joins the account (their membership starts
/// giving access), and when they have no password yet, `password_phc` (already hashed by the
/// caller, outside the write lock) becomes it; then their display name is set if given.
/// Returns the user id. Same failures as open_invitation, plus
/// invalid_argument when a password is needed and `password_phc` is empty.
base::result<std::string> accept_invitation(store::database& db, std::string_view token,
                                            std::string_view password_phc,
                                            std::string_view display_name, time_point now);

}  // namespace rosterd::roster
