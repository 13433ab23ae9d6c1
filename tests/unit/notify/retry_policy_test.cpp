#include "notify/retry_policy.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::notify;
using namespace std::chrono_literals;

TEST_CASE("the default policy follows RFC 5321: 30 minutes first, then doubling to a cap",
          "[notify][retry]") {
  const retry_policy policy;  // 30 min, 4 h cap, 4 days, 20 % jitter
  CHECK(policy.give_up_after == 96h);
  CHECK(retry_delay(policy, 1, 0.0) == 30min);
  CHECK(retry_delay(policy, 2, 0.0) == 1h);
  CHECK(retry_delay(policy, 3, 0.0) == 2h);
  CHECK(retry_delay(policy, 4, 0.0) == 4h);
  CHECK(retry_delay(policy, 5, 0.0) == 4h);
  CHECK(retry_delay(policy, 1000, 0.0) == 4h);
}

TEST_CASE("jitter only ever shortens a delay, by at most its fraction", "[notify][retry]") {
  const retry_policy policy;
  CHECK(retry_delay(policy, 1, 0.5) == 27min);
  CHECK(retry_delay(policy, 1, 0.999999) >= 24min);
  CHECK(retry_delay(policy, 1, 0.999999) < 30min);
  CHECK(retry_delay(policy, 9, 0.5) == 4h - 24min);
}

TEST_CASE("a delay is never below one second, even with a zero policy", "[notify][retry]") {
  retry_policy policy;
  policy.initial_backoff = 0s;
  policy.max_backoff = 0s;
  policy.jitter = 1;
  CHECK(retry_delay(policy, 1, 0.99) == 1s);
  CHECK(retry_delay(policy, 0, 0.0) == 1s);
}
