#include "lifecycle/deadlines.hpp"

namespace rosterd::lifecycle {
namespace {

// The earlier of the two; the first cause wins a tie, so the more specific clock is named.
void consider(std::optional<deadline>& best, std::optional<time_point> at, deadline_cause cause) {
  if (at && (!best || *at < best->at)) {
    best = deadline{*at, cause, false};
  }
}

}  // namespace

std::string_view to_string(deadline_cause c) noexcept {
  switch (c) {
    case deadline_cause::token_expiry:
      return "token_expiry";
    case deadline_cause::data_access_expiry:
      return "data_access_expiry";
    case deadline_cause::refresh_token_end:
      return "refresh_token_end";
    case deadline_cause::reauth_horizon:
      return "reauth_horizon";
  }
  return "token_expiry";
}

std::optional<deadline_cause> parse_deadline_cause(std::string_view text) noexcept {
  for (const auto c : {deadline_cause::token_expiry, deadline_cause::data_access_expiry,
                       deadline_cause::refresh_token_end, deadline_cause::reauth_horizon}) {
    if (to_string(c) == text) {
      return c;
    }
  }
  return std::nullopt;
}

std::optional<deadline> reconsent_deadline(const oauth::provider_profile& profile,
                                           const connection_clocks& clocks,
                                           std::optional<std::chrono::seconds> reauth_after) {
  std::optional<deadline> best;
  bool self_renewing = false;
  switch (profile.refresh) {
    case oauth::refresh_style::none:
      consider(best, clocks.access_expires_at, deadline_cause::token_expiry);
      consider(best, clocks.data_access_expires_at, deadline_cause::data_access_expiry);
      break;
    case oauth::refresh_style::ig_refresh_token:
      consider(best, clocks.access_expires_at, deadline_cause::token_expiry);
      self_renewing = true;
      break;
    case oauth::refresh_style::refresh_token_grant:
      consider(best, clocks.refresh_expires_at, deadline_cause::refresh_token_end);
      consider(best, clocks.data_access_expires_at, deadline_cause::data_access_expiry);
      break;
  }
  if (reauth_after) {
    consider(best, clocks.consented_at + *reauth_after, deadline_cause::reauth_horizon);
  } else if (!best && profile.lifetimes.reauth_horizon) {
    // The platform reported no clock: the profile's horizon is the best we know.
    consider(best, clocks.consented_at + *profile.lifetimes.reauth_horizon,
             deadline_cause::reauth_horizon);
  }
  if (best && best->cause == deadline_cause::token_expiry) {
    best->self_renewing = self_renewing;
  }
  return best;
}

}  // namespace rosterd::lifecycle
