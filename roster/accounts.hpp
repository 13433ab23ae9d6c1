#pragma once
// Creating an agency account with its owner (rosterctl bootstrap).

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "roster/audit.hpp"
#include "roster/clock.hpp"
#include "roster/invitations.hpp"
#include "roster/settings.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

struct bootstrapped_account {
  std::string account_id;
  std::string owner_user_id;
  /// The owner's one-time setup link; nullopt when the owner already signs in (another
  /// agency's owner, say), who then just signs in.
  std::optional<new_invitation> setup;
};

/// Creates the account and its owner in one transaction (opened here). The name is 1..200
/// characters; the email is normalised. Fails with invalid_argument naming the field.
base::result<bootstrapped_account> bootstrap_account(store::database& db,
                                                     const roster_settings& settings,
                                                     std::string_view account_name,
                                                     std::string_view owner_email, const actor& who,
                                                     time_point now);

}  // namespace rosterd::roster
