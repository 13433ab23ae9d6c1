// Error details and provider messages must never carry a token, code or secret (reliability
// C29). Every failure below is produced with canary values in play; none may appear.

#include <catch2/catch.hpp>

#include "oauth/authorize.hpp"
#include "oauth/provider_error.hpp"
#include "oauth/signed_request.hpp"
#include "oauth/tiktok_webhook.hpp"
#include "oauth/token_requests.hpp"
#include "oauth/token_responses.hpp"
#include "tests/unit/oauth/oauth_testing.hpp"

using namespace rosterd;
using namespace rosterd::oauth;
using namespace rosterd::oauth::testing;

namespace {

bool leaks(std::string_view text) {
  for (std::string_view canary : {canary_secret, canary_access, canary_refresh, canary_code}) {
    if (text.find(canary) != std::string_view::npos) {
      return true;
    }
  }
  return text.find("CANARY") != std::string_view::npos;
}

std::string q(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

}  // namespace

TEST_CASE("no parser failure detail contains the token or secret it was given", "[oauth][canary]") {
  std::vector<std::string> details;
  const std::string access = q(canary_access);
  const std::string refresh = q(canary_refresh);
  for (const auto& profile : builtin_profiles()) {
    for (const std::string& body :
         {"{\"access_token\":" + access + ",\"expires_in\":" + refresh + "}",
          "{\"access_token\":" + access + ",\"token_type\":" + refresh + "}",
          "{\"access_token\":" + access + ",\"refresh_token\":[" + refresh + "]}",
          "{\"access_token\":" + access + ",\"scope\":{\"x\":" + refresh + "}}",
          "{\"access_token\":" + access + ",\"user_id\":{\"x\":" + refresh + "}}",
          "{\"access_token\":" + access + ",\"open_id\":[" + refresh + "]}",
          "{\"refresh_token\":" + refresh + "}", "{\"access_token\":[" + access + "]}",
          "{\"error\":" + access + "}", "not json " + std::string(canary_access),
          "{\"data\":[" + access + "]}"}) {
      auto g = parse_token_response(profile, body);
      if (!g) {
        details.push_back(g.error().detail);
      }
      auto i = parse_identity_response(profile, body);
      if (!i) {
        details.push_back(i.error().detail);
      }
    }
  }
  REQUIRE(details.size() > 50);
  auto d = parse_debug_token_response("{\"data\":{\"is_valid\":true,\"user_id\":{\"a\":" + access +
                                      "},\"type\":" + access + "}}");
  REQUIRE_FALSE(d);
  details.push_back(d.error().detail);
  for (const auto& detail : details) {
    INFO(detail);
    CHECK_FALSE(leaks(detail));
  }
}

TEST_CASE("no request-builder or settings failure detail contains a secret", "[oauth][canary]") {
  std::vector<std::string> details;
  for (const auto& profile : builtin_profiles()) {
    const auto p = builtin(profile.id);
    const token_view tokens{canary_access, ""};
    for (auto r : {long_lived_exchange_request(p, canary_access), refresh_request(p, tokens),
                   debug_token_request(p, canary_access), revoke_request(p, tokens)}) {
      if (!r) {
        details.push_back(r.error().detail);
      }
    }
    auto settings = settings_for(profile.id);
    settings.redirect_uri = "http://x/" + std::string(canary_code);
    auto resolved = resolve(profile, std::move(settings));
    REQUIRE_FALSE(resolved);
    details.push_back(resolved.error().detail);
  }
  REQUIRE(details.size() > 5);
  for (const auto& detail : details) {
    INFO(detail);
    CHECK_FALSE(leaks(detail));
  }
}

TEST_CASE("provider messages echoing a token come back redacted", "[oauth][canary]") {
  const auto now = std::chrono::system_clock::now();
  const std::string_view never_echo[] = {canary_access, canary_refresh, canary_secret};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"facebook", R"({"error":{"message":"Invalid token ACCESS-CANARY-7q1x8 given","code":190}})"},
      {"instagram",
       R"({"error_type":"OAuthException","code":400,"error_message":"bad secret SECRET-CANARY-9f3k2"})"},
      {"tiktok",
       R"({"error":"invalid_grant","error_description":"refresh REFRESH-CANARY-4m6z0 is dead"})"},
      {"tiktok", R"({"data":{},"error":{"code":"ACCESS-CANARY-7q1x8","message":"x"}})"},
      {"pinterest", R"({"code":2,"message":"Authentication failed for ACCESS-CANARY-7q1x8."})"},
  };
  for (const auto& [id, body] : cases) {
    INFO(id << " " << body);
    const auto e = classify_response(*find_builtin_profile(id), phase::refresh, {400, {}, body},
                                     now, never_echo);
    REQUIRE(e);
    CHECK_FALSE(leaks(e->message));
    CHECK_FALSE(leaks(e->code));
    CHECK_FALSE(leaks(to_failure(*e).detail));
  }
  // Real-looking tokens are caught without being named.
  const auto e = classify_response(
      *find_builtin_profile("facebook"), phase::api_call,
      {400,
       {},
       R"({"error":{"message":"Token EAAGm0PX4ZCpsBAKZCZBZA9ZCsmK5ZBa9ZC1ZB2xyZB is invalid","code":190}})"},
      now);
  REQUIRE(e);
  CHECK(e->message == "Token [redacted] is invalid");
}

TEST_CASE("no inbound-signature or callback failure detail contains the secret or code",
          "[oauth][canary]") {
  const base::secret secret{std::string(canary_secret)};
  const auto now = std::chrono::system_clock::now();
  std::vector<std::string> details;
  for (const std::string& input :
       {std::string(canary_secret), std::string(canary_access) + "." + std::string(canary_code),
        std::string("abc.def"), std::string(70000, 'x')}) {
    auto r = verify_signed_request(input, secret, now);
    REQUIRE_FALSE(r);
    details.push_back(r.error().detail);
    auto w = verify_tiktok_webhook("t=1,s=" + std::string(canary_code), input, secret, "k", now);
    REQUIRE_FALSE(w);
    details.push_back(w.error().detail);
  }
  for (const std::string& query :
       {"code=" + std::string(canary_code), "code=" + std::string(canary_code) + "&code=x&state=s",
        "state=" + std::string(canary_code),
        "code=" + std::string(canary_code) + "&error=e&state=s"}) {
    auto c = parse_callback(*find_builtin_profile("instagram"), query);
    REQUIRE_FALSE(c);
    details.push_back(c.error().detail);
  }
  for (const auto& detail : details) {
    INFO(detail);
    CHECK_FALSE(leaks(detail));
  }
}
