#pragma once
// The lifecycle library's own error vocabulary: why an OAuth attempt or a connection operation
// failed. Visibility and permission failures reuse roster::errc (not_found, forbidden,
// token_expired...), so every route answers them the same way.

#include <string_view>
#include <system_error>

namespace rosterd::lifecycle {

enum class errc {
  state_missing = 1,     // the OAuth callback carries no state
  state_unknown,         // a state this daemon never issued (or a forged one)
  state_expired,         // the attempt is older than its 10 minutes
  state_used,            // the state was already consumed (a replayed callback)
  state_wrong_browser,   // the browser-binding cookie is missing or belongs to another attempt
  state_wrong_provider,  // the callback arrived on another provider's path (mix-up defence)
  provider_not_enabled,  // no such provider, or it is not configured here
  not_connected,         // the connection has no usable tokens (disconnected, revoked, deleted)
  vault_unavailable,     // no key is configured, or the configured key does not match the database
  needs_reconnect,       // the grant is gone or ran out: only the creator can renew it
  refresh_unavailable,   // a refresh failed for a passing reason (outage, rate limit): try later
  // Values run from 1 without gaps: tests walk them until errc_name() answers "unknown".
};

/// The category named "lifecycle". Its messages are short and for operators (logs, rosterctl);
/// what a client reads is chosen by the HTTP edge for each code.
const std::error_category& lifecycle_category() noexcept;

/// Lets errc convert to std::error_code (found by ADL), in lifecycle_category().
std::error_code make_error_code(errc e) noexcept;

/// The enumerator's name ("state_expired"): a stable identifier for logs, problem types and
/// tests. Returns "unknown" for a value outside the enum.
std::string_view errc_name(errc e) noexcept;

}  // namespace rosterd::lifecycle

template <>
struct std::is_error_code_enum<rosterd::lifecycle::errc> : std::true_type {};
