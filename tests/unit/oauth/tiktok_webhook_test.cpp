#include "oauth/tiktok_webhook.hpp"

#include <catch2/catch.hpp>

#include "base/crypto.hpp"
#include "tests/unit/oauth/oauth_testing.hpp"

using namespace rosterd;
using namespace rosterd::oauth;
using namespace rosterd::oauth::testing;
using namespace std::chrono_literals;
using time_point = std::chrono::system_clock::time_point;

namespace {

const base::secret& client_secret() {
  static const base::secret s{std::string(canary_secret)};
  return s;
}

const time_point now{1'700'000'000s};

constexpr std::string_view removed_body =
    R"({"client_key":"awclientkey","event":"authorization.removed","create_time":1699999990,)"
    R"("user_openid":"_000QWErty","content":"{\"reason\":1}"})";

std::string sign(std::string_view t, std::string_view body, std::string_view key = canary_secret) {
  const auto mac = base::hmac_sha256(key, std::string(t) + "." + std::string(body));
  return base::to_hex(mac.data(), mac.size());
}

std::string header(std::string_view t, std::string_view body) {
  return "t=" + std::string(t) + ",s=" + sign(t, body);
}

}  // namespace

TEST_CASE("a genuine TikTok webhook verifies and its event is read", "[oauth][tiktok_webhook]") {
  auto event = verify_tiktok_webhook(header("1700000000", removed_body), removed_body,
                                     client_secret(), "awclientkey", now);
  REQUIRE(event);
  CHECK(event->client_key == "awclientkey");
  CHECK(event->event == "authorization.removed");
  CHECK(event->create_time.time_since_epoch() == 1699999990s);
  CHECK(event->user_openid == "_000QWErty");
  CHECK(event->content == R"({"reason":1})");
  CHECK(event->reason == static_cast<int>(tiktok_removal_reason::user_disconnected));
}

TEST_CASE("the signature header may list s before t, with spaces and several signatures",
          "[oauth][tiktok_webhook]") {
  const std::string s = sign("1700000000", removed_body);
  CHECK(verify_tiktok_signature("s=" + s + ", t=1700000000", removed_body, client_secret(), now));
  CHECK(verify_tiktok_signature("t=1700000000,s=" + std::string(64, '0') + ",s=" + s, removed_body,
                                client_secret(), now));
  std::string upper = s;
  for (auto& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  CHECK(verify_tiktok_signature("t=1700000000,s=" + upper, removed_body, client_secret(), now));
}

TEST_CASE("a forged TikTok webhook is rejected", "[oauth][tiktok_webhook]") {
  // Signed with another secret.
  const std::string other = "t=1700000000,s=" + sign("1700000000", removed_body, "other-secret");
  CHECK(failure_code(verify_tiktok_signature(other, removed_body, client_secret(), now)) ==
        "invalid_signature");
  // Body changed after signing.
  std::string changed(removed_body);
  changed.replace(changed.find("_000QWErty"), 10, "_000Victim");
  CHECK(failure_code(verify_tiktok_signature(header("1700000000", removed_body), changed,
                                             client_secret(), now)) == "invalid_signature");
  // Timestamp changed after signing.
  const std::string moved = "t=1700000001,s=" + sign("1700000000", removed_body);
  CHECK(failure_code(verify_tiktok_signature(moved, removed_body, client_secret(), now)) ==
        "invalid_signature");
  // Signed for another client_key (our secret, someone else's app).
  std::string other_app(removed_body);
  other_app.replace(other_app.find("awclientkey"), 11, "awotherkey1");
  CHECK(failure_code(verify_tiktok_webhook(header("1700000000", other_app), other_app,
                                           client_secret(), "awclientkey", now)) ==
        "invalid_signature");
  CHECK(failure_code(verify_tiktok_signature(header("1700000000", removed_body), removed_body,
                                             base::secret(), now)) == "invalid_signature");
}

TEST_CASE("a TikTok webhook older or newer than five minutes is stale", "[oauth][tiktok_webhook]") {
  CHECK(verify_tiktok_signature(header("1699999700", removed_body), removed_body, client_secret(),
                                now));  // exactly 300 s
  CHECK(failure_code(verify_tiktok_signature(header("1699999699", removed_body), removed_body,
                                             client_secret(), now)) == "stale_signature");
  CHECK(failure_code(verify_tiktok_signature(header("1700000301", removed_body), removed_body,
                                             client_secret(), now)) == "stale_signature");
  CHECK(failure_code(verify_tiktok_signature(header("0", removed_body), removed_body,
                                             client_secret(), now)) == "stale_signature");
  tiktok_webhook_options wide;
  wide.tolerance = 1h;
  CHECK(verify_tiktok_signature(header("1699999000", removed_body), removed_body, client_secret(),
                                now, wide));
  // A stale forgery is reported as a forgery.
  const std::string forged_old = "t=1600000000,s=" + std::string(64, 'a');
  CHECK(failure_code(verify_tiktok_signature(forged_old, removed_body, client_secret(), now)) ==
        "invalid_signature");
}

TEST_CASE("malformed TikTok-Signature headers are rejected", "[oauth][tiktok_webhook]") {
  const std::string s = sign("1700000000", removed_body);
  for (const std::string& bad :
       {std::string(), std::string("garbage"), "s=" + s, std::string("t=1700000000"), "t=,s=" + s,
        "t=17000000x0,s=" + s, "t=-1700000000,s=" + s, "t=1700000000,s=" + s.substr(1),
        "t=1700000000,s=" + s + "0", "t=1700000000,s=" + s.substr(0, 63) + "g",
        "t=1700000000,t=1700000000,s=" + s, "t=1700000000;s=" + s, "t=1700000000,s=" + s + ",junk",
        std::string(2000, 't')}) {
    INFO(bad);
    CHECK(failure_code(verify_tiktok_signature(bad, removed_body, client_secret(), now)) ==
          "malformed_request");
  }
  // An unknown key=value item (a future version marker) is ignored.
  CHECK(verify_tiktok_signature("t=1700000000,v=2,s=" + s, removed_body, client_secret(), now));
}

TEST_CASE("a TikTok webhook body over the size limit is rejected", "[oauth][tiktok_webhook]") {
  const std::string big(64 * 1024 + 1, ' ');
  CHECK(failure_code(verify_tiktok_signature(header("1700000000", big), big, client_secret(),
                                             now)) == "request_too_large");
}

TEST_CASE("TikTok event bodies are read leniently but need their fields",
          "[oauth][tiktok_webhook]") {
  auto upload = parse_tiktok_webhook(
      R"({"client_key":"k","event":"video.publish.completed","create_time":"1700000000",)"
      R"("user_openid":"o","content":"{\"publish_id\":\"v_pub_1\"}"})");
  REQUIRE(upload);
  CHECK_FALSE(upload->reason);
  auto object_content =
      parse_tiktok_webhook(R"({"client_key":"k","event":"authorization.removed","create_time":1,)"
                           R"("user_openid":"o","content":{"reason":5}})");
  REQUIRE(object_content);
  CHECK(object_content->reason == 5);
  auto no_content = parse_tiktok_webhook(
      R"({"client_key":"k","event":"authorization.removed","create_time":1,"user_openid":"o"})");
  REQUIRE(no_content);
  CHECK_FALSE(no_content->reason);

  for (const char* bad :
       {"", "[]", R"({"event":"e","create_time":1,"user_openid":"o","content":""})",
        R"({"client_key":"k","create_time":1,"user_openid":"o"})",
        R"({"client_key":"k","event":"e","user_openid":"o"})",
        R"({"client_key":"k","event":"e","create_time":"soon","user_openid":"o"})",
        R"({"client_key":"k","event":"e","create_time":1})",
        R"({"client_key":"k","event":"e","create_time":1,"user_openid":5})",
        R"({"client_key":"k","event":"e","create_time":1,"user_openid":"o","content":7})"}) {
    INFO(bad);
    CHECK(failure_code(parse_tiktok_webhook(bad)) == "malformed_request");
  }
}
