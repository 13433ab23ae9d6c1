#include "oauth/backoff.hpp"

#include <vector>

#include <catch2/catch.hpp>

using namespace rosterd::oauth;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

/// Replays fixed values: the injected random source.
unit_random sequence(std::vector<double> values) {
  auto index = std::make_shared<std::size_t>(0);
  return [values = std::move(values), index] { return values[(*index)++ % values.size()]; };
}

}  // namespace

TEST_CASE("full jitter grows exponentially from the base and stops at the 15 minute cap",
          "[oauth][backoff]") {
  const backoff_policy policy;  // 30 s base, 15 min cap, 1 s minimum
  CHECK(policy.cap == 15min);
  const double almost_one = 0.999999;
  CHECK(full_jitter_delay(policy, 1, 0.5) == 15s);
  CHECK(full_jitter_delay(policy, 2, 0.5) == 30s);
  CHECK(full_jitter_delay(policy, 3, 0.5) == 60s);
  CHECK(full_jitter_delay(policy, 5, almost_one) < 8min);
  CHECK(full_jitter_delay(policy, 5, almost_one) > 7min);
  CHECK(full_jitter_delay(policy, 6, almost_one) < 15min);
  CHECK(full_jitter_delay(policy, 6, 0.5) == 7min + 30s);
  CHECK(full_jitter_delay(policy, 100, 0.5) == 7min + 30s);
  CHECK(full_jitter_delay(policy, 1'000'000, almost_one) < 15min);
  CHECK(full_jitter_delay(policy, 1, 0.0) == 0ms);
}

TEST_CASE("decorrelated jitter stays between the base and three times the last delay, capped",
          "[oauth][backoff]") {
  backoff_policy policy;
  policy.mode = jitter_mode::decorrelated;
  CHECK(decorrelated_jitter_delay(policy, 0ms, 0.0) == 30s);
  CHECK(decorrelated_jitter_delay(policy, 0ms, 0.5) == 60s);  // [30 s, 90 s)
  CHECK(decorrelated_jitter_delay(policy, 100s, 0.0) == 30s);
  CHECK(decorrelated_jitter_delay(policy, 100s, 0.5) == 165s);  // [30 s, 300 s)
  CHECK(decorrelated_jitter_delay(policy, 10min, 0.9) == 15min);
}

TEST_CASE("every delay lies within [minimum, cap] whatever the random source says",
          "[oauth][backoff]") {
  for (jitter_mode mode : {jitter_mode::full, jitter_mode::decorrelated}) {
    backoff_policy policy;
    policy.base = 2s;
    policy.mode = mode;
    backoff b(policy);
    for (int i = 0; i < 10'000; ++i) {
      const auto d = b.next();
      REQUIRE(d >= 1s);
      REQUIRE(d <= 15min);
    }
    CHECK(b.failures() == 10'000);
  }
}

TEST_CASE("out-of-range random values are clamped into [0, 1)", "[oauth][backoff]") {
  const backoff_policy policy;
  CHECK(full_jitter_delay(policy, 30, 7.0) < 15min);
  CHECK(full_jitter_delay(policy, 30, -1.0) == 0ms);
  CHECK(full_jitter_delay(policy, 30, std::nan("")) == 0ms);
}

TEST_CASE("the provider's Retry-After is a floor, bounded by max_retry_after", "[oauth][backoff]") {
  const backoff_policy policy;
  CHECK(apply_floors(policy, 10s, 120s) == 120s);
  CHECK(apply_floors(policy, 10min, 120s) == 10min);
  CHECK(apply_floors(policy, 10s, 40h) == 24h);
  CHECK(apply_floors(policy, 0ms, std::nullopt) == 1s);
  CHECK(apply_floors(policy, 0ms, 0s) == 1s);
  // A floor beyond the cap is honoured: the provider said when.
  backoff b(policy, sequence({0.5}));
  CHECK(b.next(1h) == 1h);
}

TEST_CASE("an injected random source makes the sequence deterministic, reset starts over",
          "[oauth][backoff]") {
  backoff_policy policy;
  policy.base = 1s;
  backoff b(policy, sequence({0.5, 0.25, 0.75, 0.5}));
  CHECK(b.next() == 1s);  // max(0.5 * 1 s, 1 s minimum)
  CHECK(b.next() == 1s);  // 0.25 * 2 s = 500 ms → minimum
  CHECK(b.next() == 3s);  // 0.75 * 4 s
  CHECK(b.next() == 4s);  // 0.5 * 8 s
  b.reset();
  CHECK(b.failures() == 0);
  CHECK(b.next() == 1s);

  backoff_policy decorrelated = policy;
  decorrelated.mode = jitter_mode::decorrelated;
  backoff d(decorrelated, sequence({0.5, 0.5, 0.5}));
  CHECK(d.next() == 2s);      // [1 s, 3 s)
  CHECK(d.next() == 3500ms);  // [1 s, 6 s)
  CHECK(d.next() == 5750ms);  // [1 s, 10.5 s)
}

TEST_CASE("the default random source is spread over [0, 1)", "[oauth][backoff]") {
  auto random = default_unit_random();
  double low = 1.0;
  double high = 0.0;
  for (int i = 0; i < 1000; ++i) {
    const double u = random();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    low = std::min(low, u);
    high = std::max(high, u);
  }
  CHECK(low < 0.05);
  CHECK(high > 0.95);
}
