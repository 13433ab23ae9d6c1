#include "lifecycle/deadlines.hpp"

#include <catch2/catch.hpp>

using namespace rosterd;
using namespace std::chrono_literals;
using lifecycle::connection_clocks;
using lifecycle::deadline;
using lifecycle::deadline_cause;
using lifecycle::reconsent_deadline;

namespace {

const auto consented = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 10h;

oauth::provider_profile builtin(std::string_view id) {
  return oauth::find_builtin_profile(id).value();
}

std::chrono::seconds days(int n) {
  return std::chrono::hours(24 * n);
}

}  // namespace

TEST_CASE(
    "a Facebook Login token's deadline is the earlier of its expiry and Meta's data-access "
    "expiry",
    "[deadlines]") {
  const auto profile = builtin("instagram_facebook");
  connection_clocks clocks{consented, consented + days(60), std::nullopt, consented + days(90)};
  CHECK(reconsent_deadline(profile, clocks, std::nullopt) ==
        deadline{consented + days(60), deadline_cause::token_expiry, false});

  clocks.data_access_expires_at = consented + days(30);
  CHECK(reconsent_deadline(profile, clocks, std::nullopt) ==
        deadline{consented + days(30), deadline_cause::data_access_expiry, false});
}

TEST_CASE("a configured re-authorisation horizon counts from the last consent when it comes first",
          "[deadlines]") {
  const auto profile = builtin("instagram_facebook");
  const connection_clocks clocks{consented, consented + days(60), std::nullopt, std::nullopt};
  CHECK(reconsent_deadline(profile, clocks, days(45)) ==
        deadline{consented + days(45), deadline_cause::reauth_horizon, false});
  CHECK(reconsent_deadline(profile, clocks, days(75))->cause == deadline_cause::token_expiry);
}

TEST_CASE("the built-in horizon is used only when the platform reported no clock", "[deadlines]") {
  const auto profile = builtin("facebook");
  REQUIRE(profile.lifetimes.reauth_horizon);
  const connection_clocks silent{consented, std::nullopt, std::nullopt, std::nullopt};
  CHECK(reconsent_deadline(profile, silent, std::nullopt) ==
        deadline{consented + *profile.lifetimes.reauth_horizon, deadline_cause::reauth_horizon,
                 false});
  const connection_clocks reported{consented, consented + days(59), std::nullopt, std::nullopt};
  CHECK(reconsent_deadline(profile, reported, std::nullopt)->at == consented + days(59));
}

TEST_CASE("an Instagram Login deadline moves with each renewal and is marked self-renewing",
          "[deadlines]") {
  const auto profile = builtin("instagram");
  const connection_clocks first{consented, consented + days(60), std::nullopt, std::nullopt};
  const auto before = reconsent_deadline(profile, first, std::nullopt);
  REQUIRE(before);
  CHECK(before->self_renewing);
  CHECK(before->cause == deadline_cause::token_expiry);

  const connection_clocks renewed{consented, consented + days(67), std::nullopt, std::nullopt};
  CHECK(reconsent_deadline(profile, renewed, std::nullopt)->at == consented + days(67));
}

TEST_CASE("a rotating refresh token's end of life is the deadline, not the short access token",
          "[deadlines]") {
  for (const auto* id : {"tiktok", "pinterest"}) {
    CAPTURE(id);
    const auto profile = builtin(id);
    const connection_clocks clocks{consented, consented + 24h, consented + days(365), std::nullopt};
    CHECK(reconsent_deadline(profile, clocks, std::nullopt) ==
          deadline{consented + days(365), deadline_cause::refresh_token_end, false});
  }
}

TEST_CASE("a generic provider whose grant never ends has no deadline", "[deadlines]") {
  oauth::provider_profile generic;
  generic.id = "acme";
  generic.refresh = oauth::refresh_style::refresh_token_grant;
  const connection_clocks clocks{consented, consented + 1h, std::nullopt, std::nullopt};
  CHECK_FALSE(reconsent_deadline(generic, clocks, std::nullopt).has_value());
  CHECK(reconsent_deadline(generic, clocks, days(90))->cause == deadline_cause::reauth_horizon);
}
