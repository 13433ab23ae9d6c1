#pragma once
// The roster's rows without any authorization: users, memberships, creators with their access
// groups, and team assignments. The callers (onboarding apply, the authorised operations in
// roster_ops.hpp, rosterctl) decide who may do what; these only read and write, inside the
// caller's transaction.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

struct user_row {
  std::string id;
  std::string email;
  std::string display_name;
  std::string status;
  bool has_password = false;
};

struct membership_row {
  role member_role = role::agent;
  std::string status;
  bool joined = false;  // accepted by the person; until then the membership gives no access
};

struct creator_row {
  std::string id;
  std::string user_id;
  std::string display_name;
  std::string status;
  std::string group_id;
  bool existing_account = false;
};

base::result<std::optional<user_row>> find_user_by_email(store::database& db,
                                                         std::string_view email);
base::result<std::optional<user_row>> find_user(store::database& db, std::string_view user_id);
/// `email` must already be normalised (normalize_email).
base::result<user_row> create_user(store::database& db, std::string_view email,
                                   std::string_view display_name, time_point now);

base::result<std::optional<membership_row>> find_membership(store::database& db,
                                                            std::string_view account_id,
                                                            std::string_view user_id);
/// Adds the person to the account with `r`. A new membership is not joined: it gives no
/// access until the person accepts the account's invitation (join_membership). An existing
/// membership keeps an owner or admin role (a CSV never demotes anyone), and a disabled one
/// stays disabled: only an admin's explicit change (set_member_status) or a resent invitation
/// enables it again.
base::result<void> ensure_membership(store::database& db, std::string_view account_id,
                                     std::string_view user_id, role r, time_point now);
/// Marks the membership joined (from now on it gives access); a joined one is left as it is.
base::result<void> join_membership(store::database& db, std::string_view account_id,
                                   std::string_view user_id, time_point now);

base::result<std::optional<creator_row>> find_creator_by_user(store::database& db,
                                                              std::string_view account_id,
                                                              std::string_view user_id);
/// Creates the creator and their access group (named after them).
base::result<creator_row> create_creator(store::database& db, std::string_view account_id,
                                         std::string_view user_id, std::string_view name,
                                         bool existing_account, time_point now);
/// Renames the creator and their group together.
base::result<void> rename_creator(store::database& db, const creator_row& creator,
                                  std::string_view name);
/// 'active' or 'removed'. Removing keeps the row and its history; the group loses its team.
base::result<void> set_creator_status(store::database& db, const creator_row& creator,
                                      std::string_view status);

/// The team of a group, ordered by email.
base::result<std::vector<person>> team_of(store::database& db, std::string_view group_id);
/// True when the row was added (false: already there).
base::result<bool> add_to_team(store::database& db, std::string_view group_id,
                               std::string_view user_id, time_point now);
/// True when the row was removed (false: was not there).
base::result<bool> remove_from_team(store::database& db, std::string_view group_id,
                                    std::string_view user_id);

/// Active creators of the account, as (email, row), for onboarding's "not in the file".
struct creator_with_email {
  creator_row creator;
  std::string email;
};
base::result<std::vector<creator_with_email>> creators_of_account(store::database& db,
                                                                  std::string_view account_id);

}  // namespace rosterd::roster
