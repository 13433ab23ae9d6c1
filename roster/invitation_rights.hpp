#pragma once
// Who may resend or revoke an invitation. Decided by what the person is in the account now
// (their membership's role), not only by the role they were first invited as: someone invited
// as an agent and since made an admin is an admin, and revoking their invitation disables
// their membership, so an admin must not be able to do it (as for PATCH .../members: only
// owners act on owners and admins). An invitation sent for an admin role stays owner-only
// even after a demotion, because accepting it is still an admin's invitation.

#include "base/failure.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

enum class invitation_change_verdict {
  allowed,
  not_an_admin,  ///< the caller is not an owner or admin of the account
  owners_only,  ///< the person is (or was invited as) an owner or admin; the caller is not an owner
};

/// Reads the person's current membership in the invitation's account. Call it in the
/// transaction that makes the change, so the role cannot change in between.
base::result<invitation_change_verdict> may_change_invitation(store::database& db,
                                                              const caller& who,
                                                              const invitation_record& invitation);

/// The verdict as the failure to return (forbidden, with a message), or nothing when allowed.
base::result<void> require_allowed(invitation_change_verdict verdict);

}  // namespace rosterd::roster
