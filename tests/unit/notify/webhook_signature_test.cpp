#include "notify/webhook_signature.hpp"

#include <catch2/catch.hpp>

#include "base/crypto.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

std::vector<base::secret> keys_of(std::initializer_list<std::string_view> secrets) {
  std::vector<base::secret> keys;
  for (const auto s : secrets) {
    keys.push_back(notify::webhook_signing_key(s).value());
  }
  return keys;
}

const auto example_time = std::chrono::system_clock::time_point(1614265330s);

}  // namespace

TEST_CASE("a delivery is signed exactly as the Standard Webhooks example says", "[webhooks]") {
  // The example from the Standard Webhooks specification's README, signed by its reference
  // libraries: the same secret, id, timestamp and body must give the same header.
  const auto keys = keys_of({"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"});
  CHECK(notify::sign_webhook(keys, "msg_p5jXN8AQM9LWM0D4loKWxJek", example_time,
                             R"({"test": 2432232314})") ==
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  CHECK(notify::webhook_timestamp(example_time) == "1614265330");
}

TEST_CASE("while a secret is rotated each delivery carries one signature per secret",
          "[webhooks]") {
  const auto old_secret = notify::generate_webhook_secret();
  const auto new_secret = notify::generate_webhook_secret();
  const auto both = keys_of({old_secret.reveal(), new_secret.reveal()});
  const auto header = notify::sign_webhook(both, "msg_1", example_time, "{}");
  const auto space = header.find(' ');
  REQUIRE(space != std::string::npos);
  CHECK(header.substr(0, space) ==
        notify::sign_webhook(keys_of({old_secret.reveal()}), "msg_1", example_time, "{}"));
  CHECK(header.substr(space + 1) ==
        notify::sign_webhook(keys_of({new_secret.reveal()}), "msg_1", example_time, "{}"));
}

TEST_CASE("a generated secret is whsec_ and 32 key bytes, different each time", "[webhooks]") {
  const auto a = notify::generate_webhook_secret();
  const auto b = notify::generate_webhook_secret();
  CHECK(a.reveal().substr(0, 6) == "whsec_");
  CHECK(notify::webhook_signing_key(a.reveal()).value().reveal().size() == 32);
  CHECK(a.reveal() != b.reveal());
}

TEST_CASE("a malformed webhook secret is refused with what to fix, never echoing it",
          "[webhooks]") {
  for (const char* bad :
       {"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZI",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=", "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}) {
    CAPTURE(bad);
    const auto key = notify::webhook_signing_key(bad);
    REQUIRE_FALSE(key.has_value());
    CHECK_FALSE(key.error().detail.empty());
    if (std::string_view(bad).size() > 6) {
      CHECK(key.error().detail.find(std::string_view(bad).substr(6)) == std::string::npos);
    }
  }
}
