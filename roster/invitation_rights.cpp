#include "roster/invitation_rights.hpp"

#include "roster/error.hpp"
#include "roster/people.hpp"

namespace rosterd::roster {
namespace {

bool outranks_agents(role r) {
  return r == role::owner || r == role::admin;
}

}  // namespace

base::result<invitation_change_verdict> may_change_invitation(store::database& db,
                                                              const caller& who,
                                                              const invitation_record& invitation) {
  if (!who.is_admin()) {
    return invitation_change_verdict::not_an_admin;
  }
  if (who.member_role == role::owner) {
    return invitation_change_verdict::allowed;
  }
  auto member = find_membership(db, invitation.account_id, invitation.user_id);
  if (!member) {
    return member.error();
  }
  const bool current_role_outranks = *member && outranks_agents((*member)->member_role);
  if (current_role_outranks || outranks_agents(invitation.kind)) {
    return invitation_change_verdict::owners_only;
  }
  return invitation_change_verdict::allowed;
}

base::result<void> require_allowed(invitation_change_verdict verdict) {
  switch (verdict) {
    case invitation_change_verdict::allowed:
      return {};
    case invitation_change_verdict::not_an_admin:
      return base::reject(errc::forbidden, "only owners and admins manage invitations");
    case invitation_change_verdict::owners_only:
      return base::reject(errc::forbidden,
                          "only owners resend or revoke the invitation of an owner or admin");
  }
  return base::reject(errc::forbidden, "not allowed");
}

}  // namespace rosterd::roster
