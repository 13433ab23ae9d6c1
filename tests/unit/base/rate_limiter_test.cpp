#include "base/rate_limiter.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using namespace rosterd::base;
using namespace std::chrono_literals;

namespace {

const rate_limiter::clock::time_point t0{std::chrono::hours(1000)};

rate_limiter limiter(std::size_t max_failures, std::chrono::seconds window,
                     std::size_t max_keys = 1000) {
  return rate_limiter(rate_limit_policy{max_failures, window, max_keys});
}

}  // namespace

TEST_CASE("a key is allowed until it reaches the failure limit within the window",
          "[base][rate_limiter]") {
  auto l = limiter(3, 60s);
  CHECK(l.allow("alice", t0));
  l.record_failure("alice", t0);
  l.record_failure("alice", t0 + 1s);
  CHECK(l.allow("alice", t0 + 2s));
  CHECK_FALSE(l.retry_after("alice", t0 + 2s));
  l.record_failure("alice", t0 + 2s);
  CHECK_FALSE(l.allow("alice", t0 + 2s));
  CHECK(l.allow("bob", t0 + 2s));
}

TEST_CASE("a blocked key is allowed again when its oldest counted failure leaves the window",
          "[base][rate_limiter]") {
  auto l = limiter(3, 60s);
  l.record_failure("alice", t0);
  l.record_failure("alice", t0 + 10s);
  l.record_failure("alice", t0 + 20s);
  CHECK_FALSE(l.allow("alice", t0 + 59s));
  CHECK(l.retry_after("alice", t0 + 59s) == 1s);
  CHECK(l.allow("alice", t0 + 60s));
  // Two failures are still in the window, so one more blocks again, until t0+70s.
  l.record_failure("alice", t0 + 61s);
  CHECK_FALSE(l.allow("alice", t0 + 61s));
  CHECK(l.retry_after("alice", t0 + 61s) == 9s);
  CHECK(l.allow("alice", t0 + 70s));
}

TEST_CASE("retry_after rounds up to whole seconds", "[base][rate_limiter]") {
  auto l = limiter(1, 60s);
  l.record_failure("alice", t0);
  CHECK(l.retry_after("alice", t0) == 60s);
  CHECK(l.retry_after("alice", t0 + 500ms) == 60s);
  CHECK(l.retry_after("alice", t0 + 59s + 1ms) == 1s);
  CHECK_FALSE(l.retry_after("alice", t0 + 60s));
}

TEST_CASE("failures recorded while blocked extend the block", "[base][rate_limiter]") {
  auto l = limiter(2, 60s);
  l.record_failure("alice", t0);
  l.record_failure("alice", t0 + 1s);
  l.record_failure("alice", t0 + 50s);
  l.record_failure("alice", t0 + 55s);
  CHECK_FALSE(l.allow("alice", t0 + 61s));
  CHECK(l.retry_after("alice", t0 + 61s) == 49s);
  CHECK(l.allow("alice", t0 + 110s));
}

TEST_CASE("reset forgets a key's failures and leaves others alone", "[base][rate_limiter]") {
  auto l = limiter(1, 60s);
  l.record_failure("alice", t0);
  l.record_failure("bob", t0);
  l.reset("alice");
  l.reset("carol");  // unknown keys are fine
  CHECK(l.allow("alice", t0));
  CHECK_FALSE(l.allow("bob", t0));
  CHECK(l.tracked_keys() == 1);
}

TEST_CASE("expired keys are dropped as new failures arrive", "[base][rate_limiter]") {
  auto l = limiter(5, 60s);
  for (int i = 0; i < 100; ++i) {
    l.record_failure("key" + std::to_string(i), t0);
  }
  CHECK(l.tracked_keys() == 100);
  l.record_failure("late", t0 + 60s);
  CHECK(l.tracked_keys() == 1);
}

TEST_CASE("a full table evicts the key whose newest failure is oldest", "[base][rate_limiter]") {
  auto l = limiter(1, 3600s, 3);
  l.record_failure("a", t0);
  l.record_failure("b", t0 + 1s);
  l.record_failure("c", t0 + 2s);
  l.record_failure("a", t0 + 3s);  // a is now the most recent
  l.record_failure("d", t0 + 4s);  // evicts b
  CHECK(l.tracked_keys() == 3);
  CHECK(l.allow("b", t0 + 5s));
  CHECK_FALSE(l.allow("a", t0 + 5s));
  CHECK_FALSE(l.allow("c", t0 + 5s));
  CHECK_FALSE(l.allow("d", t0 + 5s));
}

TEST_CASE("failures passed out of order still count by their time", "[base][rate_limiter]") {
  auto l = limiter(2, 60s);
  l.record_failure("alice", t0 + 10s);
  l.record_failure("alice", t0);
  CHECK(l.retry_after("alice", t0 + 10s) == 50s);
}

TEST_CASE("the login policies follow the documented defaults", "[base][rate_limiter]") {
  CHECK(account_login_policy.max_failures == 5);
  CHECK(account_login_policy.window == 15min);
  CHECK(address_login_policy.max_failures == 20);
  CHECK(address_login_policy.window == 15min);
  rate_limiter accounts(account_login_policy);
  for (int i = 0; i < 4; ++i) {
    accounts.record_failure("alice@example.org", t0 + std::chrono::seconds(i));
  }
  CHECK(accounts.allow("alice@example.org", t0 + 5s));
  accounts.record_failure("alice@example.org", t0 + 5s);
  CHECK(accounts.retry_after("alice@example.org", t0 + 5s) == 15min - 5s);
}

TEST_CASE("a policy with a zero limit is refused", "[base][rate_limiter]") {
  CHECK_THROWS_AS(limiter(0, 60s), std::invalid_argument);
  CHECK_THROWS_AS(limiter(1, 0s), std::invalid_argument);
  CHECK_THROWS_AS(limiter(1, 60s, 0), std::invalid_argument);
}

TEST_CASE("concurrent failures on one key are all counted", "[base][rate_limiter]") {
  auto l = limiter(1000, 60s);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        l.record_failure("shared", t0);
        (void)l.allow("shared", t0);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK_FALSE(l.allow("shared", t0));
}

TEST_CASE("try_count lets at most the limit through and counts each one it lets through",
          "[base][rate_limiter]") {
  auto l = limiter(3, 60s);
  CHECK_FALSE(l.try_count("alice", t0));
  CHECK_FALSE(l.try_count("alice", t0 + 1s));
  CHECK_FALSE(l.try_count("alice", t0 + 2s));
  // The third was counted when it went through, before anyone knew how it ended.
  const auto wait = l.try_count("alice", t0 + 3s);
  REQUIRE(wait);
  CHECK(*wait == 57s);
  // A refused attempt counts nothing: the block ends when the first counted one leaves.
  CHECK_FALSE(l.try_count("alice", t0 + 60s));
}

TEST_CASE("concurrent try_count calls on one key let exactly the limit through",
          "[base][rate_limiter]") {
  auto l = limiter(5, 60s);
  std::atomic<int> through{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (!l.try_count("shared", t0)) {
          ++through;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(through == 5);
}

TEST_CASE("forgive takes back one counted attempt and nothing else", "[base][rate_limiter]") {
  auto l = limiter(2, 60s);
  REQUIRE_FALSE(l.try_count("alice", t0));
  REQUIRE_FALSE(l.try_count("alice", t0 + 1s));
  CHECK(l.try_count("alice", t0 + 2s));
  l.forgive("alice", t0 + 1s);
  CHECK_FALSE(l.try_count("alice", t0 + 2s));
  CHECK(l.try_count("alice", t0 + 3s));
  // An attempt that is not kept (never counted, or already forgiven) changes nothing.
  l.forgive("alice", t0 + 30s);
  l.forgive("bob", t0);
  CHECK(l.try_count("alice", t0 + 3s));
  // Forgiving every kept attempt forgets the key.
  l.forgive("alice", t0);
  l.forgive("alice", t0 + 2s);
  CHECK(l.tracked_keys() == 0);
}
