#include "oauth/provider_error.hpp"

#include <set>

#include <catch2/catch.hpp>

#include "tests/unit/oauth/oauth_testing.hpp"

using namespace rosterd;
using namespace rosterd::oauth;
using namespace rosterd::oauth::testing;
using namespace std::chrono_literals;
using time_point = std::chrono::system_clock::time_point;

namespace {

// Fri, 14 Nov 2025 10:00:00 GMT
const time_point now{std::chrono::sys_days(std::chrono::year(2025) / 11 / 14) + 10h};

struct row {
  unsigned status;
  std::string body;
  phase step;
  error_kind kind;
  std::string code;
  std::optional<int> subcode = std::nullopt;
  header_list headers = {};
  std::optional<std::chrono::seconds> retry_after = std::nullopt;
};

std::string meta(int code, std::optional<int> subcode, std::string_view message,
                 std::string_view type = "OAuthException") {
  std::string out = R"({"error":{"message":")" + std::string(message) + R"(","type":")" +
                    std::string(type) + R"(","code":)" + std::to_string(code);
  if (subcode) {
    out += R"(,"error_subcode":)" + std::to_string(*subcode);
  }
  out += R"(,"fbtrace_id":"AbCdEfGh123"}})";
  return out;
}

std::string ig_legacy(int code, std::string_view message) {
  return R"({"error_type":"OAuthException","code":)" + std::to_string(code) +
         R"(,"error_message":")" + std::string(message) + R"("})";
}

std::string tt_oauth(std::string_view error, std::string_view description) {
  return R"({"error":")" + std::string(error) + R"(","error_description":")" +
         std::string(description) + R"(","log_id":"20250101000000ABCDEF"})";
}

std::string tt_api(std::string_view code, std::string_view message) {
  return R"({"data":{},"error":{"code":")" + std::string(code) + R"(","message":")" +
         std::string(message) + R"(","log_id":"202206221854370101130062072500FFA2"}})";
}

std::string pin(int code, std::string_view message) {
  return R"({"code":)" + std::to_string(code) + R"(,"message":")" + std::string(message) + R"("})";
}

std::string buc(int minutes) {
  return R"({"17841400000000001":[{"type":"instagram","call_count":100,"total_cputime":12,)"
         R"("total_time":30,"estimated_time_to_regain_access":)" +
         std::to_string(minutes) + "}]}";
}

void check_table(std::string_view id, const std::vector<row>& rows) {
  const auto profile = *find_builtin_profile(id);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    INFO(id << " row " << i << ": " << r.status << " " << r.body << " in " << phase_name(r.step));
    http_response response{r.status, r.headers, r.body};
    const auto e = classify_response(profile, r.step, response, now);
    REQUIRE(e);
    CHECK(error_kind_name(e->kind) == error_kind_name(r.kind));
    CHECK(e->code == r.code);
    CHECK(e->subcode == r.subcode);
    CHECK(e->phase == r.step);
    if (r.retry_after) {
      CHECK(e->retry_after == r.retry_after);
    }
  }
}

/// What the platforms document as meaning "reconnect".
bool documented_reconnect(std::string_view id, const row& r) {
  if (r.code == "invalid_grant") {
    return true;
  }
  if (id == "instagram" || id == "facebook" || id == "instagram_facebook") {
    return r.code == "102" ||
           (r.code == "190" && (!r.subcode || *r.subcode == 458 || *r.subcode == 460 ||
                                *r.subcode == 463 || *r.subcode == 467));
  }
  if (id == "tiktok") {
    return r.code == "access_token_invalid" && r.step == phase::after_failed_refresh;
  }
  if (id == "pinterest") {
    return r.code == "2" && r.status == 401 && r.step == phase::after_failed_refresh;
  }
  return false;
}

const std::vector<row> instagram_rows = {
    {400,
     meta(190, 463, "Error validating access token: Session has expired on Tuesday, 01-Jul-25."),
     phase::refresh, error_kind::reconnect, "190", 463},
    {400, meta(190, std::nullopt, "Invalid OAuth access token - Cannot parse access token"),
     phase::api_call, error_kind::reconnect, "190"},
    {400,
     meta(190, 460, "The session has been invalidated because the user changed their password."),
     phase::refresh, error_kind::reconnect, "190", 460},
    {400, meta(190, 458, "The user has not authorized application 123."), phase::identity,
     error_kind::reconnect, "190", 458},
    {400, meta(190, 467, "Invalid access token."), phase::api_call, error_kind::reconnect, "190",
     467},
    {400, meta(190, 459, "The user is enrolled in a blocking, logged-in checkpoint."),
     phase::api_call, error_kind::user_action, "190", 459},
    {400,
     meta(190, 464,
          "Sessions for the user are not allowed because the user is not a confirmed user."),
     phase::refresh, error_kind::user_action, "190", 464},
    {400, meta(190, 492, "Invalid session."), phase::api_call, error_kind::user_action, "190", 492},
    {400, meta(102, std::nullopt, "Session key invalid or no longer valid"), phase::api_call,
     error_kind::reconnect, "102"},
    {403, meta(10, std::nullopt, "Application does not have permission for this action"),
     phase::api_call, error_kind::reconsent, "10"},
    {403, meta(200, std::nullopt, "Requires instagram_business_manage_insights permission"),
     phase::api_call, error_kind::reconsent, "200"},
    {400, meta(100, 33, "Unsupported get request.", "GraphMethodException"), phase::api_call,
     error_kind::rejected, "100", 33},
    {400, meta(4, std::nullopt, "Application request limit reached"), phase::api_call,
     error_kind::transient, "4"},
    {400, meta(17, std::nullopt, "User request limit reached"), phase::refresh,
     error_kind::transient, "17"},
    {400,
     meta(80002, std::nullopt, "There have been too many calls to this Instagram account."),
     phase::api_call,
     error_kind::transient,
     "80002",
     std::nullopt,
     {{"X-Business-Use-Case-Usage", buc(7)}},
     420s},
    {500, meta(1, std::nullopt, "An unknown error occurred"), phase::refresh, error_kind::transient,
     "1"},
    {503, meta(2, std::nullopt, "Service temporarily unavailable"), phase::identity,
     error_kind::transient, "2"},
    {400, meta(613, std::nullopt, "Calls to this api have exceeded the rate limit."),
     phase::api_call, error_kind::transient, "613"},
    {400, meta(341, std::nullopt, "Application limit reached"), phase::api_call,
     error_kind::transient, "341"},
    {400,
     meta(368, std::nullopt, "The action attempted has been deemed abusive"),
     phase::api_call,
     error_kind::transient,
     "368",
     std::nullopt,
     {},
     3600s},
    {400, ig_legacy(400, "Invalid authorization code"), phase::code_exchange, error_kind::rejected,
     "OAuthException"},
    {400, ig_legacy(400, "Error validating client secret."), phase::code_exchange,
     error_kind::rejected, "OAuthException"},
    {400, ig_legacy(400, "Invalid redirect_uri"), phase::code_exchange, error_kind::rejected,
     "OAuthException"},
    {400, ig_legacy(400, "This authorization code has been used"), phase::code_exchange,
     error_kind::rejected, "OAuthException"},
    {500, ig_legacy(500, "Internal server error"), phase::code_exchange, error_kind::transient,
     "OAuthException"},
    {502, "<html><body>Bad Gateway</body></html>", phase::refresh, error_kind::transient,
     "http_502"},
    {429,
     "",
     phase::api_call,
     error_kind::transient,
     "http_429",
     std::nullopt,
     {{"Retry-After", "120"}},
     120s},
    {401, meta(190, std::nullopt, "Error validating access token"), phase::after_failed_refresh,
     error_kind::reconnect, "190"},
    {400, "not json at all", phase::api_call, error_kind::rejected, "http_400"},
    {400, meta(32, std::nullopt, "Page request limit reached"), phase::api_call,
     error_kind::transient, "32"},
};

const std::vector<row> facebook_rows = {
    {400,
     meta(190, 458, "Error validating access token: The user has not authorized application 1234."),
     phase::api_call, error_kind::reconnect, "190", 458},
    {400,
     meta(190, 460, "The session has been invalidated because the user changed their password."),
     phase::identity, error_kind::reconnect, "190", 460},
    {400, meta(190, 463, "Error validating access token: Session has expired."),
     phase::long_lived_exchange, error_kind::reconnect, "190", 463},
    {400, meta(190, 467, "Error validating access token: The user is logged out."), phase::api_call,
     error_kind::reconnect, "190", 467},
    {401, meta(190, std::nullopt, "Malformed access token"), phase::api_call, error_kind::reconnect,
     "190"},
    {400, meta(190, 459, "The user is enrolled in a blocking, logged-in checkpoint"),
     phase::api_call, error_kind::user_action, "190", 459},
    {400, meta(190, 464, "Sessions for the user are not allowed"), phase::api_call,
     error_kind::user_action, "190", 464},
    {400, meta(190, 492, "The session is invalid because the user lost a role on the Page"),
     phase::api_call, error_kind::user_action, "190", 492},
    {400, meta(102, std::nullopt, "Session key invalid"), phase::api_call, error_kind::reconnect,
     "102"},
    {403, meta(10, std::nullopt, "(#10) Application does not have permission for this action"),
     phase::api_call, error_kind::reconsent, "10"},
    {403, meta(200, std::nullopt, "(#200) Permissions error"), phase::api_call,
     error_kind::reconsent, "200"},
    {403, meta(294, std::nullopt, "Managing advertisements requires ads_management"),
     phase::api_call, error_kind::reconsent, "294"},
    {403, meta(299, std::nullopt, "(#299) Permission denied"), phase::api_call,
     error_kind::reconsent, "299"},
    {400,
     meta(4, std::nullopt, "(#4) Application request limit reached"),
     phase::api_call,
     error_kind::transient,
     "4",
     std::nullopt,
     {{"X-App-Usage", R"({"call_count":100,"total_time":20,"total_cputime":12})"}}},
    {400, meta(17, std::nullopt, "(#17) User request limit reached"), phase::identity,
     error_kind::transient, "17"},
    {400, meta(32, std::nullopt, "(#32) Page request limit reached"), phase::api_call,
     error_kind::transient, "32"},
    {400, meta(613, std::nullopt, "(#613) Calls to this api have exceeded the rate limit"),
     phase::api_call, error_kind::transient, "613"},
    {400,
     meta(80001, std::nullopt, "There have been too many calls to this Page account."),
     phase::api_call,
     error_kind::transient,
     "80001",
     std::nullopt,
     {{"X-Business-Use-Case-Usage", buc(15)}, {"Retry-After", "60"}},
     900s},
    {500, meta(1, std::nullopt, "An unknown error has occurred."), phase::code_exchange,
     error_kind::transient, "1"},
    {503, meta(2, std::nullopt, "An unexpected error has occurred. Please retry."), phase::refresh,
     error_kind::transient, "2"},
    {400, meta(100, 36007, "This authorization code has expired."), phase::code_exchange,
     error_kind::rejected, "100", 36007},
    {400, meta(100, 36009, "This authorization code has been used."), phase::code_exchange,
     error_kind::rejected, "100", 36009},
    {400,
     meta(191, std::nullopt,
          "Can't load URL: The domain of this URL isn't included in the app's domains."),
     phase::code_exchange, error_kind::rejected, "191"},
    {400, meta(101, std::nullopt, "Error validating application. Invalid application ID."),
     phase::code_exchange, error_kind::rejected, "101"},
    {400, meta(190, 460, "Error validating access token"), phase::revoke, error_kind::reconnect,
     "190", 460},
    {500, "<!DOCTYPE html><html>Sorry, something went wrong.</html>", phase::api_call,
     error_kind::transient, "http_500"},
    {400, "Bad Request", phase::api_call, error_kind::rejected, "http_400"},
    {400,
     meta(368, std::nullopt, "Temporarily blocked for policies violations"),
     phase::api_call,
     error_kind::transient,
     "368",
     std::nullopt,
     {{"Retry-After", "7200"}},
     7200s},
    {400, meta(80004, std::nullopt, "There have been too many calls to this ad-account."),
     phase::api_call, error_kind::transient, "80004"},
    {403, meta(803, std::nullopt, "(#803) Some of the aliases you requested do not exist"),
     phase::api_call, error_kind::rejected, "803"},
};

const std::vector<row> tiktok_rows = {
    {200, tt_oauth("invalid_grant", "Refresh token is invalid or expired."), phase::refresh,
     error_kind::reconnect, "invalid_grant"},
    {400, tt_oauth("invalid_grant", "Authorization code is expired."), phase::code_exchange,
     error_kind::reconnect, "invalid_grant"},
    {200, tt_oauth("invalid_client", "Client key or secret is incorrect."), phase::refresh,
     error_kind::rejected, "invalid_client"},
    {400, tt_oauth("invalid_request", "The request parameters are malformed."),
     phase::code_exchange, error_kind::rejected, "invalid_request"},
    {200, tt_oauth("unauthorized_client", "The client is not authorized to use this grant."),
     phase::refresh, error_kind::rejected, "unauthorized_client"},
    {200, tt_oauth("unsupported_grant_type", "The grant type is not supported."), phase::refresh,
     error_kind::rejected, "unsupported_grant_type"},
    {200, tt_oauth("invalid_scope", "The scope is invalid."), phase::code_exchange,
     error_kind::rejected, "invalid_scope"},
    {200, tt_oauth("access_denied", "The user denied the request."), phase::code_exchange,
     error_kind::user_action, "access_denied"},
    {401,
     tt_api("access_token_invalid", "The access token is invalid or not found in the request."),
     phase::api_call, error_kind::refresh, "access_token_invalid"},
    {401,
     tt_api("access_token_invalid", "The access token is invalid or not found in the request."),
     phase::after_failed_refresh, error_kind::reconnect, "access_token_invalid"},
    {401, tt_api("access_token_invalid", "The access token is invalid."), phase::identity,
     error_kind::refresh, "access_token_invalid"},
    {401,
     tt_api("scope_not_authorized",
            "The user did not authorize the scope required for completing this request."),
     phase::api_call, error_kind::reconsent, "scope_not_authorized"},
    {401, tt_api("scope_permission_missed", "The client does not have permission for the scope."),
     phase::api_call, error_kind::rejected, "scope_permission_missed"},
    {400, tt_api("invalid_params", "The request parameters are invalid."), phase::api_call,
     error_kind::rejected, "invalid_params"},
    {429, tt_api("rate_limit_exceeded", "API rate limit exceeded."), phase::api_call,
     error_kind::transient, "rate_limit_exceeded"},
    {500, tt_api("internal_error", "Something went wrong."), phase::identity, error_kind::transient,
     "internal_error"},
    {200, tt_api("rate_limit_exceeded", "API rate limit exceeded."), phase::identity,
     error_kind::transient, "rate_limit_exceeded"},
    {503, "", phase::refresh, error_kind::transient, "http_503"},
    {504, "<html>Gateway Timeout</html>", phase::api_call, error_kind::transient, "http_504"},
    {429,
     tt_api("rate_limit_exceeded", "API rate limit exceeded."),
     phase::api_call,
     error_kind::transient,
     "rate_limit_exceeded",
     std::nullopt,
     {{"Retry-After", "Fri, 14 Nov 2025 10:01:30 GMT"}},
     90s},
    {400, tt_api("invalid_file_upload", "The file is invalid."), phase::api_call,
     error_kind::rejected, "invalid_file_upload"},
    {401, tt_api("access_token_invalid", "The access token is invalid."), phase::revoke,
     error_kind::rejected, "access_token_invalid"},
    {500, tt_oauth("server_error", "Internal error."), phase::refresh, error_kind::transient,
     "server_error"},
    {200, tt_oauth("temporarily_unavailable", "Try again later."), phase::refresh,
     error_kind::transient, "temporarily_unavailable"},
    {500, tt_api("some_new_code", "New."), phase::api_call, error_kind::transient, "some_new_code"},
};

const std::vector<row> pinterest_rows = {
    {401, pin(2, "Authentication failed."), phase::api_call, error_kind::refresh, "2"},
    {401, pin(2, "Authentication failed."), phase::after_failed_refresh, error_kind::reconnect,
     "2"},
    {401, pin(2, "Authentication failed."), phase::identity, error_kind::refresh, "2"},
    {401, pin(2, "Authentication failed."), phase::refresh, error_kind::rejected, "2"},
    {401, pin(3, "Not authorized to access resource. Missing scopes: boards:read"), phase::api_call,
     error_kind::reconsent, "3"},
    {403, pin(3, "Insufficient scopes."), phase::identity, error_kind::reconsent, "3"},
    {429, pin(8, "You have exceeded your rate limit. Try again later."), phase::api_call,
     error_kind::transient, "8"},
    {429,
     pin(8, "You have exceeded your rate limit."),
     phase::refresh,
     error_kind::transient,
     "8",
     std::nullopt,
     {{"Retry-After", "30"}},
     30s},
    {503, pin(0, "Endpoint has been ramped down and is currently not accepting any traffic."),
     phase::api_call, error_kind::transient, "0"},
    {403, pin(29, "You are not permitted to access that resource."), phase::api_call,
     error_kind::rejected, "29"},
    {400, pin(1, "Invalid parameters."), phase::refresh, error_kind::rejected, "1"},
    {400, R"({"error":"invalid_grant","error_description":"Refresh token is invalid"})",
     phase::refresh, error_kind::reconnect, "invalid_grant"},
    {401, R"({"error":"invalid_client","error_description":"Bad client credentials"})",
     phase::code_exchange, error_kind::rejected, "invalid_client"},
    {400, R"({"error":"invalid_request","error_description":"redirect_uri mismatch"})",
     phase::code_exchange, error_kind::rejected, "invalid_request"},
    {500, pin(1, "Something went wrong on our end."), phase::api_call, error_kind::transient, "1"},
    {502, "<html>502 Bad Gateway</html>", phase::refresh, error_kind::transient, "http_502"},
    {429,
     "",
     phase::api_call,
     error_kind::transient,
     "http_429",
     std::nullopt,
     {{"Retry-After", "45"}},
     45s},
    {404, pin(4, "Not found."), phase::api_call, error_kind::rejected, "4"},
    {400, pin(283, "Refresh token not found."), phase::refresh, error_kind::rejected, "283"},
    {401, "", phase::api_call, error_kind::refresh, "http_401"},
    {401, "", phase::after_failed_refresh, error_kind::rejected, "http_401"},
    {408, "", phase::api_call, error_kind::transient, "http_408"},
    {503, "", phase::identity, error_kind::transient, "http_503"},
    {401, pin(2, "Authentication failed."), phase::revoke, error_kind::rejected, "2"},
};

}  // namespace

TEST_CASE("Instagram error bodies classify as the platform documents", "[oauth][classify]") {
  REQUIRE(instagram_rows.size() >= 20);
  check_table("instagram", instagram_rows);
}

TEST_CASE("Facebook error bodies classify as the platform documents", "[oauth][classify]") {
  REQUIRE(facebook_rows.size() >= 20);
  check_table("facebook", facebook_rows);
  check_table("instagram_facebook", facebook_rows);
}

TEST_CASE("TikTok error bodies classify as the platform documents, even inside HTTP 200",
          "[oauth][classify]") {
  REQUIRE(tiktok_rows.size() >= 20);
  check_table("tiktok", tiktok_rows);
}

TEST_CASE("Pinterest error bodies classify as the platform documents", "[oauth][classify]") {
  REQUIRE(pinterest_rows.size() >= 20);
  check_table("pinterest", pinterest_rows);
}

TEST_CASE("only the documented cases map to reconnect", "[oauth][classify]") {
  const std::vector<std::pair<std::string, const std::vector<row>*>> tables = {
      {"instagram", &instagram_rows},
      {"facebook", &facebook_rows},
      {"tiktok", &tiktok_rows},
      {"pinterest", &pinterest_rows}};
  int reconnects = 0;
  for (const auto& [id, rows] : tables) {
    const auto profile = *find_builtin_profile(id);
    for (const auto& r : *rows) {
      INFO(id << ": " << r.body << " in " << phase_name(r.step));
      const auto e = classify_response(profile, r.step, {r.status, r.headers, r.body}, now);
      REQUIRE(e);
      CHECK((e->kind == error_kind::reconnect) == documented_reconnect(id, r));
      reconnects += e->kind == error_kind::reconnect ? 1 : 0;
    }
  }
  CHECK(reconnects > 10);
}

TEST_CASE("every transient HTTP status in every phase never means reconnect", "[oauth][classify]") {
  for (const auto& profile : builtin_profiles()) {
    for (unsigned status : {408u, 429u, 500u, 502u, 503u, 504u}) {
      for (phase step :
           {phase::code_exchange, phase::long_lived_exchange, phase::refresh, phase::identity,
            phase::api_call, phase::revoke, phase::after_failed_refresh}) {
        for (const char* body : {"", "<html>oops</html>", "{}", R"({"error":{}})"}) {
          const auto e = classify_response(profile, step, {status, {}, body}, now);
          REQUIRE(e);
          CHECK(e->kind == error_kind::transient);
        }
      }
    }
  }
}

TEST_CASE("successful answers are not errors, except TikTok bodies that say so",
          "[oauth][classify]") {
  const auto tiktok = *find_builtin_profile("tiktok");
  CHECK_FALSE(classify_response(
      tiktok, phase::identity,
      {200, {}, R"({"data":{"user":{"open_id":"x"}},"error":{"code":"ok","message":""}})"}, now));
  CHECK_FALSE(classify_response(tiktok, phase::refresh,
                                {200, {}, R"({"access_token":"act.x","expires_in":7200})"}, now));
  CHECK_FALSE(classify_response(tiktok, phase::revoke, {200, {}, ""}, now));
  const auto fb = *find_builtin_profile("facebook");
  CHECK_FALSE(classify_response(fb, phase::revoke, {200, {}, R"({"success":true})"}, now));
  CHECK_FALSE(classify_response(fb, phase::api_call, {204, {}, ""}, now));
  const auto pin = *find_builtin_profile("pinterest");
  CHECK_FALSE(classify_response(pin, phase::identity, {200, {}, R"({"username":"x"})"}, now));
}

TEST_CASE("a generic provider follows RFC 6749 and RFC 6750", "[oauth][classify]") {
  const auto acme = make_generic_profile(generic_config()).value();
  const auto kind = [&](unsigned status, std::string body, phase step, header_list headers = {}) {
    const auto e =
        classify_response(acme, step, {status, std::move(headers), std::move(body)}, now);
    REQUIRE(e);
    return e->kind;
  };
  CHECK(kind(400, R"({"error":"invalid_grant"})", phase::refresh) == error_kind::reconnect);
  CHECK(kind(401, R"({"error":"invalid_client"})", phase::refresh) == error_kind::rejected);
  CHECK(kind(400, R"({"error":"redirect_uri_mismatch"})", phase::code_exchange) ==
        error_kind::rejected);
  CHECK(kind(503, R"({"error":"temporarily_unavailable"})", phase::refresh) ==
        error_kind::transient);
  CHECK(kind(401, "", phase::api_call,
             {{"WWW-Authenticate",
               R"(Bearer realm="acme", error="invalid_token", error_description="expired")"}}) ==
        error_kind::refresh);
  CHECK(kind(401, "", phase::after_failed_refresh,
             {{"WWW-Authenticate", R"(Bearer error="invalid_token")"}}) == error_kind::reconnect);
  CHECK(
      kind(403, "", phase::api_call,
           {{"WWW-Authenticate", R"(Bearer error="insufficient_scope", scope="insights.read")"}}) ==
      error_kind::reconsent);
  CHECK(kind(401, "", phase::after_failed_refresh) == error_kind::rejected);
  CHECK(kind(302, "", phase::api_call) == error_kind::rejected);
}

TEST_CASE("transport failures are transient, an unusable URL is rejected", "[oauth][classify]") {
  for (errc e : {errc::dns_failed, errc::connect_failed, errc::tls_failed, errc::timeout,
                 errc::response_too_large, errc::malformed_response, errc::connection_closed}) {
    const auto p = classify_transport(make_error_code(e), phase::refresh);
    CHECK(p.kind == error_kind::transient);
    CHECK(p.code == errc_name(e));
    CHECK(p.phase == phase::refresh);
  }
  CHECK(classify_transport(make_error_code(errc::invalid_url), phase::api_call).kind ==
        error_kind::rejected);
  const auto reset =
      classify_transport(std::make_error_code(std::errc::connection_reset), phase::api_call);
  CHECK(reset.kind == error_kind::transient);
  CHECK_THAT(reset.code, Catch::StartsWith("generic:"));
}

TEST_CASE("Retry-After is read as seconds or as an HTTP-date", "[oauth][classify]") {
  CHECK(parse_retry_after("120", now) == 120s);
  CHECK(parse_retry_after(" 0 ", now) == 0s);
  CHECK(parse_retry_after("Fri, 14 Nov 2025 10:02:00 GMT", now) == 120s);
  CHECK(parse_retry_after("Friday, 14-Nov-25 10:00:30 GMT", now) == 30s);
  CHECK(parse_retry_after("Fri Nov 14 10:00:05 2025", now) == 5s);
  CHECK(parse_retry_after("Thu, 13 Nov 2025 10:00:00 GMT", now) == 0s);
  CHECK_FALSE(parse_retry_after("", now));
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK_FALSE(parse_retry_after("-5", now));
  CHECK_FALSE(parse_retry_after("1.5", now));
  CHECK_FALSE(parse_retry_after("Fri, 31 Feb 2025 10:00:00 GMT", now));
  CHECK_FALSE(parse_retry_after("Fri, 14 Nov 2025 25:00:00 GMT", now));
}

TEST_CASE("Meta's regain-access estimate is minutes, the largest entry wins", "[oauth][classify]") {
  CHECK(meta_regain_access(buc(5)) == 300s);
  CHECK(
      meta_regain_access(
          R"({"1":[{"type":"pages","estimated_time_to_regain_access":0}],"2":[{"type":"instagram","estimated_time_to_regain_access":12}]})") ==
      720s);
  CHECK_FALSE(meta_regain_access(buc(0)));
  CHECK_FALSE(meta_regain_access("not json"));
  CHECK_FALSE(meta_regain_access("{}"));
  // The larger of Retry-After and the estimate is used.
  const auto fb = *find_builtin_profile("facebook");
  const auto e = classify_response(fb, phase::api_call,
                                   {400,
                                    {{"X-Business-Use-Case-Usage", buc(1)}, {"Retry-After", "600"}},
                                    meta(80001, std::nullopt, "x")},
                                   now);
  REQUIRE(e);
  CHECK(e->retry_after == 600s);
}

TEST_CASE("provider messages are trimmed, cut and stripped of anything token-like",
          "[oauth][classify]") {
  CHECK(scrub_message("  Invalid token\r\n") == "Invalid token");
  CHECK(scrub_message("a\x01"
                      "b") == "a b");
  CHECK(scrub_message("token EAABsbCS1iHgBAKZCZBZA9ZCsmK5ZBa9ZC1ZB2xyz is bad") ==
        "token [redacted] is bad");
  CHECK(scrub_message("OAuthException happened") == "OAuthException happened");
  const std::string_view canaries[] = {"s3cr"};
  CHECK(scrub_message("the s3cr value", canaries) == "the [redacted] value");
  const std::string long_text(1000, 'x');
  CHECK(scrub_message(long_text).size() == 300);
  const std::string utf8 = std::string(299, 'a') + "\xc3\xa9";
  CHECK(scrub_message(utf8).size() == 299);
}

TEST_CASE("a provider error becomes an oauth failure naming phase, kind and code",
          "[oauth][classify]") {
  provider_error e;
  e.kind = error_kind::reconnect;
  e.phase = phase::refresh;
  e.code = "190";
  e.subcode = 460;
  e.message = "Password changed";
  e.retry_after = 30s;
  const auto f = to_failure(e);
  CHECK(f.code == make_error_code(errc::provider_error));
  CHECK(f.detail ==
        "provider error in refresh: kind=reconnect code=190 subcode=460 retry_after=30s: "
        "Password changed");
}

TEST_CASE("a provider error is described in one line naming phase, kind, code and message",
          "[provider-error]") {
  oauth::provider_error e;
  e.phase = oauth::phase::refresh;
  e.kind = oauth::error_kind::reconnect;
  e.code = "190";
  e.subcode = 460;
  e.message = "The session has been invalidated";
  CHECK(oauth::describe(e) == std::string(oauth::phase_name(e.phase)) + ": " +
                                  std::string(oauth::error_kind_name(e.kind)) +
                                  " 190/460 (The session has been invalidated)");
  e.subcode.reset();
  e.message.clear();
  CHECK(oauth::describe(e) == std::string(oauth::phase_name(e.phase)) + ": " +
                                  std::string(oauth::error_kind_name(e.kind)) + " 190");
}
