#pragma once
// Provider answers read into typed values. Call classify_response (provider_error.hpp) first:
// these parsers read successful answers. A missing or ill-typed field is
// errc::invalid_response with a detail naming the provider and the field, never a value.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "oauth/profile.hpp"
#include "oauth/provider_error.hpp"

namespace rosterd::oauth {

/// A token endpoint's answer (code exchange, long-lived exchange, refresh).
struct token_grant {
  base::secret access_token;
  std::optional<base::secret> refresh_token;  // present: it replaces the stored one (rotation)
  std::optional<std::chrono::seconds> expires_in;
  std::optional<std::chrono::seconds> refresh_expires_in;  // TikTok refresh_expires_in,
                                                           // Pinterest refresh_token_expires_in
  std::optional<std::chrono::system_clock::time_point> refresh_expires_at;  // Pinterest
  std::vector<std::string> granted_scopes;      // empty when the answer does not list them
  std::optional<std::string> external_user_id;  // Instagram user_id (string or number),
                                                // TikTok open_id
  std::string token_type;                       // as sent ("bearer"); empty when absent
};

/// Reads a token answer. Instagram: both the `data`-array and the flat shape, `permissions` as
/// an array or a comma list; TikTok: the comma-separated `scope`; Pinterest: its
/// refresh_token_expires_*; Meta: expires_in. `expires_in` may be a JSON number or a quoted
/// one. A body that is an error answer gives errc::provider_error (classify it instead).
base::result<token_grant> parse_token_response(const provider_profile& profile,
                                               std::string_view body);

/// An Instagram professional account reachable through a Facebook Page (instagram_facebook).
struct linked_account {
  std::string id;
  std::string username;
};

/// Who a token belongs to.
struct identity {
  std::string external_id;   // Instagram user_id, Facebook id, TikTok open_id, Pinterest id
  std::string username;      // empty where the provider has none (Facebook)
  std::string display_name;  // empty when not sent
  std::vector<std::string> other_ids;  // Instagram's app-scoped id, TikTok's union_id: for
                                       // matching deauthorization callbacks
  std::vector<linked_account> linked_instagram_accounts;  // instagram_facebook only
};

/// Reads an identity answer: Instagram user_id (or id)/username/name; Facebook id/name (and,
/// for instagram_facebook, the Pages' instagram_business_account: `username` is the linked
/// account's when there is exactly one); TikTok data.user.open_id/display_name/username;
/// Pinterest id (or username)/username/business_name; generic: the configured fields.
base::result<identity> parse_identity_response(const provider_profile& profile,
                                               std::string_view body);

/// A Facebook Page the user manages (Facebook Login's /me/accounts), with its Page token: a
/// secret like every token, never logged or returned.
struct managed_page {
  std::string id;
  std::string name;  // empty when not sent
  base::secret access_token;
  std::optional<std::string> instagram_account_id;  // instagram_business_account.id
};

/// Reads /me/accounts: `data` must be an array of objects, each with an `id` (string or
/// integer); `access_token` must be visible ASCII, and a Page listed without one (the user's
/// tasks on it grant none) is left out; `name` and `instagram_business_account.id` are
/// optional. A repeated Page id is invalid_response; `paging` is not followed (the first page
/// of results only). An error answer gives errc::provider_error (classify it instead).
base::result<std::vector<managed_page>> parse_pages_response(const provider_profile& profile,
                                                             std::string_view body);

/// Meta's debug_token answer. Times are nullopt when absent or 0 (0 = does not expire).
struct token_debug_info {
  bool is_valid = false;
  std::optional<std::chrono::system_clock::time_point> expires_at;
  std::optional<std::chrono::system_clock::time_point> data_access_expires_at;
  std::optional<std::chrono::system_clock::time_point> issued_at;
  std::vector<std::string> scopes;
  std::string user_id;
  std::string app_id;
  std::string type;                     // USER, PAGE, APP
  std::optional<provider_error> error;  // data.error, classified for phase api_call
};

base::result<token_debug_info> parse_debug_token_response(std::string_view body);

/// The access token's lifetime: expires_in when the answer has it, else the profile's fallback
/// for that step (the long-lived one after a long-lived exchange or an ig_refresh_token).
/// nullopt: neither says (treat as "unknown", verify periodically).
std::optional<std::chrono::seconds> access_lifetime(const provider_profile& profile,
                                                    const token_grant& grant, phase step);

/// When the refresh token stops working: refresh_expires_at, else now + refresh_expires_in,
/// else now + the profile's fallback; nullopt without a refresh token or any of these.
std::optional<std::chrono::system_clock::time_point> refresh_expiry(
    const provider_profile& profile, const token_grant& grant,
    std::chrono::system_clock::time_point now);

}  // namespace rosterd::oauth
