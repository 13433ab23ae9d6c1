#pragma once
// Changes on behalf of a caller. Each runs inside the caller's immediate transaction, checks
// visibility first (not_found for what the caller may not see) and then the role (forbidden for
// what it sees but may not change), and writes the audit log with the change.

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "roster/audit.hpp"
#include "roster/clock.hpp"
#include "roster/mail.hpp"
#include "roster/model.hpp"
#include "roster/settings.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

/// Adds a team member (by email) to the creator's group: the person is created if new, made an
/// agent of the account and invited (or notified) as onboarding would. Owners and admins only.
/// Fails with invalid_argument for a bad address, conflict when the address is a creator of the
/// account (and settings do not allow it). Returns the member's user id.
base::result<std::string> add_team_member(store::database& db, mailer& mail,
                                          const roster_settings& settings, const caller& who,
                                          std::string_view creator_id, std::string_view email,
                                          time_point now);

/// Removes a team member from the creator's group; takes effect on their next request.
/// not_found when they are not on it.
base::result<void> remove_team_member(store::database& db, const caller& who,
                                      std::string_view creator_id, std::string_view user_id,
                                      time_point now);

/// Renames the creator (and their group). Owners and admins.
base::result<void> rename_creator(store::database& db, const caller& who,
                                  std::string_view creator_id, std::string_view name,
                                  time_point now);

/// Takes the creator off the roster: kept with status 'removed' (history and audit stay), their
/// team is cleared. Owners and admins.
base::result<void> remove_creator(store::database& db, const caller& who,
                                  std::string_view creator_id, time_point now);

/// Invites a person to the account as admin or agent (owners invite admins; admins invite
/// agents). An existing user gets a notice instead. Returns the user id.
base::result<std::string> invite_member(store::database& db, mailer& mail,
                                        const roster_settings& settings, const caller& who,
                                        std::string_view email, role r, time_point now);

/// Whether agents on a creator's team may take that creator's access tokens from the token
/// broker (off by default: services use service tokens). Owners only. Audited when it changes.
base::result<void> set_agents_use_tokens(store::database& db, const caller& who, bool enabled,
                                         time_point now);

/// Disables or re-enables a member in the account. Owners and admins; nobody disables
/// themselves, and only an owner disables an owner or admin.
base::result<void> set_member_status(store::database& db, const caller& who,
                                     std::string_view user_id, bool active, time_point now);

}  // namespace rosterd::roster
