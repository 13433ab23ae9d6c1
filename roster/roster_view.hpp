#pragma once
// Reads on behalf of a caller. Every query is scoped in SQL to what the caller may see
// : admins and service tokens the whole account, others the creators whose
// group they are in plus themselves. Something outside that set fails with not_found, exactly
// like something that does not exist.

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

inline constexpr int max_page_size = 200;

/// "WITH v(id) AS (...) ": the ids of the creators a non-admin caller (user ?<user_param>)
/// sees in account ?<account_param>: those whose team they are on, and themselves. The one
/// statement of that rule, for every read that starts from a caller's visible creators (start
/// the FROM clause at `v` and CROSS JOIN the rest, so SQLite never walks the whole account).
std::string visible_creators_cte(int account_param, int user_param);

base::result<account_record> get_account(store::database& db, const caller& who);

/// Active creators the caller sees, by name. `cursor` is the `next` of the previous page.
/// Fails with invalid_argument for a malformed cursor or a limit outside 1..max_page_size.
base::result<page<creator_record>> list_creators(store::database& db, const caller& who,
                                                 std::optional<std::string_view> cursor, int limit);

/// One creator with their team; not_found when the caller does not see them. Admins also see
/// removed creators.
base::result<creator_record> get_creator(store::database& db, const caller& who,
                                         std::string_view creator_id);

/// The account's members: owners and admins only (forbidden otherwise).
base::result<std::vector<member_record>> list_members(store::database& db, const caller& who);

/// The audit log, newest first: the whole account for owners and admins, the entries about
/// their own creator profile for a creator; forbidden for others.
base::result<page<audit_record>> list_audit(store::database& db, const caller& who,
                                            std::optional<std::string_view> creator_id,
                                            std::optional<std::string_view> cursor, int limit);

}  // namespace rosterd::roster
