#pragma once
// A connection's re-consent deadline: the moment after which only the creator can fix it, by
// going through the platform's login again. Computed from what the platform said about its
// clocks, with configured and built-in horizons only where it said nothing.
//
// - Tokens only the login dialog renews (Facebook Login, Instagram via Facebook Login): the
//   user token's expiry or Meta's data-access expiry, whichever comes first, and the
//   configured re-authorisation horizon from the last consent when one is set.
// - Instagram Login: each ig_refresh_token renewal moves the expiry, so the deadline is the
//   current token's expiry and is marked self-renewing: it needs the creator only while
//   renewal fails or is impossible.
// - Rotating refresh tokens (TikTok, Pinterest, generic OAuth): the refresh token's end of
//   life, and the configured horizon when one is set.

#include <chrono>
#include <optional>
#include <string_view>

#include "oauth/profile.hpp"
#include "roster/clock.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

/// Which clock sets the deadline: reminders and status reasons say it in the creator's words.
enum class deadline_cause {
  token_expiry,        ///< the platform's access token expires and cannot be renewed by us
  data_access_expiry,  ///< Meta's separate data-access clock
  refresh_token_end,   ///< the refresh token's end of life (TikTok 365 d, Pinterest 60/365 d)
  reauth_horizon,      ///< the configured or built-in "log in again every N days"
};
std::string_view to_string(deadline_cause c) noexcept;
/// The cause to_string() wrote ("reauth_horizon"), or nullopt for any other text.
std::optional<deadline_cause> parse_deadline_cause(std::string_view text) noexcept;

struct deadline {
  time_point at;
  deadline_cause cause = deadline_cause::token_expiry;
  /// The daemon renews it itself (Instagram Login): the creator is asked only when renewing
  /// fails or is impossible.
  bool self_renewing = false;

  bool operator==(const deadline&) const = default;
};

/// What is known about one connection's clocks.
struct connection_clocks {
  time_point consented_at;  ///< the last pass through the platform's login (connected_at)
  std::optional<time_point> access_expires_at;
  std::optional<time_point> refresh_expires_at;
  std::optional<time_point> data_access_expires_at;
};

/// The re-consent deadline, or nullopt when nothing the platform said or we know ends the
/// grant (a generic provider whose tokens do not expire). `reauth_after` is the provider's
/// configured horizon; the profile's built-in horizon is used only when the platform reported
/// no clock at all.
std::optional<deadline> reconsent_deadline(const oauth::provider_profile& profile,
                                           const connection_clocks& clocks,
                                           std::optional<std::chrono::seconds> reauth_after);

}  // namespace rosterd::lifecycle
