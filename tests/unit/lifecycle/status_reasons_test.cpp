#include "lifecycle/status_reasons.hpp"

#include <catch2/catch.hpp>

using namespace rosterd;
using lifecycle::deadline;
using lifecycle::deadline_cause;
using lifecycle::describe_reason;
using lifecycle::reason_for;
using lifecycle::status_reason;

namespace {

oauth::provider_error error(oauth::error_kind kind, std::string code,
                            std::optional<int> subcode = std::nullopt) {
  oauth::provider_error e;
  e.kind = kind;
  e.code = std::move(code);
  e.subcode = subcode;
  return e;
}

bool mentions(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("Meta's error subcodes become the reason a creator recognises", "[reasons]") {
  using oauth::error_kind;
  CHECK(reason_for(error(error_kind::reconnect, "190", 460)) == status_reason::password_changed);
  CHECK(reason_for(error(error_kind::reconnect, "190", 458)) == status_reason::app_removed);
  CHECK(reason_for(error(error_kind::reconnect, "190", 463)) == status_reason::login_expired);
  CHECK(reason_for(error(error_kind::reconnect, "190", 492)) == status_reason::page_role_lost);
  CHECK(reason_for(error(error_kind::reconnect, "190")) == status_reason::session_ended);
  CHECK(reason_for(error(error_kind::reconnect, "invalid_grant")) == status_reason::login_expired);
  CHECK(reason_for(error(error_kind::user_action, "190", 464)) ==
        status_reason::action_at_platform);
  CHECK(reason_for(error(error_kind::reconsent, "10")) == status_reason::permissions_missing);
  CHECK(reason_for(error(error_kind::transient, "http_503")) == status_reason::renewal_failing);
  CHECK(reason_for(error(error_kind::rejected, "invalid_client")) == status_reason::setup_problem);
}

TEST_CASE("each reason reads as one plain sentence naming the platform", "[reasons]") {
  CHECK(describe_reason(status_reason::password_changed, "Instagram", std::nullopt) ==
        "Your Instagram password was changed: log in again to reconnect.");
  CHECK(mentions(describe_reason(status_reason::app_removed, "TikTok", std::nullopt),
                 "removed in your TikTok settings"));
  const deadline data_access{{}, deadline_cause::data_access_expiry, false};
  CHECK(describe_reason(status_reason::renewal_due, "Facebook", data_access) ==
        "Facebook asks you to confirm access again every 90 days.");
  const deadline renewing{{}, deadline_cause::token_expiry, true};
  CHECK(mentions(describe_reason(status_reason::renewal_due, "Instagram", renewing),
                 "could not renew your Instagram access automatically"));
}

TEST_CASE("every reason has a stored name that reads back and words without jargon", "[reasons]") {
  for (auto r :
       {status_reason::none, status_reason::renewal_due, status_reason::renewal_failing,
        status_reason::password_changed, status_reason::app_removed, status_reason::login_expired,
        status_reason::session_ended, status_reason::page_role_lost,
        status_reason::action_at_platform, status_reason::permissions_missing,
        status_reason::data_deleted, status_reason::setup_problem, status_reason::disconnected}) {
    CAPTURE(lifecycle::to_string(r));
    CHECK(lifecycle::parse_status_reason(lifecycle::to_string(r)) == r);
    const auto words = describe_reason(r, "Pinterest", std::nullopt);
    CHECK_FALSE(words.empty());
    CHECK(words.back() == '.');
    for (const auto* jargon : {"token", "oauth", "OAuth", "190", "grant", "scope"}) {
      CHECK_FALSE(mentions(words, jargon));
    }
  }
  CHECK_FALSE(lifecycle::parse_status_reason("password-changed").has_value());
}
