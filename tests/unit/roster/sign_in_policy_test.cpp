#include "roster/sign_in_policy.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using namespace rosterd;
using namespace rosterd::roster;
using namespace std::chrono_literals;

namespace {

const sign_in_throttle::clock::time_point t0{std::chrono::hours(1000)};

sign_in_limits small_limits() {
  sign_in_limits l;
  l.per_account = {3, std::chrono::minutes(15), 1000};
  l.per_address = {5, std::chrono::minutes(15), 1000};
  return l;
}

bool admitted(const std::variant<login_attempt, throttled>& v) {
  return std::holds_alternative<login_attempt>(v);
}

}  // namespace

TEST_CASE("parallel login attempts for one account: only the limit is let in",
          "[sign-in][throttle]") {
  sign_in_throttle throttle(small_limits());
  std::atomic<int> let_in{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        // Every attempt is still "in flight" (its password not yet checked) when the next
        // one asks: it was counted when it was let in.
        auto v = throttle.admit_login("ana@x.test", "192.0.2." + std::to_string(t), t0);
        if (admitted(v)) {
          ++let_in;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(let_in == 3);
}

TEST_CASE("a refused login says how long to wait", "[sign-in][throttle]") {
  sign_in_throttle throttle(small_limits());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(admitted(throttle.admit_login("ana@x.test", "192.0.2.1", t0)));
  }
  auto refused = throttle.admit_login("ana@x.test", "192.0.2.1", t0 + 1min);
  REQUIRE(std::holds_alternative<throttled>(refused));
  CHECK(std::get<throttled>(refused).retry_after == 14min);
  CHECK(admitted(throttle.admit_login("ana@x.test", "192.0.2.1", t0 + 15min)));
}

TEST_CASE("a successful login clears its account's count but not its address's other failures",
          "[sign-in][throttle]") {
  sign_in_throttle throttle(small_limits());
  for (int i = 0; i < 2; ++i) {
    REQUIRE(admitted(throttle.admit_login("ana@x.test", "192.0.2.1", t0)));  // wrong passwords
  }
  for (int i = 0; i < 2; ++i) {
    REQUIRE(admitted(throttle.admit_login("ben@x.test", "192.0.2.1", t0)));
  }
  auto right = throttle.admit_login("ana@x.test", "192.0.2.1", t0);
  REQUIRE(admitted(right));
  std::get<login_attempt>(right).succeeded();
  // Ana's count started again: three more attempts get in (from another address)...
  for (int i = 0; i < 3; ++i) {
    REQUIRE(admitted(throttle.admit_login("ana@x.test", "192.0.2.9", t0)));
  }
  // ...but 192.0.2.1 keeps its four failures (the success no longer counts there): one more
  // fills it, and then it is refused.
  REQUIRE(admitted(throttle.admit_login("cid@x.test", "192.0.2.1", t0)));
  CHECK_FALSE(admitted(throttle.admit_login("dee@x.test", "192.0.2.1", t0)));
}

TEST_CASE("a login whose password was never checked counts against neither key",
          "[sign-in][throttle]") {
  sign_in_throttle throttle(small_limits());
  for (int i = 0; i < 10; ++i) {
    auto v = throttle.admit_login("ana@x.test", "192.0.2.1", t0);
    REQUIRE(admitted(v));
    std::get<login_attempt>(v).not_checked();
  }
}

TEST_CASE("a login attempt nobody settles stays counted as a failure", "[sign-in][throttle]") {
  sign_in_throttle throttle(small_limits());
  for (int i = 0; i < 3; ++i) {
    auto v = throttle.admit_login("ana@x.test", "192.0.2.1", t0);
    REQUIRE(admitted(v));
    auto moved = std::move(std::get<login_attempt>(v));
    // Settling the moved-from attempt does nothing; `moved` goes out of scope unsettled.
    std::get<login_attempt>(v).not_checked();
  }
  CHECK_FALSE(admitted(throttle.admit_login("ana@x.test", "192.0.2.2", t0)));
}

TEST_CASE("a login refused for its address does not use up its account's allowance",
          "[sign-in][throttle]") {
  sign_in_throttle throttle(small_limits());
  for (int i = 0; i < 5; ++i) {
    REQUIRE(admitted(throttle.admit_login("u" + std::to_string(i) + "@x.test", "192.0.2.1", t0)));
  }
  for (int i = 0; i < 10; ++i) {
    REQUIRE_FALSE(admitted(throttle.admit_login("ana@x.test", "192.0.2.1", t0)));
  }
  // Ana, from elsewhere, still has all three attempts.
  for (int i = 0; i < 3; ++i) {
    CHECK(admitted(throttle.admit_login("ana@x.test", "198.51.100.1", t0)));
  }
}

TEST_CASE("reset requests and logins have separate allowances per address", "[sign-in][throttle]") {
  sign_in_throttle throttle(small_limits());
  for (int i = 0; i < 5; ++i) {
    REQUIRE_FALSE(throttle.admit_reset_request("192.0.2.1", t0));
  }
  auto refused = throttle.admit_reset_request("192.0.2.1", t0);
  REQUIRE(refused);
  CHECK(refused->retry_after == 15min);
  CHECK(admitted(throttle.admit_login("ana@x.test", "192.0.2.1", t0)));
}

TEST_CASE("judge_login verifies only an active user's own password", "[sign-in][password]") {
  const password_cost cost{};
  const auto phc = hash_password(base::secret("correct horse battery staple"), cost).value();
  login_candidate ana{"usr_1", "ana@x.test", phc, true, "Ana"};
  const auto right = judge_login(ana, base::secret("correct horse battery staple"), cost);
  CHECK(right.verified);
  CHECK_FALSE(right.needs_rehash);
  CHECK_FALSE(judge_login(ana, base::secret("wrong horse battery staple"), cost).verified);
  CHECK_FALSE(
      judge_login(std::nullopt, base::secret("correct horse battery staple"), cost).verified);
  auto disabled = ana;
  disabled.active = false;
  CHECK_FALSE(judge_login(disabled, base::secret("correct horse battery staple"), cost).verified);
  auto no_password = ana;
  no_password.password_hash.clear();
  CHECK_FALSE(judge_login(no_password, base::secret(""), cost).verified);
}

TEST_CASE("judge_login asks for a fresh hash when the stored one has another cost",
          "[sign-in][password]") {
  const password_cost stronger{19456, 3, 1};
  const auto phc = hash_password(base::secret("correct horse battery staple"), {}).value();
  login_candidate ana{"usr_1", "ana@x.test", phc, true, "Ana"};
  const auto v = judge_login(ana, base::secret("correct horse battery staple"), stronger);
  CHECK(v.verified);
  CHECK(v.needs_rehash);
}
