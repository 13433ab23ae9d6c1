#pragma once
// Reconnect links: a URL a creator opens without signing in, good for connecting that creator's
// own profiles only (some platforms, or all enabled ones), for a few days. Owners, admins, the
// agents on the creator's team and the creator may make one; service tokens may not. The token
// is shown once and stored as its SHA-256. A platform on a link is done once it was connected
// through the link, or the creator's connection to it was made after the link was (so a
// forwarded link cannot swap the account for someone else's: connecting again takes a new
// link, or the creator signed in); a link is dead once every platform it names is done, once
// it expires, or once it is revoked.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "roster/clock.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

/// The token prefix ("rdlink_..."): a leaked link says what it is.
inline constexpr std::string_view link_token_prefix = "rdlink";

struct link_settings {
  std::chrono::seconds ttl{std::chrono::hours(24 * 7)};
  std::string public_url;  ///< links are <public_url>/connect/<token>
};

enum class link_state { usable, expired, revoked, completed };
std::string_view to_string(link_state s) noexcept;

struct link_record {
  std::string id;
  std::string account_id;
  std::string creator_id;
  std::vector<std::string> providers;
  std::string created_by_kind;
  std::string created_by_id;
  std::string created_at;
  std::string expires_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> completed_at;
  link_state state = link_state::usable;
};

/// A link just made: `url` holds the token and is shown once.
struct new_link {
  link_record link;
  base::secret url;
};

/// Makes a link for `creator_id`. `providers` empty means every enabled provider; otherwise each
/// must be in `enabled` (invalid_argument naming it). The caller must see the creator
/// (not_found otherwise) and be a person (forbidden for service tokens). Audited.
base::result<new_link> create_link(store::database& db, const roster::caller& who,
                                   std::string_view creator_id,
                                   const std::vector<std::string>& providers,
                                   const std::vector<std::string>& enabled,
                                   const link_settings& settings, time_point now);

/// Makes a link the daemon itself sends (a reminder, a digest): no caller and no visibility
/// check, so only for code that already knows `creator_id` belongs to `account_id`. Audited as
/// the system. `providers` must not be empty (the caller picks the ones needing attention).
base::result<new_link> create_system_link(store::database& db, std::string_view account_id,
                                          std::string_view creator_id,
                                          const std::vector<std::string>& providers,
                                          const link_settings& settings, time_point now);

/// The links of a creator the caller sees, newest first (states computed at `now`).
base::result<std::vector<link_record>> list_links(store::database& db, const roster::caller& who,
                                                  std::string_view creator_id, time_point now);

/// Revokes a link of a creator the caller sees (not_found otherwise; forbidden for service
/// tokens). Revoking a dead link changes nothing. Audited.
base::result<link_record> revoke_link(store::database& db, const roster::caller& who,
                                      std::string_view link_id, time_point now);

/// What the link page shows: whose profiles, which platforms, which of them are done.
struct opened_link {
  link_record link;
  std::string creator_name;
  std::string agency_name;
  std::vector<std::string> done_providers;  ///< connected through it, or since it was made
};

/// Looks up a link by its token for the page a creator opens without signing in. Fails with
/// roster::errc::token_invalid (unknown or malformed, or its creator or account is no longer
/// active), token_expired, token_revoked or token_used (every platform done), each with a
/// message for the creator.
base::result<opened_link> open_link(store::database& db, std::string_view token, time_point now);

/// The link `link_id` if it can still be used at `now` (for "try again" from an attempt made
/// through it): the same checks and token errors as open_link.
base::result<link_record> usable_link(store::database& db, std::string_view link_id,
                                      time_point now);

/// The providers of `link` that are done: connected through it, or connected (by any way)
/// after it was made.
base::result<std::vector<std::string>> done_providers(store::database& db, const link_record& link);

/// Succeeds when `link` may still start a connect to `provider` (which it must name);
/// roster::errc::token_used when that provider is done on it.
base::result<void> check_not_done(store::database& db, const link_record& link,
                                  std::string_view provider, std::string_view provider_name);

/// Marks the link completed when every provider it names is done.
base::result<void> complete_link_if_done(store::database& db, std::string_view link_id,
                                         time_point now);

}  // namespace rosterd::lifecycle
