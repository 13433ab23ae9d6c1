#include "oauth/signed_request.hpp"

#include <catch2/catch.hpp>

#include "base/crypto.hpp"
#include "base/random.hpp"
#include "tests/unit/oauth/oauth_testing.hpp"

using namespace rosterd;
using namespace rosterd::oauth;
using namespace rosterd::oauth::testing;
using namespace std::chrono_literals;

namespace {

const base::secret& app_secret() {
  static const base::secret s{std::string(canary_secret)};
  return s;
}

std::string b64url(std::string_view data) {
  return base::base64url_encode(reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

std::string sign_segment(std::string_view payload_segment, std::string_view key) {
  const auto mac = base::hmac_sha256(key, payload_segment);
  return base::base64url_encode(mac.data(), mac.size());
}

/// A signed_request as Meta builds it.
std::string make(std::string_view payload_json, std::string_view key = canary_secret) {
  const std::string payload = b64url(payload_json);
  return sign_segment(payload, key) + "." + payload;
}

constexpr std::string_view deletion_payload =
    R"({"algorithm":"HMAC-SHA256","expires":1291840400,"issued_at":1291836800,"user_id":"218471"})";

/// The tests' clock: a minute after Meta's sample requests were issued (issued_at 1291836800).
const std::chrono::system_clock::time_point test_now{1291836800s + 60s};

/// verify_signed_request at the tests' clock.
base::result<signed_request_payload> verify(std::string_view input, const base::secret& secret) {
  return verify_signed_request(input, secret, test_now);
}

}  // namespace

TEST_CASE("a genuine signed_request verifies and its payload is read", "[oauth][signed_request]") {
  auto r = verify(make(deletion_payload), app_secret());
  REQUIRE(r);
  CHECK(r->user_id == "218471");
  CHECK(r->algorithm == "HMAC-SHA256");
  CHECK(r->issued_at.time_since_epoch() == 1291836800s);
  REQUIRE(r->expires);
  CHECK(r->expires->time_since_epoch() == 1291840400s);
}

TEST_CASE("a numeric user_id and a missing expires are accepted", "[oauth][signed_request]") {
  auto r = verify(make(R"({"algorithm":"HMAC-SHA256","issued_at":1291836800,"user_id":218471})"),
                  app_secret());
  REQUIRE(r);
  CHECK(r->user_id == "218471");
  CHECK_FALSE(r->expires);
}

TEST_CASE("a signed_request signed with another secret is rejected", "[oauth][signed_request]") {
  auto r = verify(make(deletion_payload, "not-the-app-secret"), app_secret());
  CHECK(failure_code(r) == "invalid_signature");
}

TEST_CASE("a payload changed after signing is rejected", "[oauth][signed_request]") {
  const std::string genuine = make(deletion_payload);
  const std::string forged_payload =
      b64url(R"({"algorithm":"HMAC-SHA256","issued_at":1291836800,"user_id":"999999"})");
  const std::string forged = genuine.substr(0, genuine.find('.') + 1) + forged_payload;
  CHECK(failure_code(verify(forged, app_secret())) == "invalid_signature");
  // Every single-bit flip of the signature is caught.
  const auto dot = genuine.find('.');
  for (std::size_t i = 0; i < dot; ++i) {
    std::string flipped = genuine;
    flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
    const auto code = failure_code(verify(flipped, app_secret()));
    CHECK((code == "invalid_signature" || code == "malformed_request"));
  }
}

TEST_CASE("a signed_request with algorithm HMAC-SHA1 is rejected", "[oauth][signed_request]") {
  for (const char* algorithm : {"HMAC-SHA1", "none", "", "HMAC-SHA256 ", "RS256"}) {
    INFO(algorithm);
    const std::string payload = std::string(R"({"algorithm":")") + algorithm +
                                R"(","issued_at":1291836800,"user_id":"218471"})";
    CHECK(failure_code(verify(make(payload), app_secret())) == "invalid_signature");
  }
  CHECK(failure_code(verify(make(R"({"issued_at":1291836800,"user_id":"1"})"), app_secret())) ==
        "invalid_signature");
  CHECK(failure_code(verify(make(R"({"algorithm":1,"issued_at":1291836800,"user_id":"1"})"),
                            app_secret())) == "invalid_signature");
  // Meta's own sample compares case-insensitively.
  CHECK(verify(make(R"({"algorithm":"hmac-sha256","issued_at":1291836800,"user_id":"1"})"),
               app_secret()));
}

TEST_CASE("truncated signed_requests are rejected", "[oauth][signed_request]") {
  const std::string genuine = make(deletion_payload);
  for (std::size_t length = 0; length < genuine.size(); ++length) {
    INFO(length);
    const auto code = failure_code(verify(genuine.substr(0, length), app_secret()));
    CHECK((code == "invalid_signature" || code == "malformed_request"));
  }
  const auto dot = genuine.find('.');
  CHECK(failure_code(verify(genuine.substr(1), app_secret())) != "ok");
  CHECK(failure_code(verify(genuine.substr(0, dot), app_secret())) == "malformed_request");
  CHECK(failure_code(verify(genuine.substr(dot), app_secret())) == "malformed_request");
}

TEST_CASE("non-base64url characters and padding are rejected", "[oauth][signed_request]") {
  const std::string genuine = make(deletion_payload);
  const auto dot = genuine.find('.');
  const std::string sig = genuine.substr(0, dot);
  const std::string payload = genuine.substr(dot + 1);
  for (const std::string& bad :
       {sig + "=." + payload, sig + "." + payload + "=",
        sig + "." + payload + "==", "+" + sig.substr(1) + "." + payload,
        sig.substr(0, 5) + "/" + sig.substr(6) + "." + payload, sig + ". " + payload,
        sig + "." + payload + "\n", sig + "." + payload + ".x", sig + ".." + payload}) {
    INFO(bad);
    CHECK(failure_code(verify(bad, app_secret())) == "malformed_request");
  }
}

TEST_CASE("payloads of every padding length verify: unpadded base64url of 0, 1 and 2 remainder",
          "[oauth][signed_request]") {
  // Payload lengths that base64url-encode with 0, 2 and 1 '=' of padding left off.
  for (std::string pad : {"", "x", "xx"}) {
    const std::string payload =
        R"({"algorithm":"HMAC-SHA256","issued_at":1291836800,"user_id":"1","p":")" + pad + R"("})";
    INFO(payload.size() % 3);
    const auto request = make(payload);
    CHECK(request.find('=') == std::string::npos);
    CHECK(verify(request, app_secret()));
  }
}

TEST_CASE("non-canonical base64url (stray trailing bits) is rejected", "[oauth][signed_request]") {
  // 32 bytes encode to 43 characters whose last one carries 2 unused bits.
  const std::string genuine = make(deletion_payload);
  const auto dot = genuine.find('.');
  std::string sig = genuine.substr(0, dot);
  REQUIRE(sig.size() == 43);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const auto value = alphabet.find(sig.back());
  sig.back() = alphabet[value | 1];  // set an unused bit: same bytes under a lax decoder
  CHECK(failure_code(verify(sig + genuine.substr(dot), app_secret())) == "malformed_request");
}

TEST_CASE("a signed_request over 64 KiB is rejected before any work", "[oauth][signed_request]") {
  const std::string big =
      make(R"({"algorithm":"HMAC-SHA256","issued_at":1291836800,"user_id":"1","pad":")" +
           std::string(70 * 1024, 'a') + R"("})");
  CHECK(failure_code(verify(big, app_secret())) == "request_too_large");
  CHECK(failure_code(verify(std::string(64 * 1024 + 1, 'a'), app_secret())) == "request_too_large");
  // Just under the limit is judged on its merits.
  const std::string under =
      make(R"({"algorithm":"HMAC-SHA256","issued_at":1291836800,"user_id":"1","pad":")" +
           std::string(40 * 1024, 'a') + R"("})");
  REQUIRE(under.size() < 64 * 1024);
  CHECK(verify(under, app_secret()));
}

TEST_CASE("signed payloads that are not usable are malformed", "[oauth][signed_request]") {
  CHECK(failure_code(verify(make("not json"), app_secret())) == "malformed_request");
  CHECK(failure_code(verify(make("[1]"), app_secret())) == "malformed_request");
  CHECK(failure_code(verify(make(R"({"algorithm":"HMAC-SHA256","issued_at":1291836800})"),
                            app_secret())) == "malformed_request");
  CHECK(failure_code(verify(make(R"({"algorithm":"HMAC-SHA256","user_id":"1"})"), app_secret())) ==
        "malformed_request");
  CHECK(failure_code(verify(make(R"({"algorithm":"HMAC-SHA256","issued_at":"1","user_id":"1"})"),
                            app_secret())) == "malformed_request");
  CHECK(
      failure_code(verify(
          make(R"({"algorithm":"HMAC-SHA256","issued_at":1291836800,"user_id":"1","expires":"x"})"),
          app_secret())) == "malformed_request");
  CHECK(failure_code(verify(make(deletion_payload), base::secret())) == "invalid_signature");
}

TEST_CASE("random garbage is always rejected", "[oauth][signed_request]") {
  for (int i = 0; i < 2000; ++i) {
    const auto bytes = base::random_bytes(static_cast<std::size_t>(i % 200));
    const std::string input(bytes.begin(), bytes.end());
    CHECK_FALSE(verify(input, app_secret()));
    const std::string dotted =
        base::random_base64url(32) + "." + base::random_base64url(i % 90 + 1);
    CHECK_FALSE(verify(dotted, app_secret()));
  }
}

TEST_CASE("the signed_request field is taken from a form body", "[oauth][signed_request]") {
  const std::string value = make(deletion_payload);
  auto field = signed_request_from_form("signed_request=" + value);
  REQUIRE(field);
  CHECK(*field == value);
  CHECK(verify(*field, app_secret()));
  CHECK(failure_code(signed_request_from_form("other=1")) == "malformed_request");
  CHECK(failure_code(signed_request_from_form("signed_request=a&signed_request=b")) ==
        "malformed_request");
  CHECK(failure_code(signed_request_from_form("signed_request=%zz")) == "malformed_request");
  CHECK(failure_code(signed_request_from_form(std::string(100 * 1024, 'a'))) ==
        "request_too_large");
}

TEST_CASE("signatures are compared with CRYPTO_memcmp semantics: equal length and bytes",
          "[oauth][signed_request]") {
  const unsigned char a[] = {1, 2, 3};
  const unsigned char b[] = {1, 2, 4};
  CHECK(base::constant_time_equal(a, 3, a, 3));
  CHECK_FALSE(base::constant_time_equal(a, 3, b, 3));
  CHECK_FALSE(base::constant_time_equal(a, 3, a, 2));
  CHECK(base::constant_time_equal(a, 0, b, 0));
}

TEST_CASE("a signed_request older than an hour or more than five minutes ahead is stale",
          "[oauth][signed_request][replay]") {
  const auto at = [](std::int64_t issued) {
    return make(R"({"algorithm":"HMAC-SHA256","issued_at":)" + std::to_string(issued) +
                R"(,"user_id":"218471"})");
  };
  const auto issued = 1291836800;
  const std::chrono::system_clock::time_point when{std::chrono::seconds(issued)};
  CHECK(verify_signed_request(at(issued), app_secret(), when + 3600s));
  CHECK(failure_code(verify_signed_request(at(issued), app_secret(), when + 3601s)) ==
        "stale_signature");
  CHECK(verify_signed_request(at(issued), app_secret(), when - 300s));
  CHECK(failure_code(verify_signed_request(at(issued), app_secret(), when - 301s)) ==
        "stale_signature");
  // Meta's own 2010 sample, judged today: stale, and the detail says by how much.
  const auto today =
      verify_signed_request(make(deletion_payload), app_secret(), std::chrono::system_clock::now());
  CHECK(failure_code(today) == "stale_signature");
  CHECK_THAT(failure_detail(today), Catch::Contains("s ago"));
  // The window is the caller's to choose.
  signed_request_options tight;
  tight.max_age = 10s;
  CHECK(failure_code(verify_signed_request(at(issued), app_secret(), when + 11s, tight)) ==
        "stale_signature");
  // Only a request that verified is ever called stale: a forgery stays a forgery.
  CHECK(failure_code(verify_signed_request(make(deletion_payload, "not-the-app-secret"),
                                           app_secret(), std::chrono::system_clock::now())) ==
        "invalid_signature");
}

TEST_CASE("a signed_request's replay key is its signature, the same for every copy",
          "[oauth][signed_request][replay]") {
  const auto request = make(deletion_payload);
  const auto first = verify(request, app_secret());
  const auto again = verify(request, app_secret());
  REQUIRE(first);
  REQUIRE(again);
  CHECK(first->replay_key == again->replay_key);
  CHECK(first->replay_key.size() == 64);
  CHECK(first->replay_key.find("218471") == std::string::npos);
  const auto other = verify(make(R"({"algorithm":"HMAC-SHA256","issued_at":1291836801,)"
                                 R"("user_id":"218471"})"),
                            app_secret());
  REQUIRE(other);
  CHECK(other->replay_key != first->replay_key);
}
