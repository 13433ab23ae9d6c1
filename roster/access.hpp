#pragma once
// Who the caller is in an account, resolved on every request from the database (no cached
// grants), and the API tokens that can stand for a caller.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "roster/audit.hpp"
#include "roster/clock.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"

namespace rosterd::store {
class store;
}

namespace rosterd::roster {

inline constexpr std::string_view personal_token_prefix = "rdpat";
inline constexpr std::string_view service_token_prefix = "rdsvc";

/// The caller for a signed-in user in an account: fails with not_found when the account does
/// not exist, is disabled, or the user is not an active member of it who has joined (accepted
/// its invitation; all look the same).
base::result<caller> caller_for_user(store::database& db, std::string_view user_id,
                                     std::string_view account_id);

/// The accounts a user belongs to (active, joined memberships of active accounts), with their
/// role. An account whose invitation they have not accepted is not among them.
base::result<std::vector<account_record>> accounts_of_user(store::database& db,
                                                           std::string_view user_id);

/// What a bearer token stands for, or nullopt when it is unknown, revoked, expired, or its
/// user or account is disabled. A personal token acts as its user in its account; a service
/// token acts for the account. Reads only; see touch_api_token.
base::result<std::optional<caller>> caller_for_api_token(store::database& db,
                                                         std::string_view token, time_point now);
/// A number that moves whenever a write of this process changed a table caller_for_api_token
/// reads (store::changes_to over them): who a token stands for, read before, still holds while
/// it stays the same (and the token has not reached its end).
[[nodiscard]] std::uint64_t api_token_changes(const store::store& db) noexcept;
/// Records the token's last use (at most once a minute).
base::result<void> touch_api_token(store::database& db, std::string_view token_id, time_point now);

struct api_token_record {
  std::string id;
  std::string account_id;
  std::string user_id;  // empty for a service token
  std::string kind;     // personal | service
  std::string name;
  std::string created_at;
  std::optional<std::string> last_used_at;
  std::optional<std::string> expires_at;
  std::optional<std::string> revoked_at;
};

struct created_api_token {
  api_token_record record;
  base::secret token;  // shown to its creator once, never again
};

/// A personal token for the caller (a user), or a service token (owners and admins only).
/// `name` is 1..100 characters; `expires_at` optional.
base::result<created_api_token> create_api_token(store::database& db, const caller& who,
                                                 std::string_view kind, std::string_view name,
                                                 std::optional<time_point> expires_at,
                                                 time_point now);
/// Personal tokens: the caller's own. Service tokens: the account's (admins).
base::result<std::vector<api_token_record>> list_api_tokens(store::database& db, const caller& who,
                                                            std::string_view kind);
/// Revokes one token of `kind` the caller may list; not_found otherwise.
base::result<void> revoke_api_token(store::database& db, const caller& who, std::string_view kind,
                                    std::string_view token_id, time_point now);

}  // namespace rosterd::roster
